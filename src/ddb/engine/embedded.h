/*
 * embedded: the store implemented in-process on SQLite (see engine.c).
 *
 * A data directory holds one SQLite database in WAL mode. Several processes
 * may open the same directory at once (cruddur serve and cruddur dynamodb).
 */
#ifndef CRUDDUR_DDB_EMBEDDED_H
#define CRUDDUR_DDB_EMBEDDED_H

#include "ddb/ddb.h"

typedef struct ddb_embedded_options {
    const char *dir;        /* data directory (created if missing); ignored in memory */
    bool in_memory;         /* keep everything in memory, nothing on disk */
    bool no_fsync;          /* acknowledge before fsync (tests and benchmarks only) */
    const char *region;     /* for ARNs and stream records; default "us-east-1" */
    const char *account_id; /* for ARNs; default "000000000000" */
    bool no_background;     /* no TTL sweeper thread (tests drive it by hand) */
} ddb_embedded_options;

ddb_store *ddb_embedded_open(const ddb_embedded_options *opt, ddb_err *err);

/* Deletes expired TTL items now (the background sweeper calls it too);
 * returns how many were deleted, -1 on error. `now_s` is epoch seconds. */
long ddb_embedded_sweep_ttl(ddb_store *store, int64_t now_s, ddb_err *err);

#endif
