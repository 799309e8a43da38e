/*
 * fuzz_api: libFuzzer target for the Cruddur API (api_handle): routing,
 * path parameters, query arguments, CORS, bearer authentication and the
 * JSON bodies of every route, run in-process on fake requests
 * (fuzz_http.h) over an in-memory store and users directory.
 *
 * Input: one request as fuzz_request_parse() reads it ("POST
 * /api/messages\nAuthorization: Bearer $A\n\n{...}"). Placeholders stand
 * for what only exists at run time:
 *   $A, $B     valid dev access tokens of the demo users andrewbrown, bayko
 *   $X         a valid token whose sub belongs to no user
 *   $GROUP     the conversation andrewbrown and bayko have
 *   $ORIGIN    an allowed CORS origin
 * FUZZ_VERBOSE=1 prints each answer.
 *
 * Users, keys and tokens are made once; the message store is made afresh
 * for every input (with its one conversation), so a crash reproduces from
 * its input alone.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "ddb/engine/embedded.h"
#include "fuzz_http.h"
#include "http/api.h"
#include "http/dev_identity.h"

#define ORIGIN "http://localhost:3000"
#define TOKEN_REFRESH_S 1800 /* dev tokens live an hour; long runs re-mint them */

static struct {
    users_db_t *users;
    auth_dev_issuer_t *dev;
    auth_verifier_t *verifier;
    char *tok_a, *tok_b, *tok_x;
    int64_t minted_at;
    msg_user a, b;
    users_user_t *ua, *ub;
} g;

static void die(const char *what, const char *why)
{
    fprintf(stderr, "fuzz_api: %s: %s\n", what, why);
    abort();
}

/* The dev issuer's key, made in a temporary folder that is removed at once. */
static void open_issuer(void)
{
    char dir[] = "/tmp/cruddur-fuzz-api-XXXXXX";
    if (!mkdtemp(dir)) die("mkdtemp", "failed");
    auth_error_t err;
    g.dev = auth_dev_issuer_open(dir, "http://localhost:4567", &err);
    char path[sizeof dir + sizeof AUTH_DEV_KEY_FILE + 1];
    snprintf(path, sizeof path, "%s/%s", dir, AUTH_DEV_KEY_FILE);
    unlink(path);
    rmdir(dir);
    if (!g.dev) die("dev issuer", err.reason);
    auth_config_t cfg;
    auth_config_init(&cfg);
    auth_config_dev(&cfg, g.dev);
    g.verifier = auth_verifier_new(&cfg, &err);
    if (!g.verifier) die("verifier", err.reason);
}

/* (Re)mints the three tokens the placeholders stand for. */
static void mint_tokens(void)
{
    users_error_t uerr = {0};
    auth_error_t aerr;
    free(g.tok_a);
    free(g.tok_b);
    free(g.tok_x);
    if (dev_identity_token(g.users, g.dev, "andrewbrown", &g.tok_a, &uerr) != USERS_OK ||
        dev_identity_token(g.users, g.dev, "bayko", &g.tok_b, &uerr) != USERS_OK)
        die("tokens", uerr.message);
    g.tok_x = auth_dev_issuer_token(g.dev, "00000000-0000-4000-8000-000000000000", "ghost", &aerr);
    if (!g.tok_x) die("token", aerr.reason);
    g.minted_at = clock_now_us() / 1000000;
}

static void setup(void)
{
    users_error_t uerr = {0};
    int inserted = 0;
    if (users_open_sqlite(NULL, &g.users, &uerr) != USERS_OK ||
        users_schema_load(g.users, &uerr) != USERS_OK ||
        users_seed(g.users, &inserted, &uerr) != USERS_OK ||
        dev_identity_link_demo_users(g.users, &uerr) != USERS_OK ||
        users_find_by_handle(g.users, "andrewbrown", &g.ua, &uerr) != USERS_OK ||
        users_find_by_handle(g.users, "bayko", &g.ub, &uerr) != USERS_OK)
        die("users", uerr.message);
    g.a = (msg_user){g.ua->uuid, g.ua->handle, g.ua->display_name};
    g.b = (msg_user){g.ub->uuid, g.ub->handle, g.ub->display_name};
    open_issuer();
    mint_tokens();
}

/* A fresh message store holding one conversation; its uuid goes to group. */
static msg_service *open_messages(ddb_store **store, char *group, size_t cap)
{
    ddb_embedded_options opt = {.in_memory = true, .no_fsync = true, .no_background = true};
    ddb_err derr = DDB_ERR_INIT;
    *store = ddb_embedded_open(&opt, &derr);
    if (!*store) die("store", derr.message);
    msg_service *svc = msg_service_new(*store, NULL);
    msg_err err = {0};
    if (!msg_ensure_table(svc, &err)) die("messages table", err.message);
    json_t *first = msg_start(svc, &g.a, &g.b, "hello", &err);
    if (!first) die("first message", err.message);
    const char *uuid = json_string_value(json_object_get(first, "message_group_uuid"));
    snprintf(group, cap, "%s", uuid ? uuid : "");
    json_decref(first);
    return svc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536) return 0;
    if (!g.users) setup();
    if (clock_now_us() / 1000000 - g.minted_at > TOKEN_REFRESH_S) mint_tokens();
    ddb_store *store;
    char group[64];
    msg_service *svc = open_messages(&store, group, sizeof group);

    const char *vars[] = {"$A", "$B", "$X", "$GROUP", "$ORIGIN"};
    const char *values[] = {g.tok_a, g.tok_b, g.tok_x, group, ORIGIN};
    size_t len;
    char *text = fuzz_substitute((const char *)data, size, vars, values, 5, &len);
    fuzz_request fr;
    fuzz_request_parse(&fr, text, len);

    api_ctx api = {.msg = svc,
                   .users = g.users,
                   .verifier = g.verifier,
                   .dev = g.dev,
                   .jwks_json = auth_dev_issuer_jwks_json(g.dev),
                   .origins = {strdup(ORIGIN)},
                   .n_origins = 1};
    http_response res;
    fuzz_response_init(&res);
    api_handle(&api, &fr.req, &res);
    if (getenv("FUZZ_VERBOSE"))
        fprintf(stderr, "%s %s -> %d %.*s\n", fr.method, fr.path, res.status, (int)res.body.len,
                res.body.data);
    if (res.status < 200 || res.status > 599) {
        fprintf(stderr, "fuzz_api: status %d is not an HTTP status\n", res.status);
        abort();
    }
    fuzz_response_free(&res);
    api_ctx_free_owned(&api);
    fuzz_request_free(&fr);
    free(text);
    msg_service_free(svc);
    ddb_store_close(store);
    return 0;
}
