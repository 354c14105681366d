/* The report sink (base/report.h): how an entry reads with and without its
 * file and line, as an error and as a warning; a NULL sink drops entries;
 * a report_buffer collects and counts them. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/report.h"

/* What a report_stream with `program` printed for the entries made by `fill`. */
typedef void (*filler)(const report_sink *sink);

static char *printed(const char *program, filler fill)
{
    char *text = NULL;
    size_t size = 0;
    FILE *stream = open_memstream(&text, &size);
    assert_non_null(stream);
    fill(REPORT_TO_STREAM(&(report_stream){ stream, program }));
    assert_int_equal(fclose(stream), 0);
    return text;
}

static void assert_printed(const char *program, filler fill, const char *expected)
{
    char *text = printed(program, fill);
    assert_string_equal(text, expected);
    free(text);
}

static void error_at_line(const report_sink *sink)
{
    report_error(sink, "calm.cfg", 12, "'%s' must be %s, not %d", "cycles", "1 or more", 0);
}

static void warning_at_line(const report_sink *sink)
{
    report_warning(sink, "calm.cfg", 7, "a hold of %g s with no caution", 25.0);
}

static void error_in_file(const report_sink *sink)
{
    report_error(sink, "config", 0, "cannot read the settings file: %s", "Permission denied");
}

static void warning_in_file(const report_sink *sink)
{
    report_warning(sink, "history", 0, "%zu more lines skipped", (size_t)15);
}

static void error_without_file(const report_sink *sink)
{
    report_error(sink, NULL, 0, "no output device matches '%s'", "usb");
}

static void warning_without_file(const report_sink *sink)
{
    report_warning(sink, NULL, 0, "the session was not recorded in %s: %s", "/h", "No space");
}

static void out_of_memory(const report_sink *sink)
{
    report_out_of_memory(sink);
}

static void two_entries(const report_sink *sink)
{
    error_at_line(sink);
    warning_at_line(sink);
}

static void errors_read_file_line_message(void **state)
{
    (void)state;
    assert_printed("breathe", error_at_line,
                   "calm.cfg:12: 'cycles' must be 1 or more, not 0\n");
    assert_printed("breathe", error_in_file,
                   "config: cannot read the settings file: Permission denied\n");
    assert_printed("breathe", error_without_file, "breathe: no output device matches 'usb'\n");
}

static void warnings_say_so_after_the_place(void **state)
{
    (void)state;
    assert_printed("breathe", warning_at_line,
                   "calm.cfg:7: warning: a hold of 25 s with no caution\n");
    assert_printed("breathe", warning_in_file, "history: warning: 15 more lines skipped\n");
    assert_printed("breathe", warning_without_file,
                   "breathe: warning: the session was not recorded in /h: No space\n");
}

static void without_a_program_the_message_stands_alone(void **state)
{
    (void)state;
    assert_printed(NULL, error_without_file, "no output device matches 'usb'\n");
    assert_printed(NULL, warning_without_file,
                   "warning: the session was not recorded in /h: No space\n");
    /* A file still leads. */
    assert_printed(NULL, error_at_line, "calm.cfg:12: 'cycles' must be 1 or more, not 0\n");
}

static void out_of_memory_has_its_words(void **state)
{
    (void)state;
    assert_printed("breathe", out_of_memory, "breathe: out of memory\n");
}

static void entries_follow_one_another(void **state)
{
    (void)state;
    assert_printed("breathe", two_entries,
                   "calm.cfg:12: 'cycles' must be 1 or more, not 0\n"
                   "calm.cfg:7: warning: a hold of 25 s with no caution\n");
}

static void a_null_sink_drops_everything(void **state)
{
    (void)state;
    /* Nothing to crash on: no sink, a sink with no function, a stream sink
     * with no stream. */
    two_entries(NULL);
    out_of_memory(NULL);
    two_entries(&(report_sink){ NULL, NULL });
    two_entries(REPORT_TO_STREAM(&(report_stream){ NULL, "breathe" }));
}

/* A sink that keeps the entries as given. */
typedef struct {
    int count;
    report_severity severity[4];
    char file[4][32];
    int line[4];
    char message[4][64];
} kept;

static void keep(void *context, const report_entry *entry)
{
    kept *k = context;
    if (k->count >= 4)
        return;
    k->severity[k->count] = entry->severity;
    snprintf(k->file[k->count], sizeof k->file[0], "%s", entry->file ? entry->file : "(none)");
    k->line[k->count] = entry->line;
    snprintf(k->message[k->count], sizeof k->message[0], "%s", entry->message);
    k->count++;
}

static void a_sink_gets_severity_file_line_and_message(void **state)
{
    (void)state;
    kept k = { 0 };
    const report_sink sink = { keep, &k };
    two_entries(&sink);
    error_without_file(&sink);
    assert_int_equal(k.count, 3);
    assert_int_equal(k.severity[0], REPORT_ERROR);
    assert_string_equal(k.file[0], "calm.cfg");
    assert_int_equal(k.line[0], 12);
    assert_string_equal(k.message[0], "'cycles' must be 1 or more, not 0");
    assert_int_equal(k.severity[1], REPORT_WARNING);
    assert_int_equal(k.line[1], 7);
    assert_string_equal(k.message[1], "a hold of 25 s with no caution");
    assert_string_equal(k.file[2], "(none)");
    assert_int_equal(k.line[2], 0);
}

static void a_buffer_collects_and_counts(void **state)
{
    (void)state;
    report_buffer buffer = { 0 };
    const report_sink *sink = &(report_sink){ report_buffer_emit, &buffer };
    assert_null(buffer.text);
    two_entries(sink);
    error_without_file(sink);
    out_of_memory(sink);
    assert_int_equal(buffer.errors, 3);
    assert_int_equal(buffer.warnings, 1);
    /* As a stream with no program prints them. */
    assert_string_equal(buffer.text, "calm.cfg:12: 'cycles' must be 1 or more, not 0\n"
                                     "calm.cfg:7: warning: a hold of 25 s with no caution\n"
                                     "no output device matches 'usb'\n"
                                     "out of memory\n");
    assert_int_equal(buffer.size, strlen(buffer.text));
    report_buffer_free(&buffer);
    assert_null(buffer.text);
    assert_int_equal(buffer.size, 0);
    assert_int_equal(buffer.errors, 0);
    assert_int_equal(buffer.warnings, 0);
}

static void a_buffer_with_a_program_names_it(void **state)
{
    (void)state;
    report_buffer buffer = { .program = "breathe" };
    const report_sink *sink = &(report_sink){ report_buffer_emit, &buffer };
    two_entries(sink);
    error_without_file(sink);
    /* As report_stream_emit prints them with that program. */
    assert_string_equal(buffer.text, "calm.cfg:12: 'cycles' must be 1 or more, not 0\n"
                                     "calm.cfg:7: warning: a hold of 25 s with no caution\n"
                                     "breathe: no output device matches 'usb'\n");
    report_buffer_free(&buffer);
    assert_null(buffer.text);
    assert_string_equal(buffer.program, "breathe");
}

static void long_messages_are_kept_whole(void **state)
{
    (void)state;
    enum { LENGTH = 3 * REPORT_MESSAGE_MAX };
    char *folder = malloc(LENGTH + 1);
    assert_non_null(folder);
    memset(folder, 'a', LENGTH);
    folder[LENGTH] = '\0';
    report_buffer buffer = { 0 };
    report_error(&(report_sink){ report_buffer_emit, &buffer }, NULL, 0, "looked in %s.", folder);
    assert_int_equal(buffer.size, strlen("looked in ") + LENGTH + strlen(".\n"));
    assert_memory_equal(buffer.text + strlen("looked in ") + LENGTH, ".\n", 2);
    report_buffer_free(&buffer);
    free(folder);
}

static void a_list_may_follow_the_message(void **state)
{
    (void)state;
    char *text = NULL;
    size_t size = 0;
    FILE *stream = open_memstream(&text, &size);
    assert_non_null(stream);
    report_error(REPORT_TO_STREAM(&(report_stream){ stream, "breathe" }), NULL, 0,
                 "no output device has index %d; devices:\n%s", 9, "*  0  default\n   1  usb");
    fclose(stream);
    assert_string_equal(text, "breathe: no output device has index 9; devices:\n"
                              "*  0  default\n   1  usb\n");
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(errors_read_file_line_message),
        cmocka_unit_test(warnings_say_so_after_the_place),
        cmocka_unit_test(without_a_program_the_message_stands_alone),
        cmocka_unit_test(out_of_memory_has_its_words),
        cmocka_unit_test(entries_follow_one_another),
        cmocka_unit_test(a_null_sink_drops_everything),
        cmocka_unit_test(a_sink_gets_severity_file_line_and_message),
        cmocka_unit_test(a_buffer_collects_and_counts),
        cmocka_unit_test(a_buffer_with_a_program_names_it),
        cmocka_unit_test(long_messages_are_kept_whole),
        cmocka_unit_test(a_list_may_follow_the_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
