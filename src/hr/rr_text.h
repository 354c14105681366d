/* rr_text.h: RR intervals as text, line by line, for `--hr FILE`.
 *
 * Two layouts are read:
 *   - one interval in milliseconds a line ("812" or "812.5");
 *   - the RR file that Polar Sensor Logger exports (NAME_RR.txt): a header
 *     line naming the columns, "Phone timestamp;RR-interval [ms]", then a
 *     row a beat, "2026-12-20T07:30:00.812;812". The column named
 *     "RR-interval [ms]" is read wherever it is; the separator is the
 *     header's (';', ',' or a tab), so a CSV saved again by a spreadsheet
 *     reads too.
 * Blank lines and lines starting with '#' are skipped. An interval must be
 * a number of milliseconds from HR_RR_TEXT_LEAST_MS to HR_RR_TEXT_MOST_MS.
 * Pure: lines in, intervals or the reason out. */
#ifndef BREATHE_HR_RR_TEXT_H
#define BREATHE_HR_RR_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#define HR_RR_TEXT_LEAST_MS 1.0
#define HR_RR_TEXT_MOST_MS 60000.0
#define HR_RR_TEXT_POLAR_COLUMN "RR-interval [ms]"

typedef struct {
    bool started;        /* a line other than a blank or a comment was seen */
    int column;          /* the RR column of a Polar file; -1: one number a line */
    char separator;
} hr_rr_text;

typedef enum { HR_RR_TEXT_INTERVAL, HR_RR_TEXT_SKIPPED, HR_RR_TEXT_BAD } hr_rr_text_result;

void hr_rr_text_init(hr_rr_text *reader);

/* One line (without its newline; a trailing '\r' is ignored). On
 * HR_RR_TEXT_INTERVAL *interval_ms is set; on HR_RR_TEXT_BAD, why says
 * what is wrong and what would be right. */
hr_rr_text_result hr_rr_text_line(hr_rr_text *reader, const char *line, double *interval_ms,
                                  char *why, size_t why_size);

#endif
