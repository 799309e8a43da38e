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

/* The length of the valid UTF-8 sequence at p (at most n bytes), 0 when
   there is none; C1 controls (U+0080-U+009F) count as invalid, since some
   terminals act on them. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    size_t len;
    unsigned min;
    unsigned cp;
    if (p[0] >= 0xc2 && p[0] <= 0xdf) {
        len = 2, min = 0xa0, cp = p[0] & 0x1f;
    } else if (p[0] >= 0xe0 && p[0] <= 0xef) {
        len = 3, min = 0x800, cp = p[0] & 0x0f;
    } else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
        len = 4, min = 0x10000, cp = p[0] & 0x07;
    } else {
        return 0;
    }
    if (len > n) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    return len;
}

/* Appends text to b with what could break the line or drive a terminal
   escaped (see log.h). */
static void append_escaped(buf_t *b, const char *text, size_t n)
{
    const unsigned char *p = (const unsigned char *)text;
    for (size_t i = 0; i < n;) {
        unsigned char c = p[i];
        if (c == '\\') {
            buf_append(b, "\\\\", 2);
            i++;
        } else if (c >= 0x20 && c < 0x7f) {
            buf_putc(b, (char)c);
            i++;
        } else if (c >= 0x80 && utf8_len(p + i, n - i)) {
            size_t len = utf8_len(p + i, n - i);
            buf_append(b, text + i, len);
            i += len;
        } else {
            buf_printf(b, "\\x%02x", c);
            i++;
        }
    }
}

void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
    static const char *names[] = {"DEBUG", "INFO", "WARN", "ERROR"};
    if (!log_enabled(level)) return;
    char ts[40];
    clock_format_iso_ms(clock_now_us(), ts);
    buf_t msg = BUF_INIT;
    buf_vprintf(&msg, fmt, ap);
    size_t n = msg.len;
    while (n > 0 && msg.data[n - 1] == '\n')
        n--; /* libmicrohttpd's messages end with one */
    buf_t b = BUF_INIT;
    buf_printf(&b, "%s %-5s ", ts, names[level]);
    append_escaped(&b, msg.data ? msg.data : "", n);
    buf_putc(&b, '\n');
    ssize_t ignored = write(STDERR_FILENO, b.data, b.len);
    (void)ignored;
    buf_free(&b);
    buf_free(&msg);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vmsg(level, fmt, ap);
    va_end(ap);
}
