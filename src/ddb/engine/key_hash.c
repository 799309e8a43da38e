/*
 * key_hash: the 20-byte hashes that give the embedded engine DynamoDB Local
 * 3.3.1's orders.
 *
 * DynamoDB Local stores with every item `hashValue = SHA-1("LocalDdb" || K)`,
 * K being the partition key's bytes (S: UTF-8, B: raw, N: its
 * encodeBigDecimal form, ddb_num_local_encode), scans in (hashValue, sort
 * key) order and cuts the 160-bit hash space into parallel-scan segments.
 * Entries of an index with equal index keys come in the order of a hash of
 * the item's table key (see eng_index_tie). cruddur keeps the same hashes in
 * its `h`, `th` and `tie` columns (engine_int.h), so that a Scan, its
 * segments and index ties come out exactly as DynamoDB Local's do. Learned
 * with javap on LocalDBUtils and ScanFunction and checked against its
 * SQLite file (tests/compat/FINDINGS.md).
 */
#include "ddb/engine/engine_int.h"

#include <assert.h>
#include <pthread.h>
#include <string.h>

#include <openssl/evp.h>

#include "ddb/model/number.h"

static const char hash_salt[] = "LocalDdb";
#define SALT_LEN (sizeof hash_salt - 1)

/* SHA-1, fetched once: EVP_sha1() looks the algorithm up on every digest,
   which made the hash cost several times the digest itself. */
static EVP_MD *sha1_md;
static pthread_once_t sha1_once = PTHREAD_ONCE_INIT;

static void sha1_fetch(void)
{
    sha1_md = EVP_MD_fetch(NULL, "SHA1", NULL);
    assert(sha1_md);
}

/* SHA-1 of the salt followed by two byte strings (b may be empty). */
static void sha1_salted(const void *a, size_t na, const void *b, size_t nb,
                        unsigned char out[ENG_HASH_LEN])
{
    unsigned char small[SALT_LEN + 256];
    buf_t big = BUF_INIT;
    unsigned char *msg = small;
    size_t len = SALT_LEN + na + nb;
    if (len > sizeof small) {
        buf_reserve(&big, len);
        msg = (unsigned char *)big.data;
    }
    memcpy(msg, hash_salt, SALT_LEN);
    if (na) memcpy(msg + SALT_LEN, a, na);
    if (nb) memcpy(msg + SALT_LEN + na, b, nb);
    unsigned int got = 0;
    pthread_once(&sha1_once, sha1_fetch);
    int ok = EVP_Digest(msg, len, out, &got, sha1_md, NULL);
    assert(ok == 1 && got == ENG_HASH_LEN);
    (void)ok;
    buf_free(&big);
}

void eng_hash(char type, const void *key, size_t n, unsigned char out[ENG_HASH_LEN])
{
    if (type != 'N') {
        sha1_salted(key, n, NULL, 0, out);
        return;
    }
    ddb_num x;
    bool decoded = ddb_num_key_decode(key, n, &x);
    assert(decoded); /* key bytes come from ddb_key_encode */
    (void)decoded;
    buf_t local = BUF_INIT;
    ddb_num_local_encode(&x, &local);
    sha1_salted(local.data, local.len, NULL, 0, out);
    buf_free(&local);
}

/* True when attribute `name` is one of the index's key attributes. */
static bool index_uses(const ddb_index *ix, const char *name)
{
    for (int i = 0; name && i < ix->n_hash; i++)
        if (!strcmp(ix->hashes[i].name, name)) return true;
    for (int i = 0; name && i < ix->n_range; i++)
        if (!strcmp(ix->ranges[i].name, name)) return true;
    return false;
}

/*
 * DynamoDB Local keeps an index as an SQLite index over the item table:
 * the index key columns, then the columns that tell items apart. Where the
 * index key holds the table's sort key, that is the partition hash
 * (hashValue); where it holds the table's partition key (always, for an
 * LSI), the sort key's hash (rangeValue); otherwise the hash of the whole
 * table key (hashRangeValue, SHA-1 of the salt and both hashes), or the
 * partition hash when the table has no sort key.
 */
void eng_index_tie(const ddb_table *t, const ddb_index *ix, const eng_key *tk,
                   unsigned char out[ENG_HASH_LEN])
{
    bool has_hash = !ix->global || index_uses(ix, t->hash.name);
    bool has_range = index_uses(ix, t->range.name);
    if (!t->range.name || (has_range && !has_hash)) {
        memcpy(out, tk->h, ENG_HASH_LEN);
        return;
    }
    unsigned char rh[ENG_HASH_LEN];
    eng_hash(t->range.type, buf_cstr(&tk->rk), tk->rk.len, rh);
    if (has_hash) {
        memcpy(out, rh, ENG_HASH_LEN);
        return;
    }
    sha1_salted(tk->h, ENG_HASH_LEN, rh, ENG_HASH_LEN, out);
}

int eng_index_h_len(const ddb_index *ix)
{
    return ix->global ? 0 : ENG_HASH_LEN;
}

void eng_key_read_hash(sqlite3_stmt *st, int col, unsigned char out[ENG_HASH_LEN])
{
    const void *p = sqlite3_column_blob(st, col);
    if (p && sqlite3_column_bytes(st, col) == ENG_HASH_LEN)
        memcpy(out, p, ENG_HASH_LEN);
    else
        memset(out, 0, ENG_HASH_LEN);
}

/* x = x / d over a big-endian number of ENG_HASH_LEN bytes. */
static void hash_div(unsigned char x[ENG_HASH_LEN], unsigned long d)
{
    unsigned long long rem = 0;
    for (int i = 0; i < ENG_HASH_LEN; i++) {
        unsigned long long cur = rem << 8 | x[i];
        x[i] = (unsigned char)(cur / d);
        rem = cur % d;
    }
}

/* x = x * m (the product fits: m * (2^160-1)/d with m <= d). */
static void hash_mul(unsigned char x[ENG_HASH_LEN], unsigned long m)
{
    unsigned long long carry = 0;
    for (int i = ENG_HASH_LEN - 1; i >= 0; i--) {
        unsigned long long cur = (unsigned long long)x[i] * m + carry;
        x[i] = (unsigned char)(cur & 0xFF);
        carry = cur >> 8;
    }
    assert(carry == 0);
}

/* x = x - 1 for x > 0. */
static void hash_dec(unsigned char x[ENG_HASH_LEN])
{
    for (int i = ENG_HASH_LEN - 1; i >= 0; i--)
        if (x[i]-- != 0) break;
}

/*
 * DynamoDB Local's segment s of n (ScanFunction): with q = (2^160-1) / n
 * (integer division), the hashes from q*s to q*(s+1)-1, the last segment
 * running to 2^160-1.
 */
void eng_segment_bounds(long long seg, long long total, unsigned char lo[ENG_HASH_LEN],
                        unsigned char hi[ENG_HASH_LEN])
{
    assert(total >= 1 && seg >= 0 && seg < total && total <= 1000000);
    unsigned char q[ENG_HASH_LEN];
    memset(q, 0xFF, sizeof q);
    hash_div(q, (unsigned long)total);
    memcpy(lo, q, ENG_HASH_LEN);
    hash_mul(lo, (unsigned long)seg);
    if (seg + 1 == total) {
        memset(hi, 0xFF, ENG_HASH_LEN);
        return;
    }
    memcpy(hi, q, ENG_HASH_LEN);
    hash_mul(hi, (unsigned long)(seg + 1));
    hash_dec(hi);
}
