/*
 * token_cmd: the `cruddur token HANDLE` command (see token_cmd.c).
 */
#ifndef CRUDDUR_TOOLS_TOKEN_CMD_H
#define CRUDDUR_TOOLS_TOKEN_CMD_H

/* argv[0] is "token". Returns the process exit code. */
int token_cmd_main(int argc, char **argv);

#endif
