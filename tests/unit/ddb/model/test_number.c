/*
 * Unit tests for src/ddb/model/number.c: parsing with DynamoDB's messages,
 * canonical text, comparison, exact add/sub, key bytes and sizes. The
 * expected texts were taken from DynamoDB Local (PutItem then GetItem, and
 * UpdateItem SET a = a + :v / a - :v).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddb/model/number.h"
#include "testutil.h"

#define NOT_NUM "A value provided cannot be converted into a number"
#define PRECISION "DynamoDB only supports precision up to 38 digits"
#define OVERFLOW                                                                                   \
    "Number overflow. Attempting to store a number with magnitude larger than supported range"
#define UNDERFLOW                                                                                  \
    "Number underflow. Attempting to store a number with magnitude smaller than supported range"

#define ZEROS10 "0000000000"
#define ZEROS100 ZEROS10 ZEROS10 ZEROS10 ZEROS10 ZEROS10 ZEROS10 ZEROS10 ZEROS10 ZEROS10 ZEROS10

/* Input text -> canonical text, or NULL and the error message. */
static const struct {
    const char *in;
    const char *out;
    const char *msg;
} parse_cases[] = {
    {"1.50", "1.5", NULL},
    {"01", "1", NULL},
    {"-0", "0", NULL},
    {"1e3", "1000", NULL},
    {"1E+100", "1" ZEROS100, NULL},
    {"1E-100",
     "0."
     "000000000" ZEROS10 ZEROS10 ZEROS10 ZEROS10 ZEROS10 ZEROS10 ZEROS10 ZEROS10 ZEROS10 "1",
     NULL},
    {"0.000", "0", NULL},
    {"100", "100", NULL},
    {"0", "0", NULL},
    {"-1.5e-3", "-0.0015", NULL},
    {"+1", "1", NULL},
    {"1.", "1", NULL},
    {"5.", "5", NULL},
    {".5", "0.5", NULL},
    {"+.5", "0.5", NULL},
    {"-.5e-2", "-0.005", NULL},
    {"1e+3", "1000", NULL},
    {"1e-0", "1", NULL},
    {"00.100", "0.1", NULL},
    {"0E200", "0", NULL},
    {"0E-200", "0", NULL},
    {"-12.340", "-12.34", NULL},
    {"1.0000000000000000000000000000000000000000000000", "1", NULL},
    {"0000000000000000000000000000000000000000000000000000001.5", "1.5", NULL},
    {"12345678901234567890123456789012345678", "12345678901234567890123456789012345678", NULL},
    {"1234567890123456789012345678901234567800000", "1234567890123456789012345678901234567800000",
     NULL},
    {"9.9999999999999999999999999999999999999E+125",
     "99999999999999999999999999999999999999"
     "0000000000000000000000000000000000000000000000000000"
     "000000000000000000000000000000000000",
     NULL},
    {"99999999999999999999999999999999999999e88",
     "99999999999999999999999999999999999999"
     "0000000000000000000000000000000000000000000000000000"
     "000000000000000000000000000000000000",
     NULL},
    {"1E-130",
     "0."
     "000000000" ZEROS10 ZEROS10 ZEROS100 "1",
     NULL},
    {"10e-131",
     "0."
     "000000000" ZEROS10 ZEROS10 ZEROS100 "1",
     NULL},
    {"-1.5E-130",
     "-0."
     "000000000" ZEROS10 ZEROS10 ZEROS100 "15",
     NULL},
    /* not numbers */
    {"", NULL, NOT_NUM},
    {" 1", NULL, NOT_NUM},
    {"1 ", NULL, NOT_NUM},
    {"\t1", NULL, NOT_NUM},
    {"abc", NULL, NOT_NUM},
    {"1e", NULL, NOT_NUM},
    {"1e+", NULL, NOT_NUM},
    {"e3", NULL, NOT_NUM},
    {"--1", NULL, NOT_NUM},
    {"+-1", NULL, NOT_NUM},
    {"1e--3", NULL, NOT_NUM},
    {"0x10", NULL, NOT_NUM},
    {"Infinity", NULL, NOT_NUM},
    {"NaN", NULL, NOT_NUM},
    {".", NULL, NOT_NUM},
    {"+", NULL, NOT_NUM},
    {"-", NULL, NOT_NUM},
    {"1e3.5", NULL, NOT_NUM},
    {"1_000", NULL, NOT_NUM},
    {"1d", NULL, NOT_NUM},
    {"1e2147483648", NULL, NOT_NUM},
    {"0e2147483648", NULL, NOT_NUM},
    {"1e-2147483648", NULL, NOT_NUM},
    {"1e99999999999999999999", NULL, NOT_NUM},
    /* precision, then range */
    {"123456789012345678901234567890123456789", NULL, PRECISION},
    {"1.000000000000000000000000000000000000000000001", NULL, PRECISION},
    {"1.23456789012345678901234567890123456789E-200", NULL, PRECISION},
    {"1.23456789012345678901234567890123456789E+200", NULL, PRECISION},
    {"1E126", NULL, OVERFLOW},
    {"-1E126", NULL, OVERFLOW},
    {"1E+0126", NULL, OVERFLOW},
    {"99999999999999999999999999999999999999e89", NULL, OVERFLOW},
    {"1e2147483647", NULL, OVERFLOW},
    {"1E-131", NULL, UNDERFLOW},
    {"-1E-131", NULL, UNDERFLOW},
    {"0.9E-130", NULL, UNDERFLOW},
};

static void test_parse_and_format(void **state)
{
    for (size_t i = 0; i < sizeof parse_cases / sizeof parse_cases[0]; i++) {
        ddb_num x;
        ddb_err err = DDB_ERR_INIT;
        bool ok = ddb_num_parse(parse_cases[i].in, &x, &err);
        if (parse_cases[i].out) {
            if (!ok) fail_msg("'%s' rejected: %s", parse_cases[i].in, err.message);
            char text[DDB_NUM_STRLEN];
            ddb_num_format(&x, text);
            if (strcmp(text, parse_cases[i].out) != 0)
                fail_msg("'%s' formats as '%s', want '%s'", parse_cases[i].in, text,
                         parse_cases[i].out);
            /* The canonical text parses back to the same value. */
            ddb_num y;
            assert_true(ddb_num_parse(text, &y, NULL));
            assert_int_equal(ddb_num_cmp(&x, &y), 0);
        } else {
            if (ok) fail_msg("'%s' accepted", parse_cases[i].in);
            assert_int_equal(err.code, DDB_E_VALIDATION);
            assert_string_equal(err.type, "ValidationException");
            if (strcmp(err.message, parse_cases[i].msg) != 0)
                fail_msg("'%s': got '%s', want '%s'", parse_cases[i].in, err.message,
                         parse_cases[i].msg);
        }
        ddb_err_clear(&err);
    }
}

static void test_parse_null_and_long(void **state)
{
    ddb_num x;
    assert_false(ddb_num_parse(NULL, &x, NULL));
    /* 10,000 zeros around one digit: any length is fine while 38 digits or fewer matter. */
    size_t n = 10000;
    char *s = malloc(2 * n + 4);
    memset(s, '0', n);
    s[n] = '7';
    s[n + 1] = '.';
    memset(s + n + 2, '0', n);
    s[2 * n + 2] = '\0';
    assert_true(ddb_num_parse(s, &x, NULL));
    char text[DDB_NUM_STRLEN];
    ddb_num_format(&x, text);
    assert_string_equal(text, "7");
    free(s);
}

static void num(const char *s, ddb_num *x)
{
    ddb_err err = DDB_ERR_INIT;
    if (!ddb_num_parse(s, x, &err)) fail_msg("bad test number '%s': %s", s, err.message);
}

/* a, b, sign of cmp(a, b) */
static const struct {
    const char *a, *b;
    int want;
} cmp_cases[] = {
    {"1", "2", -1},           {"2", "1", 1},         {"1", "1.0", 0},        {"-1", "1", -1},
    {"0", "-0", 0},           {"0", "1E-130", -1},   {"-1E-130", "0", -1},   {"10", "9", 1},
    {"-10", "-9", -1},        {"0.12", "0.123", -1}, {"-0.12", "-0.123", 1}, {"1E125", "1E124", 1},
    {"-1E125", "-1E124", -1}, {"100", "1E2", 0},
};

static void test_cmp(void **state)
{
    for (size_t i = 0; i < sizeof cmp_cases / sizeof cmp_cases[0]; i++) {
        ddb_num a, b;
        num(cmp_cases[i].a, &a);
        num(cmp_cases[i].b, &b);
        int c = ddb_num_cmp(&a, &b);
        c = (c > 0) - (c < 0);
        if (c != cmp_cases[i].want)
            fail_msg("cmp(%s, %s) = %d, want %d", cmp_cases[i].a, cmp_cases[i].b, c,
                     cmp_cases[i].want);
    }
}

/* a op b -> result text or error message (from DynamoDB Local's UpdateItem). */
static const struct {
    const char *a;
    char op;
    const char *b;
    const char *out;
    const char *msg;
} arith_cases[] = {
    {"1", '+', "2", "3", NULL},
    {"1.5", '-', "1.5", "0", NULL},
    {"0.1", '+', "0.2", "0.3", NULL},
    {"-5", '+', "3", "-2", NULL},
    {"-5", '-', "3", "-8", NULL},
    {"3", '-', "5", "-2", NULL},
    {"0", '-', "5", "-5", NULL},
    {"5", '-', "0", "5", NULL},
    {"0", '+', "0", "0", NULL},
    {"1E+37", '+', "1", "10000000000000000000000000000000000001", NULL},
    {"99999999999999999999999999999999999999", '+', "1", "100000000000000000000000000000000000000",
     NULL},
    {"1", '-', "0.00000000000000000000000000000000000001",
     "0.99999999999999999999999999999999999999", NULL},
    {"1E-130", '-', "1E-130", "0", NULL},
    {"2E-130", '-', "1E-130",
     "0."
     "000000000" ZEROS10 ZEROS10 ZEROS100 "1",
     NULL},
    {"1.1E-129", '-', "1E-129",
     "0."
     "000000000" ZEROS10 ZEROS10 ZEROS100 "1",
     NULL},
    {"-9.9999999999999999999999999999999999999E+125", '+',
     "9.9999999999999999999999999999999999999E+125", "0", NULL},
    {"1E+38", '+', "1", NULL, PRECISION},
    {"1E+38", '+', "1E-10", NULL, PRECISION},
    {"1", '-', "0.000000000000000000000000000000000000001", NULL, PRECISION},
    {"12345678901234567890123456789012345678", '+', "0.5", NULL, PRECISION},
    {"99999999999999999999999999999999999999", '+', "99999999999999999999999999999999999999", NULL,
     PRECISION},
    {"9.9999999999999999999999999999999999999E+125", '+',
     "9.9999999999999999999999999999999999999E+125", NULL, PRECISION},
    {"9.9999999999999999999999999999999999999E+125", '+', "1E+88", NULL, OVERFLOW},
    {"-9.9999999999999999999999999999999999999E+125", '-', "1E+88", NULL, OVERFLOW},
    {"1.0000000000000000000000000000000000001E-130", '-', "1E-130", NULL, UNDERFLOW},
};

static void test_add_sub(void **state)
{
    for (size_t i = 0; i < sizeof arith_cases / sizeof arith_cases[0]; i++) {
        ddb_num a, b, r;
        ddb_err err = DDB_ERR_INIT;
        num(arith_cases[i].a, &a);
        num(arith_cases[i].b, &b);
        bool ok = arith_cases[i].op == '+' ? ddb_num_add(&a, &b, &r, &err)
                                           : ddb_num_sub(&a, &b, &r, &err);
        if (arith_cases[i].out) {
            if (!ok)
                fail_msg("%s %c %s failed: %s", arith_cases[i].a, arith_cases[i].op,
                         arith_cases[i].b, err.message);
            char text[DDB_NUM_STRLEN];
            ddb_num_format(&r, text);
            if (strcmp(text, arith_cases[i].out) != 0)
                fail_msg("%s %c %s = %s, want %s", arith_cases[i].a, arith_cases[i].op,
                         arith_cases[i].b, text, arith_cases[i].out);
        } else {
            if (ok)
                fail_msg("%s %c %s succeeded", arith_cases[i].a, arith_cases[i].op,
                         arith_cases[i].b);
            assert_int_equal(err.code, DDB_E_VALIDATION);
            assert_string_equal(err.message, arith_cases[i].msg);
        }
        ddb_err_clear(&err);
    }
}

/* A random valid number: random sign, 1..38 digits, any allowed exponent. */
static void random_num(ddb_num *x)
{
    char s[80], *p = s;
    int kind = rand() % 10;
    if (kind == 0) {
        strcpy(s, "0");
    } else {
        if (rand() % 2) *p++ = '-';
        int n = 1 + rand() % (rand() % 3 ? 4 : DDB_NUM_DIGITS);
        *p++ = (char)('1' + rand() % 9);
        *p++ = '.';
        for (int i = 1; i < n; i++)
            *p++ = (char)('0' + (rand() % 4 ? rand() % 10 : 0));
        /* Mostly nearby exponents so digit order matters, sometimes extremes. */
        int e = rand() % 4 ? rand() % 7 - 3 : rand() % 256 - 130;
        sprintf(p, "E%d", e);
    }
    num(s, x);
}

static int sgn(int c)
{
    return (c > 0) - (c < 0);
}

static int key_cmp(const buf_t *a, const buf_t *b)
{
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->data, b->data, n);
    return c ? c : (a->len > b->len) - (a->len < b->len);
}

static void test_key_order_random_pairs(void **state)
{
    srand(12345);
    for (int i = 0; i < 200000; i++) {
        ddb_num a, b, back;
        random_num(&a);
        if (rand() % 5 == 0) {
            b = a; /* equal values and near neighbours */
            if (b.n > 0 && rand() % 2) b.n = b.n > 1 ? b.n - 1 : 1;
            while (b.n > 0 && b.d[b.n - 1] == 0)
                b.n--;
        } else {
            random_num(&b);
        }
        buf_t ka = BUF_INIT, kb = BUF_INIT;
        ddb_num_key_encode(&a, &ka);
        ddb_num_key_encode(&b, &kb);
        if (sgn(key_cmp(&ka, &kb)) != sgn(ddb_num_cmp(&a, &b))) {
            char ta[DDB_NUM_STRLEN], tb[DDB_NUM_STRLEN];
            ddb_num_format(&a, ta);
            ddb_num_format(&b, tb);
            fail_msg("key order differs for %s vs %s", ta, tb);
        }
        assert_true(ddb_num_key_decode((unsigned char *)ka.data, ka.len, &back));
        assert_int_equal(ddb_num_cmp(&a, &back), 0);
        assert_int_equal(back.n, a.n);
        buf_free(&ka);
        buf_free(&kb);
    }
}

/* A hand-sorted list; every pair must order the same by key bytes. */
static const char *const sorted[] = {
    "-9.9999999999999999999999999999999999999E+125",
    "-1E125",
    "-100",
    "-10.5",
    "-10.01",
    "-10",
    "-9.99",
    "-1.1",
    "-1.01",
    "-1.001",
    "-1",
    "-0.5",
    "-0.1001",
    "-0.1",
    "-1E-129",
    "-1E-130",
    "0",
    "1E-130",
    "1E-129",
    "0.1",
    "0.1001",
    "0.5",
    "1",
    "1.001",
    "1.01",
    "1.1",
    "9.99",
    "10",
    "10.01",
    "10.5",
    "100",
    "1E125",
    "9.9999999999999999999999999999999999999E+125",
};

static void test_key_order_list(void **state)
{
    size_t n = sizeof sorted / sizeof sorted[0];
    buf_t *k = calloc(n, sizeof *k);
    for (size_t i = 0; i < n; i++) {
        ddb_num x;
        num(sorted[i], &x);
        ddb_num_key_encode(&x, &k[i]);
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            if (sgn(key_cmp(&k[i], &k[j])) != sgn((int)i - (int)j))
                fail_msg("key order wrong for %s vs %s", sorted[i], sorted[j]);
    for (size_t i = 0; i < n; i++)
        buf_free(&k[i]);
    free(k);
}

static void test_key_decode_rejects_garbage(void **state)
{
    ddb_num x;
    const unsigned char empty[] = {0};
    const unsigned char bad_class[] = {0x09, 0x80, 0x20};
    const unsigned char short_pos[] = {0x03, 0x80};
    const unsigned char bad_digit[] = {0x03, 0x80, 0xF0};
    const unsigned char neg_no_end[] = {0x01, 0x7F, 0xDF};
    assert_false(ddb_num_key_decode(empty, 0, &x));
    assert_false(ddb_num_key_decode(bad_class, sizeof bad_class, &x));
    assert_false(ddb_num_key_decode(short_pos, sizeof short_pos, &x));
    assert_false(ddb_num_key_decode(bad_digit, sizeof bad_digit, &x));
    assert_false(ddb_num_key_decode(neg_no_end, sizeof neg_no_end, &x));
    const unsigned char zero[] = {0x02};
    assert_true(ddb_num_key_decode(zero, 1, &x));
    assert_int_equal(x.sign, 0);
}

static const struct {
    const char *in;
    size_t size;
} size_cases[] = {
    {"0", 1},
    {"1", 2},
    {"12", 2},
    {"123", 3},
    {"-123", 4},
    {"1E100", 2},
    {"0.0015", 2},
    {"12345678901234567890123456789012345678", 20},
    /* measured on DynamoDB Local 3.3.1 (stream records' SizeBytes) */
    {"1.5", 3},
    {"-1", 3},
    {"-15", 3},
    {"-1.5", 4},
    {"123.456", 5},
    {"-123.456", 6},
    {"12345", 4},
    {"0.001", 2},
};

static void test_size(void **state)
{
    for (size_t i = 0; i < sizeof size_cases / sizeof size_cases[0]; i++) {
        ddb_num x;
        num(size_cases[i].in, &x);
        if (ddb_num_size(&x) != size_cases[i].size)
            fail_msg("size(%s) = %zu, want %zu", size_cases[i].in, ddb_num_size(&x),
                     size_cases[i].size);
    }
}

/* DynamoDB Local 3.3.1's encodeBigDecimal bytes (ddb_num_local_encode):
   pairs from the decimal point, the end byte of a negative number with
   fewer than 20 pairs. */
static const struct {
    const char *in;
    size_t len;
    const char *bytes;
} local_cases[] = {
    {"0", 1, "\x80"},
    {"1", 2, "\xc1\x02"},
    {"15", 2, "\xc1\x10"},
    {"1.5", 3, "\xc1\x02\x33"},
    {"-1", 3, "\x3e\x64\x66"},
    {"-1.5", 4, "\x3e\x64\x33\x66"},
    {"123.456", 5, "\xc2\x02\x18\x2e\x3d"},
    {"0.001", 2, "\xbf\x0b"},
    {"1E100", 2, "\xf3\x02"},
    {"-1E-130", 3, "\x7f\x64\x66"},
    /* 19 pairs and the end byte; 20 pairs and none */
    {"-12345678901234567890123456789012345678", 21,
     "\x2c\x59\x43\x2d\x17\x0b\x59\x43\x2d\x17\x0b\x59\x43\x2d\x17\x0b\x59\x43\x2d\x17\x66"},
    {"-1.2345678901234567890123456789012345678", 21,
     "\x3e\x64\x4e\x38\x22\x0c\x64\x4e\x38\x22\x0c\x64\x4e\x38\x22\x0c\x64\x4e\x38\x22\x15"},
};

/* The bytes above, and ddb_num_size is the length of those bytes for any
   number (the size DynamoDB Local 3.3.1 counts is that form's length). */
static void test_local_encode(void **state)
{
    for (size_t i = 0; i < sizeof local_cases / sizeof local_cases[0]; i++) {
        ddb_num x;
        num(local_cases[i].in, &x);
        buf_t b = BUF_INIT;
        ddb_num_local_encode(&x, &b);
        if (b.len != local_cases[i].len || memcmp(b.data, local_cases[i].bytes, b.len) != 0)
            fail_msg("local_encode(%s): %zu bytes, want %zu", local_cases[i].in, b.len,
                     local_cases[i].len);
        buf_free(&b);
    }
    srand(777);
    for (int i = 0; i < 100000; i++) {
        ddb_num x;
        random_num(&x);
        buf_t b = BUF_INIT;
        ddb_num_local_encode(&x, &b);
        assert_true(b.len <= DDB_NUM_LOCAL_MAX);
        if (ddb_num_size(&x) != b.len) {
            char text[DDB_NUM_STRLEN];
            ddb_num_format(&x, text);
            fail_msg("size(%s) = %zu, encoded in %zu bytes", text, ddb_num_size(&x), b.len);
        }
        buf_free(&b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_and_format),
        cmocka_unit_test(test_parse_null_and_long),
        cmocka_unit_test(test_cmp),
        cmocka_unit_test(test_add_sub),
        cmocka_unit_test(test_key_order_random_pairs),
        cmocka_unit_test(test_key_order_list),
        cmocka_unit_test(test_key_decode_rejects_garbage),
        cmocka_unit_test(test_size),
        cmocka_unit_test(test_local_encode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
