/*
 * dynamodb_cmd: the `cruddur dynamodb` command (see dynamodb_cmd.c).
 */
#ifndef CRUDDUR_HTTP_DYNAMODB_CMD_H
#define CRUDDUR_HTTP_DYNAMODB_CMD_H

/* argv[0] is "dynamodb". Returns the process exit code. */
int dynamodb_cmd_main(int argc, char **argv);

#endif
