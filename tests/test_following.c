/* The programme followed (user/following.c): dates, the file written whole
 * and read back, a missing file, and a damaged one reported at its line. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testaudio.h"
#include "testreport.h"
#include "user/following.h"
#include "user/history.h"

static void dates_are_real_calendar_days(void **state)
{
    (void)state;
    int64_t day = -1;
    assert_int_equal(following_parse_date("1970-01-01", &day), 0);
    assert_int_equal(day, 0);
    assert_int_equal(following_parse_date("2026-12-05", &day), 0);
    assert_int_equal(day, history_day_number(2026, 12, 5));
    assert_int_equal(following_parse_date("2028-02-29", &day), 0);
    static const char *const wrong[] = {
        "2026-02-29", "2026-02-30", "2026-13-01", "2026-00-10", "2026-12-32", "1969-12-31",
        "2026-1-05", "2026-12-5", "26-12-05", "2026/12/05", "2026-12-05x", "", "+026-12-05",
        " 026-12-05", "2026-12- 5",
    };
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
        day = 42;
        if (following_parse_date(wrong[i], &day) != -1 || day != 42)
            fail_msg("'%s' was taken as a date", wrong[i]);
    }
    char text[16];
    following_format_date(history_day_number(2027, 1, 9), text, sizeof text);
    assert_string_equal(text, "2027-01-09");
}

static void written_whole_and_read_back(void **state)
{
    (void)state;
    char *path = testaudio_path(testaudio_dir, "state/breathe/programme");
    bool found = true;
    following f;
    assert_int_equal(following_read(path, &f, &found, REPORT_TO_STDERR), 0);
    assert_false(found);   /* none yet: nothing followed */
    following chosen = { .since = history_day_number(2026, 12, 5) };
    snprintf(chosen.programme, sizeof chosen.programme, "/home/a \"b\"\\c/plan.cfg");
    assert_int_equal(following_write(path, &chosen, REPORT_TO_STDERR), 0);
    assert_int_equal(following_read(path, &f, &found, REPORT_TO_STDERR), 0);
    assert_true(found);
    assert_string_equal(f.programme, chosen.programme);
    assert_int_equal(f.since, chosen.since);
    /* Replaced whole, with nothing left beside it. */
    snprintf(chosen.programme, sizeof chosen.programme, "neck-and-upper-back");
    assert_int_equal(following_write(path, &chosen, REPORT_TO_STDERR), 0);
    char *folder = testaudio_path(testaudio_dir, "state/breathe");
    assert_int_equal(testaudio_count_entries(folder), 1);
    assert_int_equal(following_read(path, &f, &found, REPORT_TO_STDERR), 0);
    assert_string_equal(f.programme, "neck-and-upper-back");
    free(folder);
    free(path);
}

static void a_damaged_file_is_an_error_at_its_line(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *message;
    } cases[] = {
        { "programme = \"a\";\nsince = 2026;\n",
          ":2: 'since' must be a date like \"2026-12-05\"\n" },
        { "programme = \"a\";\n\nsince = \"2026-02-30\";\n",
          ":3: 'since' must be a date like \"2026-12-05\"\n" },
        { "programme = 3;\nsince = \"2026-12-05\";\n",
          ":1: 'programme' must be the name or path of a programme\n" },
        { "programme = \"a\";\n", ":1: needs 'programme' and 'since'; follow a programme "
                                  "again with --follow\n" },
        { "programme = \"a\";\nsince = \"2026-12-05\";\nweek = 3;\n",
          ":3: unknown setting; this file holds only 'programme' and 'since'\n" },
        { "programme = \"a\"\nsince = ;\n", ":2: syntax error\n" },
    };
    char *path = testaudio_path(testaudio_dir, "programme");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        free(testaudio_write_text(testaudio_dir, "programme", cases[i].text));
        report_buffer messages = { 0 };
        following f;
        bool found = true;
        assert_int_equal(following_read(path, &f, &found, REPORT_TO_BUFFER(&messages)), 2);
        assert_false(found);
        char expected[1024];
        snprintf(expected, sizeof expected, "%s%s", path, cases[i].message);
        assert_string_equal(messages.text, expected);
        report_buffer_free(&messages);
    }
    /* A folder where the file should be is not followed silently either. */
    unlink(path);
    assert_int_equal(mkdir(path, 0700), 0);
    report_buffer messages = { 0 };
    following f;
    bool found;
    assert_int_equal(following_read(path, &f, &found, REPORT_TO_BUFFER(&messages)), 2);
    report_buffer_free(&messages);
    rmdir(path);
    free(path);
}

static void an_unwritable_folder_is_reported(void **state)
{
    (void)state;
    char *blocker = testaudio_write_text(testaudio_dir, "file", "x");
    char *path = testaudio_path(testaudio_dir, "file/breathe/programme");
    following chosen = { .since = 0 };
    snprintf(chosen.programme, sizeof chosen.programme, "x");
    report_buffer messages = { 0 };
    assert_int_equal(following_write(path, &chosen, REPORT_TO_BUFFER(&messages)), 1);
    assert_int_equal(messages.errors, 1);
    char expected[1024];
    snprintf(expected, sizeof expected, "%s: cannot write it: Not a directory\n", path);
    assert_string_equal(messages.text, expected);
    report_buffer_free(&messages);
    free(path);
    free(blocker);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dates_are_real_calendar_days),
        TESTAUDIO_TEST_IN_DIR(written_whole_and_read_back),
        TESTAUDIO_TEST_IN_DIR(a_damaged_file_is_an_error_at_its_line),
        TESTAUDIO_TEST_IN_DIR(an_unwritable_folder_is_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
