/*
 * log: leveled single-line logging to stderr. See log.h.
 */
#include "base/log.h"

#include "base/buf.h"
#include "base/clock.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static int threshold = -1;

static int level_from_env(void)
{
    const char *v = getenv("CRUDDUR_LOG");
    if (!v) return LOG_INFO;
    if (!strcasecmp(v, "debug")) return LOG_DEBUG;
    if (!strcasecmp(v, "warn")) return LOG_WARN;
    if (!strcasecmp(v, "error")) return LOG_ERROR;
    return LOG_INFO;
}

int log_enabled(enum log_level level)
{
    if (threshold < 0) threshold = level_from_env();
    return (int)level >= threshold;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    static const char *names[] = {"DEBUG", "INFO", "WARN", "ERROR"};
    if (!log_enabled(level)) return;
    char ts[40];
    clock_format_iso_ms(clock_now_us(), ts);
    buf_t b = BUF_INIT;
    buf_printf(&b, "%s %-5s ", ts, names[level]);
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    buf_putc(&b, '\n');
    ssize_t ignored = write(STDERR_FILENO, b.data, b.len);
    (void)ignored;
    buf_free(&b);
}
