/*
 * serve_cmd: the `cruddur serve` command (see serve_cmd.c).
 */
#ifndef CRUDDUR_HTTP_SERVE_CMD_H
#define CRUDDUR_HTTP_SERVE_CMD_H

/* argv[0] is "serve". Returns the process exit code. */
int serve_cmd_main(int argc, char **argv);

#endif
