/*
 * log: one line per event on stderr, "2026-01-02T03:04:05.123Z LEVEL msg".
 * The level comes from CRUDDUR_LOG (debug, info, warn, error; default info).
 * Thread-safe: each line is written with a single write().
 */
#ifndef CRUDDUR_BASE_LOG_H
#define CRUDDUR_BASE_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int log_enabled(enum log_level level);

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
