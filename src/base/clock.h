/*
 * clock: wall and monotonic time in microseconds, and the ISO-8601 UTC
 * forms cruddur stores and prints. All output buffers are caller-owned.
 */
#ifndef CRUDDUR_BASE_CLOCK_H
#define CRUDDUR_BASE_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define CLOCK_ISO_LEN 33 /* "2023-03-20T22:52:11.123456+00:00" + NUL */

int64_t clock_now_us(void);  /* microseconds since the Unix epoch (UTC) */
int64_t clock_mono_us(void); /* monotonic microseconds, for durations */

/* "2023-03-20T22:52:11.123456+00:00": fixed width, so string order is time order. */
void clock_format_iso(int64_t us, char out[CLOCK_ISO_LEN]);
/* "2023-03-20T22:52:11.123Z": log lines and AWS-style timestamps. */
void clock_format_iso_ms(int64_t us, char out[40]);

/*
 * Parses ISO-8601 date-times as older data holds them: with or without
 * fractional seconds (any number of digits), with "Z", "+HH:MM"/"-HH:MM"
 * or no offset (read as UTC), 'T' or ' ' between date and time.
 * Returns false on anything else.
 */
bool clock_parse_iso(const char *s, int64_t *us);

#endif
