/* report.c: the report sink (see report.h). */
#include "base/report.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static void report_with(const report_sink *sink, report_severity severity, const char *file,
                        int line, const char *format, va_list args)
{
    if (!sink || !sink->emit)
        return;
    char shortened[REPORT_MESSAGE_MAX];
    va_list again;
    va_copy(again, args);
    int length = vsnprintf(shortened, sizeof shortened, format, args);
    char *message = shortened, *whole = NULL;
    /* A longer message (a list of folders or devices) is kept whole when
     * there is memory for it, and cut otherwise. */
    if (length >= (int)sizeof shortened && (whole = malloc((size_t)length + 1)) != NULL) {
        vsnprintf(whole, (size_t)length + 1, format, again);
        message = whole;
    }
    va_end(again);
    if (length < 0)
        shortened[0] = '\0';
    report_entry entry = { severity, file, line, message };
    sink->emit(sink->context, &entry);
    free(whole);
}

void report_error(const report_sink *sink, const char *file, int line, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    report_with(sink, REPORT_ERROR, file, line, format, args);
    va_end(args);
}

void report_warning(const report_sink *sink, const char *file, int line, const char *format,
                    ...)
{
    va_list args;
    va_start(args, format);
    report_with(sink, REPORT_WARNING, file, line, format, args);
    va_end(args);
}

void report_out_of_memory(const report_sink *sink)
{
    report_error(sink, NULL, 0, "out of memory");
}

/* The entry as one line, without the newline. */
static void format_entry(FILE *to, const char *program, const report_entry *entry)
{
    const char *kind = entry->severity == REPORT_WARNING ? "warning: " : "";
    if (entry->file && entry->line > 0)
        fprintf(to, "%s:%d: %s%s", entry->file, entry->line, kind, entry->message);
    else if (entry->file)
        fprintf(to, "%s: %s%s", entry->file, kind, entry->message);
    else if (program)
        fprintf(to, "%s: %s%s", program, kind, entry->message);
    else
        fprintf(to, "%s%s", kind, entry->message);
}

void report_stream_emit(void *context, const report_entry *entry)
{
    const report_stream *rs = context;
    if (!rs || !rs->stream)
        return;
    format_entry(rs->stream, rs->program, entry);
    fputc('\n', rs->stream);
    fflush(rs->stream);
}

void report_buffer_emit(void *context, const report_entry *entry)
{
    report_buffer *buffer = context;
    char *line = NULL;
    size_t size = 0;
    FILE *text = open_memstream(&line, &size);
    if (!text)
        return;
    format_entry(text, buffer->program, entry);
    fclose(text);
    char *grown = realloc(buffer->text, buffer->size + size + 2);
    if (grown) {
        memcpy(grown + buffer->size, line, size);
        buffer->size += size;
        grown[buffer->size++] = '\n';
        grown[buffer->size] = '\0';
        buffer->text = grown;
    }
    free(line);
    if (entry->severity == REPORT_ERROR)
        buffer->errors++;
    else
        buffer->warnings++;
}

void report_buffer_free(report_buffer *buffer)
{
    free(buffer->text);
    *buffer = (report_buffer){ .program = buffer->program };
}
