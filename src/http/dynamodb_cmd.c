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

#include "base/log.h"
#include "base/stop_signal.h"
#include "ddb/embedded.h"
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
            "                        [--region NAME] [--credentials KEY:SECRET]... [--threads N]\n"
            "                        [--cors ORIGINS] [--quiet]\n"
            "\n"
            "Serves the embedded DynamoDB engine over DynamoDB's JSON protocol, so that\n"
            "Amazon's SDKs, the aws cli and boto3 scripts work against it:\n"
            "  aws dynamodb list-tables --endpoint-url http://127.0.0.1:8000\n"
            "\n"
            "  --port N       port to listen on (0 picks a free one); default 8000\n"
            "  --host ADDR    IPv4 address to listen on; default 127.0.0.1\n"
            "  --data DIR     data folder (default $CRUDDUR_DATA or ./data); the same folder\n"
            "                 may be used by `cruddur serve` at the same time\n"
            "  --in-memory    keep everything in memory; nothing is written to disk\n"
            "  --region NAME  region in ARNs and stream records; default $AWS_REGION or us-east-1\n"
            "  --credentials KEY:SECRET  check signatures: every request must be signed (AWS\n"
            "                 Signature Version 4) with one of the given pairs (repeatable);\n"
            "                 without it any signature is accepted, like DynamoDB Local\n"
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
    const char *region;
    const char **creds; /* "KEY:SECRET" pairs (strings borrowed from argv) */
    size_t n_creds;
    http_cors cors;
    bool cors_set;
} dynamodb_opts;

static void opts_free(dynamodb_opts *o)
{
    free(o->creds);
    http_cors_free(&o->cors);
}

/* Fills `o` from argv; -1 to go on, else the exit status (after --help or
   a usage error, already reported). */
static int parse_args(int argc, char **argv, dynamodb_opts *o)
{
    o->data = getenv("CRUDDUR_DATA");
    o->region = getenv("AWS_REGION");
    if (!o->region) o->region = getenv("AWS_DEFAULT_REGION");
    o->http = (http_config){.port = 8000, .max_body = 16 * 1024 * 1024, .name = "dynamodb"};
    o->creds = calloc((size_t)argc, sizeof *o->creds);
    if (!o->creds) abort();
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--port") && has_value) {
            char *end;
            long port = strtol(argv[++i], &end, 10);
            if (*end || port < 0 || port > 65535) {
                fprintf(stderr, "cruddur dynamodb: invalid port '%s'\n", argv[i]);
                return 2;
            }
            o->http.port = (uint16_t)port;
        } else if (!strcmp(a, "--threads") && has_value) {
            char *end;
            long n = strtol(argv[++i], &end, 10);
            if (*end || !*argv[i] || n < 1 || n > DDB_THREADS_MAX) {
                fprintf(stderr, "cruddur dynamodb: invalid threads '%s' (1-%d)\n", argv[i],
                        DDB_THREADS_MAX);
                return 2;
            }
            o->http.threads = (unsigned)n;
        } else if (!strcmp(a, "--host") && has_value) {
            o->http.host = argv[++i];
        } else if (!strcmp(a, "--data") && has_value) {
            o->data = argv[++i];
        } else if (!strcmp(a, "--region") && has_value) {
            o->region = argv[++i];
        } else if (!strcmp(a, "--credentials") && has_value) {
            const char *c = argv[++i];
            const char *colon = strchr(c, ':');
            if (!colon || colon == c || !colon[1]) {
                fprintf(stderr, "cruddur dynamodb: --credentials wants KEY:SECRET\n");
                return 2;
            }
            o->creds[o->n_creds++] = c;
        } else if (!strcmp(a, "--cors") && has_value) {
            char why[320];
            http_cors_free(&o->cors);
            if (!http_cors_parse(argv[++i], &o->cors, why, sizeof why)) {
                fprintf(stderr, "cruddur dynamodb: --cors: %s\n", why);
                return 2;
            }
            o->cors_set = true;
        } else if (!strcmp(a, "--in-memory")) {
            o->store.in_memory = true;
        } else if (!strcmp(a, "--quiet")) {
            o->http.quiet = true;
        } else {
            fprintf(stderr, "cruddur dynamodb: unknown option '%s'\n", a);
            usage(stderr);
            return 2;
        }
    }
    if (!o->http.threads) o->http.threads = default_threads();
    o->store.dir = o->data && *o->data ? o->data : "./data";
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
                     .credentials = o->creds,
                     .n_credentials = o->n_creds,
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
