/*
 * bench_load: fills a data folder for the scale benchmark of bench/run fast,
 * by writing straight through the embedded engine (ddb_call on the store at
 * the folder, BatchWriteItem of 25) instead of through the API. The items
 * have the shapes of the spec's data model (docs: PAIR#, GRP# and MSG#
 * items of the messages table), so `cruddur serve --data DIR` reads them
 * as if users had written them.
 *
 *   bench_load --data DIR --messages N [--users U] [--conversations C]
 *              [--mine K] [--mine-messages P]
 *
 * The folder gets the demo users (db setup), U more users "bench_<i>", and:
 *  - K conversations of andrewbrown with bench_0 .. bench_<K-1>, each with P
 *    messages: what the benchmark reads, the same at every scale;
 *  - C background conversations between bench users, sharing the remaining
 *    N - K*P messages, so that only the size of the store changes.
 * Every item gets its own microsecond as sort key, all in the past. Writes
 * are acknowledged before fsync (the engine's no_fsync option) and the
 * store is closed cleanly, so the data is on disk when it exits.
 * Prints "bench_load: <n> users, <n> conversations, <n> messages, <s> s".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/uuid.h"
#include "ddb/ddb.h"
#include "ddb/engine/embedded.h"
#include "messaging/messaging.h"
#include "users/users.h"

#define TABLE "cruddur-messages"
#define BATCH 25

typedef struct person {
    char uuid[UUID_STR_LEN];
    char handle[32];
    char name[48];
} person;

typedef struct loader {
    ddb_store *store;
    json_t *batch; /* array of PutRequests not yet written */
    int64_t next_us;
    long items;
} loader;

static json_t *s_attr(const char *s)
{
    return json_pack("{s:s}", "S", s);
}

/* Writes the pending batch, retrying whatever the engine leaves unprocessed. */
static int flush(loader *ld)
{
    if (!json_array_size(ld->batch)) return 0;
    json_t *req = json_pack("{s:{s:o}}", "RequestItems", TABLE, ld->batch);
    ld->batch = json_array();
    while (req) {
        ddb_err err = DDB_ERR_INIT;
        json_t *res = ddb_call(ld->store, "BatchWriteItem", req, &err);
        json_decref(req);
        req = NULL;
        if (!res) {
            fprintf(stderr, "bench_load: BatchWriteItem: %s: %s\n", err.type, err.message);
            ddb_err_clear(&err);
            return -1;
        }
        json_t *left = json_object_get(res, "UnprocessedItems");
        if (json_object_size(left)) req = json_pack("{s:O}", "RequestItems", left);
        json_decref(res);
    }
    return 0;
}

static int put(loader *ld, json_t *item)
{
    json_array_append_new(ld->batch, json_pack("{s:{s:o}}", "PutRequest", "Item", item));
    ld->items++;
    return json_array_size(ld->batch) >= BATCH ? flush(ld) : 0;
}

/* The next unused sort key: one microsecond after the previous one. */
static void next_sk(loader *ld, char out[CLOCK_ISO_LEN])
{
    clock_format_iso(ld->next_us++, out);
}

static json_t *group_item(const person *owner, const person *other, const char *group,
                          const char *sk, const char *text)
{
    char pk[64];
    snprintf(pk, sizeof pk, "GRP#%s", owner->uuid);
    return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "pk", s_attr(pk), "sk", s_attr(sk),
                     "message_group_uuid", s_attr(group), "message", s_attr(text), "user_uuid",
                     s_attr(other->uuid), "user_display_name", s_attr(other->name), "user_handle",
                     s_attr(other->handle));
}

/* One conversation of a and b with n messages, alternating senders; the
   group items carry the last one, as the fanout leaves them. */
static int conversation(loader *ld, const person *a, const person *b, long n)
{
    char group[UUID_STR_LEN], muuid[UUID_STR_LEN], sk[CLOCK_ISO_LEN], pk[128], text[96];
    uuid_v4(group);
    const person *lo = strcmp(a->uuid, b->uuid) < 0 ? a : b, *hi = lo == a ? b : a;
    snprintf(pk, sizeof pk, "PAIR#%s#%s", lo->uuid, hi->uuid);
    if (put(ld, json_pack("{s:o, s:o, s:o}", "pk", s_attr(pk), "sk", s_attr("PAIR"), "group_uuid",
                          s_attr(group))))
        return -1;
    snprintf(pk, sizeof pk, "MSG#%s", group);
    for (long i = 0; i < n; i++) {
        const person *from = i % 2 ? b : a;
        uuid_v4(muuid);
        next_sk(ld, sk);
        snprintf(text, sizeof text, "message %ld of a benchmark conversation, from %s", i,
                 from->handle);
        if (put(ld, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "pk", s_attr(pk), "sk",
                              s_attr(sk), "message_uuid", s_attr(muuid), "message", s_attr(text),
                              "user_uuid", s_attr(from->uuid), "user_display_name",
                              s_attr(from->name), "user_handle", s_attr(from->handle))))
            return -1;
    }
    if (put(ld, group_item(a, b, group, sk, text)) || put(ld, group_item(b, a, group, sk, text)))
        return -1;
    return 0;
}

/* The demo users and `n` bench users in the folder's users directory. */
static person *make_users(const char *dir, long n, person *me)
{
    users_db_t *db = NULL;
    users_error_t uerr;
    users_user_t *u = NULL;
    person *all = calloc((size_t)n, sizeof *all);
    if (!all) abort();
    if (users_open(dir, &db, &uerr) != USERS_OK || users_schema_load(db, &uerr) != USERS_OK ||
        users_seed(db, NULL, &uerr) != USERS_OK ||
        users_find_by_handle(db, "andrewbrown", &u, &uerr) != USERS_OK)
        goto fail;
    snprintf(me->uuid, sizeof me->uuid, "%s", u->uuid);
    snprintf(me->handle, sizeof me->handle, "%s", u->handle);
    snprintf(me->name, sizeof me->name, "%s", u->display_name);
    users_user_free(u);
    for (long i = 0; i < n; i++) {
        person *p = &all[i];
        uuid_v4(p->uuid);
        snprintf(p->handle, sizeof p->handle, "bench_%ld", i);
        snprintf(p->name, sizeof p->name, "Bench User %ld", i);
        users_new_t in = {.display_name = p->name, .handle = p->handle, .uuid = p->uuid};
        if (users_create(db, &in, NULL, &uerr) != USERS_OK) goto fail;
    }
    users_close(db);
    return all;
fail:
    fprintf(stderr, "bench_load: users: %s\n", uerr.message);
    users_close(db);
    free(all);
    return NULL;
}

static int usage(void)
{
    fprintf(stderr, "usage: bench_load --data DIR --messages N [--users U] [--conversations C]\n"
                    "                  [--mine K] [--mine-messages P]\n");
    return 2;
}

int main(int argc, char **argv)
{
    const char *dir = NULL;
    long n_msgs = 0, n_users = 10000, n_convs = 10000, mine = 100, mine_msgs = 25;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (i + 1 >= argc) return usage();
        if (!strcmp(a, "--data"))
            dir = argv[++i];
        else if (!strcmp(a, "--messages"))
            n_msgs = atol(argv[++i]);
        else if (!strcmp(a, "--users"))
            n_users = atol(argv[++i]);
        else if (!strcmp(a, "--conversations"))
            n_convs = atol(argv[++i]);
        else if (!strcmp(a, "--mine"))
            mine = atol(argv[++i]);
        else if (!strcmp(a, "--mine-messages"))
            mine_msgs = atol(argv[++i]);
        else
            return usage();
    }
    if (!dir || n_users < 2 || mine > n_users || n_convs < 1 || mine < 0 || mine_msgs < 1 ||
        n_msgs < mine * mine_msgs + n_convs)
        return usage();
    int64_t t0 = clock_mono_us();
    person me;
    person *people = make_users(dir, n_users, &me);
    if (!people) return 1;

    ddb_embedded_options opt = {.dir = dir, .no_fsync = true, .no_background = true};
    ddb_err err = DDB_ERR_INIT;
    loader ld = {.batch = json_array()};
    ld.store = ddb_embedded_open(&opt, &err);
    if (!ld.store) {
        fprintf(stderr, "bench_load: open %s: %s\n", dir, err.message);
        return 1;
    }
    msg_service *svc = msg_service_new(ld.store, TABLE);
    msg_err merr = {0};
    int rc = msg_ensure_table(svc, &merr) ? 0 : 1;
    if (rc) fprintf(stderr, "bench_load: table: %s\n", merr.message);
    /* Keys one microsecond apart, ending a minute before now. */
    long total_items = n_msgs + 3 * (mine + n_convs);
    ld.next_us = clock_now_us() - 60 * 1000000LL - total_items;
    for (long i = 0; !rc && i < mine; i++)
        rc = conversation(&ld, &me, &people[i], mine_msgs);
    long rest = n_msgs - mine * mine_msgs;
    for (long i = 0; !rc && i < n_convs; i++) {
        long n = rest / n_convs + (i < rest % n_convs ? 1 : 0);
        rc = conversation(&ld, &people[i % n_users], &people[(i * 7 + 1) % n_users], n);
    }
    if (!rc) rc = flush(&ld);
    json_decref(ld.batch);
    msg_err_clear(&merr);
    msg_service_free(svc);
    ddb_store_close(ld.store);
    free(people);
    if (rc) return 1;
    printf("bench_load: %ld users, %ld conversations, %ld messages, %ld items, %.1f s\n",
           n_users + 3, mine + n_convs, n_msgs, ld.items, (double)(clock_mono_us() - t0) / 1e6);
    return 0;
}
