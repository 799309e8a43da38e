/*
 * Unit tests for src/ddb/sigv4: signatures match botocore's for the same
 * request (the expected values were computed with botocore's SigV4Auth),
 * and Authorization headers parse back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "aws/sigv4.h"

static const char *body = "{\"TableName\":\"t\"}";

static sigv4_input describe_table(const sigv4_header *h, size_t n)
{
    return (sigv4_input){
        .method = "POST",
        .path = "/",
        .headers = h,
        .n_headers = n,
        .payload = body,
        .payload_len = strlen(body),
        .amz_date = "20260102T030405Z",
        .region = "us-east-1",
        .service = "dynamodb",
        .access_key = "AKIDEXAMPLE",
        .secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    };
}

static void test_matches_botocore(void **state)
{
    /* Header order and name case must not matter. */
    sigv4_header h[] = {
        {"X-Amz-Target", "DynamoDB_20120810.DescribeTable"},
        {"Host", "dynamodb.us-east-1.amazonaws.com"},
        {"Content-Type", "application/x-amz-json-1.0"},
        {"X-Amz-Date", "20260102T030405Z"},
    };
    sigv4_input in = describe_table(h, 4);
    char sig[65];
    char *auth = sigv4_authorization(&in, sig);
    assert_string_equal(sig, "ae4753fd5f100c7e646c2c304ba5460d0d9102132015ff1e3ee1f372e25e051a");
    assert_string_equal(auth, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260102/us-east-1/"
                              "dynamodb/aws4_request, SignedHeaders=content-type;host;x-amz-date;"
                              "x-amz-target, Signature=ae4753fd5f100c7e646c2c304ba5460d0d9102132015"
                              "ff1e3ee1f372e25e051a");
    free(auth);
}

static void test_any_change_changes_signature(void **state)
{
    sigv4_header h[] = {
        {"content-type", "application/x-amz-json-1.0"},
        {"host", "dynamodb.us-east-1.amazonaws.com"},
        {"x-amz-date", "20260102T030405Z"},
        {"x-amz-target", "DynamoDB_20120810.DescribeTable"},
    };
    char base[65], other[65];
    sigv4_input in = describe_table(h, 4);
    free(sigv4_authorization(&in, base));
    in.secret_key = "wrong";
    free(sigv4_authorization(&in, other));
    assert_string_not_equal(base, other);
    in = describe_table(h, 4);
    in.payload_len--;
    free(sigv4_authorization(&in, other));
    assert_string_not_equal(base, other);
    in = describe_table(h, 4);
    in.region = "eu-west-1";
    free(sigv4_authorization(&in, other));
    assert_string_not_equal(base, other);
    /* Spaces around a value are not part of the canonical form. */
    sigv4_header padded[] = {
        {"content-type", "  application/x-amz-json-1.0 "},
        {"host", "dynamodb.us-east-1.amazonaws.com"},
        {"x-amz-date", "20260102T030405Z"},
        {"x-amz-target", "DynamoDB_20120810.DescribeTable"},
    };
    in = describe_table(padded, 4);
    free(sigv4_authorization(&in, other));
    assert_string_equal(base, other);
}

static void test_parse_authorization(void **state)
{
    sigv4_parsed p;
    assert_true(sigv4_parse_authorization(
        "AWS4-HMAC-SHA256 Credential=AK/20260102/us-east-1/dynamodb/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date, Signature=abc123",
        &p));
    assert_string_equal(p.access_key, "AK");
    assert_string_equal(p.date, "20260102");
    assert_string_equal(p.region, "us-east-1");
    assert_string_equal(p.service, "dynamodb");
    assert_string_equal(p.signed_headers, "content-type;host;x-amz-date");
    assert_string_equal(p.signature, "abc123");
    sigv4_parsed_free(&p);
    const char *bad[] = {
        NULL,
        "",
        "Bearer x",
        "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=abc",
        "AWS4-HMAC-SHA256 Credential=AK/2026/us-east-1/dynamodb/aws4_request, "
        "SignedHeaders=host, Signature=abc",
        "AWS4-HMAC-SHA256 Credential=AK/20260102/us-east-1/dynamodb, SignedHeaders=host, "
        "Signature=abc",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(sigv4_parse_authorization(bad[i], &p));
    assert_true(sigv4_signature_equal("abc", "abc"));
    assert_false(sigv4_signature_equal("abc", "abd"));
    assert_false(sigv4_signature_equal("abc", "abcd"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matches_botocore),
        cmocka_unit_test(test_any_change_changes_signature),
        cmocka_unit_test(test_parse_authorization),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
