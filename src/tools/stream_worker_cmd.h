/*
 * stream_worker_cmd: `cruddur stream-worker`, the message-group fanout fed
 * from the messages table's DynamoDB stream, for deployments where the
 * table lives in DynamoDB (or any server speaking its protocol) instead of
 * the embedded engine (see stream_worker_cmd.c).
 */
#ifndef CRUDDUR_TOOLS_STREAM_WORKER_CMD_H
#define CRUDDUR_TOOLS_STREAM_WORKER_CMD_H

/* argv[0] is "stream-worker". Returns the process exit code. */
int stream_worker_cmd_main(int argc, char **argv);

#endif
