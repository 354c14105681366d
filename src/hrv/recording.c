/* recording.c: heart-rate recordings read back and checked (recording.h). */
#include "hrv/recording.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { COLUMNS = 5 };
static const char *const column_names[COLUMNS] = {"t", "rr_raw_ms", "rr_ms", "bpm", "artefact"};

/* One line of the text, without its end ("\n" or "\r\n"). */
typedef struct {
    const char *start;
    size_t length;
    int number;
} text_line;

typedef struct {
    const char *name;
    const report_sink *sink;
    recording *out;
    size_t capacity;
    bool header_seen;
} parser;

/* A decimal number as the recording writes it: an optional minus sign,
 * digits, and an optional point with digits; nothing else (no exponent,
 * no "nan", no spaces), read the same whatever the locale. */
static bool parse_decimal(const char *text, size_t length, double *value)
{
    size_t i = 0;
    bool negative = false;
    if (i < length && text[i] == '-') {
        negative = true;
        i++;
    }
    double whole = 0.0, scale = 1.0;
    size_t digits = 0;
    for (; i < length && text[i] >= '0' && text[i] <= '9'; i++, digits++) {
        if (digits > 15)
            return false;   /* no interval or time needs more */
        whole = whole * 10.0 + (text[i] - '0');
    }
    if (i < length && text[i] == '.') {
        size_t fraction_digits = 0;
        for (i++; i < length && text[i] >= '0' && text[i] <= '9'; i++, fraction_digits++) {
            if (fraction_digits < 9) {
                scale /= 10.0;
                whole += (text[i] - '0') * scale;
            }
        }
        if (fraction_digits == 0)
            return false;
    }
    if (i != length || digits == 0)
        return false;
    *value = negative ? -whole : whole;
    return true;
}

static bool is_word(const char *text, size_t length)
{
    if (length == 0 || length > 32)
        return false;
    for (size_t i = 0; i < length; i++)
        if (!((text[i] >= 'a' && text[i] <= 'z') || text[i] == '-' || text[i] == '_'))
            return false;
    return true;
}

static int invalid(parser *p, int line, const char *message, const char *detail)
{
    report_error(p->sink, p->name, line, "%s%s", message, detail ? detail : "");
    return RESULT_INVALID;
}

static char *copy_text(const char *text, size_t length)
{
    char *copy = malloc(length + 1);
    if (copy) {
        memcpy(copy, text, length);
        copy[length] = '\0';
    }
    return copy;
}

/* "# key: value": keeps session, started and source; other keys are
 * allowed (a later writer may add some) and skipped. */
static int read_comment(parser *p, const text_line *line)
{
    static const char *const keys[] = {"session", "started", "source"};
    const char *text = line->start + 1;
    size_t length = line->length - 1;
    while (length > 0 && *text == ' ') {
        text++;
        length--;
    }
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        size_t key_length = strlen(keys[k]);
        if (length < key_length + 1 || memcmp(text, keys[k], key_length) != 0 ||
            text[key_length] != ':')
            continue;
        const char *value = text + key_length + 1;
        size_t value_length = length - key_length - 1;
        while (value_length > 0 && *value == ' ') {
            value++;
            value_length--;
        }
        char **field = k == 0 ? &p->out->session : k == 1 ? &p->out->started : &p->out->source;
        free(*field);
        *field = copy_text(value, value_length);
        if (!*field) {
            report_out_of_memory(p->sink);
            return RESULT_FAILED;
        }
    }
    return RESULT_OK;
}

static int read_interval(parser *p, int line, const char *text, size_t length, int column,
                         double *value)
{
    if (!parse_decimal(text, length, value))
        return invalid(p, line, column_names[column],
                       " is not a number (milliseconds, such as 912.5)");
    if (*value <= 0 || *value > RECORDING_MAX_RR_MS) {
        report_error(p->sink, p->name, line,
                     "%s %.1f ms is no heart beat interval (it must be above 0 and at most "
                     "%.0f ms, the longest a strap can send)",
                     column_names[column], *value, RECORDING_MAX_RR_MS);
        return RESULT_INVALID;
    }
    return RESULT_OK;
}

static int append_row(parser *p, const recording_row *row)
{
    if (p->out->count == p->capacity) {
        size_t capacity = p->capacity ? 2 * p->capacity : 256;
        recording_row *rows = realloc(p->out->rows, capacity * sizeof *rows);
        if (!rows) {
            report_out_of_memory(p->sink);
            return RESULT_FAILED;
        }
        p->out->rows = rows;
        p->capacity = capacity;
    }
    p->out->rows[p->out->count++] = *row;
    return RESULT_OK;
}

static int read_row(parser *p, const text_line *line)
{
    const char *field[COLUMNS];
    size_t length[COLUMNS];
    int columns = 0;
    const char *start = line->start, *end = line->start + line->length;
    for (;;) {
        const char *tab = memchr(start, '\t', (size_t)(end - start));
        if (columns < COLUMNS) {
            field[columns] = start;
            length[columns] = (size_t)((tab ? tab : end) - start);
        }
        columns++;
        if (!tab)
            break;
        start = tab + 1;
    }
    if (columns != COLUMNS) {
        report_error(p->sink, p->name, line->number,
                     "%d column%s where a row has 5 separated by tabs "
                     "(t, rr_raw_ms, rr_ms, bpm, artefact)", columns, columns == 1 ? "" : "s");
        return RESULT_INVALID;
    }
    recording_row row = {.line = line->number};
    if (!parse_decimal(field[0], length[0], &row.t) || row.t < 0)
        return invalid(p, line->number, "t is not a time (seconds since the start, such as 12.345)",
                       NULL);
    if (row.t > RECORDING_MAX_SECONDS)
        return invalid(p, line->number, "t is more than seven days from the start: "
                       "no session is that long", NULL);
    if (p->out->count > 0 && row.t < p->out->rows[p->out->count - 1].t) {
        report_error(p->sink, p->name, line->number,
                     "t %.3f s comes before the previous row's %.3f s: times only go forward",
                     row.t, p->out->rows[p->out->count - 1].t);
        return RESULT_INVALID;
    }
    bool gap = length[4] == 3 && memcmp(field[4], "gap", 3) == 0;
    if (length[4] > 0 && !is_word(field[4], length[4]))
        return invalid(p, line->number, "artefact is not a word (empty, \"gap\", \"threshold\"...)",
                       NULL);
    if (gap) {
        if (length[1] > 0 || length[2] > 0)
            return invalid(p, line->number,
                           "a gap row has empty rr_raw_ms and rr_ms (the source sent nothing)",
                           NULL);
    } else {
        if (length[1] == 0 || length[2] == 0)
            return invalid(p, line->number, "an interval is missing "
                           "(a dropout is a row with empty intervals and the artefact \"gap\")",
                           NULL);
        int result = read_interval(p, line->number, field[1], length[1], 1, &row.rr_raw_ms);
        if (result == RESULT_OK)
            result = read_interval(p, line->number, field[2], length[2], 2, &row.rr_ms);
        if (result != RESULT_OK)
            return result;
    }
    if (length[3] > 0 &&
        (!parse_decimal(field[3], length[3], &row.bpm) || row.bpm <= 0 ||
         row.bpm > RECORDING_MAX_BPM))
        return invalid(p, line->number, "bpm is not a breathing rate "
                       "(breaths a minute above 0 and up to 60, or empty)", NULL);
    row.gap = gap;
    row.flagged = length[4] > 0 && !gap;
    return append_row(p, &row);
}

static int read_line(parser *p, const text_line *line)
{
    if (memchr(line->start, '\0', line->length))
        return invalid(p, line->number, "a NUL byte: this is not a text file", NULL);
    if (line->number == 1) {
        if (line->length != strlen(RECORDING_FIRST_LINE) ||
            memcmp(line->start, RECORDING_FIRST_LINE, line->length) != 0)
            return invalid(p, 1, "not a breathe heart-rate recording "
                           "(its first line is \"" RECORDING_FIRST_LINE "\")", NULL);
        return RESULT_OK;
    }
    if (line->length == 0)
        return RESULT_OK;
    if (line->start[0] == '#')
        return read_comment(p, line);
    if (!p->header_seen) {
        if (line->length != strlen(RECORDING_HEADER) ||
            memcmp(line->start, RECORDING_HEADER, line->length) != 0)
            return invalid(p, line->number, "expected the header line "
                           "\"t<TAB>rr_raw_ms<TAB>rr_ms<TAB>bpm<TAB>artefact\"", NULL);
        p->header_seen = true;
        return RESULT_OK;
    }
    return read_row(p, line);
}

int recording_parse(const char *name, const char *text, size_t size, recording *out,
                    const report_sink *sink)
{
    *out = (recording){0};
    parser p = {.name = name, .sink = sink, .out = out};
    const char *end = text + size;
    int number = 0;
    int result = RESULT_OK;
    if (size == 0)
        result = invalid(&p, 1, "an empty file, not a breathe heart-rate recording", NULL);
    for (const char *start = text; result == RESULT_OK && start < end;) {
        const char *newline = memchr(start, '\n', (size_t)(end - start));
        const char *stop = newline ? newline : end;
        text_line line = {start, (size_t)(stop - start), ++number};
        if (line.length > 0 && start[line.length - 1] == '\r')
            line.length--;
        result = read_line(&p, &line);
        start = newline ? newline + 1 : end;
    }
    if (result == RESULT_OK && !p.header_seen)
        result = invalid(&p, number + 1, "no header line \"t<TAB>rr_raw_ms<TAB>rr_ms<TAB>bpm"
                         "<TAB>artefact\": the recording ends before its beats", NULL);
    if (result != RESULT_OK)
        recording_free(out);
    return result;
}

int recording_read(const char *path, recording *out, const report_sink *sink)
{
    *out = (recording){0};
    struct stat st;
    FILE *file = fopen(path, "rb");
    if (!file || fstat(fileno(file), &st) != 0 || !S_ISREG(st.st_mode)) {
        int error = file ? EISDIR : errno;
        if (file)
            fclose(file);
        report_error(sink, path, 0, "cannot read the recording: %s", strerror(error));
        return error == ENOENT || error == EISDIR ? RESULT_INVALID : RESULT_FAILED;
    }
    size_t size = (size_t)st.st_size;
    char *text = malloc(size ? size : 1);
    if (!text) {
        fclose(file);
        report_out_of_memory(sink);
        return RESULT_FAILED;
    }
    size_t got = fread(text, 1, size, file);
    bool failed = ferror(file);
    fclose(file);
    if (failed) {
        free(text);
        report_error(sink, path, 0, "cannot read the recording");
        return RESULT_FAILED;
    }
    int result = recording_parse(path, text, got, out, sink);
    free(text);
    return result;
}

void recording_free(recording *read)
{
    free(read->session);
    free(read->started);
    free(read->source);
    free(read->rows);
    *read = (recording){0};
}
