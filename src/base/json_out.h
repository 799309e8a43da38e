/*
 * json_out: compact JSON text of a jansson value, written into a buf.
 *
 * The text is byte for byte what json_dumps(v, JSON_COMPACT |
 * JSON_ENCODE_ANY) gives (keys in the object's insertion order, the same
 * escapes, reals formatted by jansson itself), so stored texts and answers
 * do not change with the encoder. It exists because json_dumps is slow
 * where cruddur spends its time: for every array and object it formats the
 * container's address with snprintf and records it in a hash table (its
 * guard against cycles), and it emits strings through a callback per run
 * of characters. A 20-item Query answer (4.6 KB, 140 containers) took
 * 71 µs on the benchmark machine, more than half the server's CPU for a
 * Query; this encoder writes it in a small fraction of that.
 *
 * Values must not contain cycles (jansson's constructors cannot make one
 * unless a caller inserts a container into itself). Strings are written as
 * stored: jansson validated them as UTF-8 when they were made.
 */
#ifndef CRUDDUR_BASE_JSON_OUT_H
#define CRUDDUR_BASE_JSON_OUT_H

#include <stdbool.h>

#include <jansson.h>

#include "base/buf.h"

/* Appends the text of v (any type; NULL is written as null) to b. */
void json_out_append(buf_t *b, const json_t *v);

/* Asked for each object met on the way: may append the object's exact
   text itself (one it already has) and return true, or return false to
   let json_out encode it. */
typedef bool (*json_out_verbatim_fn)(const json_t *object, buf_t *b);
/* json_out_append, with objects offered to `verbatim` first (NULL: none). */
void json_out_append_with(buf_t *b, const json_t *v, json_out_verbatim_fn verbatim);

/* The text of v in a new NUL-terminated string (caller frees); its length
   in *len when len is not NULL. Never NULL. */
char *json_out_dumps(const json_t *v, size_t *len);

#endif
