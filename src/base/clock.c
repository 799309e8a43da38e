/*
 * clock: time sources and ISO-8601 formatting/parsing. See clock.h.
 */
#include "base/clock.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t clock_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t clock_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Splits microseconds into a broken-down UTC time and the sub-second part. */
static void split(int64_t us, struct tm *tm, long *frac_us)
{
    int64_t sec = us / 1000000;
    int64_t frac = us % 1000000;
    if (frac < 0) {
        frac += 1000000;
        sec -= 1;
    }
    time_t t = (time_t)sec;
    gmtime_r(&t, tm);
    *frac_us = (long)frac;
}

void clock_format_iso(int64_t us, char out[CLOCK_ISO_LEN])
{
    struct tm tm;
    long frac;
    split(us, &tm, &frac);
    size_t n = strftime(out, CLOCK_ISO_LEN, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, CLOCK_ISO_LEN - n, ".%06d+00:00", (int)frac);
}

void clock_format_iso_ms(int64_t us, char out[40])
{
    struct tm tm;
    long frac;
    split(us, &tm, &frac);
    size_t n = strftime(out, 40, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 40 - n, ".%03dZ", (int)(frac / 1000));
}

/* Reads exactly n decimal digits. */
static bool digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i])) return false;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return true;
}

bool clock_parse_iso(const char *s, int64_t *us)
{
    int Y, M, D, h, m, sec;
    const char *p = s;
    if (!digits(&p, 4, &Y) || *p++ != '-' || !digits(&p, 2, &M) || *p++ != '-' ||
        !digits(&p, 2, &D))
        return false;
    if (*p != 'T' && *p != ' ') return false;
    p++;
    if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &m) || *p++ != ':' ||
        !digits(&p, 2, &sec))
        return false;
    if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60) return false;
    long frac = 0;
    if (*p == '.') {
        p++;
        int n = 0;
        long scale = 100000;
        while (isdigit((unsigned char)*p)) {
            if (n < 6) frac += (*p - '0') * scale;
            scale /= 10;
            n++;
            p++;
        }
        if (n == 0) return false;
    }
    int offset_min = 0;
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1, oh, om;
        p++;
        if (!digits(&p, 2, &oh)) return false;
        if (*p == ':') p++;
        if (!digits(&p, 2, &om)) return false;
        offset_min = sign * (oh * 60 + om);
    }
    if (*p != '\0') return false;
    struct tm tm = {0};
    tm.tm_year = Y - 1900;
    tm.tm_mon = M - 1;
    tm.tm_mday = D;
    tm.tm_hour = h;
    tm.tm_min = m;
    tm.tm_sec = sec;
    time_t t = timegm(&tm);
    *us = ((int64_t)t - (int64_t)offset_min * 60) * 1000000 + frac;
    return true;
}
