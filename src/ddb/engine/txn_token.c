/*
 * txn_token: ClientRequestToken idempotency of TransactWriteItems.
 *
 * DynamoDB applies a TransactWriteItems that carries a ClientRequestToken
 * at most once within 10 minutes: a repeat with the same token and the same
 * TransactItems succeeds without changing anything, and one with the same
 * token but other TransactItems is an IdempotentParameterMismatchException.
 * Only a transaction that succeeded records its token (a cancelled one may be
 * retried with the same token), and the other request members
 * (ReturnConsumedCapacity, ReturnItemCollectionMetrics) do not count, as in
 * DynamoDB Local 3.3.1.
 *
 * A token is kept in the txn_tokens table of the store's database with the
 * SHA-256 of its TransactItems (compact JSON with sorted keys) and the time
 * it was recorded, so the promise holds across a restart like every other
 * acknowledged write. Both calls run inside the transaction's own write,
 * so a token and the changes it stands for commit together. Tokens older
 * than the window are deleted whenever a new one is recorded.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "ddb/engine/engine_int.h"

#define SQL_TOKEN_GET "SELECT digest, created_us FROM txn_tokens WHERE token = ?1"
#define SQL_TOKEN_PUT                                                                              \
    "INSERT OR REPLACE INTO txn_tokens(token, digest, created_us) VALUES(?1, ?2, ?3)"
#define SQL_TOKEN_TRIM "DELETE FROM txn_tokens WHERE created_us < ?1"

bool eng_txn_token_digest(const json_t *items, char out[ENG_TOKEN_DIGEST_LEN])
{
    char *text = json_dumps(items, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    if (!text) return false;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    bool ok = EVP_Digest(text, strlen(text), md, &len, EVP_sha256(), NULL) == 1 && len == 32;
    free(text);
    for (unsigned int i = 0; ok && i < len; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
    return ok;
}

bool eng_txn_token_check(eng_conn *c, const char *token, const char *digest, int64_t now_us,
                         bool *replay, ddb_err *err)
{
    assert(eng_conn_in_batch(c));
    *replay = false;
    sqlite3_stmt *st = eng_stmt(c, SQL_TOKEN_GET, err);
    if (!st) return false;
    sqlite3_bind_text(st, 1, token, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    bool same = false, live = false;
    if (rc == SQLITE_ROW) {
        const char *stored = (const char *)sqlite3_column_text(st, 0);
        same = stored && strcmp(stored, digest) == 0;
        live = sqlite3_column_int64(st, 1) >= now_us - ENG_TOKEN_WINDOW_US;
    } else if (rc != SQLITE_DONE) {
        eng_sql_error(c, err);
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return false;
    if (!live) return true;
    if (!same) {
        ddb_err_set(err, DDB_E_IDEMPOTENT_MISMATCH,
                    "The ClientRequestToken was already used within the last 10 minutes by a "
                    "TransactWriteItems request with other TransactItems");
        return false;
    }
    *replay = true;
    return true;
}

/* Steps a statement to completion and resets it; reports SQLite errors. */
static bool run(eng_conn *c, sqlite3_stmt *st, ddb_err *err)
{
    int rc = sqlite3_step(st);
    bool ok = rc == SQLITE_DONE;
    if (!ok) eng_sql_error(c, err);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return ok;
}

bool eng_txn_token_record(eng_conn *c, const char *token, const char *digest, int64_t now_us,
                          ddb_err *err)
{
    assert(eng_conn_in_batch(c));
    sqlite3_stmt *st = eng_stmt(c, SQL_TOKEN_TRIM, err);
    if (!st) return false;
    sqlite3_bind_int64(st, 1, now_us - ENG_TOKEN_WINDOW_US);
    if (!run(c, st, err)) return false;
    if (!(st = eng_stmt(c, SQL_TOKEN_PUT, err))) return false;
    sqlite3_bind_text(st, 1, token, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, digest, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now_us);
    return run(c, st, err);
}
