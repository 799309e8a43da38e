/*
 * Unit tests for src/ddb/remote: requests reach the endpoint signed (the
 * fake endpoint below verifies the SigV4 signature with the shared secret),
 * answers and DynamoDB errors are decoded, throttling and 5xx answers are
 * retried, a wrong CRC32 is retried, and an unreachable endpoint fails fast
 * with a clear message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <microhttpd.h>
#include <zlib.h>

#include "base/buf.h"
#include "base/clock.h"
#include "ddb/remote/remote.h"
#include "aws/sigv4.h"
#include "testutil.h"

#define SECRET "test-secret"

/* What the fake endpoint answers next: a script of (status, body) pairs. */
typedef struct fake {
    struct MHD_Daemon *d;
    uint16_t port;
    const int *statuses;
    const char *const *bodies;
    int n;
    atomic_int calls;
    atomic_int bad_signatures;
    bool wrong_crc;
    char last_target[128];
} fake;

typedef struct upload {
    buf_t body;
} upload;

/* Recomputes the request's signature from the headers it says it signed. */
static bool signature_ok(struct MHD_Connection *c, const buf_t *body)
{
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    sigv4_parsed p;
    if (!sigv4_parse_authorization(auth, &p)) return false;
    sigv4_header h[8];
    char *names = strdup(p.signed_headers);
    size_t n = 0;
    char *save = NULL;
    for (char *t = strtok_r(names, ";", &save); t && n < 8; t = strtok_r(NULL, ";", &save)) {
        h[n].name = t;
        h[n].value = MHD_lookup_connection_value(c, MHD_HEADER_KIND, t);
        n++;
    }
    const char *date = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "x-amz-date");
    sigv4_input in = {.method = "POST",
                      .path = "/",
                      .headers = h,
                      .n_headers = n,
                      .payload = body->data ? body->data : "",
                      .payload_len = body->len,
                      .amz_date = date ? date : "",
                      .region = p.region,
                      .service = p.service,
                      .access_key = p.access_key,
                      .secret_key = SECRET};
    char sig[65];
    free(sigv4_authorization(&in, sig));
    bool ok = sigv4_signature_equal(sig, p.signature) && !strcmp(p.access_key, "AKID") &&
              !strcmp(p.service, "dynamodb");
    free(names);
    sigv4_parsed_free(&p);
    return ok;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *data,
                              size_t *size, void **state)
{
    fake *f = cls;
    upload *u = *state;
    if (!u) {
        *state = u = calloc(1, sizeof *u);
        return MHD_YES;
    }
    if (*size) {
        buf_append(&u->body, data, *size);
        *size = 0;
        return MHD_YES;
    }
    if (!signature_ok(c, &u->body)) atomic_fetch_add(&f->bad_signatures, 1);
    const char *target = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Amz-Target");
    snprintf(f->last_target, sizeof f->last_target, "%s", target ? target : "");
    int i = atomic_fetch_add(&f->calls, 1);
    if (i >= f->n) i = f->n - 1;
    const char *body = f->bodies[i];
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    char crc[16];
    snprintf(crc, sizeof crc, "%lu",
             crc32(0L, (const Bytef *)body, (uInt)strlen(body)) + (f->wrong_crc && i == 0));
    MHD_add_response_header(r, "x-amz-crc32", crc);
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)f->statuses[i], r);
    MHD_destroy_response(r);
    buf_free(&u->body);
    free(u);
    *state = NULL;
    return ok;
}

static void fake_start(fake *f)
{
    f->d =
        MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, handle, f, MHD_OPTION_END);
    assert_non_null(f->d);
    f->port = MHD_get_daemon_info(f->d, MHD_DAEMON_INFO_BIND_PORT)->port;
}

static ddb_store *open_remote(uint16_t port, const char *session_token)
{
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u", port);
    aws_config a = {.profile = "default",
                    .region = "us-east-1",
                    .access_key = "AKID",
                    .secret_key = SECRET,
                    .session_token = (char *)session_token,
                    .endpoint_dynamodb = url,
                    .endpoint_streams = url,
                    .custom_endpoint = true};
    ddb_remote_options opt = {.aws = &a, .max_attempts = 4, .timeout_ms = 2000};
    ddb_err err = DDB_ERR_INIT;
    ddb_store *s = ddb_remote_open(&opt, &err);
    assert_non_null(s);
    return s;
}

static void test_signed_call_and_answer(void **state)
{
    static const int st[] = {200};
    static const char *const bodies[] = {"{\"TableNames\":[\"a\"]}"};
    fake f = {.statuses = st, .bodies = bodies, .n = 1};
    fake_start(&f);
    ddb_store *s = open_remote(f.port, "session-token");
    json_t *req = tu_json("{}");
    ddb_err err = DDB_ERR_INIT;
    json_t *res = ddb_call(s, "ListTables", req, &err);
    tu_assert_json_eq(res, "{\"TableNames\":[\"a\"]}");
    assert_int_equal(f.bad_signatures, 0);
    assert_string_equal(f.last_target, "DynamoDB_20120810.ListTables");
    json_decref(res);
    res = ddb_call(s, "GetRecords", req, &err);
    assert_string_equal(f.last_target, "DynamoDBStreams_20120810.GetRecords");
    json_decref(res);
    json_decref(req);
    ddb_store_close(s);
    MHD_stop_daemon(f.d);
}

static void test_error_decoded_not_retried(void **state)
{
    static const int st[] = {400};
    static const char *const bodies[] = {
        "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException\","
        "\"message\":\"The conditional request failed\",\"Item\":{\"a\":{\"S\":\"x\"}}}"};
    fake f = {.statuses = st, .bodies = bodies, .n = 1};
    fake_start(&f);
    ddb_store *s = open_remote(f.port, NULL);
    json_t *req = tu_json("{\"TableName\":\"t\"}");
    ddb_err err = DDB_ERR_INIT;
    assert_null(ddb_call(s, "PutItem", req, &err));
    assert_int_equal(err.code, DDB_E_CONDITION);
    assert_string_equal(err.type, "ConditionalCheckFailedException");
    assert_string_equal(err.message, "The conditional request failed");
    tu_assert_json_eq(err.detail, "{\"Item\":{\"a\":{\"S\":\"x\"}}}");
    assert_int_equal(f.calls, 1);
    ddb_err_clear(&err);
    json_decref(req);
    ddb_store_close(s);
    MHD_stop_daemon(f.d);
}

/* The PartiQL operations pass through under their own names, and their
   errors come back with their own codes. */
static void test_partiql_passes_through(void **state)
{
    static const int st[] = {200, 400};
    static const char *const bodies[] = {
        "{\"Items\":[{\"pk\":{\"S\":\"a\"}}],\"NextToken\":\"t1\"}",
        "{\"__type\":\"com.amazonaws.dynamodb.v20120810#DuplicateItemException\","
        "\"message\":\"Duplicate primary key exists in table\"}"};
    fake f = {.statuses = st, .bodies = bodies, .n = 2};
    fake_start(&f);
    ddb_store *s = open_remote(f.port, NULL);
    json_t *req = tu_json("{\"Statement\":\"SELECT * FROM t WHERE pk = 'a'\"}");
    ddb_err err = DDB_ERR_INIT;
    json_t *res = ddb_call(s, "ExecuteStatement", req, &err);
    tu_assert_json_eq(res, "{\"Items\":[{\"pk\":{\"S\":\"a\"}}],\"NextToken\":\"t1\"}");
    assert_string_equal(f.last_target, "DynamoDB_20120810.ExecuteStatement");
    json_decref(res);
    assert_null(ddb_call(s, "ExecuteTransaction", req, &err));
    assert_string_equal(f.last_target, "DynamoDB_20120810.ExecuteTransaction");
    assert_int_equal(err.code, DDB_E_DUPLICATE_ITEM);
    assert_string_equal(err.message, "Duplicate primary key exists in table");
    assert_int_equal(f.calls, 2);
    ddb_err_clear(&err);
    json_decref(req);
    ddb_store_close(s);
    MHD_stop_daemon(f.d);
}

static void test_throttling_and_5xx_retried(void **state)
{
    static const int st[] = {400, 500, 200};
    static const char *const bodies[] = {
        "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException\","
        "\"message\":\"slow down\"}",
        "{\"__type\":\"com.amazonaws.dynamodb.v20120810#InternalServerError\",\"message\":\"x\"}",
        "{}"};
    fake f = {.statuses = st, .bodies = bodies, .n = 3};
    fake_start(&f);
    ddb_store *s = open_remote(f.port, NULL);
    json_t *req = tu_json("{}");
    ddb_err err = DDB_ERR_INIT;
    json_t *res = ddb_call(s, "ListTables", req, &err);
    assert_non_null(res);
    assert_int_equal(f.calls, 3);
    json_decref(res);
    json_decref(req);
    ddb_store_close(s);
    MHD_stop_daemon(f.d);
}

static void test_crc_mismatch_retried(void **state)
{
    static const int st[] = {200, 200};
    static const char *const bodies[] = {"{\"TableNames\":[]}", "{\"TableNames\":[]}"};
    fake f = {.statuses = st, .bodies = bodies, .n = 2, .wrong_crc = true};
    fake_start(&f);
    ddb_store *s = open_remote(f.port, NULL);
    json_t *req = tu_json("{}");
    ddb_err err = DDB_ERR_INIT;
    json_t *res = ddb_call(s, "ListTables", req, &err);
    assert_non_null(res);
    assert_int_equal(f.calls, 2);
    json_decref(res);
    json_decref(req);
    ddb_store_close(s);
    MHD_stop_daemon(f.d);
}

static void test_unreachable_fails_clearly(void **state)
{
    /* A port nothing listens on: bind one, then close it. */
    fake f = {0};
    static const int st[] = {200};
    static const char *const bodies[] = {"{}"};
    f.statuses = st;
    f.bodies = bodies;
    f.n = 1;
    fake_start(&f);
    uint16_t port = f.port;
    MHD_stop_daemon(f.d);
    ddb_store *s = open_remote(port, NULL);
    json_t *req = tu_json("{}");
    ddb_err err = DDB_ERR_INIT;
    assert_null(ddb_call(s, "ListTables", req, &err));
    assert_int_equal(err.code, DDB_E_UNAVAILABLE);
    assert_non_null(strstr(err.message, "cannot reach"));
    ddb_err_clear(&err);
    json_decref(req);
    ddb_store_close(s);
}

/* Waiting for a change sleeps the whole timeout and reports none: a remote
   store cannot see changes, and a consumer must then poll at its own pace. */
static void test_wait_change_reports_no_change(void **state)
{
    fake f = {0};
    fake_start(&f);
    ddb_store *s = open_remote(f.port, NULL);
    uint64_t since = ddb_store_change_counter(s);
    int64_t t0 = clock_mono_us();
    assert_int_equal(ddb_store_wait_change(s, since, 60), since);
    assert_true(clock_mono_us() - t0 >= 60000);
    assert_int_equal(ddb_store_change_counter(s), since);
    assert_int_equal(atomic_load(&f.calls), 0);
    ddb_store_close(s);
    MHD_stop_daemon(f.d);
}

static void test_missing_credentials(void **state)
{
    aws_config a = {.profile = "default", .region = "us-east-1"};
    ddb_remote_options opt = {.aws = &a};
    ddb_err err = DDB_ERR_INIT;
    assert_null(ddb_remote_open(&opt, &err));
    assert_int_equal(err.code, DDB_E_AUTH);
    assert_non_null(strstr(err.message, "AWS_ACCESS_KEY_ID"));
}

static void test_config_from_files(void **state)
{
    char *dir = tu_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/.aws", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof path, "%s/.aws/credentials", dir);
    FILE *f = fopen(path, "w");
    fputs("[default]\naws_access_key_id = AKD\naws_secret_access_key = SD\n"
          "[work]\naws_access_key_id=AKW\naws_secret_access_key=SW\naws_session_token=TW\n",
          f);
    fclose(f);
    snprintf(path, sizeof path, "%s/.aws/config", dir);
    f = fopen(path, "w");
    fputs("[default]\nregion = eu-west-1\n[profile work]\nregion = ap-south-1\n", f);
    fclose(f);
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SECRET_ACCESS_KEY");
    unsetenv("AWS_REGION");
    unsetenv("AWS_DEFAULT_REGION");
    unsetenv("AWS_ENDPOINT_URL");
    unsetenv("AWS_ENDPOINT_URL_DYNAMODB");
    unsetenv("AWS_ENDPOINT_URL_DYNAMODB_STREAMS");
    unsetenv("AWS_PROFILE");
    unsetenv("AWS_CA_BUNDLE");
    aws_config c;
    aws_config_load(&c, dir);
    assert_string_equal(c.access_key, "AKD");
    assert_string_equal(c.region, "eu-west-1");
    assert_string_equal(c.endpoint_dynamodb, "https://dynamodb.eu-west-1.amazonaws.com");
    assert_false(c.custom_endpoint);
    aws_config_free(&c);
    setenv("AWS_PROFILE", "work", 1);
    setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:8000", 1);
    aws_config_load(&c, dir);
    assert_string_equal(c.access_key, "AKW");
    assert_string_equal(c.session_token, "TW");
    assert_string_equal(c.region, "ap-south-1");
    assert_string_equal(c.endpoint_streams, "http://127.0.0.1:8000");
    assert_true(c.custom_endpoint);
    aws_config_free(&c);
    setenv("AWS_ACCESS_KEY_ID", "ENVK", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "ENVS", 1);
    setenv("AWS_REGION", "us-west-2", 1);
    aws_config_load(&c, dir);
    assert_string_equal(c.access_key, "ENVK");
    assert_null(c.session_token);
    assert_null(c.ca_bundle);
    aws_config_free(&c);
    setenv("AWS_CA_BUNDLE", "/etc/pki/tls/certs/ca-bundle.crt", 1);
    aws_config_load(&c, dir);
    assert_string_equal(c.ca_bundle, "/etc/pki/tls/certs/ca-bundle.crt");
    unsetenv("AWS_CA_BUNDLE");
    assert_string_equal(c.region, "us-west-2");
    aws_config_free(&c);
    unsetenv("AWS_PROFILE");
    unsetenv("AWS_ENDPOINT_URL");
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SECRET_ACCESS_KEY");
    unsetenv("AWS_REGION");
    tu_rmdir(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signed_call_and_answer),
        cmocka_unit_test(test_error_decoded_not_retried),
        cmocka_unit_test(test_partiql_passes_through),
        cmocka_unit_test(test_throttling_and_5xx_retried),
        cmocka_unit_test(test_crc_mismatch_retried),
        cmocka_unit_test(test_unreachable_fails_clearly),
        cmocka_unit_test(test_wait_change_reports_no_change),
        cmocka_unit_test(test_missing_credentials),
        cmocka_unit_test(test_config_from_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
