/* Out of memory while a session loads is the system's failure, not the
 * session's. Each allocation the loader makes (malloc, calloc and realloc,
 * wrapped at link time) is made to fail in turn, one per load: session_load,
 * timeline_build and library_load must then return 1 with "out of memory"
 * reported (the command line exits 1), or 0 where the loader did without
 * the memory, and never 2, which the command line reports as a session
 * error. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sndfile.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/report.h"
#include "format/programme.h"
#include "format/session.h"
#include "play/library.h"
#include "render/timeline.h"
#include "testaudio.h"

/* ---- failing the nth allocation ---- */

void *__real_malloc(size_t size);
void *__real_calloc(size_t count, size_t size);
void *__real_realloc(void *p, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t count, size_t size);
void *__wrap_realloc(void *p, size_t size);

/* Allocations still to pass before one fails; -1: none fails. Clips are
 * decoded on several threads at once, hence atomic. */
static atomic_long countdown = -1;
static atomic_bool failed;

static bool fail_this_one(void)
{
    long left = atomic_load(&countdown);
    while (left >= 0) {
        if (atomic_compare_exchange_weak(&countdown, &left, left - 1)) {
            if (left == 0) {
                atomic_store(&failed, true);
                return true;
            }
            return false;
        }
    }
    return false;
}

void *__wrap_malloc(size_t size) { return fail_this_one() ? NULL : __real_malloc(size); }
void *__wrap_calloc(size_t count, size_t size)
{
    return fail_this_one() ? NULL : __real_calloc(count, size);
}
void *__wrap_realloc(void *p, size_t size)
{
    return fail_this_one() ? NULL : __real_realloc(p, size);
}

/* From now on, the allocation after n others fails. */
static void fail_allocation(long n)
{
    atomic_store(&failed, false);
    atomic_store(&countdown, n);
}

/* Stops failing allocations; true when one was made to fail. */
static bool stop_failing(void)
{
    atomic_store(&countdown, -1);
    return atomic_load(&failed);
}

/* ---- what was reported, kept without allocating ---- */

typedef struct {
    int errors;
    char last[512];
} seen;

static void see(void *context, const report_entry *entry)
{
    seen *s = context;
    s->errors++;
    snprintf(s->last, sizeof s->last, "%s:%d: %s", entry->file ? entry->file : "-", entry->line,
             entry->message);
}

/* "out of memory", or an audio file's CLIP_WHY_NO_MEMORY. */
static bool says_out_of_memory(const seen *s)
{
    static const char *const endings[] = { "out of memory", CLIP_WHY_NO_MEMORY };
    size_t length = strlen(s->last);
    for (size_t i = 0; i < 2; i++)
        if (length >= strlen(endings[i])
            && strcmp(s->last + length - strlen(endings[i]), endings[i]) == 0)
            return true;
    return false;
}

/* ---- the session ---- */

#define RATE 48000
enum { MOST_ALLOCATIONS = 100000 };

static const char *const no_folders[] = { NULL };

/* A session that makes the loader allocate in most of the ways it can: an
 * included file, repeats, labels, a spoken cue decoded into memory, voice
 * cues and a background. */
static char *write_session(void)
{
    char *cue = testaudio_path(testaudio_dir, "cue.wav");
    testaudio_burst burst = { RATE, 0, RATE / 2, 440.0, 0.3 };
    assert_int_equal(testaudio_write_burst(cue, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 2, RATE / 2,
                                           &burst), 0);
    free(cue);
    char *steps = testaudio_write_text(testaudio_dir, "steps.cfg",
        "steps = (\n"
        "  { type = \"bell\"; label = \"Begin\"; },\n"
        "  { type = \"cue\"; file = \"cue.wav\"; },\n"
        "  { type = \"repeat\"; count = 3; steps = (\n"
        "      { type = \"breathe\"; label = \"Slow\"; pattern = \"4-7-8\"; cycles = 2;\n"
        "        ramp_to = \"5-7-9\"; },\n"
        "      { type = \"timer\"; duration = \"10s\"; gap = 1.0; }\n"
        "  ); },\n"
        "  { type = \"bell\"; strikes = 3; }\n"
        ");\n");
    char *path = testaudio_write_text(testaudio_dir, "session.cfg",
        "format = 1;\n"
        "title = \"Memory\";\n"
        "description = \"Every allocation fails once.\";\n"
        "background = { noise = \"pink\"; level = -30.0; };\n"
        "@include \"steps.cfg\"\n");
    assert_non_null(steps);
    assert_non_null(path);
    free(steps);
    return path;
}

static int setup(void **state)
{
    session_audio_search_path = no_folders;
    return testaudio_dir_setup(state);
}

/* ---- the tests ---- */

static void session_load_fails_as_the_system(void **state)
{
    (void)state;
    char *path = write_session();
    int out_of_memory = 0, did_without = 0;
    long n = 0;
    for (;; n++) {
        assert_true(n < MOST_ALLOCATIONS);
        seen reported = { 0 };
        session *s = NULL;
        fail_allocation(n);
        int status = session_load(path, &s, &(report_sink){ see, &reported });
        bool failing = stop_failing();
        if (!failing) {
            assert_int_equal(status, 0);
            session_free(s);
            break;
        }
        if (status == 1) {
            assert_null(s);
            assert_int_equal(reported.errors, 1);
            if (!says_out_of_memory(&reported))
                fail_msg("allocation %ld: reported \"%s\"", n, reported.last);
            out_of_memory++;
        } else if (status == 0) {
            assert_int_equal(reported.errors, 0);
            did_without++;
        } else {
            fail_msg("allocation %ld failed: session_load returned %d with \"%s\"", n, status,
                     reported.last);
        }
        session_free(s);
    }
    printf("session_load: %ld allocations; %d failures were out of memory, %d done without\n",
           n, out_of_memory, did_without);
    assert_true(out_of_memory > 0);
    free(path);
}

static void timeline_build_fails_as_the_system(void **state)
{
    (void)state;
    char *path = write_session();
    session *s = NULL;
    assert_int_equal(session_load(path, &s, NULL), 0);
    int out_of_memory = 0;
    for (long n = 0;; n++) {
        assert_true(n < MOST_ALLOCATIONS);
        seen reported = { 0 };
        timeline *t = NULL;
        fail_allocation(n);
        int status = timeline_build(s, &t, &(report_sink){ see, &reported });
        bool failing = stop_failing();
        if (!failing) {
            assert_int_equal(status, 0);
            timeline_free(t);
            break;
        }
        if (status != 1 && status != 0)
            fail_msg("allocation %ld failed: timeline_build returned %d with \"%s\"", n, status,
                     reported.last);
        if (status == 1) {
            assert_null(t);
            assert_true(says_out_of_memory(&reported));
            out_of_memory++;
        }
        timeline_free(t);
    }
    assert_true(out_of_memory > 0);
    session_free(s);
    free(path);
}

/* What the command line does for `breathe PATH`: its exit status is what
 * library_load returns when loading fails. */
static void library_load_fails_as_the_system(void **state)
{
    (void)state;
    char *path = write_session();
    int out_of_memory = 0;
    for (long n = 0;; n++) {
        assert_true(n < MOST_ALLOCATIONS);
        seen reported = { 0 };
        loaded_session l;
        fail_allocation(n);
        int status = library_load(path, &l, &(report_sink){ see, &reported });
        bool failing = stop_failing();
        if (!failing) {
            assert_int_equal(status, 0);
            library_unload(&l);
            break;
        }
        if (status == 2)
            fail_msg("allocation %ld failed: library_load returned 2 (a session error) with "
                     "\"%s\"", n, reported.last);
        if (status == 1) {
            assert_null(l.session);
            assert_null(l.timeline);
            out_of_memory++;
        } else {
            assert_int_equal(status, 0);
            library_unload(&l);
        }
    }
    assert_true(out_of_memory > 0);
    free(path);
}

/* The same for a programme file, and for the plan made from it. */
static void programme_load_fails_as_the_system(void **state)
{
    (void)state;
    char *path = testaudio_write_text(testaudio_dir, "programme.cfg",
        "format = 1;\n"
        "title = \"Memory\";\n"
        "description = \"Every allocation fails once.\";\n"
        "weeks = (\n"
        "  { title = \"One\"; note = \"A note.\"; sessions = (\n"
        "      { session = \"a\"; days = [\"mon\", \"thu\"]; },\n"
        "      { session = \"b\"; days_per_week = 5; times_per_day = 3; } ); },\n"
        "  { sessions = ( { session = \"c\"; days_per_week = 2; } ); }\n"
        ");\n");
    assert_non_null(path);
    int out_of_memory = 0;
    for (long n = 0;; n++) {
        assert_true(n < MOST_ALLOCATIONS);
        seen reported = { 0 };
        programme *p = NULL;
        fail_allocation(n);
        int status = programme_load(path, &p, &(report_sink){ see, &reported });
        bool failing = stop_failing();
        if (!failing) {
            assert_int_equal(status, 0);
            programme_free(p);
            break;
        }
        if (status == 2)
            fail_msg("allocation %ld failed: programme_load returned 2 (a programme error) "
                     "with \"%s\"", n, reported.last);
        assert_int_equal(status, 1);
        assert_null(p);
        assert_true(says_out_of_memory(&reported));
        out_of_memory++;
    }
    assert_true(out_of_memory > 0);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(session_load_fails_as_the_system, setup,
                                        testaudio_dir_teardown),
        cmocka_unit_test_setup_teardown(timeline_build_fails_as_the_system, setup,
                                        testaudio_dir_teardown),
        cmocka_unit_test_setup_teardown(library_load_fails_as_the_system, setup,
                                        testaudio_dir_teardown),
        cmocka_unit_test_setup_teardown(programme_load_fails_as_the_system, setup,
                                        testaudio_dir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
