/*
 * log: one line per event on stderr, "2026-01-02T03:04:05.123Z LEVEL msg".
 * The level comes from CRUDDUR_LOG (debug, info, warn, error; default info).
 * Thread-safe: each line is written with a single write().
 *
 * A line is always one line, whatever the message holds: much of it comes
 * from clients (request paths, header values, tokens), so control
 * characters (C0, DEL, C1) and bytes that are not UTF-8 are written as
 * \xNN and a backslash as \\. A %0a in a request path cannot forge a log
 * line, and an ESC cannot reach the operator's terminal.
 */
#ifndef CRUDDUR_BASE_LOG_H
#define CRUDDUR_BASE_LOG_H

#include <stdarg.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_vmsg(enum log_level level, const char *fmt, va_list ap);
int log_enabled(enum log_level level);

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
