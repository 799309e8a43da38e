/*
 * dynamodb_cmd: `cruddur dynamodb`, the embedded engine served over
 * DynamoDB's wire protocol: a drop-in for Amazon's DynamoDB Local for the
 * aws cli, boto3 and the other SDKs.
 */
#include "http/dynamodb_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/log.h"
#include "base/stop_signal.h"
#include "base/opts.h"
#include "aws/config.h"
#include "ddb/engine/embedded.h"
#include "http/ddb_wire.h"

/*
 * Default HTTP worker threads: eight per core, at least 16. A request spends
 * much of its time waiting (for the socket, or for the fsync of a durable
 * commit), and the engine's group commit can only batch the writes of
 * requests that are inside it at the same moment. On 2 cores at concurrency
 * 64, durable PutItem went from about 3.5k ops/s with 2 threads to 4.1-5.4k
 * with 8, 5.1-6.3k with 16 and 6.4k with 32, while GetItem and Query stayed
 * within the noise up to 16 and lost a little beyond (bench/run's ddb.lua).
 */
#define DDB_THREADS_PER_CORE 8
#define DDB_THREADS_MIN 16
#define DDB_THREADS_MAX 1024

/* The default worker thread count for this machine. */
static unsigned default_threads(void)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned n = (unsigned)(cores > 0 ? cores : 1) * DDB_THREADS_PER_CORE;
    if (n < DDB_THREADS_MIN) n = DDB_THREADS_MIN;
    return n > DDB_THREADS_MAX ? DDB_THREADS_MAX : n;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: cruddur dynamodb [--port 8000] [--host 127.0.0.1] [--data DIR | --in-memory]\n"
            "                        [--region NAME] [--credentials-file FILE] [--threads N]\n"
            "                        [--cors ORIGINS] [--quiet]\n"
            "\n"
            "Serves the embedded DynamoDB engine over DynamoDB's JSON protocol, so that\n"
            "Amazon's SDKs, the aws cli and boto3 scripts work against it:\n"
            "  aws dynamodb list-tables --endpoint-url http://127.0.0.1:8000\n"
            "\n"
            "  --port N       port to listen on (0 picks a free one); default 8000\n"
            "  --host ADDR    IPv4 address to listen on; default 127.0.0.1 (this machine\n"
            "                 only); 0.0.0.0 listens on every interface\n"
            "  --data DIR     data folder (default $CRUDDUR_DATA or ./data); the same folder\n"
            "                 may be used by `cruddur serve` at the same time\n"
            "  --in-memory    keep everything in memory; nothing is written to disk\n"
            "  --region NAME  region in ARNs and stream records, and the one signatures must be\n"
            "                 scoped to; default $AWS_REGION, $AWS_DEFAULT_REGION, the AWS\n"
            "                 profile's region, else us-east-1\n"
            "  --credentials-file FILE  check signatures: every request must be signed (AWS\n"
            "                 Signature Version 4, covering host, x-amz-date and x-amz-target,\n"
            "                 scoped to --region) with one of the ACCESS_KEY:SECRET pairs in\n"
            "                 FILE (one per line, # comments; keep it chmod 600). The pairs may\n"
            "                 also come from $" DDB_KEYS_ENV "\n"
            "                 (comma-separated), or from --credentials KEY:SECRET (repeatable;\n"
            "                 wiped from the process's arguments at start, but briefly visible\n"
            "                 in ps). Without any, signatures are not checked, like DynamoDB\n"
            "                 Local, and the start-up log says so\n"
            "  --cors ORIGINS  let web pages from these origins call the server from a browser:\n"
            "                 a comma list (http://localhost:3000,https://app.example) or * for\n"
            "                 any; without it no CORS headers are sent, so no other site's page\n"
            "                 can read or change the tables (as DynamoDB Local's -cors)\n"
            "  --threads N    HTTP worker threads (1-1024); default eight per core, at least 16:\n"
            "                 requests mostly wait for I/O, and durable writes are committed\n"
            "                 together only when many requests are in flight at once\n"
            "  --quiet        no request log lines (start, stop and errors are still logged)\n");
}

/* What the command line asked for. Owns `cors` and the `creds` array. */
typedef struct dynamodb_opts {
    http_config http;
    ddb_embedded_options store;
    const char *data;
    char *region;  /* owned */
    ddb_keys keys; /* accepted access keys; none: signatures unchecked */
    http_cors cors;
    bool cors_set;
} dynamodb_opts;

static void opts_free(dynamodb_opts *o)
{
    free(o->region);
    ddb_keys_free(&o->keys);
    http_cors_free(&o->cors);
}

/* Valid region names: lower-case letters, digits and '-', as AWS's are. */
static bool region_valid(const char *r)
{
    size_t n = strlen(r);
    return n > 0 && n <= 32 && strspn(r, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

/* The region every AWS client here resolves (aws_config: environment,
   profile, us-east-1). */
static char *default_region(void)
{
    aws_config c;
    aws_config_load(&c, NULL);
    char *r = c.region;
    c.region = NULL;
    aws_config_free(&c);
    return r;
}

/* Adds the pair of `--credentials KEY:SECRET`, then overwrites the secret
   in argv so that ps and /proc/PID/cmdline no longer show it. */
static bool add_argv_pair(ddb_keys *k, char *arg)
{
    char why[128];
    if (!ddb_keys_add(k, arg, strlen(arg), why, sizeof why)) {
        fprintf(stderr, "cruddur dynamodb: --credentials: %s\n", why);
        return false;
    }
    char *secret = strchr(arg, ':') + 1;
    memset(secret, '*', strlen(secret));
    return true;
}

/* Adds the pairs of $CRUDDUR_DYNAMODB_CREDENTIALS, when set. */
static bool add_env_pairs(ddb_keys *k)
{
    const char *v = getenv(DDB_KEYS_ENV);
    char why[128];
    if (!v || !*v || ddb_keys_add_list(k, v, why, sizeof why)) return true;
    fprintf(stderr, "cruddur dynamodb: $%s: %s\n", DDB_KEYS_ENV, why);
    return false;
}

/* Fills `o` from argv; -1 to go on, else the exit status (after --help or
   a usage error, already reported). */
static int parse_args(int argc, char **argv, dynamodb_opts *o)
{
    o->data = getenv("CRUDDUR_DATA");
    o->http = (http_config){.port = 8000, .max_body = 16 * 1024 * 1024, .name = "dynamodb"};
    if (!add_env_pairs(&o->keys)) return 2;
    opts_iter it;
    opts_init(&it, "cruddur dynamodb", argc, argv);
    while (opts_next(&it)) {
        long n;
        const char *v;
        if (opts_is_help(&it)) {
            usage(stdout);
            return 0;
        } else if (opts_is(&it, "--port")) {
            if (!opts_port(&it, &o->http.port)) return 2;
        } else if (opts_is(&it, "--threads")) {
            if (!opts_long(&it, 1, DDB_THREADS_MAX, &n)) return 2;
            o->http.threads = (unsigned)n;
        } else if (opts_is(&it, "--host")) {
            if (!(o->http.host = opts_value(&it))) return 2;
        } else if (opts_is(&it, "--data")) {
            if (!(o->data = opts_value(&it))) return 2;
        } else if (opts_is(&it, "--region")) {
            if (!(v = opts_value(&it))) return 2;
            if (!region_valid(v)) {
                fprintf(stderr, "cruddur dynamodb: invalid region '%s' (like us-east-1)\n", v);
                return 2;
            }
            free(o->region);
            o->region = xstrdup(v);
        } else if (opts_is(&it, "--credentials")) {
            /* argv itself: add_argv_pair masks the secret in place */
            if (!opts_value(&it) || !add_argv_pair(&o->keys, it.argv[it.i])) return 2;
        } else if (opts_is(&it, "--credentials-file")) {
            char why[512];
            if (!(v = opts_value(&it))) return 2;
            if (!ddb_keys_load_file(&o->keys, v, why, sizeof why)) {
                fprintf(stderr, "cruddur dynamodb: --credentials-file: %s\n", why);
                return 2;
            }
        } else if (opts_is(&it, "--cors")) {
            char why[320];
            if (!(v = opts_value(&it))) return 2;
            http_cors_free(&o->cors);
            if (!http_cors_parse(v, &o->cors, why, sizeof why)) {
                fprintf(stderr, "cruddur dynamodb: --cors: %s\n", why);
                return 2;
            }
            o->cors_set = true;
        } else if (opts_is(&it, "--in-memory")) {
            o->store.in_memory = true;
        } else if (opts_is(&it, "--quiet")) {
            o->http.quiet = true;
        } else {
            opts_unknown(&it);
            usage(stderr);
            return 2;
        }
    }
    if (!o->http.threads) o->http.threads = default_threads();
    o->store.dir = o->data && *o->data ? o->data : "./data";
    if (!o->region) o->region = default_region();
    o->store.region = o->region;
    return -1;
}

/* Serves until SIGINT or SIGTERM; the exit status. */
static int serve(dynamodb_opts *o)
{
    ddb_err err = DDB_ERR_INIT;
    ddb_store *store = ddb_embedded_open(&o->store, &err);
    if (!store) {
        fprintf(stderr, "cruddur dynamodb: cannot open the store in %s: %s\n", o->store.dir,
                err.message);
        ddb_err_clear(&err);
        return 1;
    }
    ddb_wire wire = {.store = store,
                     .keys = &o->keys,
                     .region = o->region,
                     .cors = o->cors_set ? &o->cors : NULL};
    char msg[256];
    http_server *srv = http_server_start(&o->http, ddb_wire_handle, &wire, msg, sizeof msg);
    if (!srv) {
        fprintf(stderr, "cruddur dynamodb: %s\n", msg);
        ddb_store_close(store);
        return 1;
    }
    const char *host = o->http.host ? o->http.host : "127.0.0.1";
    printf("cruddur dynamodb: listening on http://%s:%u\n", host, http_server_port(srv));
    fflush(stdout);
    log_info("dynamodb: listening on http://%s:%u (%s)", host, http_server_port(srv),
             o->store.in_memory ? "in memory" : o->store.dir);
    if (o->keys.n)
        log_info("dynamodb: signatures checked: AWS SigV4 with %zu access key(s), region %s",
                 o->keys.n, o->region);
    else
        log_warn("dynamodb: signatures are NOT checked: anyone who can reach this port can read "
                 "and change every table (give --credentials-file FILE to require signed "
                 "requests)");
    http_wait_for_shutdown_signal();
    http_server_stop(srv);
    ddb_store_close(store);
    log_info("cruddur dynamodb stopped");
    return 0;
}

int dynamodb_cmd_main(int argc, char **argv)
{
    stop_signal_block(); /* before any thread: see base/stop_signal.h */
    dynamodb_opts o = {0};
    int status = parse_args(argc, argv, &o);
    if (status < 0) status = serve(&o);
    opts_free(&o);
    return status;
}
