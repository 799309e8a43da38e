/*
 * The `bootstrap` of the cruddur-messaging-stream Lambda function: a
 * custom runtime (provided.al2023) that runs the message-group fanout on
 * the messages table's DynamoDB stream, the job the reference did with a
 * Python Lambda (spec section 5, with the fixes of section 8.5).
 *
 * Lambda starts this program once per execution environment. It opens the
 * remote store from Lambda's environment (region and the function role's
 * temporary credentials, AWS_SESSION_TOKEN included), then loops on the
 * Runtime API: fetch the next event, hand it to the handler (handler.c),
 * post the answer. A setup failure is reported as an init error; an event
 * the handler cannot answer for record by record fails the invocation.
 * SIGTERM (sent when the environment shuts down) ends the loop cleanly.
 *
 * Environment: AWS_LAMBDA_RUNTIME_API (set by Lambda), DDB_MESSAGE_TABLE
 * (default cruddur-messages), AWS_REGION and the credentials (set by
 * Lambda), AWS_ENDPOINT_URL_DYNAMODB (only to point it elsewhere, as the
 * tests do), CRUDDUR_LOG.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "base/log.h"
#include "base/stop_signal.h"
#include "aws/config.h"
#include "ddb/remote/remote.h"
#include "lambda/handler.h"
#include "lambda/runtime_api.h"
#include "messaging/table.h"

#define DEBIAN_CA_FILE "/etc/ssl/certs/ca-certificates.crt"
#define AMAZON_LINUX_CA_FILE "/etc/pki/tls/certs/ca-bundle.crt"
#define STORE_TIMEOUT_MS 5000

/*
 * The libcurl in the zip comes from Debian and looks for CA certificates
 * where Debian keeps them; Amazon Linux keeps them elsewhere. Point the
 * AWS variable for a CA bundle at Amazon Linux's file unless the function
 * sets it or Debian's file exists.
 */
static void ca_bundle_default(void)
{
    const char *set = getenv("AWS_CA_BUNDLE");
    if ((set && *set) || access(DEBIAN_CA_FILE, R_OK) == 0) return;
    if (access(AMAZON_LINUX_CA_FILE, R_OK) == 0) setenv("AWS_CA_BUNDLE", AMAZON_LINUX_CA_FILE, 1);
}

/* Opens the store Lambda's environment describes; NULL with a reason. */
static ddb_store *open_store(char *why, size_t why_len)
{
    aws_config cfg;
    aws_config_load(&cfg, NULL);
    ddb_remote_options opt = {.aws = &cfg, .timeout_ms = STORE_TIMEOUT_MS};
    ddb_err err = DDB_ERR_INIT;
    ddb_store *store = ddb_remote_open(&opt, &err);
    if (!store)
        snprintf(why, why_len, "cannot reach DynamoDB: %.900s", err.message);
    else
        log_info("DynamoDB at %s (region %s)", cfg.endpoint_dynamodb, cfg.region);
    ddb_err_clear(&err);
    aws_config_free(&cfg);
    return store;
}

/* Handles one invocation and posts its answer; false when posting failed. */
static bool invoke(lambda_runtime *rt, msg_service *svc, const lambda_invocation *inv)
{
    char why[1024] = "";
    if (inv->trace_id)
        setenv("_X_AMZN_TRACE_ID", inv->trace_id, 1);
    else
        unsetenv("_X_AMZN_TRACE_ID");
    json_error_t jerr;
    json_t *event = json_loadb(inv->body, inv->body_len, 0, &jerr);
    json_t *response = NULL;
    if (!event)
        snprintf(why, sizeof why, "the event is not JSON: %s", jerr.text);
    else
        response = lambda_handle_event(svc, event, inv->deadline_ms, why, sizeof why);
    json_decref(event);
    char post_why[512] = "";
    bool posted;
    if (response) {
        char *json = json_dumps(response, JSON_COMPACT);
        posted = lambda_runtime_respond(rt, inv->request_id, json, post_why, sizeof post_why);
        free(json);
        json_decref(response);
    } else {
        log_error("invocation %s failed: %s", inv->request_id, why);
        posted = lambda_runtime_error(rt, inv->request_id, "Cruddur.InvalidEvent", why, post_why,
                                      sizeof post_why);
    }
    if (!posted) log_error("invocation %s: %s", inv->request_id, post_why);
    return posted;
}

/* Fetches and handles invocations until a stop signal; the exit code. */
static int run_loop(lambda_runtime *rt, msg_service *svc)
{
    while (!stop_signal_pending()) {
        lambda_invocation inv;
        char why[512] = "";
        int got = lambda_runtime_next(rt, &inv, why, sizeof why);
        if (got == 0) break;
        if (got < 0) {
            log_error("Runtime API: %s", why);
            return 1;
        }
        bool posted = invoke(rt, svc, &inv);
        lambda_invocation_clear(&inv);
        if (!posted) return 1;
    }
    log_info("stop signal received; exiting");
    return 0;
}

int main(int argc, char **argv)
{
    stop_signal_block(); /* before curl starts a resolver thread: base/stop_signal.h */
    const char *api = getenv("AWS_LAMBDA_RUNTIME_API");
    if (!api || !*api) {
        fprintf(stderr, "bootstrap: AWS_LAMBDA_RUNTIME_API is not set: this program is the "
                        "custom runtime of a Lambda function (provided.al2023)\n");
        return 1;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    char why[1024] = "";
    lambda_runtime *rt = lambda_runtime_new(api, why, sizeof why);
    if (!rt) {
        fprintf(stderr, "bootstrap: %s\n", why);
        curl_global_cleanup();
        return 1;
    }
    ca_bundle_default();
    const char *table = msg_table_name();
    int rc = 1;
    ddb_store *store = open_store(why, sizeof why);
    if (!store) {
        char post_why[512] = "";
        log_error("init failed: %s", why);
        if (!lambda_runtime_error(rt, NULL, "Cruddur.InitError", why, post_why, sizeof post_why))
            log_error("could not report the init error: %s", post_why);
    } else {
        msg_service *svc = msg_service_new(store, table);
        log_info("cruddur-messaging-stream ready: table %s", table);
        rc = run_loop(rt, svc);
        msg_service_free(svc);
        ddb_store_close(store);
    }
    lambda_runtime_free(rt);
    curl_global_cleanup();
    return rc;
}
