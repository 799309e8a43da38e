/*
 * Unit tests for src/ddb/model/value.c and value_ops.c: AttributeValue and item
 * validation with DynamoDB's messages (from DynamoDB Local's PutItem, and
 * DynamoDB's documentation where Local differs), equality, ordering, sizes,
 * base64 and key bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "ddb/model/value.h"
#include "testutil.h"

#define INVALID "One or more parameter values were invalid: "
#define EMPTY_AV                                                                                   \
    "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
#define MULTI_AV                                                                                   \
    "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the "    \
    "supported datatypes"
#define NOT_NUM "A value provided cannot be converted into a number"
#define NESTING                                                                                    \
    "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels "    \
    "beyond supported limit"

#define V DDB_E_VALIDATION
#define SER DDB_E_SERIALIZATION

/* AttributeValue in -> canonical JSON out, or error code and message. */
static const struct {
    const char *in;
    const char *out;
    ddb_code code;
    const char *msg;
} norm_cases[] = {
    {"{\"S\":\"x\"}", "{\"S\":\"x\"}", DDB_OK, NULL},
    {"{\"S\":\"\"}", "{\"S\":\"\"}", DDB_OK, NULL},
    {"{\"N\":\"1.50\"}", "{\"N\":\"1.5\"}", DDB_OK, NULL},
    {"{\"N\":\"-0\"}", "{\"N\":\"0\"}", DDB_OK, NULL},
    {"{\"B\":\"YWJj\"}", "{\"B\":\"YWJj\"}", DDB_OK, NULL},
    {"{\"B\":\"YQ==\"}", "{\"B\":\"YQ==\"}", DDB_OK, NULL},
    {"{\"B\":\"\"}", "{\"B\":\"\"}", DDB_OK, NULL},
    {"{\"BOOL\":false}", "{\"BOOL\":false}", DDB_OK, NULL},
    {"{\"NULL\":true}", "{\"NULL\":true}", DDB_OK, NULL},
    {"{\"M\":{}}", "{\"M\":{}}", DDB_OK, NULL},
    {"{\"L\":[]}", "{\"L\":[]}", DDB_OK, NULL},
    {"{\"M\":{\"a\":{\"N\":\"01\"},\"b\":{\"L\":[{\"N\":\"1e2\"},{\"S\":\"\"}]}}}",
     "{\"M\":{\"a\":{\"N\":\"1\"},\"b\":{\"L\":[{\"N\":\"100\"},{\"S\":\"\"}]}}}", DDB_OK, NULL},
    /* sets come back sorted (set_order.c) */
    {"{\"SS\":[\"b\",\"a\",\"\"]}", "{\"SS\":[\"\",\"a\",\"b\"]}", DDB_OK, NULL},
    {"{\"NS\":[\"3\",\"1.0\",\"2e0\"]}", "{\"NS\":[\"1\",\"2\",\"3\"]}", DDB_OK, NULL},
    {"{\"BS\":[\"Yg==\",\"YQ==\",\"\"]}", "{\"BS\":[\"\",\"YQ==\",\"Yg==\"]}", DDB_OK, NULL},
    /* null and unknown members are ignored, as DynamoDB does */
    {"{\"NULL\":true,\"S\":null}", "{\"NULL\":true}", DDB_OK, NULL},
    {"{\"S\":\"a\",\"X\":1}", "{\"S\":\"a\"}", DDB_OK, NULL},
    /* number of types */
    {"{}", NULL, V, EMPTY_AV},
    {"{\"S\":null}", NULL, V, EMPTY_AV},
    {"{\"X\":\"1\"}", NULL, V, EMPTY_AV},
    {"{\"s\":\"1\"}", NULL, V, EMPTY_AV},
    /* a null AttributeValue: DynamoDB Local 3.3.1's words */
    {"null", NULL, V, "The supplied Item contains a null AttributeValue"},
    {"{\"S\":\"x\",\"N\":\"1\"}", NULL, V, MULTI_AV},
    {"{\"B\":\"\",\"S\":\"a\"}", NULL, V, MULTI_AV},
    {"{\"M\":{\"x\":{\"S\":\"a\",\"N\":\"1\"}}}", NULL, V, MULTI_AV},
    /* a member's own error wins over the type count */
    {"{\"S\":\"a\",\"N\":\"x\"}", NULL, V, NOT_NUM},
    {"{\"SS\":[],\"S\":\"a\"}", NULL, V, INVALID "An string set  may not be empty"},
    /* numbers */
    {"{\"N\":\"\"}", NULL, V, NOT_NUM},
    {"{\"N\":\"abc\"}", NULL, V, NOT_NUM},
    {"{\"L\":[{\"N\":\"abc\"}]}", NULL, V, NOT_NUM},
    {"{\"N\":\"1E126\"}", NULL, V,
     "Number overflow. Attempting to store a number with magnitude larger than supported range"},
    {"{\"NS\":[\"1e200\"]}", NULL, V,
     "Number overflow. Attempting to store a number with magnitude larger than supported range"},
    {"{\"NS\":[\"1\",\"x\"]}", NULL, V, NOT_NUM},
    {"{\"NS\":[\"\"]}", NULL, V, NOT_NUM},
    /* NULL */
    {"{\"NULL\":false}", NULL, V, INVALID "Null attribute value types must have the value of true"},
    /* sets */
    {"{\"SS\":[]}", NULL, V, INVALID "An string set  may not be empty"},
    {"{\"NS\":[]}", NULL, V, INVALID "An number set  may not be empty"},
    {"{\"BS\":[]}", NULL, V, INVALID "Binary sets should not be empty"},
    {"{\"M\":{\"x\":{\"NS\":[]}}}", NULL, V, INVALID "An number set  may not be empty"},
    {"{\"SS\":[\"a\",\"a\"]}", NULL, V, INVALID "Input collection [a, a] contains duplicates"},
    {"{\"SS\":[\"a\",\"b\",\"a\"]}", NULL, V,
     INVALID "Input collection [a, b, a] contains duplicates"},
    {"{\"NS\":[\"1\",\"1.0\"]}", NULL, V, "Input collection contains duplicates"},
    {"{\"NS\":[\"1\",\"2\",\"01\"]}", NULL, V, "Input collection contains duplicates"},
    {"{\"NS\":[\"1\",\"1e3\",\"-0\",\"1000\"]}", NULL, V, "Input collection contains duplicates"},
    {"{\"BS\":[\"YQ==\",\"YQ==\"]}", NULL, V,
     INVALID "Input collection of type BS contains duplicates."},
    /* map names */
    {"{\"M\":{\"\":{\"S\":\"a\"}}}", NULL, V, "Empty attribute name"},
    /* JSON kinds: SerializationException */
    {"{\"S\":1}", NULL, SER, "NUMBER_VALUE cannot be converted to String"},
    {"{\"S\":true}", NULL, SER, "TRUE_VALUE cannot be converted to String"},
    {"{\"S\":[\"a\"]}", NULL, SER, "Start of list found where not expected"},
    {"{\"S\":{\"a\":1}}", NULL, SER, "Start of structure or map found where not expected."},
    {"{\"N\":1}", NULL, SER, "NUMBER_VALUE cannot be converted to String"},
    {"{\"N\":1.5}", NULL, SER, "NUMBER_VALUE cannot be converted to String"},
    {"{\"B\":1}", NULL, SER, "NUMBER_VALUE cannot be converted to Blob"},
    {"{\"BOOL\":\"true\"}", NULL, SER, "STRING_VALUE cannot be converted to Boolean"},
    {"{\"BOOL\":1}", NULL, SER, "NUMBER_VALUE cannot be converted to Boolean"},
    {"{\"NULL\":\"true\"}", NULL, SER, "STRING_VALUE cannot be converted to Boolean"},
    {"{\"NULL\":[]}", NULL, SER, "Start of list found where not expected"},
    {"{\"SS\":\"a\"}", NULL, SER, "Unexpected value type in payload"},
    {"{\"SS\":[1]}", NULL, SER, "NUMBER_VALUE cannot be converted to String"},
    {"{\"NS\":[1]}", NULL, SER, "NUMBER_VALUE cannot be converted to String"},
    {"{\"M\":[]}", NULL, SER, "Start of list found where not expected"},
    {"{\"M\":\"x\"}", NULL, SER, "Unexpected value type in payload"},
    {"{\"L\":{}}", NULL, SER, "Start of structure or map found where not expected."},
    {"{\"M\":{\"x\":1}}", NULL, SER, "Unexpected value type in payload"},
    {"{\"L\":[1]}", NULL, SER, "Unexpected value type in payload"},
    {"{\"L\":[[]]}", NULL, SER, "Start of list found where not expected"},
    {"\"x\"", NULL, SER, "Unexpected value type in payload"},
    {"[]", NULL, SER, "Start of list found where not expected"},
    /* base64 */
    {"{\"B\":\"YQ\"}", NULL, SER,
     "'YQ' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 "
     "bytes but found: 2"},
    {"{\"B\":\"!!!!\"}", NULL, SER,
     "'!!!!' can not be converted to a Blob: Invalid Base64 "
     "character: '!'"},
    {"{\"B\":\"Y Q=\"}", NULL, SER,
     "'Y Q=' can not be converted to a Blob: Invalid Base64 "
     "character: ' '"},
    {"{\"B\":\"Y=Q=\"}", NULL, SER,
     "'Y=Q=' can not be converted to a Blob: Invalid Base64 "
     "character: '='"},
    {"{\"B\":\"YR==\"}", NULL, SER,
     "'YR==' can not be converted to a Blob: Invalid last non-pad Base64 character dectected"},
    {"{\"BS\":[\"YQ==\",\"@@@@\"]}", NULL, SER,
     "'@@@@' can not be converted to a Blob: Invalid Base64 character: '@'"},
};

static void test_normalize_table(void **state)
{
    for (size_t i = 0; i < sizeof norm_cases / sizeof norm_cases[0]; i++) {
        json_t *in = tu_json(norm_cases[i].in);
        ddb_err err = DDB_ERR_INIT;
        json_t *out = ddb_av_normalize(in, &err);
        if (norm_cases[i].out) {
            if (!out) fail_msg("%s rejected: %s", norm_cases[i].in, err.message);
            tu_assert_json_eq(out, norm_cases[i].out);
        } else {
            if (out) fail_msg("%s accepted", norm_cases[i].in);
            if (err.code != norm_cases[i].code || strcmp(err.message, norm_cases[i].msg) != 0)
                fail_msg("%s: got %s '%s', want %s '%s'", norm_cases[i].in, err.type, err.message,
                         ddb_code_name(norm_cases[i].code), norm_cases[i].msg);
            assert_string_equal(err.type, ddb_code_name(norm_cases[i].code));
        }
        json_decref(in);
        json_decref(out);
        ddb_err_clear(&err);
    }
}

/* {"L":[...]} nested `levels` times around `inner`. */
static json_t *nested(int levels, bool map, json_t *inner)
{
    json_t *v = inner;
    for (int i = 0; i < levels; i++)
        v = map ? json_pack("{s:{s:o}}", "M", "a", v) : json_pack("{s:[o]}", "L", v);
    return v;
}

static void test_nesting_limit(void **state)
{
    /* DynamoDB Local: 31 containers around a scalar pass, 32 fail (also empty). */
    static const struct {
        int levels;
        bool map;
        int inner; /* 0 scalar, 1 empty L, 2 NS */
        bool ok;
    } cases[] = {
        {31, false, 0, true}, {31, true, 0, true},   {32, false, 0, false}, {32, true, 0, false},
        {31, false, 1, true}, {32, false, 1, false}, {31, false, 2, true},  {40, true, 0, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *inner = cases[i].inner == 0   ? tu_json("{\"S\":\"x\"}")
                        : cases[i].inner == 1 ? tu_json("{\"L\":[]}")
                                              : tu_json("{\"NS\":[\"1\"]}");
        int levels = cases[i].inner == 1 ? cases[i].levels - 1 : cases[i].levels;
        json_t *av = nested(levels, cases[i].map, inner);
        ddb_err err = DDB_ERR_INIT;
        json_t *out = ddb_av_normalize(av, &err);
        if (cases[i].ok) {
            if (!out) fail_msg("case %zu rejected: %s", i, err.message);
            assert_true(json_equal(out, av));
        } else {
            if (out) fail_msg("case %zu accepted", i);
            assert_int_equal(err.code, DDB_E_VALIDATION);
            assert_string_equal(err.message, NESTING);
        }
        /* Inside an item the attribute itself is level 1 too. */
        json_t *item = json_pack("{s:O}", "a", av);
        json_t *iout = ddb_item_normalize(item, NULL);
        assert_int_equal(iout != NULL, cases[i].ok);
        json_decref(iout);
        json_decref(item);
        json_decref(out);
        json_decref(av);
        ddb_err_clear(&err);
    }
}

static void test_item_normalize(void **state)
{
    json_t *item = tu_json("{\"pk\":{\"S\":\"k\"},\"n\":{\"N\":\"007.10\"},\"e\":{\"S\":\"\"}}");
    ddb_err err = DDB_ERR_INIT;
    json_t *out = ddb_item_normalize(item, &err);
    assert_non_null(out);
    tu_assert_json_eq(out, "{\"pk\":{\"S\":\"k\"},\"n\":{\"N\":\"7.1\"},\"e\":{\"S\":\"\"}}");
    json_decref(out);
    json_decref(item);

    static const struct {
        const char *in;
        ddb_code code;
        const char *msg;
    } bad[] = {
        {"{\"\":{\"S\":\"a\"}}", V, "Empty attribute name"},
        {"{\"a\":null}", V, "The supplied Item contains a null AttributeValue: a is null"},
        {"{\"a\":{\"M\":{\"b\":null}}}", V,
         "The supplied Item contains a null AttributeValue: b is null"},
        {"{\"a\":{\"L\":[null]}}", V, "The supplied Item contains a null AttributeValue"},
        {"{\"a\":{}}", V, EMPTY_AV},
        {"{\"a\":{\"N\":\"1\"},\"b\":{\"SS\":[\"x\",\"x\"]}}", V,
         INVALID "Input collection [x, x] contains duplicates"},
        {"[]", SER, "Start of list found where not expected"},
        {"\"x\"", SER, "Unexpected value type in payload"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *in = tu_json(bad[i].in);
        out = ddb_item_normalize(in, &err);
        if (out) fail_msg("%s accepted", bad[i].in);
        assert_int_equal(err.code, bad[i].code);
        assert_string_equal(err.message, bad[i].msg);
        ddb_err_clear(&err);
        json_decref(in);
    }
}

static void test_types(void **state)
{
    static const char *const names[] = {"S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        ddb_av_type t = ddb_av_type_from_name(names[i]);
        assert_int_not_equal(t, DDB_AV_INVALID);
        assert_string_equal(ddb_av_type_name(t), names[i]);
    }
    assert_int_equal(ddb_av_type_from_name("X"), DDB_AV_INVALID);
    assert_int_equal(ddb_av_type_from_name(NULL), DDB_AV_INVALID);
    assert_string_equal(ddb_av_type_name(DDB_AV_INVALID), "");
    json_t *v = tu_json("{\"NS\":[\"1\"]}");
    assert_int_equal(ddb_av_type_of(v), DDB_AV_NS);
    json_decref(v);
    v = tu_json("{\"S\":\"a\",\"N\":\"1\"}");
    assert_int_equal(ddb_av_type_of(v), DDB_AV_INVALID);
    json_decref(v);
    assert_int_equal(ddb_av_type_of(NULL), DDB_AV_INVALID);
}

static const struct {
    const char *a, *b;
    bool eq;
} eq_cases[] = {
    {"{\"S\":\"a\"}", "{\"S\":\"a\"}", true},
    {"{\"S\":\"a\"}", "{\"S\":\"b\"}", false},
    {"{\"S\":\"1\"}", "{\"N\":\"1\"}", false},
    {"{\"N\":\"1\"}", "{\"N\":\"1.0\"}", true},
    {"{\"N\":\"100\"}", "{\"N\":\"1E2\"}", true},
    {"{\"N\":\"1\"}", "{\"N\":\"2\"}", false},
    {"{\"B\":\"YQ==\"}", "{\"B\":\"YQ==\"}", true},
    {"{\"B\":\"YQ==\"}", "{\"B\":\"Yg==\"}", false},
    {"{\"BOOL\":true}", "{\"BOOL\":true}", true},
    {"{\"BOOL\":true}", "{\"BOOL\":false}", false},
    {"{\"NULL\":true}", "{\"NULL\":true}", true},
    {"{\"SS\":[\"a\",\"b\"]}", "{\"SS\":[\"b\",\"a\"]}", true},
    {"{\"SS\":[\"a\",\"b\"]}", "{\"SS\":[\"a\"]}", false},
    {"{\"SS\":[\"a\",\"b\"]}", "{\"SS\":[\"a\",\"c\"]}", false},
    {"{\"NS\":[\"1\",\"2.0\"]}", "{\"NS\":[\"2\",\"1\"]}", true},
    {"{\"NS\":[\"1\",\"2\"]}", "{\"NS\":[\"1\",\"3\"]}", false},
    {"{\"BS\":[\"YQ==\",\"Yg==\"]}", "{\"BS\":[\"Yg==\",\"YQ==\"]}", true},
    {"{\"SS\":[\"1\"]}", "{\"NS\":[\"1\"]}", false},
    {"{\"L\":[{\"N\":\"1\"},{\"S\":\"x\"}]}", "{\"L\":[{\"N\":\"1.0\"},{\"S\":\"x\"}]}", true},
    {"{\"L\":[{\"N\":\"1\"},{\"S\":\"x\"}]}", "{\"L\":[{\"S\":\"x\"},{\"N\":\"1\"}]}", false},
    {"{\"L\":[{\"N\":\"1\"}]}", "{\"L\":[{\"N\":\"1\"},{\"N\":\"1\"}]}", false},
    {"{\"M\":{\"a\":{\"N\":\"1\"},\"b\":{\"M\":{\"c\":{\"SS\":[\"x\",\"y\"]}}}}}",
     "{\"M\":{\"b\":{\"M\":{\"c\":{\"SS\":[\"y\",\"x\"]}}},\"a\":{\"N\":\"1\"}}}", true},
    {"{\"M\":{\"a\":{\"N\":\"1\"}}}", "{\"M\":{\"b\":{\"N\":\"1\"}}}", false},
    {"{\"M\":{\"a\":{\"N\":\"1\"}}}", "{\"M\":{\"a\":{\"N\":\"1\"},\"b\":{\"N\":\"1\"}}}", false},
    {"{\"M\":{}}", "{\"L\":[]}", false},
};

static void test_equal(void **state)
{
    for (size_t i = 0; i < sizeof eq_cases / sizeof eq_cases[0]; i++) {
        json_t *a = tu_json(eq_cases[i].a), *b = tu_json(eq_cases[i].b);
        if (ddb_av_equal(a, b) != eq_cases[i].eq || ddb_av_equal(b, a) != eq_cases[i].eq)
            fail_msg("equal(%s, %s) != %d", eq_cases[i].a, eq_cases[i].b, eq_cases[i].eq);
        json_decref(a);
        json_decref(b);
    }
}

static const struct {
    const char *a, *b;
    int want;
    bool comparable;
} cmp_cases[] = {
    {"{\"S\":\"a\"}", "{\"S\":\"b\"}", -1, true},
    {"{\"S\":\"ab\"}", "{\"S\":\"a\"}", 1, true},
    {"{\"S\":\"\"}", "{\"S\":\"a\"}", -1, true},
    {"{\"S\":\"Z\"}", "{\"S\":\"a\"}", -1, true},
    /* UTF-8 bytes: U+00E9 (C3 A9) sorts after 'z', U+FF21 (EF BC A1) after U+00E9 */
    {"{\"S\":\"\\u00e9\"}", "{\"S\":\"z\"}", 1, true},
    {"{\"S\":\"\\uff21\"}", "{\"S\":\"\\u00e9\"}", 1, true},
    {"{\"N\":\"10\"}", "{\"N\":\"9\"}", 1, true},
    {"{\"N\":\"-10\"}", "{\"N\":\"9\"}", -1, true},
    {"{\"N\":\"1.0\"}", "{\"N\":\"1\"}", 0, true},
    /* B: unsigned decoded bytes 0x7f < 0x80 < 0xff; base64 text order differs */
    {"{\"B\":\"fw==\"}", "{\"B\":\"gA==\"}", -1, true},
    {"{\"B\":\"gA==\"}", "{\"B\":\"/w==\"}", -1, true},
    {"{\"B\":\"fw==\"}", "{\"B\":\"/w==\"}", -1, true},
    {"{\"B\":\"AA==\"}", "{\"B\":\"AAA=\"}", -1, true},
    {"{\"B\":\"\"}", "{\"B\":\"AA==\"}", -1, true},
    {"{\"B\":\"YQ==\"}", "{\"B\":\"YQ==\"}", 0, true},
    {"{\"S\":\"1\"}", "{\"N\":\"1\"}", 0, false},
    {"{\"BOOL\":true}", "{\"BOOL\":false}", 0, false},
    {"{\"SS\":[\"a\"]}", "{\"SS\":[\"a\"]}", 0, false},
    {"{\"L\":[]}", "{\"L\":[]}", 0, false},
};

static void test_compare(void **state)
{
    for (size_t i = 0; i < sizeof cmp_cases / sizeof cmp_cases[0]; i++) {
        json_t *a = tu_json(cmp_cases[i].a), *b = tu_json(cmp_cases[i].b);
        bool comparable = !cmp_cases[i].comparable;
        int c = ddb_av_compare(a, b, &comparable);
        c = (c > 0) - (c < 0);
        if (comparable != cmp_cases[i].comparable || (comparable && c != cmp_cases[i].want))
            fail_msg("compare(%s, %s) = %d/%d, want %d/%d", cmp_cases[i].a, cmp_cases[i].b, c,
                     comparable, cmp_cases[i].want, cmp_cases[i].comparable);
        if (comparable) {
            int r = ddb_av_compare(b, a, NULL);
            assert_int_equal((r > 0) - (r < 0), -c);
        }
        json_decref(a);
        json_decref(b);
    }
}

static const struct {
    const char *av;
    size_t size;
} size_cases[] = {
    {"{\"S\":\"\"}", 0},
    {"{\"S\":\"abc\"}", 3},
    {"{\"S\":\"\\u00e9\"}", 2},
    {"{\"N\":\"0\"}", 1},
    {"{\"N\":\"123\"}", 3},
    {"{\"N\":\"-1234.5\"}", 5},
    {"{\"B\":\"\"}", 0},
    {"{\"B\":\"YQ==\"}", 1},
    {"{\"B\":\"YWI=\"}", 2},
    {"{\"B\":\"YWJj\"}", 3},
    {"{\"BOOL\":false}", 1},
    {"{\"NULL\":true}", 1},
    {"{\"L\":[]}", 3},
    {"{\"M\":{}}", 3},
    {"{\"L\":[{\"S\":\"ab\"},{\"N\":\"1\"}]}", 3 + (1 + 2) + (1 + 2)},
    {"{\"M\":{\"ab\":{\"S\":\"xyz\"}}}", 3 + 1 + 2 + 3},
    {"{\"M\":{\"a\":{\"L\":[{\"BOOL\":true}]}}}", 3 + 1 + 1 + (3 + 1 + 1)},
    {"{\"SS\":[\"a\",\"bc\",\"\"]}", 3},
    {"{\"NS\":[\"1\",\"123\"]}", 2 + 3},
    {"{\"BS\":[\"YQ==\",\"YWJj\"]}", 4},
};

static void test_sizes(void **state)
{
    for (size_t i = 0; i < sizeof size_cases / sizeof size_cases[0]; i++) {
        json_t *av = tu_json(size_cases[i].av);
        if (ddb_av_size(av) != size_cases[i].size)
            fail_msg("size(%s) = %zu, want %zu", size_cases[i].av, ddb_av_size(av),
                     size_cases[i].size);
        json_decref(av);
    }
    json_t *item =
        tu_json("{\"pk\":{\"S\":\"abc\"},\"n\":{\"N\":\"12\"},\"\\u00e9\":{\"NULL\":true}}");
    assert_int_equal(ddb_item_size(item), (2 + 3) + (1 + 2) + (2 + 1));
    json_decref(item);
}

static void test_base64(void **state)
{
    static const struct {
        const char *text;
        const char *bytes;
        size_t len;
    } ok[] = {
        {"", "", 0},        {"YQ==", "a", 1},        {"YWI=", "ab", 2},
        {"YWJj", "abc", 3}, {"AP8=", "\x00\xff", 2}, {"+/8=", "\xfb\xff", 2},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        size_t len = 99;
        unsigned char *p = ddb_b64_decode(ok[i].text, &len);
        assert_non_null(p);
        assert_int_equal(len, ok[i].len);
        assert_memory_equal(p, ok[i].bytes, len);
        char *back = ddb_b64_encode(p, len);
        assert_string_equal(back, ok[i].text);
        free(back);
        free(p);
    }
    static const char *const bad[] = {
        "YQ", "YQ=", "Y===", "====", "YR==", "YWJ!", "YQ==YQ==", " YQ=", "YWJjZA", "Yg=A"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t len = 0;
        unsigned char *p = ddb_b64_decode(bad[i], &len);
        if (p) fail_msg("'%s' decoded", bad[i]);
    }
    /* Every byte value survives a round trip. */
    unsigned char all[256];
    for (int i = 0; i < 256; i++)
        all[i] = (unsigned char)i;
    for (size_t n = 0; n <= 256; n += 37) {
        char *t = ddb_b64_encode(all, n);
        size_t len = 0;
        unsigned char *p = ddb_b64_decode(t, &len);
        assert_non_null(p);
        assert_int_equal(len, n);
        assert_memory_equal(p, all, n);
        free(p);
        free(t);
    }
}

static int buf_order(const buf_t *a, const buf_t *b)
{
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->data ? a->data : "", b->data ? b->data : "", n);
    c = c ? c : (a->len > b->len) - (a->len < b->len);
    return (c > 0) - (c < 0);
}

static void test_key_round_trip_and_order(void **state)
{
    static const struct {
        char type;
        const char *sorted[8];
    } groups[] = {
        {'S',
         {"{\"S\":\"\"}", "{\"S\":\"A\"}", "{\"S\":\"a\"}", "{\"S\":\"ab\"}", "{\"S\":\"b\"}",
          "{\"S\":\"\\u00e9\"}", "{\"S\":\"\\uff21\"}", NULL}},
        {'N',
         {"{\"N\":\"-100\"}", "{\"N\":\"-1.5\"}", "{\"N\":\"-0.001\"}", "{\"N\":\"0\"}",
          "{\"N\":\"0.001\"}", "{\"N\":\"1.5\"}", "{\"N\":\"100\"}", NULL}},
        {'B',
         {"{\"B\":\"\"}", "{\"B\":\"AA==\"}", "{\"B\":\"AAA=\"}", "{\"B\":\"fw==\"}",
          "{\"B\":\"gA==\"}", "{\"B\":\"/w==\"}", "{\"B\":\"//8=\"}", NULL}},
    };
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
        buf_t keys[8];
        size_t n = 0;
        for (; groups[g].sorted[n]; n++) {
            json_t *av = tu_json(groups[g].sorted[n]);
            buf_init(&keys[n]);
            ddb_err err = DDB_ERR_INIT;
            assert_true(ddb_key_encode(av, groups[g].type, &keys[n], &err));
            json_t *back =
                ddb_key_decode(groups[g].type, (unsigned char *)keys[n].data, keys[n].len);
            assert_non_null(back);
            assert_true(json_equal(back, av));
            json_decref(back);
            json_decref(av);
        }
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++)
                if (buf_order(&keys[i], &keys[j]) != ((i > j) - (i < j)))
                    fail_msg("key order wrong: %s vs %s", groups[g].sorted[i], groups[g].sorted[j]);
        for (size_t i = 0; i < n; i++)
            buf_free(&keys[i]);
    }
    /* An S key with an embedded NUL keeps all its bytes. */
    json_t *av = json_pack("{s:s%}", "S", "a\0b", (size_t)3);
    buf_t k = BUF_INIT;
    assert_true(ddb_key_encode(av, 'S', &k, NULL));
    assert_int_equal(k.len, 3);
    json_t *back = ddb_key_decode('S', (unsigned char *)k.data, k.len);
    assert_true(json_equal(back, av));
    json_decref(back);
    json_decref(av);
    buf_free(&k);
    /* Malformed N key bytes and unknown types decode to NULL. */
    assert_null(ddb_key_decode('N', (const unsigned char *)"\x09", 1));
    assert_null(ddb_key_decode('X', (const unsigned char *)"a", 1));
}

static void test_key_type_mismatch(void **state)
{
    static const struct {
        const char *av;
        char type;
        const char *msg;
    } cases[] = {
        {"{\"N\":\"1\"}", 'S', INVALID "Type mismatch for key expected: S actual: N"},
        {"{\"S\":\"1\"}", 'N', INVALID "Type mismatch for key expected: N actual: S"},
        {"{\"SS\":[\"1\"]}", 'S', INVALID "Type mismatch for key expected: S actual: SS"},
        {"{\"S\":\"x\"}", 'B', INVALID "Type mismatch for key expected: B actual: S"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *av = tu_json(cases[i].av);
        buf_t k = BUF_INIT;
        ddb_err err = DDB_ERR_INIT;
        assert_false(ddb_key_encode(av, cases[i].type, &k, &err));
        assert_int_equal(err.code, DDB_E_VALIDATION);
        assert_string_equal(err.message, cases[i].msg);
        assert_int_equal(k.len, 0);
        ddb_err_clear(&err);
        buf_free(&k);
        json_decref(av);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalize_table),
        cmocka_unit_test(test_nesting_limit),
        cmocka_unit_test(test_item_normalize),
        cmocka_unit_test(test_types),
        cmocka_unit_test(test_equal),
        cmocka_unit_test(test_compare),
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_base64),
        cmocka_unit_test(test_key_round_trip_and_order),
        cmocka_unit_test(test_key_type_mismatch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
