/*
 * stop_signal: how the long-running commands (serve, dynamodb,
 * stream-worker, the Lambda bootstrap) learn that they must stop.
 *
 * SIGINT and SIGTERM are blocked first thing in the command, before any
 * thread starts or any port opens: every thread inherits the mask, so a
 * stop signal that arrives at any later moment (while the store opens,
 * while libmicrohttpd starts, while the stream consumer catches up) stays
 * pending instead of killing the process, and the one thread that waits
 * for it takes it with stop_signal_wait and runs the clean shutdown. No
 * handler runs, so there is nothing async-signal-unsafe to get wrong.
 *
 * SIGPIPE is ignored at the same time: a client that goes away must not
 * kill a server writing to it.
 */
#ifndef CRUDDUR_BASE_STOP_SIGNAL_H
#define CRUDDUR_BASE_STOP_SIGNAL_H

#include <stdbool.h>

/* Blocks SIGINT and SIGTERM in the calling thread (call it from main before
   starting any thread) and ignores SIGPIPE. */
void stop_signal_block(void);

/* Waits up to timeout_ms (negative: without limit) for SIGINT or SIGTERM
   and takes it: returns its number, or 0 when the time ran out. */
int stop_signal_wait(int timeout_ms);

/* True when SIGINT or SIGTERM is pending; it stays pending (any thread may
   ask, e.g. a transfer callback deciding whether to give up). */
bool stop_signal_pending(void);

/* "SIGINT" or "SIGTERM", for log lines. */
const char *stop_signal_name(int sig);

#endif
