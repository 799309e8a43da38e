/*
 * opts: the one command-line option parser of the commands (serve,
 * dynamodb, token, stream-worker, ddb, db, cognito). Each command keeps its
 * own list of options; reading an option's value, checking a number's range
 * and wording the errors happen here, so that every command answers a
 * mistake the same way:
 *
 *   cruddur serve: --port: missing value
 *   cruddur serve: --port: invalid value 'x' (a whole number from 0 to 65535)
 *
 * Use:
 *   opts_iter it;
 *   opts_init(&it, "cruddur serve", argc, argv);
 *   while (opts_next(&it)) {
 *       if (opts_is_help(&it)) ...
 *       else if (opts_is(&it, "--port")) { long v; if (!opts_long(&it, 0, 65535, &v)) return 2; }
 *       else if (opts_is(&it, "--data")) { if (!(data = opts_value(&it))) return 2; }
 *       else ...unknown: opts_unknown(&it)
 *   }
 *
 * Nothing is allocated; strings returned point into argv.
 */
#ifndef CRUDDUR_BASE_OPTS_H
#define CRUDDUR_BASE_OPTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct opts_iter {
    const char *prog; /* "cruddur serve": the prefix of every message */
    int argc;
    char **argv;
    int i;           /* index of the current argument */
    const char *arg; /* the current argument */
    FILE *err;       /* where messages go (stderr) */
} opts_iter;

void opts_init(opts_iter *it, const char *prog, int argc, char **argv);
/* Moves to the next argument (argv[1] first); false when there is none. */
bool opts_next(opts_iter *it);
/* The current argument is this option. */
bool opts_is(const opts_iter *it, const char *name);
/* The current argument is -h or --help. */
bool opts_is_help(const opts_iter *it);
/* The current argument looks like an option (starts with '-', not "-"). */
bool opts_is_option(const opts_iter *it);
/* The value after the current option, consumed; NULL after saying
   "<prog>: <option>: missing value" when there is none. An empty value is
   returned as it is: the command says what it expects. */
const char *opts_value(opts_iter *it);
/* The value as a whole number from min to max; false after saying what is
   wrong (missing, or invalid with the range). */
bool opts_long(opts_iter *it, long min, long max, long *out);
/* The value as a TCP port, 0 to 65535 (0: the system picks a free one). */
bool opts_port(opts_iter *it, uint16_t *out);
/* Says "<prog>: unknown option '<arg>'" (or "unexpected argument" for a
   word that is not an option). */
void opts_unknown(const opts_iter *it);

#endif
