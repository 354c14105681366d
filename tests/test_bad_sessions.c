/* The corpus of malformed sessions in tests/bad/: each file's first line is
 *     # expect: LINE: message
 * and loading it as "bad/NAME.cfg" must fail with status 2 and print exactly
 * "bad/NAME.cfg:LINE: message\n". A message ending in "..." is matched as a
 * prefix (used where the rest comes from the audio decoder). New files are
 * picked up automatically. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/session.h"
#include "testreport.h"

enum { MINIMUM_CORPUS = 35, MAX_FILES = 512 };

static const char expect_prefix[] = "# expect: ";

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static size_t list_corpus(char **names)
{
    DIR *dir = opendir("bad");
    assert_non_null(dir);
    size_t count = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        size_t length = strlen(entry->d_name);
        if (length > 4 && strcmp(entry->d_name + length - 4, ".cfg") == 0) {
            assert_true(count < MAX_FILES);
            names[count] = strdup(entry->d_name);
            assert_non_null(names[count]);
            count++;
        }
    }
    closedir(dir);
    qsort(names, count, sizeof *names, compare_names);
    return count;
}

/* The expected output line for bad/NAME.cfg, without the newline. */
static char *expected_line(const char *path)
{
    FILE *file = fopen(path, "rb");
    assert_non_null(file);
    char first[1024];
    char *got = fgets(first, sizeof first, file);
    fclose(file);
    assert_non_null(got);
    if (strncmp(first, expect_prefix, strlen(expect_prefix)) != 0)
        fail_msg("%s: the first line must be '# expect: LINE: message'", path);
    first[strcspn(first, "\n")] = '\0';
    size_t size = strlen(path) + strlen(first) + 2;
    char *line = malloc(size);
    assert_non_null(line);
    snprintf(line, size, "%s:%s", path, first + strlen(expect_prefix));
    return line;
}

static bool matches(const char *expected, const char *actual)
{
    size_t length = strlen(expected);
    if (length >= 3 && strcmp(expected + length - 3, "...") == 0)
        return strncmp(expected, actual, length - 3) == 0 && strchr(actual, '\n') == NULL
               && strlen(actual) > length - 3;
    return strcmp(expected, actual) == 0;
}

static bool check_one(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "bad/%s", name);
    char *expected = expected_line(path);

    report_buffer messages = { 0 };
    session *s = (session *)0x1;
    int status = session_load(path, &s, REPORT_TO_BUFFER(&messages));
    char *output = messages.text ? messages.text : strdup("");
    assert_non_null(output);

    bool ok = true;
    if (status != 2 || s != NULL) {
        print_error("%s: session_load returned %d (expected 2) and %s session\n", path, status,
                    s ? "a" : "no");
        session_free(s);
        ok = false;
    }
    if (messages.errors != 1 || messages.warnings != 0) {
        print_error("%s: %d errors and %d warnings reported (expected one error)\n", path,
                    messages.errors, messages.warnings);
        ok = false;
    }
    size_t length = strlen(output);
    if (length == 0 || output[length - 1] != '\n') {
        print_error("%s: the message must be one line ending in a newline: \"%s\"\n", path,
                    output);
        ok = false;
    } else {
        output[length - 1] = '\0';
        if (!matches(expected, output)) {
            print_error("%s:\n  expected: %s\n  actual:   %s\n", path, expected, output);
            ok = false;
        }
    }
    free(output);
    free(expected);
    return ok;
}

static void every_bad_session_is_rejected_with_its_message(void **state)
{
    (void)state;
    char *names[MAX_FILES];
    size_t count = list_corpus(names);
    size_t failures = 0;
    for (size_t i = 0; i < count; i++) {
        if (!check_one(names[i]))
            failures++;
        free(names[i]);
    }
    if (count < MINIMUM_CORPUS)
        fail_msg("only %zu files in tests/bad; the corpus needs at least %d", count,
                 MINIMUM_CORPUS);
    if (failures)
        fail_msg("%zu of %zu bad sessions gave the wrong result", failures, count);
}

static void missing_file_is_a_session_error(void **state)
{
    (void)state;
    report_buffer messages = { 0 };
    session *s = NULL;
    assert_int_equal(session_load("bad/no-such-session.cfg", &s, REPORT_TO_BUFFER(&messages)), 2);
    assert_null(s);
    assert_int_equal(messages.errors, 1);
    assert_string_equal(messages.text, "bad/no-such-session.cfg:1: cannot read the session file: "
                                       "No such file or directory\n");
    report_buffer_free(&messages);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_bad_session_is_rejected_with_its_message),
        cmocka_unit_test(missing_file_is_a_session_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
