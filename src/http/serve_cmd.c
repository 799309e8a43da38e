/*
 * serve_cmd: `cruddur serve`, the Cruddur API. It wires the pieces
 * together in dependency order: the embedded store, the users directory,
 * sign-in (a Cognito pool from the environment, else the dev issuer whose
 * key lives in the data folder), the messaging service and its fanout
 * consumer, then the HTTP server. On a fresh data folder it creates what
 * is missing (users schema; in dev mode the demo users, linked to their dev
 * identities; the messages table). SIGINT/SIGTERM stop it cleanly at any
 * moment, start-up included (base/stop_signal.h): requests in flight
 * finish, the consumer finishes its record, everything is freed.
 */
#include "http/serve_cmd.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/log.h"
#include "base/stop_signal.h"
#include "base/opts.h"
#include "ddb/engine/embedded.h"
#include "http/api.h"
#include "http/dev_identity.h"
#include "ddb/open/store_open.h"
#include "messaging/consumer.h"
#include "messaging/push.h"
#include "messaging/table.h"

typedef struct serve_opts {
    http_config http;
    const char *data;
    const char *web; /* --web DIR, or NULL to look for web/ (static.h) */
    bool in_memory;
    bool fanout;        /* run the consumer in this process (embedded store: default on) */
    bool stream_worker; /* --stream-worker: run it even when the store is remote */
    int heartbeat_ms;   /* --heartbeat: event streams' heartbeat interval */
} serve_opts;

/* Everything the server runs on, freed in reverse order by app_close. */
typedef struct app {
    ddb_store *store;
    users_db_t *users;
    auth_dev_issuer_t *dev;
    auth_verifier_t *verifier;
    msg_service *msg;
    msg_consumer *consumer;
    events_hub *events;
    msg_push *push;
    static_site *web;
    char *key_dir; /* --in-memory: a temporary folder for the dev key, removed at exit */
    api_ctx api;
} app;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: cruddur serve [--port 4567] [--host 127.0.0.1] [--data DIR | --in-memory]\n"
            "                     [--web DIR] [--threads N] [--no-fanout | --stream-worker]\n"
            "                     [--heartbeat SECONDS] [--quiet]\n"
            "\n"
            "Serves the Cruddur API (/api/message_groups, /api/messages, /api/users/@H/short,\n"
            "/api/events) and keeps conversation lists current with an in-process stream\n"
            "consumer. Every instance also reads the table's stream to push new messages to\n"
            "the signed-in users' event streams (GET /api/events).\n"
            "\n"
            "  --port N       port (0 picks a free one; the chosen one is printed as\n"
            "                 `cruddur serve: listening on http://HOST:PORT`); default 4567\n"
            "  --host ADDR    IPv4 address to listen on; default 127.0.0.1 (this machine\n"
            "                 only). 0.0.0.0 listens on every interface; without Cognito,\n"
            "                 anyone who reaches it can sign in as anyone (a warning says so)\n"
            "  --data DIR     data folder (default $CRUDDUR_DATA or ./data): the store, the\n"
            "                 users (unless CONNECTION_URL names a PostgreSQL server) and the\n"
            "                 dev issuer's key\n"
            "  --in-memory    keep everything in memory (a fresh, empty service)\n"
            "  --web DIR      the browser UI's files (default $CRUDDUR_WEB, else the web/\n"
            "                 folder of the source tree or beside the binary)\n"
            "  --threads N    HTTP worker threads; default: one per core\n"
            "  --no-fanout    do not run the stream consumer in this process\n"
            "  --stream-worker  with a remote DynamoDB (AWS_ENDPOINT_URL...), run the stream\n"
            "                 consumer in this process too (else run `cruddur stream-worker`\n"
            "                 or the Lambda next to it)\n"
            "  --heartbeat S  seconds between heartbeats on idle event streams; default 15\n"
            "  --quiet        no request log lines (server errors are still logged)\n"
            "\n"
            "Environment: AWS_COGNITO_USER_POOL_ID and AWS_COGNITO_USER_POOL_CLIENT_ID (with\n"
            "AWS_REGION or AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER) select Cognito sign-in;\n"
            "without them cruddur is its own issuer (dev identity: POST /api/dev/signin and\n"
            "`cruddur token HANDLE`). FRONTEND_URL and BACKEND_URL are the CORS origins;\n"
            "DDB_MESSAGE_TABLE names the messages table (default cruddur-messages).\n");
}

/* Parses the flags; returns -1 to go on, else an exit code. */
static int parse_args(int argc, char **argv, serve_opts *o)
{
    const char *data = getenv("CRUDDUR_DATA");
    *o = (serve_opts){.http = {.port = 4567, .name = "api"}, .fanout = true};
    opts_iter it;
    opts_init(&it, "cruddur serve", argc, argv);
    while (opts_next(&it)) {
        long v;
        if (opts_is_help(&it)) {
            usage(stdout);
            return 0;
        } else if (opts_is(&it, "--port")) {
            if (!opts_port(&it, &o->http.port)) return 2;
        } else if (opts_is(&it, "--threads")) {
            if (!opts_long(&it, 0, 1024, &v)) return 2;
            o->http.threads = (unsigned)v;
        } else if (opts_is(&it, "--heartbeat")) {
            if (!opts_long(&it, 1, 3600, &v)) return 2;
            o->heartbeat_ms = (int)v * 1000;
        } else if (opts_is(&it, "--host")) {
            if (!(o->http.host = opts_value(&it))) return 2;
        } else if (opts_is(&it, "--data")) {
            if (!(data = opts_value(&it))) return 2;
        } else if (opts_is(&it, "--web")) {
            if (!(o->web = opts_value(&it))) return 2;
        } else if (opts_is(&it, "--in-memory")) {
            o->in_memory = true;
        } else if (opts_is(&it, "--no-fanout")) {
            o->fanout = false;
        } else if (opts_is(&it, "--stream-worker")) {
            o->stream_worker = true;
        } else if (opts_is(&it, "--quiet")) {
            o->http.quiet = true;
        } else {
            opts_unknown(&it);
            usage(stderr);
            return 2;
        }
    }
    o->data = data && *data ? data : "./data";
    return -1;
}

/* Removes a flat temporary folder and the files in it. */
static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
        closedir(d);
    }
    rmdir(dir);
}

/* The users directory, with its schema; in dev mode the demo users too. */
static bool open_users(app *a, const serve_opts *o, bool dev_mode)
{
    users_error_t err = {0};
    if (users_open(o->in_memory ? NULL : o->data, &a->users, &err) != USERS_OK ||
        users_schema_load(a->users, &err) != USERS_OK) {
        log_error("serve: users directory: %s", err.message);
        return false;
    }
    if (!dev_mode) return true;
    users_list_t all = {0};
    if (users_list_all(a->users, &all, &err) != USERS_OK) {
        log_error("serve: users directory: %s", err.message);
        return false;
    }
    size_t existing = all.count;
    users_list_free(&all);
    int inserted = 0;
    if (existing == 0 && users_seed(a->users, &inserted, &err) != USERS_OK) {
        log_error("serve: seeding the demo users: %s", err.message);
        return false;
    }
    if (inserted) log_info("serve: added the %d demo users", inserted);
    if (dev_identity_link_demo_users(a->users, &err) != USERS_OK) {
        log_error("serve: linking the demo users: %s", err.message);
        return false;
    }
    return true;
}

/* The token verifier: Cognito from the environment, else the dev issuer. */
static bool open_auth(app *a, const serve_opts *o, enum auth_mode mode, auth_cognito_env_t *env)
{
    auth_error_t err;
    auth_config_t cfg;
    auth_config_init(&cfg);
    if (mode == AUTH_MODE_COGNITO) {
        auth_config_cognito(&cfg, env);
        a->api.cognito_config = json_pack("{s:s?, s:s, s:s}", "region", env->region, "client_id",
                                          env->client_id, "endpoint", env->endpoint);
        log_info("serve: sign-in with Cognito (issuer %s)", env->issuer);
    } else {
        const char *dir = o->data;
        if (o->in_memory) {
            const char *tmp = getenv("TMPDIR");
            char tmpl[4096];
            snprintf(tmpl, sizeof tmpl, "%s/cruddur-serve-XXXXXX", tmp && *tmp ? tmp : "/tmp");
            if (!mkdtemp(tmpl)) {
                log_error("serve: cannot create a temporary folder for the dev key");
                return false;
            }
            dir = a->key_dir = xstrdup(tmpl);
        }
        a->dev = auth_dev_issuer_open(dir, NULL, &err);
        if (!a->dev) {
            log_error("serve: dev issuer: %s", err.reason);
            return false;
        }
        auth_config_dev(&cfg, a->dev);
        a->api.jwks_json = auth_dev_issuer_jwks_json(a->dev);
        log_info("serve: dev identity mode (issuer %s); POST /api/dev/signin or `cruddur token`",
                 auth_dev_issuer_iss(a->dev));
    }
    a->verifier = auth_verifier_new(&cfg, &err);
    if (!a->verifier) {
        log_error("serve: token verifier: %s", err.reason);
        return false;
    }
    if (mode == AUTH_MODE_COGNITO && !auth_verifier_refresh_keys(a->verifier, &err))
        log_warn("serve: cannot fetch the pool's keys yet (%s); will retry on demand", err.reason);
    return true;
}

/* The messages table, the relay that feeds the event streams and the
   fanout consumer. */
static bool open_messaging(app *a, const serve_opts *o)
{
    msg_err err = {0};
    a->msg = msg_service_new(a->store, msg_table_name());
    if (!msg_ensure_table(a->msg, &err)) {
        log_error("serve: messages table: %s", err.message);
        msg_err_clear(&err);
        return false;
    }
    a->events = events_hub_new(o->heartbeat_ms);
    a->push = msg_push_new(a->msg, events_hub_publish, a->events);
    if (!msg_push_start(a->push, &err)) {
        log_error("serve: event relay: %s", err.message);
        msg_err_clear(&err);
        return false;
    }
    if (!o->fanout) return true;
    if (ddb_store_is_remote(&(ddb_open_options){0}) && !o->stream_worker) {
        log_warn("serve: the messages table is in a remote DynamoDB: run `cruddur stream-worker` "
                 "(or deploy the Lambda, see README) so that conversation lists follow new "
                 "messages, or start serve with --stream-worker");
        return true;
    }
    a->consumer = msg_consumer_new(a->msg, NULL);
    if (!msg_consumer_ensure_table(a->consumer, &err) || !msg_consumer_start(a->consumer, &err)) {
        log_error("serve: fanout consumer: %s", err.message);
        msg_err_clear(&err);
        return false;
    }
    return true;
}

/* The browser UI: required when --web names it, optional otherwise. */
static bool open_web(app *a, const serve_opts *o)
{
    char msg[512];
    a->web = static_site_open(o->web, msg, sizeof msg);
    if (a->web) {
        log_info("serve: web UI from %s", static_site_root(a->web));
        return true;
    }
    if (o->web) {
        log_error("serve: web UI: %s", msg);
        return false;
    }
    log_warn("serve: no web UI (%s); serving the API only", msg);
    return true;
}

static bool app_open(app *a, const serve_opts *o)
{
    auth_cognito_env_t env;
    auth_error_t aerr;
    enum auth_mode mode = auth_cognito_env_load(&env, &aerr);
    if (mode == AUTH_MODE_ERROR) {
        log_error("serve: %s", aerr.reason);
        return false;
    }
    ddb_open_options opt = {.data_dir = o->data, .in_memory = o->in_memory};
    ddb_err derr = DDB_ERR_INIT;
    char *what = NULL;
    a->store = ddb_store_open(&opt, &what, &derr);
    if (!a->store) {
        log_error("serve: cannot open the store (%s): %s",
                  ddb_store_is_remote(&opt) ? "remote DynamoDB" : o->data, derr.message);
        ddb_err_clear(&derr);
    } else {
        log_info("serve: messages in the %s", what);
    }
    free(what);
    bool ok = a->store && open_users(a, o, mode == AUTH_MODE_DEV) && open_auth(a, o, mode, &env) &&
              open_messaging(a, o) && open_web(a, o);
    auth_cognito_env_free(&env);
    if (!ok) return false;
    a->api.msg = a->msg;
    a->api.users = a->users;
    a->api.verifier = a->verifier;
    a->api.dev = a->dev;
    a->api.web = a->web;
    a->api.events = a->events;
    a->api.user_cache = user_cache_new(USER_CACHE_DEFAULT_CAPACITY, USER_CACHE_DEFAULT_TTL_US);
    api_ctx_load_origins(&a->api);
    return true;
}

static void app_close(app *a)
{
    msg_consumer_free(a->consumer);
    msg_push_free(a->push);
    events_hub_free(a->events);
    msg_service_free(a->msg);
    static_site_close(a->web);
    auth_verifier_free(a->verifier);
    auth_dev_issuer_close(a->dev);
    if (a->key_dir) remove_dir(a->key_dir);
    free(a->key_dir);
    users_close(a->users);
    if (a->store) ddb_store_close(a->store);
    api_ctx_free_owned(&a->api);
}

/* True for an IPv4 address in 127.0.0.0/8 (the host was checked by the
   server already). */
static bool is_loopback(const char *host)
{
    struct in_addr addr;
    return inet_pton(AF_INET, host, &addr) == 1 && (ntohl(addr.s_addr) >> 24) == 127;
}

int serve_cmd_main(int argc, char **argv)
{
    /* Before anything starts a thread: a SIGTERM during start-up waits for
       http_wait_for_shutdown_signal and gets the same clean shutdown. */
    stop_signal_block();
    serve_opts o;
    int rc = parse_args(argc, argv, &o);
    if (rc >= 0) return rc;
    app a = {0};
    if (!app_open(&a, &o)) {
        app_close(&a);
        return 1;
    }
    char msg[256];
    http_server *srv = http_server_start(&o.http, api_handle, &a.api, msg, sizeof msg);
    if (!srv) {
        log_error("serve: %s", msg);
        app_close(&a);
        return 1;
    }
    const char *host = o.http.host ? o.http.host : "127.0.0.1";
    printf("cruddur serve: listening on http://%s:%u\n", host, http_server_port(srv));
    fflush(stdout);
    log_info("serve: listening on http://%s:%u (%s, users: %s, fanout %s)", host,
             http_server_port(srv), o.in_memory ? "in memory" : o.data, users_driver_name(a.users),
             o.fanout ? "on" : "off");
    if (a.dev && !is_loopback(host))
        log_warn("serve: dev identity mode on %s, which is not a loopback address: anyone who can "
                 "reach it can sign in as any user (POST /api/dev/signin). Configure Cognito "
                 "(AWS_COGNITO_USER_POOL_ID, AWS_COGNITO_USER_POOL_CLIENT_ID) or listen on "
                 "127.0.0.1",
                 host);
    http_wait_for_shutdown_signal();
    http_server_stop(srv);
    if (a.consumer) {
        msg_consumer_stop(a.consumer);
        msg_consumer_stats st;
        msg_consumer_get_stats(a.consumer, &st);
        log_info("serve: fanout consumer stopped after %llu stream records",
                 (unsigned long long)st.records);
    }
    app_close(&a);
    log_info("serve: stopped");
    return 0;
}
