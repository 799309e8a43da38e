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
            "                        [--quiet]\n"
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
            "  --threads N    HTTP worker threads (1-1024); default eight per core, at least 16:\n"
            "                 requests mostly wait for I/O, and durable writes are committed\n"
            "                 together only when many requests are in flight at once\n"
            "  --quiet        no request log lines (start, stop and errors are still logged)\n");
}

int dynamodb_cmd_main(int argc, char **argv)
{
    const char *data = getenv("CRUDDUR_DATA");
    const char *region = getenv("AWS_REGION");
    if (!region) region = getenv("AWS_DEFAULT_REGION");
    http_config cfg = {.port = 8000, .max_body = 16 * 1024 * 1024, .name = "dynamodb"};
    ddb_embedded_options opt = {0};
    const char **creds = calloc((size_t)argc, sizeof *creds);
    size_t n_creds = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            free(creds);
            return 0;
        } else if (!strcmp(a, "--port") && has_value) {
            char *end;
            long port = strtol(argv[++i], &end, 10);
            if (*end || port < 0 || port > 65535) {
                fprintf(stderr, "cruddur dynamodb: invalid port '%s'\n", argv[i]);
                free(creds);
                return 2;
            }
            cfg.port = (uint16_t)port;
        } else if (!strcmp(a, "--threads") && has_value) {
            char *end;
            long n = strtol(argv[++i], &end, 10);
            if (*end || !*argv[i] || n < 1 || n > DDB_THREADS_MAX) {
                fprintf(stderr, "cruddur dynamodb: invalid threads '%s' (1-%d)\n", argv[i],
                        DDB_THREADS_MAX);
                free(creds);
                return 2;
            }
            cfg.threads = (unsigned)n;
        } else if (!strcmp(a, "--host") && has_value) {
            cfg.host = argv[++i];
        } else if (!strcmp(a, "--data") && has_value) {
            data = argv[++i];
        } else if (!strcmp(a, "--region") && has_value) {
            region = argv[++i];
        } else if (!strcmp(a, "--credentials") && has_value) {
            const char *c = argv[++i];
            const char *colon = strchr(c, ':');
            if (!colon || colon == c || !colon[1]) {
                fprintf(stderr, "cruddur dynamodb: --credentials wants KEY:SECRET\n");
                free(creds);
                return 2;
            }
            creds[n_creds++] = c;
        } else if (!strcmp(a, "--in-memory")) {
            opt.in_memory = true;
        } else if (!strcmp(a, "--quiet")) {
            cfg.quiet = true;
        } else {
            fprintf(stderr, "cruddur dynamodb: unknown option '%s'\n", a);
            usage(stderr);
            free(creds);
            return 2;
        }
    }
    if (!cfg.threads) cfg.threads = default_threads();
    opt.dir = data && *data ? data : "./data";
    opt.region = region;
    ddb_err err = DDB_ERR_INIT;
    ddb_store *store = ddb_embedded_open(&opt, &err);
    if (!store) {
        fprintf(stderr, "cruddur dynamodb: cannot open the store in %s: %s\n", opt.dir,
                err.message);
        ddb_err_clear(&err);
        free(creds);
        return 1;
    }
    ddb_wire wire = {.store = store, .credentials = creds, .n_credentials = n_creds};
    char msg[256];
    http_server *srv = http_server_start(&cfg, ddb_wire_handle, &wire, msg, sizeof msg);
    if (!srv) {
        fprintf(stderr, "cruddur dynamodb: %s\n", msg);
        ddb_store_close(store);
        free(creds);
        return 1;
    }
    const char *host = cfg.host ? cfg.host : "127.0.0.1";
    printf("cruddur dynamodb: listening on http://%s:%u\n", host, http_server_port(srv));
    fflush(stdout);
    log_info("dynamodb: listening on http://%s:%u (%s)", host, http_server_port(srv),
             opt.in_memory ? "in memory" : opt.dir);
    http_wait_for_shutdown_signal();
    http_server_stop(srv);
    ddb_store_close(store);
    log_info("cruddur dynamodb stopped");
    free(creds);
    return 0;
}
