/*
 * number: DynamoDB's N type as an exact decimal: up to 38 significant
 * digits, magnitude 1E-130 .. 9.99...E+125, positive, negative or zero.
 * Never a double. Values live in caller-owned ddb_num structs.
 */
#ifndef CRUDDUR_DDB_NUMBER_H
#define CRUDDUR_DDB_NUMBER_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "ddb/ddb.h"

#define DDB_NUM_DIGITS 38
#define DDB_NUM_STRLEN 200 /* longest canonical text form + NUL */

/* value = sign * 0.d[0]d[1]..d[n-1] * 10^exp; d[0] != 0, d[n-1] != 0 unless zero */
typedef struct ddb_num {
    int sign; /* -1, 0 (the value zero; n == 0), +1 */
    int exp;
    int n;                           /* number of significant digits, 0..38 */
    unsigned char d[DDB_NUM_DIGITS]; /* digit values 0..9 */
} ddb_num;

/*
 * Parses DynamoDB number text ("-12.50", "1e3", "  " is invalid). On
 * failure fills err with DynamoDB's ValidationException message
 * (e.g. too many significant digits, magnitude out of range).
 */
bool ddb_num_parse(const char *s, ddb_num *out, ddb_err *err);
/* Canonical text: no exponent notation, no trailing fractional zeros, "0" for zero. */
void ddb_num_format(const ddb_num *x, char out[DDB_NUM_STRLEN]);
int ddb_num_cmp(const ddb_num *a, const ddb_num *b); /* <0, 0, >0 */
/* out = a + b and out = a - b; fail with ValidationException on overflow
   past 38 digits or range, as DynamoDB does for ADD and SET x = x + :v. */
bool ddb_num_add(const ddb_num *a, const ddb_num *b, ddb_num *out, ddb_err *err);
bool ddb_num_sub(const ddb_num *a, const ddb_num *b, ddb_num *out, ddb_err *err);
/* Bytes whose memcmp order is numeric order (for keys). */
void ddb_num_key_encode(const ddb_num *x, buf_t *out);
bool ddb_num_key_decode(const unsigned char *p, size_t n, ddb_num *out);
/* DynamoDB Local's bytes for a number key (its encodeBigDecimal), which it
   hashes to place an item: at most 22 bytes, appended to `out`. */
#define DDB_NUM_LOCAL_MAX 22
void ddb_num_local_encode(const ddb_num *x, buf_t *out);
/* Storage size DynamoDB charges for the number (about 1 byte per 2 digits + 1). */
size_t ddb_num_size(const ddb_num *x);

#endif
