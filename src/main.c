/*
 * main: command dispatch only. `cruddur <command> [args]`; each command
 * lives in its own module, parses its own flags and answers `--help`.
 * Adding a command is one line in the table below.
 */
#include <stdio.h>
#include <string.h>

#include "http/dynamodb_cmd.h"
#include "http/serve_cmd.h"
#include "tools/stream_worker_cmd.h"
#include "http/token_cmd.h"
#include "tools/tools.h"

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv); /* argv[0] is the command's name */
    const char *summary;
} command;

static const command commands[] = {
    {"serve", serve_cmd_main, "the Cruddur API (messages, users, sign-in) over HTTP"},
    {"token", token_cmd_main, "print a dev access token for a user (no Cognito pool)"},
    {"dynamodb", dynamodb_cmd_main, "the embedded DynamoDB engine over DynamoDB's protocol"},
    {"ddb", tools_ddb_main, "the messages table: schema-load, drop, scan, seed, setup, patterns"},
    {"db", tools_db_main, "the users directory: schema-load, seed, setup, update-cognito-user-ids"},
    {"cognito", tools_cognito_main, "the Cognito user pool: list-users"},
    {"stream-worker", stream_worker_cmd_main, "the message fanout from a DynamoDB table's stream"},
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *out)
{
    fprintf(out, "usage: cruddur <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(out, "  %-14s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "  %-14s %s\n", "help", "this text");
    fprintf(out, "\nRun `cruddur <command> --help` for a command's options.\n");
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
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (!strcmp(cmd, commands[i].name)) return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "cruddur: unknown command '%s'\n", cmd);
    usage(stderr);
    return 1;
}
