/* `breathe --safety`: the real binary prints docs/safety.md (headings
 * underlined instead of marked), exits 0, and needs no installed files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "testaudio.h"

/* The expected terminal text, built from the Markdown independently of the
 * program: "## Heading" becomes "Heading" over a line of "-" ("=" for "#"). */
static char *expected_from_markdown(const char *markdown)
{
    size_t capacity = 2 * strlen(markdown) + 1;
    char *out = malloc(capacity);
    assert_non_null(out);
    size_t used = 0;
    const char *line = markdown;
    while (*line) {
        const char *end = strchr(line, '\n');
        size_t length = end ? (size_t)(end - line) : strlen(line);
        if (strncmp(line, "# ", 2) == 0 || strncmp(line, "## ", 3) == 0) {
            size_t skip = line[1] == ' ' ? 2 : 3;
            size_t text = length - skip;
            memcpy(out + used, line + skip, text);
            used += text;
            out[used++] = '\n';
            memset(out + used, skip == 2 ? '=' : '-', text);
            used += text;
        } else {
            memcpy(out + used, line, length);
            used += length;
        }
        out[used++] = '\n';
        line += length + (end ? 1 : 0);
    }
    out[used] = '\0';
    return out;
}

/* Copies the binary to a folder of its own, so that it cannot find the
 * source tree, and runs it with data folders that do not exist. */
static char *run_isolated(const char *binary, const char *option, int *status)
{
    char *dir = testaudio_temp_dir();
    assert_non_null(dir);
    char *copy = testaudio_path(dir, "breathe");
    FILE *in = fopen(binary, "rb"), *out = fopen(copy, "wb");
    assert_non_null(in);
    assert_non_null(out);
    char buffer[65536];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, in)) > 0)
        assert_int_equal(fwrite(buffer, 1, n, out), n);
    fclose(in);
    fclose(out);
    assert_int_equal(chmod(copy, 0755), 0);

    /* In a cross build the binary runs through qemu (BREATHE_EXE_WRAPPER). */
    const char *wrapper = getenv("BREATHE_EXE_WRAPPER");
    bool wrapped = wrapper && *wrapper;
    char command[2048];
    snprintf(command, sizeof command,
             "HOME='%s' XDG_DATA_HOME='%s/none' XDG_DATA_DIRS='%s/none' %s%s%s'%s' %s", dir, dir,
             dir, wrapped ? "'" : "", wrapped ? wrapper : "", wrapped ? "' " : "", copy, option);
    FILE *pipe = popen(command, "r");
    assert_non_null(pipe);
    char *text = testaudio_read_stream(pipe, NULL);
    assert_non_null(text);
    int raw = pclose(pipe);
    *status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    assert_int_equal(testaudio_remove_dir(dir), 1);
    free(copy);
    free(dir);
    return text;
}

static void test_safety_prints_the_document(void **state)
{
    (void)state;
    const char *binary = getenv("BREATHE_BINARY");
    const char *source = getenv("BREATHE_SOURCE_DIR");
    assert_non_null(binary);
    assert_non_null(source);
    char path[4096];
    snprintf(path, sizeof path, "%s/docs/safety.md", source);
    char *markdown = testaudio_read_text(path, NULL);
    assert_non_null(markdown);
    char *expected = expected_from_markdown(markdown);

    int status;
    char *printed = run_isolated(binary, "--safety", &status);
    assert_int_equal(status, 0);
    assert_string_equal(printed, expected);
    /* The red flags every caution sends people to. */
    assert_non_null(strstr(printed, "Get medical help straight away"));
    assert_non_null(strstr(printed, "fever"));
    assert_non_null(strstr(printed, "trouble\n  walking"));
    assert_non_null(strstr(printed, "NICE"));
    free(printed);
    free(expected);
    free(markdown);
}

static void test_help_mentions_safety(void **state)
{
    (void)state;
    int status;
    char *help = run_isolated(getenv("BREATHE_BINARY"), "--help", &status);
    assert_int_equal(status, 0);
    assert_non_null(strstr(help, "--safety"));
    free(help);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_safety_prints_the_document),
        cmocka_unit_test(test_help_mentions_safety),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
