/*
 * ddb_keys: the access keys `cruddur dynamodb` accepts signatures from,
 * gathered from where an operator can keep them out of `ps`: a file
 * (--credentials-file), an environment variable
 * (CRUDDUR_DYNAMODB_CREDENTIALS), or, least private, the command line
 * (--credentials). Each source holds "ACCESS_KEY:SECRET" pairs.
 *
 * Ownership: ddb_keys owns copies of every key and secret; ddb_keys_free
 * wipes the secrets and releases them. Lookups return borrowed pointers.
 */
#ifndef CRUDDUR_HTTP_DDB_KEYS_H
#define CRUDDUR_HTTP_DDB_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#define DDB_KEYS_ENV "CRUDDUR_DYNAMODB_CREDENTIALS"

typedef struct ddb_keys {
    char **access_keys;
    char **secrets;
    size_t n, cap;
} ddb_keys;

/* Adds one "ACCESS_KEY:SECRET" pair (len bytes of `pair`; neither part
   empty, no whitespace or control characters). False with the reason in
   errbuf, naming no secret. A key given twice keeps its last secret. */
bool ddb_keys_add(ddb_keys *k, const char *pair, size_t len, char *errbuf, size_t errlen);

/* Adds the pairs of a comma- or whitespace-separated list (the
   environment variable's form). */
bool ddb_keys_add_list(ddb_keys *k, const char *list, char *errbuf, size_t errlen);

/* Adds the pairs of a file: one per line; blank lines and lines starting
   with '#' are skipped. A file that cannot be read, is not a regular file,
   is over 1 MiB or holds no pair is an error; one that others may read is
   accepted with a warning in the log. */
bool ddb_keys_load_file(ddb_keys *k, const char *path, char *errbuf, size_t errlen);

/* The secret of an access key, or NULL when the key is unknown. */
const char *ddb_keys_secret(const ddb_keys *k, const char *access_key);

void ddb_keys_free(ddb_keys *k);

#endif
