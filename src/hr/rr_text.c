/* rr_text.c: see rr_text.h. */
#include "hr/rr_text.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hr_rr_text_init(hr_rr_text *reader)
{
    reader->started = false;
    reader->column = -1;
    reader->separator = '\0';
}

/* The field'th field of line (separated by separator) as [*from, *to). */
static bool field(const char *line, char separator, int index, const char **from,
                  const char **to)
{
    const char *start = line;
    for (int i = 0; i < index; i++) {
        start = strchr(start, separator);
        if (!start)
            return false;
        start++;
    }
    const char *end = strchr(start, separator);
    *from = start;
    *to = end ? end : start + strlen(start);
    return true;
}

/* The header of a Polar Sensor Logger file: finds the RR column. */
static bool read_header(hr_rr_text *reader, const char *line)
{
    const char *name = strstr(line, HR_RR_TEXT_POLAR_COLUMN);
    if (!name)
        return false;
    const char *separators = ";,\t";
    char separator = '\0';
    for (const char *c = line; *c && !separator; c++) {
        if (strchr(separators, *c))
            separator = *c;
    }
    int column = 0;
    for (const char *c = line; c < name; c++)
        column += separator && *c == separator;
    reader->column = column;
    reader->separator = separator ? separator : ';';
    return true;
}

static hr_rr_text_result parse_interval(const char *from, const char *to, double *interval_ms,
                                        char *why, size_t why_size)
{
    while (from < to && (*from == ' ' || *from == '"'))
        from++;
    while (to > from && (to[-1] == ' ' || to[-1] == '"'))
        to--;
    char number[64];
    size_t length = (size_t)(to - from);
    if (length == 0 || length >= sizeof number) {
        snprintf(why, why_size, "expected an RR interval in milliseconds (such as 812)");
        return HR_RR_TEXT_BAD;
    }
    memcpy(number, from, length);
    number[length] = '\0';
    char *end = NULL;
    errno = 0;
    double value = strtod(number, &end);
    if (end == number || *end || errno || !isfinite(value)) {
        snprintf(why, why_size, "'%s' is not an RR interval in milliseconds (such as 812)",
                 number);
        return HR_RR_TEXT_BAD;
    }
    if (value < HR_RR_TEXT_LEAST_MS || value > HR_RR_TEXT_MOST_MS) {
        snprintf(why, why_size, "an RR interval of %s ms: it must be from %g to %g ms", number,
                 HR_RR_TEXT_LEAST_MS, HR_RR_TEXT_MOST_MS);
        return HR_RR_TEXT_BAD;
    }
    *interval_ms = value;
    return HR_RR_TEXT_INTERVAL;
}

hr_rr_text_result hr_rr_text_line(hr_rr_text *reader, const char *line, double *interval_ms,
                                  char *why, size_t why_size)
{
    size_t length = strlen(line);
    while (length > 0 && (line[length - 1] == '\r' || line[length - 1] == ' '
                          || line[length - 1] == '\t'))
        length--;
    const char *start = line;
    while (*start == ' ' || *start == '\t')
        start++;
    if (start >= line + length || *start == '#')
        return HR_RR_TEXT_SKIPPED;
    char text[1024];
    size_t kept = (size_t)(line + length - start);
    if (kept >= sizeof text) {
        snprintf(why, why_size, "a line of %zu characters: expected an RR interval", kept);
        return HR_RR_TEXT_BAD;
    }
    memcpy(text, start, kept);
    text[kept] = '\0';
    bool first = !reader->started;
    reader->started = true;
    if (first && read_header(reader, text))
        return HR_RR_TEXT_SKIPPED;
    if (reader->column < 0)
        return parse_interval(text, text + kept, interval_ms, why, why_size);
    const char *from, *to;
    if (!field(text, reader->separator, reader->column, &from, &to)) {
        snprintf(why, why_size, "no '" HR_RR_TEXT_POLAR_COLUMN "' column in this row");
        return HR_RR_TEXT_BAD;
    }
    return parse_interval(from, to, interval_ms, why, why_size);
}
