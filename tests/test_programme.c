/* Programme files (format/programme.c): a good file read to the letter,
 * and the corpus of malformed ones in tests/bad-programmes/, each file's
 * first line "# expect: LINE: message", which loading it must print
 * exactly as "bad-programmes/NAME.cfg:LINE: message" with status 2. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "format/programme.h"
#include "testreport.h"

enum { MINIMUM_CORPUS = 25, MAX_FILES = 256 };

static char *write_temp(const char *text, size_t length)
{
    char *path = strdup("/tmp/breathe-programme-XXXXXX");
    assert_non_null(path);
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, length), (ssize_t)length);
    close(fd);
    return path;
}

static void a_programme_is_read_with_every_setting(void **state)
{
    (void)state;
    static const char text[] =
        "format = 1;\n"
        "title = \"Two weeks\";\n"
        "description = \"A test.\";\n"
        "author = \"someone\";\n"
        "move_on = 75;\n"
        "step_back_after = 3;\n"
        "weeks = (\n"
        "  { title = \"One\"; note = \"Start gently.\";\n"
        "    sessions = (\n"
        "      { session = \"neck-strength-1\"; days = [\"mon\", \"thu\"]; },\n"
        "      { session = \"movement-break\"; days_per_week = 5; times_per_day = 3; }\n"
        "    ); },\n"
        "  { sessions = ( { session = \"neck-stretch\"; days_per_week = 7; } ); }\n"
        ");\n";
    char *path = write_temp(text, sizeof text - 1);
    programme *p = NULL;
    assert_int_equal(programme_load(path, &p, REPORT_TO_STDERR), 0);
    assert_non_null(p);
    assert_string_equal(p->title, "Two weeks");
    assert_string_equal(p->description, "A test.");
    assert_string_equal(p->author, "someone");
    assert_int_equal(p->move_on, 75);
    assert_int_equal(p->step_back_after, 3);
    assert_int_equal(p->week_count, 2);
    const programme_week *one = &p->weeks[0];
    assert_string_equal(one->title, "One");
    assert_string_equal(one->note, "Start gently.");
    assert_int_equal(one->session_count, 2);
    assert_string_equal(one->sessions[0].session, "neck-strength-1");
    assert_true(one->sessions[0].fixed_days);
    assert_int_equal(one->sessions[0].days_per_week, 2);
    assert_true(one->sessions[0].on_day[WEEKDAY_MON]);
    assert_true(one->sessions[0].on_day[WEEKDAY_THU]);
    assert_false(one->sessions[0].on_day[WEEKDAY_TUE]);
    assert_int_equal(one->sessions[0].times_per_day, 1);
    assert_int_equal(programme_dose_per_week(&one->sessions[0]), 2);
    assert_false(one->sessions[1].fixed_days);
    assert_int_equal(programme_dose_per_week(&one->sessions[1]), 15);
    const programme_week *two = &p->weeks[1];
    assert_string_equal(two->title, "");
    assert_string_equal(two->note, "");
    assert_int_equal(two->sessions[0].days_per_week, 7);
    programme_free(p);
    unlink(path);
    free(path);
}

static void defaults_are_all_of_a_week_and_never_step_back(void **state)
{
    (void)state;
    static const char text[] =
        "title = \"t\";\nweeks = ( { sessions = ( { session = \"a\"; days_per_week = 1; } ); } );\n";
    char *path = write_temp(text, sizeof text - 1);
    programme *p = NULL;
    assert_int_equal(programme_load(path, &p, REPORT_TO_STDERR), 0);
    assert_int_equal(p->move_on, 100);
    assert_int_equal(p->step_back_after, 0);
    assert_string_equal(p->description, "");
    programme_free(p);
    unlink(path);
    free(path);
}

static void the_bundled_programme_loads(void **state)
{
    (void)state;
    programme *p = NULL;
    assert_int_equal(programme_load("../programmes/neck-and-upper-back.cfg", &p,
                                     REPORT_TO_STDERR), 0);
    assert_int_equal(p->week_count, 6);
    programme_free(p);
}

/* The format guide's example (the code block that starts "# A programme")
 * loads as it is written. */
static void the_guide_example_loads(void **state)
{
    (void)state;
    FILE *guide = fopen("../docs/session-format.md", "r");
    assert_non_null(guide);
    char line[1024], block[8192] = "";
    size_t used = 0;
    bool inside = false, found = false;
    while (!found && fgets(line, sizeof line, guide)) {
        if (strncmp(line, "```", 3) == 0) {
            found = inside && strncmp(block, "# A programme", 13) == 0;
            inside = !inside;
            if (!found) {
                used = 0;
                block[0] = '\0';
            }
            continue;
        }
        if (inside && used + strlen(line) < sizeof block)
            used += (size_t)snprintf(block + used, sizeof block - used, "%s", line);
    }
    fclose(guide);
    assert_true(found);
    char *path = write_temp(block, strlen(block));
    programme *p = NULL;
    assert_int_equal(programme_load(path, &p, REPORT_TO_STDERR), 0);
    assert_int_equal(p->move_on, 80);
    assert_int_equal(p->step_back_after, 4);
    assert_int_equal(p->weeks[0].sessions[1].times_per_day, 2);
    programme_free(p);
    unlink(path);
    free(path);
}

static void check_error(const char *path, int status_expected, const char *expected)
{
    report_buffer messages = { 0 };
    programme *p = (programme *)0x1;
    assert_int_equal(programme_load(path, &p, REPORT_TO_BUFFER(&messages)), status_expected);
    assert_null(p);
    assert_int_equal(messages.errors, 1);
    assert_string_equal(messages.text, expected);
    report_buffer_free(&messages);
}

static void text_that_is_not_a_programme_is_refused_before_parsing(void **state)
{
    (void)state;
    char expected[512];
    char *path = write_temp("\xEF\xBB\xBFtitle = \"t\";\n", 16);
    snprintf(expected, sizeof expected,
             "%s:1: the file starts with a byte order mark; save it as UTF-8 without one\n", path);
    check_error(path, 2, expected);
    unlink(path);
    free(path);

    path = write_temp("title = \"t\0\";\n", 14);
    snprintf(expected, sizeof expected, "%s:1: cannot read the programme file: it holds a zero "
             "byte; a programme is a text file\n", path);
    check_error(path, 2, expected);
    unlink(path);
    free(path);

    size_t size = PROGRAMME_MAX_TEXT_BYTES + 10;
    char *long_text = malloc(size);
    assert_non_null(long_text);
    memset(long_text, '#', size);
    path = write_temp(long_text, size);
    free(long_text);
    snprintf(expected, sizeof expected, "%s:1: the programme holds more than 64 KB of text; a "
             "programme is a short text file\n", path);
    check_error(path, 2, expected);
    unlink(path);
    free(path);

    check_error("bad-programmes/no-such.cfg", 2, "bad-programmes/no-such.cfg:1: cannot read the "
                "programme file: No such file or directory\n");
    check_error("bad-programmes", 2, "bad-programmes:1: cannot read the programme file: it is a "
                "folder\n");
    check_error("/dev/null", 2, "/dev/null:1: cannot read the programme file: it is not a "
                "regular file\n");
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool check_one(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "bad-programmes/%s", name);
    FILE *file = fopen(path, "rb");
    assert_non_null(file);
    char first[1024];
    assert_non_null(fgets(first, sizeof first, file));
    fclose(file);
    static const char prefix[] = "# expect: ";
    if (strncmp(first, prefix, strlen(prefix)) != 0) {
        print_error("%s: the first line must be '# expect: LINE: message'\n", path);
        return false;
    }
    first[strcspn(first, "\n")] = '\0';
    char expected[2048];
    snprintf(expected, sizeof expected, "%s:%s\n", path, first + strlen(prefix));

    report_buffer messages = { 0 };
    programme *p = (programme *)0x1;
    int status = programme_load(path, &p, REPORT_TO_BUFFER(&messages));
    bool ok = status == 2 && p == NULL && messages.errors == 1 && messages.text
              && strcmp(messages.text, expected) == 0;
    if (!ok)
        print_error("%s: status %d (expected 2)\n  expected: %s  actual:   %s", path, status,
                    expected, messages.text ? messages.text : "(nothing)\n");
    if (p != NULL && p != (programme *)0x1)
        programme_free(p);
    report_buffer_free(&messages);
    return ok;
}

static void every_bad_programme_is_rejected_with_its_message(void **state)
{
    (void)state;
    DIR *dir = opendir("bad-programmes");
    assert_non_null(dir);
    char *names[MAX_FILES];
    size_t count = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        size_t length = strlen(entry->d_name);
        if (length > 4 && strcmp(entry->d_name + length - 4, ".cfg") == 0) {
            assert_true(count < MAX_FILES);
            names[count] = strdup(entry->d_name);
            assert_non_null(names[count++]);
        }
    }
    closedir(dir);
    qsort(names, count, sizeof *names, compare_names);
    size_t failures = 0;
    for (size_t i = 0; i < count; i++) {
        failures += !check_one(names[i]);
        free(names[i]);
    }
    if (count < MINIMUM_CORPUS)
        fail_msg("only %zu files in tests/bad-programmes; the corpus needs %d", count,
                 MINIMUM_CORPUS);
    if (failures)
        fail_msg("%zu of %zu bad programmes gave the wrong result", failures, count);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_programme_is_read_with_every_setting),
        cmocka_unit_test(defaults_are_all_of_a_week_and_never_step_back),
        cmocka_unit_test(the_bundled_programme_loads),
        cmocka_unit_test(the_guide_example_loads),
        cmocka_unit_test(text_that_is_not_a_programme_is_refused_before_parsing),
        cmocka_unit_test(every_bad_programme_is_rejected_with_its_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
