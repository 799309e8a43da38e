/*
 * stop_signal: SIGINT/SIGTERM blocked at start-up and taken with
 * sigtimedwait by the thread that runs the shutdown. See stop_signal.h.
 */
#include "base/stop_signal.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>

static void stop_set(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
}

void stop_signal_block(void)
{
    sigset_t set;
    stop_set(&set);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int stop_signal_wait(int timeout_ms)
{
    sigset_t set;
    stop_set(&set);
    for (;;) {
        int sig;
        if (timeout_ms < 0) {
            /* sigwait is sigtimedwait without a limit; it does not fail with
               EINTR, but a stopped-and-continued process may wake it. */
            if (sigwait(&set, &sig) == 0) return sig;
            continue;
        }
        struct timespec limit = {timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L};
        sig = sigtimedwait(&set, NULL, &limit);
        if (sig > 0) return sig;
        if (errno == EAGAIN) return 0;
        /* EINTR (SIGCONT after SIGSTOP): wait again; the limit restarts,
           which only delays a progress line. */
    }
}

bool stop_signal_pending(void)
{
    sigset_t pending;
    if (sigpending(&pending) != 0) return false;
    return sigismember(&pending, SIGINT) == 1 || sigismember(&pending, SIGTERM) == 1;
}

const char *stop_signal_name(int sig)
{
    switch (sig) {
    case SIGINT:
        return "SIGINT";
    case SIGTERM:
        return "SIGTERM";
    default:
        return "a stop signal";
    }
}
