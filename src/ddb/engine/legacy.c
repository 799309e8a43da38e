/*
 * legacy: the parameters from before expressions existed (KeyConditions,
 * QueryFilter, ScanFilter, ConditionalOperator, Expected, AttributesToGet,
 * AttributeUpdates), which older SDK code and object mappers still send.
 *
 * Each is rewritten into the expression that means the same, with its own
 * placeholders (#lgN for names, #luN for the names AttributeUpdates
 * changes, :lgN for values), before the operation
 * runs; the operations themselves only know expressions. A request may not
 * mix the two forms, and ExpressionAttributeNames/Values belong to
 * expressions only, as in DynamoDB. Conditions on several attributes are
 * joined by ConditionalOperator (AND unless OR).
 *
 * Meanings that differ from the plain expression, as DynamoDB Local 3.3.1
 * answers them: NOT_CONTAINS fails on a missing attribute; AttributeUpdates
 * ADD of a list appends to it (or creates it); DELETE without a Value
 * removes the attribute.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "ddb/engine/engine_int.h"

typedef struct lg {
    json_t *names, *values;
    int n;
    const char *name_prefix; /* "#lg", or "#lu" for AttributeUpdates' names */
    ddb_err *err;
} lg;

static bool lg_fail(lg *g, const char *fmt, const char *arg)
{
    ddb_err_set(g->err, DDB_E_VALIDATION, fmt, arg);
    return false;
}

/* A fresh placeholder for a name or a value, appended to `out`. */
static void lg_name(lg *g, const char *name, buf_t *out)
{
    char ph[24];
    snprintf(ph, sizeof ph, "%s%d", g->name_prefix, g->n++);
    json_object_set_new(g->names, ph, json_string(name));
    buf_puts(out, ph);
}

static void lg_value(lg *g, const json_t *v, buf_t *out)
{
    char ph[24];
    snprintf(ph, sizeof ph, ":lg%d", g->n++);
    json_object_set(g->values, ph, (json_t *)v);
    buf_puts(out, ph);
}

/* The type member of an AttributeValue ("S", "SS", ...), or "". */
static const char *av_type(const json_t *v)
{
    const char *k;
    json_t *m;
    json_object_foreach((json_t *)v, k, m)
    {
        if (!json_is_null(m)) return k;
    }
    return "";
}

static bool scalar(const char *t)
{
    return !strcmp(t, "S") || !strcmp(t, "N") || !strcmp(t, "B");
}

/*
 * One ComparisonOperator with its AttributeValueList on attribute `name`,
 * appended to `out` as an expression. `key` restricts the operators to
 * those of a key condition.
 */
static bool lg_compare(lg *g, const char *name, const char *op, const json_t *list, bool key,
                       buf_t *out)
{
    static const struct {
        const char *op, *fmt; /* fmt: \1 the name, \2 the value(s), \3 the second value */
        int args;             /* -1: one or more (IN) */
        bool scalar_only, for_key;
    } ops[] = {
        {"EQ", "\1 = \2", 1, false, true},
        {"NE", "\1 <> \2", 1, false, false},
        {"LE", "\1 <= \2", 1, true, true},
        {"LT", "\1 < \2", 1, true, true},
        {"GE", "\1 >= \2", 1, true, true},
        {"GT", "\1 > \2", 1, true, true},
        {"BETWEEN", "\1 BETWEEN \2 AND \3", 2, true, true},
        {"BEGINS_WITH", "begins_with(\1, \2)", 1, true, true},
        {"CONTAINS", "contains(\1, \2)", 1, false, false},
        {"NOT_CONTAINS", "attribute_exists(\1) AND NOT contains(\1, \2)", 1, false, false},
        {"NULL", "attribute_not_exists(\1)", 0, false, false},
        {"NOT_NULL", "attribute_exists(\1)", 0, false, false},
        {"IN", "\1 IN (\2)", -1, false, false},
    };
    size_t k = 0;
    while (k < sizeof ops / sizeof ops[0] && strcmp(ops[k].op, op) != 0)
        k++;
    if (k == sizeof ops / sizeof ops[0])
        return lg_fail(g, "Comparison type does not exist in DynamoDB%s", "");
    if (key && !ops[k].for_key) return lg_fail(g, "Query key condition not supported%s", "");
    if (list && !json_is_null(list) && !json_is_array(list)) {
        ddb_err_member_type(g->err, "AttributeValueList", "a list");
        return false;
    }
    size_t n = json_array_size(list);
    if (ops[k].args >= 0 ? n != (size_t)ops[k].args : n < 1)
        return lg_fail(g,
                       "One or more parameter values were invalid: Invalid number of argument(s) "
                       "for the %s ComparisonOperator",
                       op);
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        if (!json_is_object(v)) {
            ddb_err_member_type(g->err, "AttributeValueList", "an object");
            return false;
        }
        const char *t = av_type(v);
        bool ok = true; /* EQ and NE take any type */
        if (ops[k].scalar_only || ops[k].args != 1 || strstr(op, "CONTAINS")) ok = scalar(t);
        if (!strcmp(op, "BEGINS_WITH")) ok = !strcmp(t, "S") || !strcmp(t, "B");
        if (!ok) {
            ddb_err_set(g->err, DDB_E_VALIDATION,
                        "One or more parameter values were invalid: ComparisonOperator %s is not "
                        "valid for %s AttributeValue type",
                        op, t);
            return false;
        }
    }
    buf_t ph = BUF_INIT;
    lg_name(g, name, &ph);
    char nph[24];
    snprintf(nph, sizeof nph, "%s", buf_cstr(&ph));
    buf_free(&ph);
    buf_putc(out, '(');
    for (const char *f = ops[k].fmt; *f; f++) {
        if (*f == '\1')
            buf_puts(out, nph);
        else if (*f == '\2' && ops[k].args < 0) {
            json_array_foreach(list, i, v)
            {
                if (i) buf_puts(out, ", ");
                lg_value(g, v, out);
            }
        } else if (*f == '\2' || *f == '\3')
            lg_value(g, json_array_get(list, *f == '\2' ? 0 : 1), out);
        else
            buf_putc(out, *f);
    }
    buf_putc(out, ')');
    return true;
}

/* The joining word of several conditions: ConditionalOperator. */
static bool lg_joiner(lg *g, const json_t *req, const char **word)
{
    const json_t *c = json_object_get(req, "ConditionalOperator");
    *word = " AND ";
    if (!c || json_is_null(c)) return true;
    if (json_is_string(c) && !strcmp(json_string_value(c), "OR")) *word = " OR ";
    if (json_is_string(c) &&
        (!strcmp(json_string_value(c), "OR") || !strcmp(json_string_value(c), "AND")))
        return true;
    return lg_fail(g,
                   "1 validation error detected: Value '%s' at 'conditionalOperator' failed to "
                   "satisfy constraint: Member must satisfy enum value set: [AND, OR]",
                   json_is_string(c) ? json_string_value(c) : "");
}

static bool need_object(lg *g, const json_t *v, const char *member)
{
    if (json_is_object(v)) return true;
    ddb_err_member_type(g->err, member, "an object");
    return false;
}

/* Expected -> a condition expression. */
static bool lg_expected(lg *g, const json_t *exp, const char *join, buf_t *out)
{
    if (!need_object(g, exp, "Expected")) return false;
    const char *name;
    json_t *e;
    bool first = true;
    json_object_foreach((json_t *)exp, name, e)
    {
        if (!need_object(g, e, "ExpectedAttributeValue")) return false;
        if (!first) buf_puts(out, join);
        first = false;
        const json_t *exists = json_object_get(e, "Exists");
        const json_t *value = json_object_get(e, "Value");
        const json_t *op = json_object_get(e, "ComparisonOperator");
        if (value && json_is_null(value)) value = NULL;
        if (exists && json_is_null(exists)) exists = NULL;
        if (op && !json_is_null(op)) {
            if (exists)
                return lg_fail(g,
                               "One or more parameter values were invalid: Exists and "
                               "ComparisonOperator cannot be used together for Attribute: %s",
                               name);
            if (value)
                return lg_fail(g,
                               "One or more parameter values were invalid: Value and "
                               "ComparisonOperator cannot be used together for Attribute: %s",
                               name);
            if (!json_is_string(op)) {
                ddb_err_member_type(g->err, "ComparisonOperator", "a string");
                return false;
            }
            if (!lg_compare(g, name, json_string_value(op),
                            json_object_get(e, "AttributeValueList"), false, out))
                return false;
            continue;
        }
        if (exists && !json_is_boolean(exists)) {
            ddb_err_member_type(g->err, "Exists", "a boolean");
            return false;
        }
        if (exists && json_is_false(exists)) {
            if (value)
                return lg_fail(g,
                               "One or more parameter values were invalid: Value cannot be used "
                               "when Exists is false for Attribute: %s",
                               name);
            buf_puts(out, "attribute_not_exists(");
            lg_name(g, name, out);
            buf_putc(out, ')');
            continue;
        }
        if (!value)
            return lg_fail(g,
                           "One or more parameter values were invalid: Value must be provided "
                           "when Exists is true for Attribute: %s",
                           name);
        json_t *list = json_pack("[O]", value);
        bool ok = lg_compare(g, name, "EQ", list, false, out);
        json_decref(list);
        if (!ok) return false;
    }
    return true;
}

/* KeyConditions, QueryFilter or ScanFilter -> an expression. */
static bool lg_conditions(lg *g, const json_t *conds, const char *member, const char *join,
                          bool key, buf_t *out)
{
    if (!need_object(g, conds, member)) return false;
    const char *name;
    json_t *c;
    bool first = true;
    json_object_foreach((json_t *)conds, name, c)
    {
        if (!need_object(g, c, "Condition")) return false;
        const json_t *op = json_object_get(c, "ComparisonOperator");
        if (!json_is_string(op))
            return lg_fail(g,
                           "1 validation error detected: Value null at '%s.comparisonOperator' "
                           "failed to satisfy constraint: Member must not be null",
                           key ? "keyConditions" : member);
        if (!first) buf_puts(out, key ? " AND " : join);
        first = false;
        if (!lg_compare(g, name, json_string_value(op), json_object_get(c, "AttributeValueList"),
                        key, out))
            return false;
    }
    return true;
}

/* AttributesToGet -> a projection; an empty list asks for everything. */
static bool lg_attributes(lg *g, const json_t *list, buf_t *out)
{
    if (!json_is_array(list)) {
        ddb_err_member_type(g->err, "AttributesToGet", "a list");
        return false;
    }
    size_t i, j;
    json_t *a;
    json_array_foreach(list, i, a)
    {
        if (!json_is_string(a)) {
            ddb_err_member_type(g->err, "AttributesToGet", "a string");
            return false;
        }
        for (j = 0; j < i; j++)
            if (json_equal(json_array_get(list, j), a))
                return lg_fail(g, "Cannot have two attributes with the same name%s", "");
        if (i) buf_puts(out, ", ");
        lg_name(g, json_string_value(a), out);
    }
    return true;
}

/* AttributeUpdates -> an update expression (SET, REMOVE, ADD, DELETE clauses). */
static bool lg_updates(lg *g, const json_t *ups, buf_t *out)
{
    if (!need_object(g, ups, "AttributeUpdates")) return false;
    buf_t set = BUF_INIT, rem = BUF_INIT, add = BUF_INIT, del = BUF_INIT;
    g->name_prefix = "#lu"; /* one per update, in the order sent */
    const char *name;
    json_t *u;
    bool ok = true;
    json_object_foreach((json_t *)ups, name, u)
    {
        if (!(ok = need_object(g, u, "AttributeValueUpdate"))) break;
        const json_t *value = json_object_get(u, "Value");
        const json_t *action = json_object_get(u, "Action");
        if (value && json_is_null(value)) value = NULL;
        const char *act = json_is_string(action) ? json_string_value(action) : "PUT";
        if (strcmp(act, "PUT") && strcmp(act, "ADD") && strcmp(act, "DELETE")) {
            ok = lg_fail(g,
                         "1 validation error detected: Value '%s' at 'attributeUpdates' failed to "
                         "satisfy constraint: Member must satisfy enum value set: [ADD, PUT, "
                         "DELETE]",
                         act);
            break;
        }
        if (!value && strcmp(act, "DELETE") != 0) {
            ok = lg_fail(g,
                         "One or more parameter values were invalid: Only DELETE action is "
                         "allowed when no attribute value is specified%s",
                         "");
            break;
        }
        const char *t = value ? av_type(value) : "";
        if (!strcmp(act, "PUT")) {
            buf_puts(&set, set.len ? ", " : " SET ");
            lg_name(g, name, &set);
            buf_puts(&set, " = ");
            lg_value(g, value, &set);
        } else if (!strcmp(act, "DELETE") && !value) {
            buf_puts(&rem, rem.len ? ", " : " REMOVE ");
            lg_name(g, name, &rem);
        } else if (!strcmp(act, "DELETE")) {
            if (strcmp(t, "SS") && strcmp(t, "NS") && strcmp(t, "BS")) {
                static const struct {
                    const char *t, *word;
                } words[] = {{"S", "STRING"}, {"N", "NUMBER"},     {"B", "BINARY"}, {"L", "LIST"},
                             {"M", "MAP"},    {"BOOL", "BOOLEAN"}, {"NULL", "NULL"}};
                const char *word = t;
                for (size_t k = 0; k < sizeof words / sizeof words[0]; k++)
                    if (!strcmp(words[k].t, t)) word = words[k].word;
                ok = lg_fail(g,
                             "One or more parameter values were invalid: DELETE action with value "
                             "is not supported for the type %s",
                             word);
                break;
            }
            buf_puts(&del, del.len ? ", " : " DELETE ");
            lg_name(g, name, &del);
            buf_putc(&del, ' ');
            lg_value(g, value, &del);
        } else if (!strcmp(t, "L")) {
            /* ADD of a list appends to the list, or creates it. */
            buf_puts(&set, set.len ? ", " : " SET ");
            buf_t nm = BUF_INIT;
            lg_name(g, name, &nm);
            json_t *empty = json_pack("{s:[]}", "L");
            buf_printf(&set, "%s = list_append(if_not_exists(%s, ", buf_cstr(&nm), buf_cstr(&nm));
            lg_value(g, empty, &set);
            buf_puts(&set, "), ");
            lg_value(g, value, &set);
            buf_putc(&set, ')');
            json_decref(empty);
            buf_free(&nm);
        } else {
            buf_puts(&add, add.len ? ", " : " ADD ");
            lg_name(g, name, &add);
            buf_putc(&add, ' ');
            lg_value(g, value, &add);
        }
    }
    g->name_prefix = "#lg";
    if (ok) {
        buf_puts(out, buf_cstr(&set));
        buf_puts(out, buf_cstr(&rem));
        buf_puts(out, buf_cstr(&add));
        buf_puts(out, buf_cstr(&del));
    }
    buf_free(&set);
    buf_free(&rem);
    buf_free(&add);
    buf_free(&del);
    return ok;
}

static const char *const legacy_members[] = {
    "KeyConditions",    "QueryFilter",     "ScanFilter",         "Expected",
    "AttributeUpdates", "AttributesToGet", "ConditionalOperator"};
static const char *const expr_members[] = {"KeyConditionExpression", "FilterExpression",
                                           "ConditionExpression", "UpdateExpression",
                                           "ProjectionExpression"};

static bool present(const json_t *req, const char *m)
{
    const json_t *v = json_object_get(req, m);
    return v && !json_is_null(v);
}

/* Refuses mixes of the two forms, as DynamoDB words it. */
static bool lg_check_mix(lg *g, const json_t *req)
{
    buf_t old = BUF_INIT, neu = BUF_INIT;
    for (size_t i = 0; i < sizeof legacy_members / sizeof *legacy_members; i++)
        if (present(req, legacy_members[i]))
            buf_printf(&old, "%s%s", old.len ? ", " : "", legacy_members[i]);
    for (size_t i = 0; i < sizeof expr_members / sizeof *expr_members; i++)
        if (present(req, expr_members[i]))
            buf_printf(&neu, "%s%s", neu.len ? ", " : "", expr_members[i]);
    bool ok = true;
    if (old.len && neu.len) {
        ddb_err_set(g->err, DDB_E_VALIDATION,
                    "Can not use both expression and non-expression parameters in the same "
                    "request: Non-expression parameters: {%s} Expression parameters: {%s}",
                    buf_cstr(&old), buf_cstr(&neu));
        ok = false;
    } else if (old.len && present(req, "ExpressionAttributeNames")) {
        ok = lg_fail(g, "ExpressionAttributeNames can only be specified when using expressions%s",
                     "");
    } else if (old.len && present(req, "ExpressionAttributeValues")) {
        ok = lg_fail(g, "ExpressionAttributeValues can only be specified when using expressions%s",
                     "");
    }
    buf_free(&old);
    buf_free(&neu);
    return ok;
}

/* Rewrites the legacy members of one request object (or BatchGetItem table
   entry) in place. */
static bool lg_rewrite(json_t *req, bool batch_entry, eng_legacy *out_flags, ddb_err *err)
{
    lg g = {json_object(), json_object(), 0, "#lg", err};
    bool ok = lg_check_mix(&g, req);
    const char *join = " AND ";
    const json_t *cond_op = json_object_get(req, "ConditionalOperator");
    bool has_cond_input =
        present(req, "Expected") || present(req, "QueryFilter") || present(req, "ScanFilter");
    if (ok && cond_op && !json_is_null(cond_op) && !has_cond_input)
        ok = lg_fail(&g, "ConditionalOperator cannot be used without Filter or Expected%s", "");
    ok = ok && lg_joiner(&g, req, &join);
    static const struct {
        const char *from, *to;
    } conv[] = {
        {"KeyConditions", "KeyConditionExpression"}, {"QueryFilter", "FilterExpression"},
        {"ScanFilter", "FilterExpression"},          {"Expected", "ConditionExpression"},
        {"AttributeUpdates", "UpdateExpression"},    {"AttributesToGet", "ProjectionExpression"}};
    for (size_t i = 0; ok && i < sizeof conv / sizeof conv[0]; i++) {
        const json_t *v = json_object_get(req, conv[i].from);
        if (!v || json_is_null(v)) continue;
        if (batch_entry && strcmp(conv[i].from, "AttributesToGet") != 0) continue;
        buf_t out = BUF_INIT;
        if (!strcmp(conv[i].from, "KeyConditions"))
            ok = lg_conditions(&g, v, "keyConditions", join, true, &out);
        else if (!strcmp(conv[i].from, "QueryFilter"))
            ok = lg_conditions(&g, v, "queryFilter", join, false, &out);
        else if (!strcmp(conv[i].from, "ScanFilter"))
            ok = lg_conditions(&g, v, "scanFilter", join, false, &out);
        else if (!strcmp(conv[i].from, "Expected"))
            ok = lg_expected(&g, v, join, &out);
        else if (!strcmp(conv[i].from, "AttributeUpdates"))
            ok = out_flags->put_order = lg_updates(&g, v, &out);
        else
            ok = out_flags->listed = lg_attributes(&g, v, &out);
        if (ok && !strcmp(conv[i].from, "QueryFilter")) out_flags->query_filter = true;
        /* An empty condition map or attribute list means "none". */
        if (ok && out.len) json_object_set_new(req, conv[i].to, json_string(buf_cstr(&out)));
        buf_free(&out);
        if (ok) json_object_del(req, conv[i].from);
    }
    if (ok) {
        json_object_del(req, "ConditionalOperator");
        if (json_object_size(g.names)) json_object_set(req, "ExpressionAttributeNames", g.names);
        if (json_object_size(g.values)) json_object_set(req, "ExpressionAttributeValues", g.values);
    }
    json_decref(g.names);
    json_decref(g.values);
    return ok;
}

static bool has_legacy(const json_t *req)
{
    for (size_t i = 0; i < sizeof legacy_members / sizeof *legacy_members; i++)
        if (json_object_get(req, legacy_members[i])) return true;
    return false;
}

json_t *eng_legacy_rewrite(const char *op, json_t *req, eng_legacy *flags, ddb_err *err)
{
    memset(flags, 0, sizeof *flags);
    bool update = op && !strcmp(op, "UpdateItem");
    static const char *const ops[] = {"PutItem", "UpdateItem", "DeleteItem",  "GetItem",
                                      "Query",   "Scan",       "BatchGetItem"};
    bool known = false;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        known = known || (op && !strcmp(op, ops[i]));
    if (!known) return json_incref(req);
    bool batch = !strcmp(op, "BatchGetItem");
    const json_t *items = batch ? json_object_get(req, "RequestItems") : NULL;
    bool any = false;
    if (batch && json_is_object(items)) {
        const char *t;
        json_t *spec;
        json_object_foreach((json_t *)items, t, spec)
        {
            any = any || (json_is_object(spec) && json_object_get(spec, "AttributesToGet"));
        }
    } else if (!batch) {
        any = has_legacy(req);
    }
    if (!any) return json_incref(req);
    json_t *copy = json_deep_copy(req);
    bool ok = true;
    if (batch) {
        const char *t;
        json_t *spec;
        json_object_foreach(json_object_get(copy, "RequestItems"), t, spec)
        {
            eng_legacy entry = {0};
            if (ok && json_is_object(spec) && json_object_get(spec, "AttributesToGet"))
                ok = lg_rewrite(spec, true, &entry, err);
            if (ok && entry.listed) {
                if (!flags->listed_tables) flags->listed_tables = json_object();
                json_object_set_new(flags->listed_tables, t, json_true());
            }
        }
    } else {
        ok = lg_rewrite(copy, false, flags, err);
        flags->put_order = flags->put_order && update;
    }
    if (!ok) {
        eng_legacy_free(flags);
        json_decref(copy);
        return NULL;
    }
    return copy;
}

bool eng_legacy_listed_table(const eng_legacy *flags, const char *table)
{
    return flags && flags->listed_tables && json_object_get(flags->listed_tables, table);
}

void eng_legacy_free(eng_legacy *flags)
{
    json_decref(flags->listed_tables);
    flags->listed_tables = NULL;
}

json_t *eng_legacy_update_names(const json_t *req)
{
    /* lg_updates gives each update one #lu placeholder, in the order sent,
       and ExpressionAttributeNames keeps the order they were added in. */
    json_t *out = json_array();
    const char *ph;
    json_t *name;
    json_object_foreach(json_object_get(req, "ExpressionAttributeNames"), ph, name)
    {
        if (strncmp(ph, "#lu", 3) == 0) json_array_append(out, name);
    }
    return out;
}
