/*
 * Unit tests for src/ddb/model/attr_order.c: the names of an item in the
 * order DynamoDB Local 3.3.1 returns them. Every expected order below is
 * an answer 3.3.1 gave (raw requests, answers read keeping their order).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ddb/model/expr.h"
#include "ddb/model/partiql.h"
#include "ddb/model/value.h"
#include "testutil.h"

/* The names of `obj` joined by commas, in its order. */
static void names_of(const json_t *obj, char *out, size_t cap)
{
    out[0] = '\0';
    const char *name;
    json_t *v;
    json_object_foreach((json_t *)obj, name, v)
    {
        if (out[0]) strncat(out, ",", cap - strlen(out) - 1);
        strncat(out, name, cap - strlen(out) - 1);
    }
}

/* An item of N values named by the comma-separated list, in that order. */
static json_t *item_of(const char *list)
{
    json_t *item = json_object();
    char buf[512];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *save = NULL, *p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save))
        json_object_set_new(item, p, json_pack("{s:s}", "N", "1"));
    return item;
}

static void check_written(const char *sent, const char *want)
{
    ddb_err err = DDB_ERR_INIT;
    json_t *in = item_of(sent);
    json_t *out = ddb_item_normalize(in, &err);
    if (!out) fail_msg("%s: %s", sent, err.message);
    char got[512];
    names_of(out, got, sizeof got);
    assert_string_equal(got, want);
    json_decref(out);
    json_decref(in);
}

static void check_rebuilt(const char *names, ddb_attr_order how, const char *want)
{
    json_t *in = item_of(names);
    json_t *out = ddb_attr_reordered(in, how);
    char got[512];
    names_of(out, got, sizeof got);
    assert_string_equal(got, want);
    assert_int_equal(json_object_size(out), json_object_size(in));
    json_decref(out);
    json_decref(in);
}

/* PutItem: the names as sent, through a HashMap grown from capacity 2. */
static void test_written(void **state)
{
    (void)state;
    check_written("pk,n,s,c", "pk,s,c,n");
    /* UTF-16 hashing: U+1F600 counts as two code units. */
    check_written("pk,\xF0\x9F\x98\x80,a\xF0\x9F\x98\x80,\xEE\x80\x80,\xC3\xA9t\xC3\xA9,x,"
                  "\xF0\x9F\x98\x81"
                  "b",
                  "\xEE\x80\x80,\xF0\x9F\x98\x80,a\xF0\x9F\x98\x80,x,\xF0\x9F\x98\x81"
                  "b,pk,\xC3\xA9t\xC3\xA9");
}

/* A nested map is ordered like the item. */
static void test_written_nested(void **state)
{
    (void)state;
    ddb_err err = DDB_ERR_INIT;
    json_t *in = json_pack("{s:o}", "M", item_of("pk,n,s,c"));
    json_t *out = ddb_av_normalize(in, &err);
    assert_non_null(out);
    char got[512];
    names_of(json_object_get(out, "M"), got, sizeof got);
    assert_string_equal(got, "pk,s,c,n");
    json_decref(out);
    json_decref(in);
}

/* UpdateItem: the old order and the order of the clauses do not matter. */
static void test_rebuilt(void **state)
{
    (void)state;
    /* PutItem {pk, n, s, c}, then SET zz, b, q1. */
    check_rebuilt("pk,s,c,n,zz,b,q1", DDB_ORDER_REBUILT, "q1,zz,b,c,s,pk,n");
    check_rebuilt("n,q1,c,pk,b,zz,s", DDB_ORDER_REBUILT, "q1,zz,b,c,s,pk,n");
    check_rebuilt("pk,s,c,n,zz,b,q1", DDB_ORDER_ALL_NEW, "q1,zz,b,c,s,pk,n");
    /* 12 names: the ALL_NEW answer's extra copy (capacity 32) puts ymMl
       before pk; the stored item (GetItem) has pk first. */
    const char *names = "pk,ymMl,pi,q,HRSI,8,mAUN,Y5,0y3,jD,2K,f8T";
    check_rebuilt(names, DDB_ORDER_ALL_NEW, "HRSI,q,f8T,8,2K,pi,0y3,jD,ymMl,pk,Y5,mAUN");
    check_rebuilt(names, DDB_ORDER_REBUILT, "HRSI,q,f8T,8,2K,pi,0y3,jD,pk,ymMl,Y5,mAUN");
    /* Sorted by UTF-16 units: U+1F600 before U+FF21 and U+E000. */
    check_rebuilt("pk,\xF0\x9F\x98\x80,a\xF0\x9F\x98\x80,\xEE\x80\x80,\xC3\xA9t\xC3\xA9,x,"
                  "\xF0\x9F\x98\x81"
                  "b,\xEF\xBC\xA1",
                  DDB_ORDER_REBUILT,
                  "\xEE\x80\x80,\xEF\xBC\xA1,a\xF0\x9F\x98\x80,x,\xF0\x9F\x98\x80,\xF0\x9F\x98\x81"
                  "b,pk,\xC3\xA9t\xC3\xA9");
}

/* A LastEvaluatedKey, its names given in key schema order (table hash,
   table range, index hash, index range). Answers of 3.3.1 where one HashMap
   of the small capacity (the written rule) gives another order. */
static void test_key(void **state)
{
    (void)state;
    check_rebuilt("pk,sk", DDB_ORDER_KEY, "sk,pk");
    check_rebuilt("oE,r", DDB_ORDER_KEY, "r,oE");
    check_rebuilt("Gf,MAQM", DDB_ORDER_KEY, "MAQM,Gf");
    check_rebuilt("JXDC,lZ,ONYl,C", DDB_ORDER_KEY, "C,lZ,ONYl,JXDC");
    check_rebuilt("i,iU,q,gBAI", DDB_ORDER_KEY, "q,i,iU,gBAI");
    check_rebuilt("TZDv,yKE,yrx,bi", DDB_ORDER_KEY, "yKE,yrx,bi,TZDv");
    check_rebuilt("pk,sk,g,gs", DDB_ORDER_KEY, "sk,pk,gs,g");
}

/* An empty map stays empty; one name is one name. */
static void test_small(void **state)
{
    (void)state;
    check_written("a", "a");
    check_rebuilt("a", DDB_ORDER_REBUILT, "a");
    json_t *empty = json_object();
    json_t *out = ddb_attr_reordered(empty, DDB_ORDER_REBUILT);
    assert_int_equal(json_object_size(out), 0);
    json_decref(out);
    json_decref(empty);
}

/* An update that steps into the map mm (SET mm.ww, REMOVE mm.yy) leaves
   mm's names as a rebuilt item's; the map kk it does not touch keeps its
   order. (3.3.1 gives Q1,ww,xx,zz,ab9; the old order with ww appended
   would be zz,xx,Q1,ab9,ww.) */
static void test_update_maps(void **state)
{
    (void)state;
    ddb_err err = DDB_ERR_INIT;
    ddb_expr_attrs attrs;
    json_t *values = json_pack("{s:{s:s}}", ":v", "N", "2");
    assert_true(ddb_expr_attrs_init(&attrs, NULL, values, &err));
    ddb_update *u = ddb_update_parse("SET mm.ww = :v REMOVE mm.yy", &attrs, &err);
    if (!u) fail_msg("%s", err.message);
    json_t *item = json_pack("{s:{s:o},s:{s:o}}", "mm", "M", item_of("zz,yy,xx,Q1,ab9"), "kk", "M",
                             item_of("zz,yy,xx,Q1,ab9"));
    assert_true(ddb_update_apply(u, item, &err));
    ddb_update_order_maps(u, item, DDB_ORDER_REBUILT);
    char got[512];
    names_of(json_object_get(json_object_get(item, "mm"), "M"), got, sizeof got);
    assert_string_equal(got, "Q1,ww,xx,zz,ab9");
    names_of(json_object_get(json_object_get(item, "kk"), "M"), got, sizeof got);
    assert_string_equal(got, "zz,yy,xx,Q1,ab9");
    json_decref(item);
    ddb_update_free(u);
    ddb_expr_attrs_free(&attrs);
    json_decref(values);
}

/*
 * The kept order (attr_kept.c), from DynamoDB Local 3.3.1: an item put as
 * {pk, n, s, c, mm: {zz, yy, xx, Q1}}, then SET ww, mm.ab9 (kept: the
 * names sorted through a new HashMap()), then AttributeUpdates PUT k2,
 * DELETE ww, PUT a1, DELETE s: a failed PutItem's Item (the kept order) is
 * {mm: {Q1, xx, yy, zz, ab9}, c, pk, n, k2, a1}, a GetItem shows {mm, a1,
 * c, pk, n, k2}.
 */
static void test_kept(void **state)
{
    (void)state;
    check_rebuilt("pk,n,s,c,mm,ww", DDB_ORDER_REBUILT_KEPT, "mm,ww,c,s,pk,n");
    json_t *kept = item_of("mm,c,pk,n,k2,a1");
    json_object_set_new(kept, "mm", json_pack("{s:o}", "M", item_of("Q1,xx,yy,zz,ab9")));
    json_t *read = ddb_attr_reordered_deep(kept, DDB_ORDER_WRITTEN);
    char got[512];
    names_of(read, got, sizeof got);
    assert_string_equal(got, "mm,a1,c,pk,n,k2");
    json_decref(read);
    /* a list holding a map, kept in an order that a read shows otherwise */
    json_object_set_new(
        kept, "l", json_pack("{s:[{s:s},{s:o}]}", "L", "N", "1", "M", item_of("c,pk,n,k2,a1")));
    json_t *shown = ddb_attr_reordered_deep(kept, DDB_ORDER_WRITTEN);
    json_t *no_l = json_deep_copy(shown);
    json_object_del(no_l, "l");
    assert_null(ddb_attr_kept_shape(shown, shown)); /* nothing to keep */
    json_t *shape = ddb_attr_kept_shape(kept, shown);
    assert_non_null(shape);
    json_t *back = ddb_attr_kept_apply(shown, shape);
    char *want = json_dumps(kept, JSON_COMPACT), *text = json_dumps(back, JSON_COMPACT);
    assert_string_equal(text, want); /* every map in the kept order again */
    free(text);
    free(want);
    /* a name the shape lacks follows the others; one the item lacks is skipped */
    json_object_set_new(no_l, "zz", json_pack("{s:s}", "N", "1"));
    json_t *partial = ddb_attr_kept_apply(no_l, shape);
    names_of(partial, got, sizeof got);
    assert_string_equal(got, "mm,c,pk,n,k2,a1,zz");
    names_of(json_object_get(json_object_get(partial, "mm"), "M"), got, sizeof got);
    assert_string_equal(got, "Q1,xx,yy,zz,ab9");
    json_decref(partial);
    json_decref(back);
    json_decref(shape);
    json_decref(no_l);
    json_decref(shown);
    json_decref(kept);
}

/* The names of the M value of the map literal `lit` (as INSERT's VALUE)
   once a request has validated it. */
static void check_literal(const char *lit, const char *want)
{
    char text[512];
    snprintf(text, sizeof text, "INSERT INTO \"t\" VALUE %s", lit);
    ddb_err err = DDB_ERR_INIT;
    pq_stmt *s = pq_parse(text, strlen(text), &err);
    if (!s) fail_msg("%s: %s", text, err.message);
    json_t *m = pq_value(s->value, NULL, &err);
    assert_non_null(m);
    json_t *item = ddb_item_normalize(json_object_get(m, "M"), &err);
    if (!item) fail_msg("%s: %s", text, err.message);
    char got[512];
    names_of(item, got, sizeof got);
    assert_string_equal(got, want);
    json_decref(item);
    json_decref(m);
    pq_free(s);
}

/* A PartiQL map literal goes through one more HashMap (grown from 16)
   before the request's: 3.3.1 stored these names as H,Z09,Z,LF,k,4bM, where
   a PutItem of the same names in the same order gives H,Z,Z09,LF,k,4bM. */
static void test_literal(void **state)
{
    (void)state;
    check_literal("{'4bM': 1, 'H': 1, 'Z': 1, 'Z09': 1, 'k': 1, 'LF': 1}", "H,Z09,Z,LF,k,4bM");
    check_written("4bM,H,Z,Z09,k,LF", "H,Z,Z09,LF,k,4bM");
    check_rebuilt("4bM,H,Z,Z09,k,LF", DDB_ORDER_HASHMAP, "Z09,H,Z,LF,k,4bM");
    check_literal("{'pk': 'a'}", "pk");
}

/* A map sent as a parameter of a PartiQL value is given on in the written
   order (each map inside it too), as DynamoDB Local 3.3.1 keeps it, not as
   sent; a malformed value is left for validation to refuse. */
static void test_param_map(void **state)
{
    (void)state;
    const char *text = "INSERT INTO \"t\" VALUE {'pk': 'a', 'pp': ?}";
    ddb_err err = DDB_ERR_INIT;
    pq_stmt *s = pq_parse(text, strlen(text), &err);
    assert_non_null(s);
    json_t *inner = json_pack("{s:o}", "M", item_of("Q1,xx,yy,zz,ab9"));
    json_t *sent = item_of("mm,c,pk,n,k2,a1");
    json_object_set_new(sent, "mm", json_pack("{s:[o]}", "L", inner));
    json_t *params = json_pack("[{s:o}]", "M", sent);
    json_t *m = pq_value(s->value, params, &err);
    assert_non_null(m);
    const json_t *pp = json_object_get(json_object_get(json_object_get(m, "M"), "pp"), "M");
    char got[512];
    names_of(pp, got, sizeof got);
    assert_string_equal(got, "mm,a1,c,pk,n,k2"); /* sent: mm,c,pk,n,k2,a1 */
    const json_t *in_list = json_array_get(json_object_get(json_object_get(pp, "mm"), "L"), 0);
    json_t *want = ddb_attr_reordered(json_object_get(inner, "M"), DDB_ORDER_WRITTEN);
    char want_names[512];
    names_of(want, want_names, sizeof want_names);
    names_of(json_object_get(in_list, "M"), got, sizeof got);
    assert_string_equal(got, want_names);
    json_decref(want);
    json_decref(m);
    json_decref(params);
    pq_free(s);
    /* two types: returned as it is, so validation still sees both */
    json_t *bad = json_pack("{s:o,s:s}", "M", item_of("mm,c,pk,n,k2,a1"), "S", "x");
    json_t *same = ddb_av_reordered_deep(bad, DDB_ORDER_WRITTEN);
    assert_ptr_equal(same, bad);
    json_decref(same);
    json_decref(bad);
}

/* Answers that copy an item: each expected order is 3.3.1's answer for an
   item whose stored order (GetItem) is the input. */
static void test_copies(void **state)
{
    (void)state;
    /* UpdateItem ALL_OLD: a new HashMap() of the old item, then a copy;
       the copy alone (capacity 8) would keep pk before cTi5. */
    check_rebuilt("mr5,pk,cTi5,2A3", DDB_ORDER_OLD_COPIED, "mr5,cTi5,pk,2A3");
    /* ALL_NEW of a legacy update: a copy (capacity 32) of the stored item. */
    check_rebuilt("B,xZ,movd29,0nAzzV,r4H2,qJ,ktwPE,J,Z,qaohU,pk,BGR", DDB_ORDER_COPIED,
                  "B,xZ,movd29,0nAzzV,r4H2,qJ,ktwPE,J,qaohU,Z,pk,BGR");
    /* A stream image: the stored item through a new HashMap(). */
    check_rebuilt("D6r,JM9Uay,GZiHXJ,pk,E,B8", DDB_ORDER_HASHMAP, "D6r,E,B8,JM9Uay,GZiHXJ,pk");
}

/* UPDATED_OLD / UPDATED_NEW: of an UpdateExpression by name (the order
   in does not matter); of AttributeUpdates in the order they were sent
   (PUT xv, DELETE kJLwct, DELETE d among others). */
static void test_updated(void **state)
{
    (void)state;
    const char *want = "WG,nvfO,ChWqQ7,U,nifesc,rNNj5,vVXRF,bAL,ua,w4Z,DO7,sNbB";
    check_rebuilt("bAL,vVXRF,nvfO,DO7,ChWqQ7,nifesc,U,WG,ua,rNNj5,w4Z,sNbB", DDB_ORDER_UPDATED,
                  want);
    check_rebuilt("sNbB,DO7,w4Z,ua,bAL,vVXRF,rNNj5,nifesc,U,ChWqQ7,nvfO,WG", DDB_ORDER_UPDATED,
                  want);
    /* A rebuilt item of these names has ChWqQ7 and nvfO the other way. */
    check_rebuilt(want, DDB_ORDER_REBUILT,
                  "WG,ChWqQ7,nvfO,U,nifesc,rNNj5,vVXRF,bAL,ua,w4Z,DO7,sNbB");
    check_rebuilt("xv,kJLwct,d", DDB_ORDER_KEY, "d,kJLwct,xv");
}

/* A projection's maps are built as a rebuilt item's, whatever the order
   of its paths; a stream image reorders the maps inside the item too. */
static void test_projection_and_deep(void **state)
{
    (void)state;
    ddb_err err = DDB_ERR_INIT;
    ddb_expr_attrs attrs;
    assert_true(ddb_expr_attrs_init(&attrs, NULL, NULL, &err));
    ddb_proj *p =
        ddb_proj_parse("pk, s, c, n, zz, b, q1, mm.zz, mm.xx, mm.Q1, mm.ab9", &attrs, &err);
    if (!p) fail_msg("%s", err.message);
    json_t *item = item_of("zz,q1,b,c,s,pk,n");
    json_object_set_new(item, "mm", json_pack("{s:o}", "M", item_of("zz,yy,xx,Q1,ab9")));
    json_t *out = ddb_proj_apply(p, item);
    char got[512];
    names_of(out, got, sizeof got);
    assert_string_equal(got, "mm,q1,zz,b,c,s,pk,n");
    names_of(json_object_get(json_object_get(out, "mm"), "M"), got, sizeof got);
    assert_string_equal(got, "Q1,xx,zz,ab9");
    json_decref(out);

    json_t *deep = ddb_attr_reordered_deep(item, DDB_ORDER_HASHMAP);
    json_t *list = json_pack("{s:[O]}", "L", json_object_get(item, "mm"));
    json_object_set_new(item, "ll", list);
    json_t *deep2 = ddb_attr_reordered_deep(item, DDB_ORDER_HASHMAP);
    char want[512];
    json_t *m =
        ddb_attr_reordered(json_object_get(json_object_get(item, "mm"), "M"), DDB_ORDER_HASHMAP);
    names_of(m, want, sizeof want);
    names_of(json_object_get(json_object_get(deep, "mm"), "M"), got, sizeof got);
    assert_string_equal(got, want);
    const json_t *in_list = json_array_get(json_object_get(json_object_get(deep2, "ll"), "L"), 0);
    names_of(json_object_get(in_list, "M"), got, sizeof got);
    assert_string_equal(got, want);
    /* The item itself is left as it was. */
    names_of(json_object_get(json_object_get(item, "mm"), "M"), got, sizeof got);
    assert_string_equal(got, "zz,yy,xx,Q1,ab9");
    json_decref(m);
    json_decref(deep2);
    json_decref(deep);
    json_decref(item);
    ddb_proj_free(p);
    ddb_expr_attrs_free(&attrs);
}

/* A legacy AttributesToGet answers its names in the order listed, through
   a new HashMap() and the answer's map (GetItem answers of 3.3.1, where
   the written and the projection rules give other orders). */
static void test_listed(void **state)
{
    (void)state;
    check_rebuilt("pk,nzI,LN1X,SV,3", DDB_ORDER_LISTED, "LN1X,SV,3,pk,nzI");
    check_rebuilt("fv0,pk,UH,QIx,G", DDB_ORDER_LISTED, "fv0,QIx,UH,pk,G");
    check_rebuilt("WnslG,OVx,oMEJ,O3FIP5,pk,0", DDB_ORDER_LISTED, "OVx,oMEJ,0,O3FIP5,WnslG,pk");
    check_rebuilt("pk,PRT7Hh,L,DiTs,n6", DDB_ORDER_LISTED, "n6,pk,PRT7Hh,DiTs,L");
    /* a ProjectionExpression of the same names answers as it builds them */
    ddb_err err = DDB_ERR_INIT;
    ddb_expr_attrs attrs;
    assert_true(ddb_expr_attrs_init(&attrs, NULL, NULL, &err));
    ddb_proj *p = ddb_proj_parse("pk, PRT7Hh, L, DiTs, n6, absent", &attrs, &err);
    if (!p) fail_msg("%s", err.message);
    json_t *item = item_of("n6,DiTs,L,PRT7Hh,pk,other");
    json_t *built = ddb_proj_apply(p, item);
    ddb_proj_set_listed(p);
    json_t *listed = ddb_proj_apply(p, item);
    char got[512];
    names_of(listed, got, sizeof got);
    assert_string_equal(got, "n6,pk,PRT7Hh,DiTs,L");
    names_of(built, got, sizeof got);
    assert_string_not_equal(got, "n6,pk,PRT7Hh,DiTs,L");
    json_decref(listed);
    json_decref(built);
    json_decref(item);
    ddb_proj_free(p);
    ddb_expr_attrs_free(&attrs);
}

/* ExecuteStatement's answer to `SELECT <list>` for an item holding `names`. */
static void check_select(const char *list, const json_t *item, const char *want)
{
    char text[1024];
    snprintf(text, sizeof text, "SELECT %s FROM \"t\" WHERE pk = 'k'", list);
    ddb_err err = DDB_ERR_INIT;
    pq_stmt *s = pq_parse(text, strlen(text), &err);
    if (!s) fail_msg("%s: %s", text, err.message);
    json_t *out = pq_project(s, item);
    char got[512];
    names_of(out, got, sizeof got);
    assert_string_equal(got, want);
    json_decref(out);
    pq_free(s);
}

/* A SELECT list: the names of each step of its paths go through a HashMap
   keyed by document path elements (DDB_ORDER_DOC_PATH), then a new
   HashMap() and the answer's map. Answers of 3.3.1 where the names as
   written, or sorted, through the last two give another order. */
static void test_select_list(void **state)
{
    (void)state;
    static const struct {
        const char *names, *want;
    } cases[] = {
        {"Ql2K,mMlo,3Rnj,iW,q,pk,nY5Yx,FmAUN,yHRSIf,f8T",
         "mMlo,q,Ql2K,f8T,3Rnj,yHRSIf,pk,iW,nY5Yx,FmAUN"},
        {"kVYCM7,7If,pk,86,_dwi,H5mM,8G", "7If,kVYCM7,pk,_dwi,H5mM,86,8G"},
        {"75,YEI,6R3,W9f4,A96q,B4s,G,pk", "B4s,G,6R3,W9f4,pk,YEI,A96q,75"},
        {"L,krrQ,z,oZmh,k1C,aKRIrO,S,eJ6,GoJ,d,L6,XJ,pk,Aqk",
         "GoJ,d,L6,L,eJ6,XJ,aKRIrO,S,krrQ,oZmh,Aqk,z,pk,k1C"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *item = item_of(cases[i].names);
        char list[512] = "";
        char names[512];
        snprintf(names, sizeof names, "%s", cases[i].names);
        for (char *save = NULL, *p = strtok_r(names, ",", &save); p;
             p = strtok_r(NULL, ",", &save)) {
            size_t at = strlen(list);
            snprintf(list + at, sizeof list - at, "%s\"%s\"", at ? ", " : "", p);
        }
        check_select(list, item, cases[i].want);
        json_decref(item);
    }
}

/* List steps come first and are found by their position in the projected
   (compacted) list: `l[1].x, l[0]` walks into l[1], `l[2].y` alone does not
   (3.3.1's answers). */
static void test_select_paths(void **state)
{
    (void)state;
    json_t *item =
        json_pack("{s:{s:[{s:s},{s:{s:{s:s}}}]}}", "l", "L", "N", "0", "M", "x", "N", "7");
    check_select("l[1].x, l[0]", item, "x,l[0]");
    json_decref(item);
    /* `l[2].y` on [0, 1, {y}]: the projection answered l as [{y}] */
    item = json_pack("{s:{s:[{s:{s:{s:s}}}]}}", "l", "L", "M", "y", "N", "2");
    check_select("l[2].y", item, "l[2]");
    check_select("l[0].y", item, "y");
    json_decref(item);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_written),      cmocka_unit_test(test_written_nested),
        cmocka_unit_test(test_rebuilt),      cmocka_unit_test(test_small),
        cmocka_unit_test(test_update_maps),  cmocka_unit_test(test_key),
        cmocka_unit_test(test_literal),      cmocka_unit_test(test_copies),
        cmocka_unit_test(test_updated),      cmocka_unit_test(test_projection_and_deep),
        cmocka_unit_test(test_listed),       cmocka_unit_test(test_select_list),
        cmocka_unit_test(test_select_paths), cmocka_unit_test(test_kept),
        cmocka_unit_test(test_param_map),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
