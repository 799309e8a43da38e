/*
 * opts: the commands' shared option parser. See opts.h.
 */
#include "base/opts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void opts_init(opts_iter *it, const char *prog, int argc, char **argv)
{
    *it = (opts_iter){.prog = prog, .argc = argc, .argv = argv, .i = 0, .err = stderr};
}

bool opts_next(opts_iter *it)
{
    if (it->i + 1 >= it->argc) return false;
    it->arg = it->argv[++it->i];
    return true;
}

bool opts_is(const opts_iter *it, const char *name)
{
    return it->arg && strcmp(it->arg, name) == 0;
}

bool opts_is_help(const opts_iter *it)
{
    return opts_is(it, "--help") || opts_is(it, "-h");
}

bool opts_is_option(const opts_iter *it)
{
    return it->arg && it->arg[0] == '-' && it->arg[1];
}

const char *opts_value(opts_iter *it)
{
    if (it->i + 1 >= it->argc) {
        fprintf(it->err, "%s: %s: missing value\n", it->prog, it->arg);
        return NULL;
    }
    return it->argv[++it->i];
}

bool opts_long(opts_iter *it, long min, long max, long *out)
{
    const char *name = it->arg;
    const char *v = opts_value(it);
    if (!v) return false;
    char *end = NULL;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || end == v || *end || n < min || n > max) {
        fprintf(it->err, "%s: %s: invalid value '%s' (a whole number from %ld to %ld)\n", it->prog,
                name, v, min, max);
        return false;
    }
    *out = n;
    return true;
}

bool opts_port(opts_iter *it, uint16_t *out)
{
    long v;
    if (!opts_long(it, 0, 65535, &v)) return false;
    *out = (uint16_t)v;
    return true;
}

void opts_unknown(const opts_iter *it)
{
    if (opts_is_option(it))
        fprintf(it->err, "%s: unknown option '%s'\n", it->prog, it->arg);
    else
        fprintf(it->err, "%s: unexpected argument '%s'\n", it->prog, it->arg);
}
