/*
 * number: DynamoDB's N type as an exact decimal (see number.h).
 *
 * A number is kept as sign, up to 38 significant digits and a decimal
 * exponent: value = sign * 0.d0 d1 ... d(n-1) * 10^exp, with d0 != 0 and no
 * trailing zero digit, so every value has exactly one representation. That
 * makes equality a field compare, the canonical text unique, and lets the
 * key encoding order values with a plain memcmp.
 *
 * The parser accepts what DynamoDB accepts (Java BigDecimal syntax in ASCII:
 * optional sign, digits with an optional point, optional exponent) and
 * reports DynamoDB's messages, checked against DynamoDB Local:
 *   - not a number:  "A value provided cannot be converted into a number"
 *   - > 38 digits:   "DynamoDB only supports precision up to 38 digits"
 *   - too large:     "Number overflow. Attempting to store a number with
 *                     magnitude larger than supported range"
 *   - too small:     "Number underflow. Attempting to store a number with
 *                     magnitude smaller than supported range"
 * The precision check comes before the range checks, as in DynamoDB.
 */
#include "ddb/model/number.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

/* Exponent bounds in the 0.ddd * 10^exp form: 1E-130 has exp -129 and
   9.99..E+125 has exp 126. */
#define NUM_EXP_MIN (-129)
#define NUM_EXP_MAX 126

#define MSG_NOT_NUMBER "A value provided cannot be converted into a number"
#define MSG_PRECISION "DynamoDB only supports precision up to 38 digits"
#define MSG_OVERFLOW                                                                               \
    "Number overflow. Attempting to store a number with magnitude larger than supported range"
#define MSG_UNDERFLOW                                                                              \
    "Number underflow. Attempting to store a number with magnitude smaller than supported range"

static bool num_fail(ddb_err *err, const char *msg)
{
    ddb_err_set(err, DDB_E_VALIDATION, "%s", msg);
    return false;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Checks a finished number against DynamoDB's exponent range. */
static bool num_check_range(const ddb_num *x, ddb_err *err)
{
    if (x->sign == 0) return true;
    if (x->exp > NUM_EXP_MAX) return num_fail(err, MSG_OVERFLOW);
    if (x->exp < NUM_EXP_MIN) return num_fail(err, MSG_UNDERFLOW);
    return true;
}

/*
 * Parses the text in one pass over the mantissa to find its first and last
 * non-zero digit, so inputs with any number of leading or trailing zeros
 * are accepted while the significant digits are counted exactly. The
 * exponent must fit Java's int, as it does for DynamoDB (whose parser
 * rejects "1e2147483648" as not a number).
 */
bool ddb_num_parse(const char *s, ddb_num *out, ddb_err *err)
{
    memset(out, 0, sizeof *out);
    if (!s) return num_fail(err, MSG_NOT_NUMBER);
    const char *p = s;
    int sign = 1;
    if (*p == '+' || *p == '-') {
        if (*p == '-') sign = -1;
        p++;
    }
    const char *mant = p;
    size_t int_len = 0, frac_len = 0;
    while (is_digit(*p))
        p++, int_len++;
    if (*p == '.') {
        p++;
        while (is_digit(*p))
            p++, frac_len++;
    }
    if (int_len + frac_len == 0) return num_fail(err, MSG_NOT_NUMBER);
    const char *mant_end = p;

    int64_t e = 0;
    if (*p == 'e' || *p == 'E') {
        p++;
        int esign = 1;
        if (*p == '+' || *p == '-') {
            if (*p == '-') esign = -1;
            p++;
        }
        if (!is_digit(*p)) return num_fail(err, MSG_NOT_NUMBER);
        while (is_digit(*p)) {
            if (e <= INT32_MAX) e = e * 10 + (*p - '0');
            p++;
        }
        if (e > INT32_MAX) return num_fail(err, MSG_NOT_NUMBER);
        e *= esign;
    }
    if (*p != '\0') return num_fail(err, MSG_NOT_NUMBER);
    /* BigDecimal's scale (fraction digits minus exponent) must fit an int. */
    int64_t scale = (int64_t)frac_len - e;
    if (scale > INT32_MAX || scale < INT32_MIN) return num_fail(err, MSG_NOT_NUMBER);

    /* Digit positions count over the mantissa's digits, skipping the point. */
    int64_t first = -1, last = -1, pos = 0;
    for (const char *q = mant; q < mant_end; q++) {
        if (*q == '.') continue;
        if (*q != '0') {
            if (first < 0) first = pos;
            last = pos;
        }
        pos++;
    }
    if (first < 0) return true; /* zero, whatever its sign or exponent */
    if (last - first + 1 > DDB_NUM_DIGITS) return num_fail(err, MSG_PRECISION);

    out->sign = sign;
    out->n = (int)(last - first + 1);
    pos = 0;
    for (const char *q = mant; q < mant_end; q++) {
        if (*q == '.') continue;
        if (pos >= first && pos <= last) out->d[pos - first] = (unsigned char)(*q - '0');
        pos++;
    }
    int64_t exp = (int64_t)int_len - first + e;
    if (exp > NUM_EXP_MAX) return num_fail(err, MSG_OVERFLOW);
    if (exp < NUM_EXP_MIN) return num_fail(err, MSG_UNDERFLOW);
    out->exp = (int)exp;
    return true;
}

/*
 * Plain decimal text as DynamoDB returns it: never exponent notation,
 * no leading zeros before the integer part, no trailing fractional zeros.
 * The longest form (sign, "0.", 129 zeros, 38 digits) fits DDB_NUM_STRLEN.
 */
void ddb_num_format(const ddb_num *x, char out[DDB_NUM_STRLEN])
{
    char *o = out;
    if (x->sign == 0) {
        strcpy(out, "0");
        return;
    }
    if (x->sign < 0) *o++ = '-';
    if (x->exp <= 0) {
        *o++ = '0';
        *o++ = '.';
        for (int i = 0; i < -x->exp; i++)
            *o++ = '0';
        for (int i = 0; i < x->n; i++)
            *o++ = (char)('0' + x->d[i]);
    } else {
        for (int i = 0; i < x->n || i < x->exp; i++) {
            if (i == x->exp) *o++ = '.';
            *o++ = (char)('0' + (i < x->n ? x->d[i] : 0));
        }
    }
    *o = '\0';
    assert(o - out < DDB_NUM_STRLEN);
}

/* Compares magnitudes of two non-zero numbers. */
static int num_cmp_abs(const ddb_num *a, const ddb_num *b)
{
    if (a->exp != b->exp) return a->exp < b->exp ? -1 : 1;
    int n = a->n < b->n ? a->n : b->n;
    for (int i = 0; i < n; i++)
        if (a->d[i] != b->d[i]) return a->d[i] < b->d[i] ? -1 : 1;
    return (a->n > b->n) - (a->n < b->n);
}

int ddb_num_cmp(const ddb_num *a, const ddb_num *b)
{
    if (a->sign != b->sign) return a->sign < b->sign ? -1 : 1;
    if (a->sign == 0) return 0;
    return a->sign * num_cmp_abs(a, b);
}

/*
 * Exact addition over absolute digit positions. Position p stands for
 * 10^p; operands in range use p in [-167, 125] and a sum can carry one
 * position higher, so a fixed window of NUM_WIN digits holds any exact
 * result. The result is then checked like parsed input: more than 38
 * significant digits is DynamoDB's precision error, then the range.
 */
#define NUM_WIN_LOW (-170)
#define NUM_WIN 300

static void num_spread(const ddb_num *x, signed char w[NUM_WIN])
{
    for (int i = 0; i < x->n; i++)
        w[x->exp - 1 - i - NUM_WIN_LOW] = (signed char)x->d[i];
}

static bool num_add_signed(const ddb_num *a, const ddb_num *b, int bsign, ddb_num *out,
                           ddb_err *err)
{
    ddb_num r;
    memset(&r, 0, sizeof r);
    if (b->sign == 0) {
        *out = *a;
        return true;
    }
    if (a->sign == 0) {
        *out = *b;
        out->sign = b->sign * bsign;
        return true;
    }
    signed char w[NUM_WIN] = {0}, v[NUM_WIN] = {0};
    int sb = b->sign * bsign;
    const ddb_num *big = a, *small = b;
    int sign = a->sign;
    bool same = a->sign == sb;
    if (!same && num_cmp_abs(a, b) < 0) {
        big = b;
        small = a;
        sign = sb;
    }
    num_spread(big, w);
    num_spread(small, v);
    int carry = 0;
    for (int i = 0; i < NUM_WIN; i++) {
        int t = w[i] + (same ? v[i] : -v[i]) + carry;
        carry = 0;
        if (t >= 10) t -= 10, carry = 1;
        if (t < 0) t += 10, carry = -1;
        w[i] = (signed char)t;
    }
    assert(carry == 0);
    int hi = NUM_WIN - 1, lo = 0;
    while (hi >= 0 && w[hi] == 0)
        hi--;
    if (hi < 0) {
        memset(out, 0, sizeof *out);
        return true;
    }
    while (w[lo] == 0)
        lo++;
    if (hi - lo + 1 > DDB_NUM_DIGITS) return num_fail(err, MSG_PRECISION);
    r.sign = sign;
    r.n = hi - lo + 1;
    r.exp = hi + NUM_WIN_LOW + 1;
    for (int i = 0; i < r.n; i++)
        r.d[i] = (unsigned char)w[hi - i];
    if (!num_check_range(&r, err)) return false;
    *out = r;
    return true;
}

bool ddb_num_add(const ddb_num *a, const ddb_num *b, ddb_num *out, ddb_err *err)
{
    return num_add_signed(a, b, 1, out, err);
}

bool ddb_num_sub(const ddb_num *a, const ddb_num *b, ddb_num *out, ddb_err *err)
{
    return num_add_signed(a, b, -1, out, err);
}

/*
 * Key bytes: a class byte (negative < zero < positive), then for non-zero
 * values the biased exponent and the digits two per byte, each digit
 * stored as d+1 so a packed byte is never zero and the final half byte
 * pads with 0. Positive values then compare by memcmp because a shorter
 * normalised digit string is a prefix of any longer one that is larger.
 * Negative values store every byte after the class inverted, reversing
 * the order, and end with 0xFF (which no inverted digit byte can be) so
 * that a longer magnitude sorts before its prefix.
 */
#define NUM_KEY_NEG 0x01
#define NUM_KEY_ZERO 0x02
#define NUM_KEY_POS 0x03
#define NUM_KEY_END 0xFF

void ddb_num_key_encode(const ddb_num *x, buf_t *out)
{
    unsigned char k[2 + (DDB_NUM_DIGITS + 1) / 2 + 1];
    size_t len = 0;
    if (x->sign == 0) {
        k[len++] = NUM_KEY_ZERO;
        buf_append(out, k, len);
        return;
    }
    unsigned char mask = x->sign < 0 ? 0xFF : 0x00;
    k[len++] = x->sign < 0 ? NUM_KEY_NEG : NUM_KEY_POS;
    k[len++] = (unsigned char)(x->exp - NUM_EXP_MIN) ^ mask;
    for (int i = 0; i < x->n; i += 2) {
        int hi = x->d[i] + 1;
        int lo = i + 1 < x->n ? x->d[i + 1] + 1 : 0;
        k[len++] = (unsigned char)(hi << 4 | lo) ^ mask;
    }
    if (x->sign < 0) k[len++] = NUM_KEY_END;
    buf_append(out, k, len);
}

/* Reads back ddb_num_key_encode's bytes; false on anything malformed. */
bool ddb_num_key_decode(const unsigned char *p, size_t n, ddb_num *out)
{
    memset(out, 0, sizeof *out);
    if (n == 1 && p[0] == NUM_KEY_ZERO) return true;
    if (n < 3 || (p[0] != NUM_KEY_NEG && p[0] != NUM_KEY_POS)) return false;
    bool neg = p[0] == NUM_KEY_NEG;
    unsigned char mask = neg ? 0xFF : 0x00;
    size_t end = n;
    if (neg) {
        if (p[n - 1] != NUM_KEY_END) return false;
        end = n - 1;
    }
    if (end - 2 > (DDB_NUM_DIGITS + 1) / 2 || end < 3) return false;
    out->sign = neg ? -1 : 1;
    out->exp = (int)(unsigned char)(p[1] ^ mask) + NUM_EXP_MIN;
    for (size_t i = 2; i < end; i++) {
        unsigned char b = p[i] ^ mask;
        int hi = b >> 4, lo = b & 0x0F;
        if (hi < 1 || hi > 10 || lo > 10) return false;
        out->d[out->n++] = (unsigned char)(hi - 1);
        if (lo == 0) {
            if (i + 1 != end) return false;
        } else {
            out->d[out->n++] = (unsigned char)(lo - 1);
        }
    }
    if (out->d[0] == 0 || out->d[out->n - 1] == 0 || out->exp > NUM_EXP_MAX) return false;
    return true;
}

/*
 * DynamoDB Local 3.3.1 keeps, per item, SHA-1 over a salt and this form of
 * a number partition key (LocalDBUtils.encodeBigDecimal, read with javap and
 * checked on 300 numbers against its SQLite file). Zero is the byte 0x80.
 * Otherwise the digits of |x| are taken in pairs from the decimal point: when
 * the count of digits before the point (x->exp) is odd, a 0 digit goes in
 * front. The first byte is 192 + half that (rounded-up) count; each pair
 * "ab" is the byte 10a+b+1 (a last lone digit a is 10a+1). For a negative x
 * the first byte is inverted, each pair byte is 101-(10a+b), and when there
 * are fewer than 20 pair bytes the byte 102 ends it.
 */
typedef struct num_local_layout {
    int pad;      /* 1 when a 0 digit goes in front of the digits, else 0 */
    size_t pairs; /* pair bytes after the first byte */
    bool end;     /* the end byte 102 follows (a negative number) */
} num_local_layout;

/* The layout of a nonzero x in that form: the one place that knows how
   many bytes it takes (ddb_num_local_encode writes them, ddb_num_size
   counts them). */
static num_local_layout num_local_layout_of(const ddb_num *x)
{
    assert(x->sign != 0 && x->n > 0);
    num_local_layout l;
    l.pad = x->exp % 2 != 0 ? 1 : 0;
    l.pairs = (size_t)(x->n + l.pad + 1) / 2;
    l.end = x->sign < 0 && l.pairs < 20;
    return l;
}

void ddb_num_local_encode(const ddb_num *x, buf_t *out)
{
    unsigned char k[DDB_NUM_LOCAL_MAX];
    size_t len = 0;
    if (x->sign == 0) {
        k[len++] = 0x80;
        buf_append(out, k, len);
        return;
    }
    bool neg = x->sign < 0;
    num_local_layout l = num_local_layout_of(x);
    unsigned char first = (unsigned char)(192 + (x->exp + l.pad) / 2);
    k[len++] = neg ? (unsigned char)~first : first;
    int ndig = x->n + l.pad;
    for (size_t p = 0; p < l.pairs; p++) {
        int i = 2 * (int)p;
        int a = i - l.pad >= 0 ? x->d[i - l.pad] : 0;
        int b = i + 1 < ndig ? x->d[i + 1 - l.pad] : 0;
        int v = 10 * a + b;
        k[len++] = (unsigned char)(neg ? 101 - v : v + 1);
    }
    if (l.end) k[len++] = 102;
    assert(len <= sizeof k && len == ddb_num_size(x));
    buf_append(out, k, len);
}

/*
 * The bytes of ddb_num_local_encode's form, which DynamoDB Local 3.3.1
 * counts for a number (stream records' SizeBytes; DynamoDB documents "one
 * byte per two significant digits plus one byte" as an approximation).
 * The pairs are taken from the decimal point, so 1.5 (01|5) takes 3 bytes
 * where 15 takes 2, and a negative number has its end byte: -1 takes 3.
 */
size_t ddb_num_size(const ddb_num *x)
{
    if (x->sign == 0) return 1;
    num_local_layout l = num_local_layout_of(x);
    return 1 + l.pairs + (l.end ? 1 : 0);
}
