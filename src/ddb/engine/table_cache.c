/*
 * table_cache: parsed table definitions shared by every thread of an
 * engine, so that an operation costs one indexed SELECT of (tid, version)
 * instead of parsing the table's JSON definition each time.
 *
 * The `tables` row is the truth, also across processes: each acquire reads
 * the row's tid and version on the caller's connection (inside its
 * snapshot) and uses the cached definition only when both match. Inside
 * one read transaction the connection remembers its last lookup
 * (eng_table_memo), so that an operation built on another, such as a
 * PartiQL SELECT planned against the table and then run as a GetItem,
 * reads the row once. Entries are reference counted: an entry replaced
 * by a newer version, or dropped by eng_tcache_invalidate, lives on until
 * its last user releases it. Table names are few, so a list is enough.
 */
#include "ddb/engine/engine_rt.h"

#include "base/alloc.h"

#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct tc_entry {
    char *name;
    ddb_table *t;
    int refs;
    bool current; /* still the cache's answer for its name */
    struct tc_entry *next;
} tc_entry;

struct eng_tcache {
    pthread_mutex_t mu;
    tc_entry *entries; /* current and retired-but-in-use */
};

eng_tcache *eng_tcache_new(void)
{
    eng_tcache *tc = xcalloc(1, sizeof *tc);
    pthread_mutex_init(&tc->mu, NULL);
    return tc;
}

static void entry_free(tc_entry *en)
{
    ddb_table_free(en->t);
    free(en->name);
    free(en);
}

void eng_tcache_free(eng_tcache *tc)
{
    for (tc_entry *en = tc->entries; en;) {
        tc_entry *next = en->next;
        entry_free(en);
        en = next;
    }
    pthread_mutex_destroy(&tc->mu);
    free(tc);
}

/* Frees entries nobody uses any more; under tc->mu. */
static void sweep(eng_tcache *tc)
{
    for (tc_entry **p = &tc->entries; *p;) {
        tc_entry *en = *p;
        if (!en->current && en->refs == 0) {
            *p = en->next;
            entry_free(en);
        } else {
            p = &en->next;
        }
    }
}

void eng_tcache_invalidate(eng_tcache *tc)
{
    pthread_mutex_lock(&tc->mu);
    for (tc_entry *en = tc->entries; en; en = en->next)
        en->current = false;
    sweep(tc);
    pthread_mutex_unlock(&tc->mu);
}

/* The current entry for (name, tid, version), with a reference taken. */
static const ddb_table *lookup(eng_tcache *tc, const char *name, int64_t tid, int64_t version)
{
    const ddb_table *found = NULL;
    pthread_mutex_lock(&tc->mu);
    for (tc_entry *en = tc->entries; en; en = en->next) {
        if (en->current && !strcmp(en->name, name)) {
            if (en->t->tid == tid && en->t->version == version) {
                en->refs++;
                found = en->t;
            }
            break;
        }
    }
    pthread_mutex_unlock(&tc->mu);
    return found;
}

/* Makes t the current entry for its name (retiring an older one) and
   returns it referenced; if another thread got there first, t is freed
   and that thread's entry is used. */
static const ddb_table *insert(eng_tcache *tc, const char *name, ddb_table *t)
{
    pthread_mutex_lock(&tc->mu);
    for (tc_entry *en = tc->entries; en; en = en->next) {
        if (!en->current || strcmp(en->name, name)) continue;
        if (en->t->tid == t->tid && en->t->version == t->version) {
            en->refs++;
            pthread_mutex_unlock(&tc->mu);
            ddb_table_free(t);
            return en->t;
        }
        en->current = false;
    }
    sweep(tc);
    tc_entry *en = xcalloc(1, sizeof *en);
    en->name = xstrdup(name);
    en->t = t;
    en->refs = 1;
    en->current = true;
    en->next = tc->entries;
    tc->entries = en;
    pthread_mutex_unlock(&tc->mu);
    return t;
}

/* Reads and parses the definition of table `tid`. */
static ddb_table *load(eng_conn *c, int64_t tid, int64_t version, ddb_err *err)
{
    sqlite3_stmt *st = eng_stmt(c, "SELECT def FROM tables WHERE tid = ?1", err);
    if (!st) return NULL;
    sqlite3_bind_int64(st, 1, tid);
    if (sqlite3_step(st) != SQLITE_ROW) {
        eng_sql_error(c, err);
        sqlite3_reset(st);
        return NULL;
    }
    json_error_t jerr;
    json_t *def = json_loadb((const char *)sqlite3_column_text(st, 0),
                             (size_t)sqlite3_column_bytes(st, 0), 0, &jerr);
    sqlite3_reset(st);
    if (!def) {
        ddb_err_set(err, DDB_E_INTERNAL, "Internal server error: bad table definition: %s",
                    jerr.text);
        return NULL;
    }
    ddb_table *t = ddb_table_load(def, err);
    json_decref(def);
    if (!t) return NULL;
    t->tid = tid;
    t->version = version;
    return t;
}

/* The tid and version of table `name` as the connection's snapshot sees
   them; false with ResourceNotFoundException when there is none. Inside a
   read transaction a repeated lookup of the same table (a PartiQL
   SELECT's plan, then its GetItem or Query) takes them from the memo. */
static bool table_row(eng_conn *c, const char *name, int64_t *tid, int64_t *version, ddb_err *err)
{
    uint64_t snap = eng_conn_snapshot(c);
    eng_table_memo *m = eng_conn_table_memo(c);
    if (snap && m->snapshot == snap && !strcmp(m->name, name)) {
        *tid = m->tid;
        *version = m->version;
        return true;
    }
    sqlite3_stmt *st = eng_stmt(c, "SELECT tid, version FROM tables WHERE name = ?1", err);
    if (!st) return false;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        if (rc == SQLITE_DONE)
            ddb_err_set(err, DDB_E_NOT_FOUND, "Requested resource not found");
        else
            eng_sql_error(c, err);
        sqlite3_reset(st);
        return false;
    }
    *tid = sqlite3_column_int64(st, 0);
    *version = sqlite3_column_int64(st, 1);
    sqlite3_reset(st);
    size_t n = strlen(name);
    if (snap && n < sizeof m->name) {
        m->snapshot = snap;
        m->tid = *tid;
        m->version = *version;
        memcpy(m->name, name, n + 1);
    }
    return true;
}

const ddb_table *eng_table_acquire(eng *e, eng_conn *c, const char *name, ddb_err *err)
{
    int64_t tid, version;
    if (!table_row(c, name, &tid, &version, err)) return NULL;
    eng_tcache *tc = e->tables;
    const ddb_table *t = lookup(tc, name, tid, version);
    if (t) return t;
    ddb_table *fresh = load(c, tid, version, err);
    return fresh ? insert(tc, name, fresh) : NULL;
}

void eng_table_release(eng *e, const ddb_table *t)
{
    if (!t) return;
    eng_tcache *tc = e->tables;
    pthread_mutex_lock(&tc->mu);
    tc_entry *en = tc->entries;
    while (en && en->t != t)
        en = en->next;
    assert(en && en->refs > 0); /* released once per acquire */
    if (en) en->refs--;
    sweep(tc);
    pthread_mutex_unlock(&tc->mu);
}

/* A ValidationException in the words of DynamoDB's request validation. */
static bool name_invalid(ddb_err *err, const char *name, const char *constraint)
{
    ddb_err_set(err, DDB_E_VALIDATION,
                "1 validation error detected: Value '%s' at 'tableName' failed to satisfy "
                "constraint: Member must %s",
                name, constraint);
    return false;
}

/* The table name inside a table ARN, `arn:PARTITION:dynamodb:REGION:ACCOUNT:
   table/NAME`, or NULL when `s` is not one. Region and account are not
   compared with the store's, as DynamoDB Local does not (its own ARNs say
   region "ddblocal"): an ARN copied from either server names the table. */
static const char *arn_table_name(const char *s)
{
    if (strncmp(s, "arn:", 4) != 0) return NULL;
    const char *p = s + 4;
    for (int field = 0; field < 4; field++) { /* partition, service, region, account */
        const char *colon = strchr(p, ':');
        if (!colon || (field == 1 && strncmp(p, "dynamodb:", 9) != 0)) return NULL;
        p = colon + 1;
    }
    return strncmp(p, "table/", 6) == 0 ? p + 6 : NULL;
}

bool eng_table_name_resolve(const char *s, const char **name, ddb_err *err)
{
    const char *value = s; /* messages quote what the client sent */
    const char *in_arn = arn_table_name(s);
    if (in_arn) {
        if (strlen(s) > 1024)
            return name_invalid(err, value, "have length less than or equal to 1024");
        s = in_arn;
    }
    size_t n = strlen(s);
    if (n < 3) return name_invalid(err, value, "have length greater than or equal to 3");
    if (n > 255) return name_invalid(err, value, "have length less than or equal to 255");
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ch == '-';
        if (!ok)
            return name_invalid(err, value, "satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
    }
    *name = s;
    return true;
}

bool eng_check_table_name(const json_t *req, const char **name, ddb_err *err)
{
    const json_t *v = json_object_get(req, "TableName");
    if (!v || json_is_null(v)) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "1 validation error detected: Value null at 'tableName' failed to satisfy "
                    "constraint: Member must not be null");
        return false;
    }
    if (!json_is_string(v)) {
        ddb_err_member_type(err, "TableName", "a string");
        return false;
    }
    const char *s = json_string_value(v);
    if (strlen(s) != json_string_length(v))
        return name_invalid(err, s, "satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
    return eng_table_name_resolve(s, name, err);
}
