/*
 * cli: the command table walker and option parser shared by every operator
 * command, so that `--help`, `--data DIR`, `prod`, `--json` and `--limit N`
 * mean the same thing everywhere and every usage error reads alike.
 */
#include "tools/tools_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/opts.h"

/* The option lines of a command's --help, for the options it accepts. */
static void print_options(FILE *out, unsigned opts)
{
    fprintf(out, "\noptions:\n"
                 "  --data DIR   data folder (default $CRUDDUR_DATA or ./data)\n");
    if (opts & TOOLS_OPT_PROD)
        fprintf(out, "  prod         use the real AWS service instead of the local store\n");
    if (opts & TOOLS_OPT_JSON) fprintf(out, "  --json       print JSON\n");
    if (opts & TOOLS_OPT_LIMIT)
        fprintf(out, "  --limit N    users per Cognito request, 1..60 (default 60)\n");
    if (opts & TOOLS_OPT_YES)
        fprintf(out, "  --yes        delete without asking (required when stdin is not a "
                     "terminal)\n");
    fprintf(out, "  --help       this text\n");
}

static void print_usage_line(FILE *out, const char *prog, const tools_cmd *c)
{
    fprintf(out, "usage: %s%s%s\n", prog, c->args && *c->args ? " " : "", c->args ? c->args : "");
}

static void print_group_help(FILE *out, const char *prefix, const tools_cmd *cmds)
{
    fprintf(out, "usage: %s <command> [options]\n\ncommands:\n", prefix);
    for (const tools_cmd *c = cmds; c->name; c++)
        fprintf(out, "  %-26s %s\n", c->name, c->summary);
    fprintf(out, "\nRun `%s <command> --help` for a command's options.\n", prefix);
}

static void print_cmd_help(FILE *out, const char *prog, const tools_cmd *c)
{
    print_usage_line(out, prog, c);
    fprintf(out, "\n%s\n", c->summary);
    if (c->help) fprintf(out, "\n%s", c->help);
    print_options(out, c->opts);
}

/* A usage error: the reason and the usage line on stderr. */
static int usage_error(const char *prog, const tools_cmd *c, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int usage_error(const char *prog, const tools_cmd *c, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", prog);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    print_usage_line(stderr, prog, c);
    return code;
}

/*
 * Fills o from argv (argv[0] is the command's name). Returns -1 when the
 * command should run, else the exit code to return (0 after --help).
 */
static int parse(const char *prog, const tools_cmd *c, int argc, char **argv, tools_opts *o)
{
    memset(o, 0, sizeof *o);
    snprintf(o->prog, sizeof o->prog, "%s", prog);
    const char *env = getenv("CRUDDUR_DATA");
    o->data = env && *env ? env : "./data";
    opts_iter it;
    opts_init(&it, prog, argc, argv);
    while (opts_next(&it)) {
        const char *a = it.arg;
        if (opts_is_help(&it)) {
            print_cmd_help(stdout, prog, c);
            return 0;
        } else if (opts_is(&it, "--data")) {
            const char *v = opts_value(&it);
            if (!v) {
                print_usage_line(stderr, prog, c);
                return 2;
            }
            if (!*v) return usage_error(prog, c, 2, "--data needs a folder");
            o->data = v;
        } else if (opts_is(&it, "--yes") && (c->opts & TOOLS_OPT_YES)) {
            o->yes = true;
        } else if (opts_is(&it, "--json") && (c->opts & TOOLS_OPT_JSON)) {
            o->json = true;
        } else if (opts_is(&it, "--limit") && (c->opts & TOOLS_OPT_LIMIT)) {
            long v;
            if (!opts_long(&it, 1, 60, &v) || !tools_cognito_limit_ok(v)) {
                print_usage_line(stderr, prog, c);
                return 2;
            }
            o->limit = v;
        } else if (!strcmp(a, "prod") && (c->opts & TOOLS_OPT_PROD)) {
            o->prod = true;
        } else if (a[0] == '-' && a[1]) {
            return usage_error(prog, c, 2, "unknown option '%s'", a);
        } else if (o->nargs >= c->max_args) {
            return usage_error(prog, c, 2, "unexpected argument '%s'", a);
        } else {
            o->args[o->nargs++] = a;
        }
    }
    if (o->nargs < c->min_args) {
        print_usage_line(stderr, prog, c);
        return 1;
    }
    return -1;
}

int tools_dispatch(const char *prefix, const tools_cmd *cmds, int argc, char **argv)
{
    if (argc < 2) {
        print_group_help(stderr, prefix, cmds);
        return 2;
    }
    const char *name = argv[1];
    if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
        print_group_help(stdout, prefix, cmds);
        return 0;
    }
    const tools_cmd *c = cmds;
    while (c->name && strcmp(c->name, name))
        c++;
    if (!c->name) {
        fprintf(stderr, "%s: unknown command '%s'\n", prefix, name);
        print_group_help(stderr, prefix, cmds);
        return 2;
    }
    char prog[96];
    snprintf(prog, sizeof prog, "%s %s", prefix, c->name);
    if (c->subs) return tools_dispatch(prog, c->subs, argc - 1, argv + 1);
    tools_opts o;
    int rc = parse(prog, c, argc - 1, argv + 1, &o);
    return rc >= 0 ? rc : c->run(&o);
}

int tools_fail(const tools_opts *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", o->prog);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 1;
}

bool tools_confirm(const tools_opts *o, const char *what, const char *where)
{
    if (o->yes) return true;
    if (!isatty(STDIN_FILENO)) {
        tools_fail(o,
                   "this deletes %s from the %s; stdin is not a terminal, so nothing was "
                   "deleted (add --yes to go on)",
                   what, where);
        return false;
    }
    fprintf(stderr, "%s: this deletes %s from the %s.\nType yes to go on: ", o->prog, what, where);
    fflush(stderr);
    char line[64];
    if (fgets(line, sizeof line, stdin) && !strcmp(line, "yes\n")) return true;
    tools_fail(o, "not confirmed; nothing was deleted");
    return false;
}

void tools_print_json(const json_t *v)
{
    char *s = json_dumps(v, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    if (s) puts(s);
    free(s);
}

void tools_progress(const char *label, size_t n, size_t total)
{
    if (!isatty(STDERR_FILENO)) return;
    fprintf(stderr, "\r%s %zu/%zu", label, n, total);
    if (n == total) fputc('\n', stderr);
    fflush(stderr);
}
