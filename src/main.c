/*
 * main: command dispatch only. `cruddur <command> [args]`; each command
 * lives in its own module and parses its own flags.
 */
#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out, "usage: cruddur <command> [options]\n"
                 "\n"
                 "commands:\n"
                 "  help             this text\n"
                 "\n"
                 "Run `cruddur <command> --help` for a command's options.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 1;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "cruddur: unknown command '%s'\n", cmd);
    usage(stderr);
    return 1;
}
