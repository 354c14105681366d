/* Hostile session files: things that are not files, text that is too long
 * or nests too deeply, @include loops and escapes, enormous numbers and
 * strings, text that is not UTF-8. Each is loaded in a child process, which
 * must finish (an alarm turns a hang into a failure) with the exact
 * "FILE:LINE: message" the format's limits promise, and with its memory
 * (how far its peak resident size rose above where it started) far below
 * the machine's. The malformed sessions that fit in a
 * small text file are in tests/bad/ instead. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "format/session.h"
#include "testaudio.h"
#include "render/timeline.h"
#include "testreport.h"

#define MEMORY_GROWTH_LIMIT_KB (128 * 1024)
#define HANG_SECONDS 60

typedef struct {
    int status;              /* session_load's, or 1 when the timeline refused it */
    char message[2048];      /* what it printed */
    long growth_kb;
} outcome;

/* Loads path (and builds its timeline) in a child process. */
static void load_in_child(const char *path, outcome *result)
{
    char message_path[512];
    snprintf(message_path, sizeof message_path, "%s/messages", testaudio_dir);
    int pipe_fds[2];
    assert_int_equal(pipe(pipe_fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        alarm(HANG_SECONDS);
        long start_kb = testaudio_status_kb("VmRSS");
        FILE *err = fopen(message_path, "w");
        if (!err)
            _exit(99);
        session *s = NULL;
        timeline *t = NULL;
        int status = session_load(path, &s, REPORT_TO(err));
        if (status == 0 && timeline_build(s, &t, REPORT_TO(err)) != 0)
            status = 1;
        timeline_free(t);
        session_free(s);
        fclose(err);
        long growth = testaudio_status_kb("VmHWM") - start_kb;
        ssize_t ignored = write(pipe_fds[1], &growth, sizeof growth);
        (void)ignored;
        _exit(status);
    }
    close(pipe_fds[1]);
    result->growth_kb = -1;
    ssize_t got = read(pipe_fds[0], &result->growth_kb, sizeof result->growth_kb);
    close(pipe_fds[0]);
    int wait_status;
    assert_int_equal(waitpid(pid, &wait_status, 0), pid);
    if (!WIFEXITED(wait_status))
        fail_msg("loading %s ended with signal %d", path, WTERMSIG(wait_status));
    assert_int_equal(got, (ssize_t)sizeof result->growth_kb);
    result->status = WEXITSTATUS(wait_status);
    assert_int_equal(
        testaudio_read_into(message_path, result->message, sizeof result->message), 0);
    print_message("%s: status %d, %ld MB: %.200s", strrchr(path, '/') + 1, result->status,
                  result->growth_kb / 1024, result->message[0] ? result->message : "(nothing)\n");
    assert_true(result->growth_kb >= 0 && result->growth_kb < MEMORY_GROWTH_LIMIT_KB);
}

static char *write_text(const char *name, const char *text, size_t length)
{
    char *path = testaudio_path(testaudio_dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, length, f), length);
    fclose(f);
    return path;
}

static char *write_string(const char *name, const char *text)
{
    return write_text(name, text, strlen(text));
}

/* Loads path and expects status 2 and exactly "SHOWN:LINE: message". */
static void expect_error(const char *path, const char *shown, int line, const char *message)
{
    outcome result;
    load_in_child(path, &result);
    char expected[1024];
    snprintf(expected, sizeof expected, "%s:%d: %s\n", shown, line, message);
    assert_int_equal(result.status, 2);
    assert_string_equal(result.message, expected);
}

static char *repeated(const char *head, const char *unit, size_t times, const char *tail)
{
    size_t a = strlen(head), u = strlen(unit), b = strlen(tail);
    char *text = malloc(a + u * times + b + 1);
    assert_non_null(text);
    memcpy(text, head, a);
    for (size_t i = 0; i < times; i++)
        memcpy(text + a + i * u, unit, u);
    memcpy(text + a + u * times, tail, b + 1);
    return text;
}

static const char bell_steps[] = "steps = ( { type = \"bell\"; } );\n";

/* ---- not files ---- */

static void test_fifo_and_device_sessions(void **state)
{
    char *fifo = testaudio_path(testaudio_dir, "fifo.cfg");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    expect_error(fifo, fifo, 1, "cannot read the session file: it is not a regular file");
    expect_error("/dev/zero", "/dev/zero", 1,
                 "cannot read the session file: it is not a regular file");

    /* The same FIFO named by an @include. */
    char *session_path = write_string("include-fifo.cfg",
                                      "title = \"t\";\n@include \"fifo.cfg\"\n");
    expect_error(session_path, session_path, 2, "'@include \"fifo.cfg\"' is not a regular file");
    unlink(fifo);
    unlink(session_path);
    free(session_path);
    free(fifo);
}

/* ---- @include ---- */

/* A link inside the folder to a file outside it is outside. */
static void test_include_through_a_link_outside(void **state)
{
    char *link = testaudio_path(testaudio_dir, "hosts.inc");
    assert_int_equal(symlink("/etc/hostname", link), 0);
    char *session_path = write_string("link.cfg", "title = \"t\";\n@include \"hosts.inc\"\n");
    expect_error(session_path, session_path, 2,
                 "'@include \"hosts.inc\"' is outside the session's folder; include only files "
                 "in that folder or below it");
    unlink(link);
    unlink(session_path);
    free(session_path);
    free(link);
}

/* A chain of includes: level i includes level i + 1. SESSION_MAX_INCLUDE_DEPTH
 * levels below the session load; one more is refused where it is named. */
static void test_include_depth(void **state)
{
    for (int extra = 0; extra <= 1; extra++) {
        int levels = SESSION_MAX_INCLUDE_DEPTH + extra;
        char name[64], text[256];
        for (int i = 1; i <= levels; i++) {
            snprintf(name, sizeof name, "level%d.inc", i);
            if (i < levels)
                snprintf(text, sizeof text, "x%d = 1;\n@include \"level%d.inc\"\n", i, i + 1);
            else
                snprintf(text, sizeof text, "x%d = 1;\n", i);
            free(write_string(name, text));
        }
        char *session_path = write_string("deep.cfg",
                                          "title = \"t\";\n@include \"level1.inc\"\n");
        outcome result;
        load_in_child(session_path, &result);
        if (extra == 0) {
            /* Everything was read: the error is the first unknown setting. */
            assert_int_equal(result.status, 2);
            assert_non_null(strstr(result.message, "unknown setting 'x1'"));
        } else {
            char shown[600], expected[800];
            snprintf(shown, sizeof shown, "%s/level%d.inc", testaudio_dir, levels - 1);
            snprintf(expected, sizeof expected,
                     "%s:2: @include files nest at most %d deep; 'level%d.inc' is %d deep\n",
                     shown, SESSION_MAX_INCLUDE_DEPTH, levels, levels);
            assert_string_equal(result.message, expected);
        }
        for (int i = 1; i <= levels; i++) {
            snprintf(name, sizeof name, "%s/level%d.inc", testaudio_dir, i);
            unlink(name);
        }
        unlink(session_path);
        free(session_path);
    }
}

/* The same small file included SESSION_MAX_INCLUDES times is fine; once
 * more is refused on the line that does it. */
static void test_include_count(void **state)
{
    free(write_string("empty.inc", "# nothing\n"));
    for (int extra = 0; extra <= 1; extra++) {
        char *text = repeated("title = \"t\";\n", "@include \"empty.inc\"\n",
                              SESSION_MAX_INCLUDES + (size_t)extra, bell_steps);
        char *session_path = write_string("many.cfg", text);
        outcome result;
        load_in_child(session_path, &result);
        if (extra == 0) {
            assert_int_equal(result.status, 0);
        } else {
            char expected[900];
            snprintf(expected, sizeof expected,
                     "%s:%d: a session may use at most %d @include lines in all\n",
                     session_path, SESSION_MAX_INCLUDES + 2, SESSION_MAX_INCLUDES);
            assert_string_equal(result.message, expected);
        }
        unlink(session_path);
        free(session_path);
        free(text);
    }
}

/* ---- size ---- */

/* A session padded with a comment to exactly SESSION_MAX_TEXT_BYTES loads;
 * one byte more is refused, and so is the same text split between the
 * session and an included file. */
static void test_text_size_limit(void **state)
{
    const char *head = "title = \"t\";\nsteps = ( { type = \"bell\"; } );\n#";
    size_t padding = SESSION_MAX_TEXT_BYTES - strlen(head) - 1;
    char *text = repeated(head, "x", padding, "\n");
    assert_int_equal(strlen(text), SESSION_MAX_TEXT_BYTES);
    char *session_path = write_string("full.cfg", text);
    outcome result;
    load_in_child(session_path, &result);
    assert_int_equal(result.status, 0);
    free(text);
    unlink(session_path);
    free(session_path);

    char message[200];
    snprintf(message, sizeof message,
             "the session and its @include files hold more than %d KB of text; a session is a "
             "short text file", SESSION_MAX_TEXT_BYTES / 1024);
    text = repeated(head, "x", padding + 1, "\n");
    session_path = write_string("over.cfg", text);
    expect_error(session_path, session_path, 1, message);
    free(text);
    unlink(session_path);
    free(session_path);

    text = repeated("#", "x", SESSION_MAX_TEXT_BYTES / 2, "\n");
    char *part = write_string("half.inc", text);
    char *whole = repeated("title = \"t\";\n#", "x", SESSION_MAX_TEXT_BYTES / 2,
                           "\n@include \"half.inc\"\n");
    session_path = write_string("split.cfg", whole);
    expect_error(session_path, part, 1, message);
    unlink(part);
    unlink(session_path);
    free(part);
    free(session_path);
    free(whole);
    free(text);
}

/* ---- nesting, numbers, strings ---- */

static void test_deep_nesting(void **state)
{
    static const struct { const char *head, *unit, *middle, *close; } shapes[] = {
        { "title = \"t\";\nsteps = ", "(", "", ")" },
        { "title = \"t\";\nx = ", "{ a = ", "1;", "};" },
        { "title = \"t\";\nx = ", "[", "1", "]" },
    };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        size_t depth = 100000;
        char *open = repeated(shapes[i].head, shapes[i].unit, depth, shapes[i].middle);
        char *text = repeated(open, shapes[i].close, depth, ";\n");
        char *session_path = write_string("nested.cfg", text);
        outcome result;
        load_in_child(session_path, &result);
        assert_int_equal(result.status, 2);
        char expected[700];
        snprintf(expected, sizeof expected, "%s:2: ", session_path);
        assert_memory_equal(result.message, expected, strlen(expected));
        unlink(session_path);
        free(session_path);
        free(text);
        free(open);
    }
    /* Repeats nested deeper than the format allows are refused by name. */
    char *open = repeated("title = \"t\";\nsteps = (", "{ type = \"repeat\"; count = 2; steps = (",
                          40, "{ type = \"bell\"; }");
    char *text = repeated(open, "); }", 40, ");\n");
    char *session_path = write_string("repeats.cfg", text);
    char message[100];
    snprintf(message, sizeof message, "repeats nest at most %d deep; this repeat is %d deep",
             SESSION_MAX_REPEAT_DEPTH, SESSION_MAX_REPEAT_DEPTH + 1);
    expect_error(session_path, session_path, 2, message);
    unlink(session_path);
    free(session_path);
    free(text);
    free(open);
}

/* The largest counts libconfig can hold, nested as deep as allowed: the
 * timeline measures the session without expanding it and refuses it as
 * longer than 7 days. */
static void test_enormous_counts(void **state)
{
    static const char *const counts[] = { "2147483647", "9223372036854775807L" };
    for (size_t i = 0; i < 2; i++) {
        char unit[128];
        snprintf(unit, sizeof unit, "{ type = \"repeat\"; count = %s; steps = (", counts[i]);
        char step[160];
        snprintf(step, sizeof step,
                 "{ type = \"breathe\"; pattern = \"1-1\"; cycles = %s; }", counts[i]);
        char *open = repeated("title = \"t\";\nsteps = (", unit, SESSION_MAX_REPEAT_DEPTH, step);
        char *text = repeated(open, "); }", SESSION_MAX_REPEAT_DEPTH, ");\n");
        char *session_path = write_string("counts.cfg", text);
        outcome result;
        load_in_child(session_path, &result);
        assert_int_equal(result.status, 1);   /* refused by the timeline */
        char prefix[600];
        snprintf(prefix, sizeof prefix, "%s:2: ", session_path);
        assert_memory_equal(result.message, prefix, strlen(prefix));
        assert_non_null(strstr(result.message, "7-day"));
        unlink(session_path);
        free(session_path);
        free(text);
        free(open);
    }
}

/* A title and a step label of most of the size limit load whole. */
static void test_gigantic_strings(void **state)
{
    size_t length = SESSION_MAX_TEXT_BYTES - 4096;
    char *text = repeated("title = \"", "a", length, "\";\nsteps = ( { type = \"bell\"; } );\n");
    char *session_path = write_string("title.cfg", text);
    outcome result;
    load_in_child(session_path, &result);
    assert_int_equal(result.status, 0);

    session *s = NULL;
    assert_int_equal(session_load(session_path, &s, REPORT_TO_STDERR), 0);
    assert_int_equal(strlen(s->title), length);
    session_free(s);
    unlink(session_path);
    free(session_path);
    free(text);
}

/* ---- encodings ---- */

static void test_text_that_is_not_utf8(void **state)
{
    static const char bom[] = "\xEF\xBB\xBFtitle = \"t\";\nsteps = ( { type = \"bell\"; } );\n";
    char *path = write_text("bom.cfg", bom, sizeof bom - 1);
    expect_error(path, path, 1,
                 "the file starts with a byte order mark; save it as UTF-8 without one");
    unlink(path);
    free(path);

    /* "title" in UTF-16, little-endian with its byte order mark. */
    static const char utf16[] = "\xFF\xFEt\0i\0t\0l\0e\0";
    path = write_text("utf16.cfg", utf16, sizeof utf16 - 1);
    expect_error(path, path, 1, "the file is UTF-16 text; save it as UTF-8");
    unlink(path);
    free(path);

    static const char latin1[] = "title = \"Caf\xE9\";\nsteps = ( { type = \"bell\"; } );\n";
    path = write_text("latin1.cfg", latin1, sizeof latin1 - 1);
    expect_error(path, path, 1, "'title' is not valid UTF-8 text; save the file as UTF-8");
    unlink(path);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fifo_and_device_sessions),
        cmocka_unit_test(test_include_through_a_link_outside),
        cmocka_unit_test(test_include_depth),
        cmocka_unit_test(test_include_count),
        cmocka_unit_test(test_text_size_limit),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_enormous_counts),
        cmocka_unit_test(test_gigantic_strings),
        cmocka_unit_test(test_text_that_is_not_utf8),
    };
    return cmocka_run_group_tests(tests, testaudio_dir_setup, testaudio_dir_teardown);
}
