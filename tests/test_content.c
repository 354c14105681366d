/* The bundled sessions as a listener gets them (suite "content").
 *
 *   test_content NAME [SECONDS]   one session of sessions/: it passes
 *                                 `breathe --check` with nothing on stderr,
 *                                 no spoken cue outlasts the breath phase or
 *                                 step it announces, its caution points to
 *                                 `breathe --safety`, and its render (the
 *                                 first SECONDS of a session that repeats
 *                                 forever) peaks at or below -1 dBFS with an
 *                                 integrated loudness (EBU R128, libebur128)
 *                                 within 2 LU of the library's target.
 *   test_content NAME [SECONDS] --speaks FILE
 *                                 also: the cue FILE (its caution, spoken) starts
 *                                 within the first CAUTION_WITHIN_SECONDS, so a
 *                                 listener who never reads the screen hears it.
 *   test_content --all NAME...    every .cfg file in sessions/ is one of NAMEs, so no
 *                                 bundled session escapes the checks.
 *
 * The target is documented in docs/sessions.md. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <ebur128.h>

#include "render/engine.h"
#include "format/session.h"
#include "render/timeline.h"
#include "testreport.h"

#define TARGET_LUFS (-25.0)
#define TOLERANCE_LU 2.0
#define PEAK_CEILING_DBFS (-1.0)
#define CAUTION_WITHIN_SECONDS 90.0

static const char *source_dir, *binary;
static const char *session_name;
static double forever_seconds;   /* 0 unless the session repeats forever */
static const char *spoken_caution; /* --speaks FILE, or NULL */
static char session_path[4096];
static char **all_names;
static int all_count;

/* ---- --check through the real program ---- */

static void test_check_passes_without_warnings(void **state)
{
    (void)state;
    assert_non_null(binary);
    char err_path[] = "/tmp/breathe-content-XXXXXX";
    int err_fd = mkstemp(err_path);
    assert_true(err_fd >= 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int null_fd = open("/dev/null", O_RDWR);
        dup2(null_fd, 0);
        dup2(null_fd, 1);
        dup2(err_fd, 2);
        execl(binary, binary, "--check", session_path, (char *)NULL);
        _exit(127);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    char err[4096] = "";
    ssize_t n = pread(err_fd, err, sizeof err - 1, 0);
    err[n > 0 ? n : 0] = '\0';
    close(err_fd);
    unlink(err_path);
    if (err[0])
        print_error("breathe --check %s printed:\n%s", session_path, err);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_string_equal(err, "");
}

/* ---- what the session says ---- */

static session *load_session(void)
{
    session *s = NULL;
    assert_int_equal(session_load(session_path, &s, REPORT_TO_STDERR), 0);
    return s;
}

static void test_title_description_and_caution(void **state)
{
    (void)state;
    session *s = load_session();
    assert_true(strlen(s->title) > 0);
    assert_true(strlen(s->description) > 0);
    assert_non_null(s->caution);
    if (!strstr(s->caution, "breathe --safety"))
        print_error("%s: the caution does not point to 'breathe --safety'\n", session_path);
    assert_non_null(strstr(s->caution, "breathe --safety"));
    session_free(s);
}

static int cue_problems;

static void cue_fits(const audio_clip *clip, double seconds, int rate, const char *what,
                     int line)
{
    if (!clip)
        return;
    int64_t room = (int64_t)llround(seconds * rate);
    if (clip->frames > room) {
        print_error("%s:%d: %s lasts %.2f s but announces %s of %.2f s\n", session_path,
                    line, clip->path, (double)clip->frames / rate, what, seconds);
        cue_problems++;
    }
}

static void check_steps(const session_step *steps, size_t count, int rate)
{
    for (size_t i = 0; i < count; i++) {
        const session_step *step = &steps[i];
        switch (step->type) {
        case STEP_REPEAT:
            check_steps(step->repeat.steps, step->repeat.step_count, rate);
            break;
        case STEP_TIMER:
            cue_fits(step->precue, step->timer.duration_seconds, rate, "a timer", step->line);
            break;
        case STEP_BELL:
            cue_fits(step->precue,
                     (step->bell.strikes - 1) * step->bell.interval_seconds
                         + step->bell.ring_seconds,
                     rate, "a bell", step->line);
            break;
        case STEP_BREATHE: {
            const breath_pattern *from = &step->breathe.pattern, *to = &step->breathe.ramp_to;
            double cycle = 0.0, shortest[BREATH_KIND_COUNT];
            for (int k = 0; k < BREATH_KIND_COUNT; k++)
                shortest[k] = INFINITY;
            for (int p = 0; p < from->count; p++) {
                /* A ramp moves each phase in a straight line: its shortest
                 * length is at one end. */
                double least = fmin(from->seconds[p], to->seconds[p]);
                cycle += fmin(from->seconds[p], to->seconds[p]);
                if (least > 0.0 && least < shortest[from->kind[p]])
                    shortest[from->kind[p]] = least;
            }
            double timed = step->breathe.cycles > 0 ? (double)step->breathe.cycles * cycle
                                                    : step->breathe.duration_seconds;
            cue_fits(step->precue, timed, rate, "a breathe step", step->line);
            for (int k = 0; k < BREATH_KIND_COUNT; k++) {
                if (isfinite(shortest[k])) {
                    char what[64];
                    snprintf(what, sizeof what, "a phase '%s'", breath_kind_name((breath_kind)k));
                    cue_fits(step->breathe.voice.cue[k], shortest[k], rate, what, step->line);
                }
            }
            break;
        }
        case STEP_CUE:
        case STEP_TYPE_COUNT:   /* not a type */
            break;
        }
    }
}

static void test_no_cue_outlasts_what_it_announces(void **state)
{
    (void)state;
    session *s = load_session();
    cue_problems = 0;
    check_steps(s->steps, s->step_count, s->sample_rate);
    assert_int_equal(cue_problems, 0);
    session_free(s);
}

/* ---- the caution, spoken ---- */

typedef struct {
    const char *file;
    int64_t first;   /* where it first starts; -1: not found */
} cue_search;

static bool path_ends_with(const char *path, const char *tail)
{
    size_t length = strlen(path), tail_length = strlen(tail);
    return length >= tail_length && strcmp(path + length - tail_length, tail) == 0
           && (length == tail_length || path[length - tail_length - 1] == '/');
}

static void note_cue(void *context, const timeline_event *event)
{
    cue_search *search = context;
    if (event->kind == EVENT_CLIP && search->first < 0
        && path_ends_with(event->clip->path, search->file))
        search->first = event->start;
}

/* Sessions whose exercise carries a risk (holds, stretches, strengthening,
 * heat, cold) print a caution; someone who only listens, or plays a rendered
 * file, must hear a short version of it near the start too. */
static void test_speaks_its_caution_early(void **state)
{
    (void)state;
    if (!spoken_caution)
        skip();
    session *s = load_session();
    timeline *t = NULL;
    assert_int_equal(timeline_build(s, &t, REPORT_TO_STDERR), 0);
    int64_t limit = timeline_seconds_to_frames(t, CAUTION_WITHIN_SECONDS);
    cue_search search = { spoken_caution, -1 };
    timeline_span span;
    for (int64_t frame = 0; search.first < 0 && frame < limit && timeline_locate(t, frame, &span);
         frame = span.end) {
        timeline_span_events(t, &span, span.start, span.end, note_cue, &search);
        if (span.end <= frame)
            break;
    }
    if (search.first < 0 || search.first >= limit)
        print_error("%s: the spoken caution '%s' does not start within the first %.0f s\n",
                    session_path, spoken_caution, CAUTION_WITHIN_SECONDS);
    assert_true(search.first >= 0 && search.first < limit);
    timeline_free(t);
    session_free(s);
}

/* ---- the sound ---- */

static void test_render_peak_and_loudness(void **state)
{
    (void)state;
    session *s = load_session();
    timeline *t = NULL;
    assert_int_equal(timeline_build(s, &t, REPORT_TO_STDERR), 0);
    int rate = timeline_rate(t);
    int64_t total = timeline_length(t);
    if (total == TIMELINE_FOREVER) {
        if (forever_seconds <= 0.0)
            fail_msg("%s repeats forever: give the test a length in seconds", session_path);
        total = (int64_t)llround(forever_seconds * rate);
    } else {
        assert_true(forever_seconds == 0.0);
    }
    engine_options options = { .volume_db = 0.0, .start = 0, .length = total };
    engine *e = engine_create(t, &options);
    assert_non_null(e);
    ebur128_state *meter = ebur128_init(2, (unsigned long)rate, EBUR128_MODE_I);
    assert_non_null(meter);

    enum { BLOCK = 8192 };
    static float block[2 * BLOCK];
    int64_t rendered = 0;
    float peak = 0.0f;
    bool finite = true;
    size_t n;
    while ((n = engine_render(e, block, BLOCK)) > 0) {
        for (size_t i = 0; i < 2 * n; i++) {
            float magnitude = fabsf(block[i]);
            if (!isfinite(block[i]))
                finite = false;
            else if (magnitude > peak)
                peak = magnitude;
        }
        assert_int_equal(ebur128_add_frames_float(meter, block, n), EBUR128_SUCCESS);
        rendered += (int64_t)n;
    }
    double loudness;
    assert_int_equal(ebur128_loudness_global(meter, &loudness), EBUR128_SUCCESS);
    double peak_db = 20.0 * log10(peak > 0.0f ? peak : 1e-12);
    print_message("%s: %.1f s rendered, peak %.2f dBFS, integrated loudness %.2f LUFS "
                  "(target %.0f +- %.0f)\n",
                  session_name, (double)rendered / rate, peak_db, loudness, TARGET_LUFS,
                  TOLERANCE_LU);

    assert_true(finite);
    assert_int_equal(rendered, total);
    assert_true(peak_db <= PEAK_CEILING_DBFS + 1e-4);
    assert_true(fabs(loudness - TARGET_LUFS) <= TOLERANCE_LU);

    ebur128_destroy(&meter);
    engine_free(e);
    timeline_free(t);
    session_free(s);
}

/* ---- every bundled session is checked ---- */

static void test_every_session_is_listed(void **state)
{
    (void)state;
    char dir_path[4096];
    snprintf(dir_path, sizeof dir_path, "%s/sessions", source_dir);
    DIR *dir = opendir(dir_path);
    assert_non_null(dir);
    int found = 0, missing = 0;
    struct dirent *entry;
    while ((entry = readdir(dir))) {
        size_t length = strlen(entry->d_name);
        if (length <= 4 || strcmp(entry->d_name + length - 4, ".cfg") != 0)
            continue;
        found++;
        bool listed = false;
        for (int i = 0; i < all_count; i++)
            listed = listed || (strlen(all_names[i]) == length - 4
                                && strncmp(all_names[i], entry->d_name, length - 4) == 0);
        if (!listed) {
            print_error("sessions/%s is not in the content tests (tests/meson.build)\n",
                        entry->d_name);
            missing++;
        }
    }
    closedir(dir);
    assert_int_equal(missing, 0);
    assert_int_equal(found, all_count);
}

int main(int argc, char **argv)
{
    source_dir = getenv("BREATHE_SOURCE_DIR");
    binary = getenv("BREATHE_BINARY");
    if (!source_dir || argc < 2) {
        fprintf(stderr, "usage: test_content NAME [SECONDS] | --all NAME...\n"
                        "(with BREATHE_SOURCE_DIR and BREATHE_BINARY set)\n");
        return 2;
    }
    if (strcmp(argv[1], "--all") == 0) {
        all_names = argv + 2;
        all_count = argc - 2;
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_every_session_is_listed),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
    }
    session_name = argv[1];
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--speaks") == 0 && i + 1 < argc)
            spoken_caution = argv[++i];
        else
            forever_seconds = atof(argv[i]);
    }
    snprintf(session_path, sizeof session_path, "%s/sessions/%s.cfg", source_dir, session_name);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_passes_without_warnings),
        cmocka_unit_test(test_title_description_and_caution),
        cmocka_unit_test(test_no_cue_outlasts_what_it_announces),
        cmocka_unit_test(test_speaks_its_caution_early),
        cmocka_unit_test(test_render_peak_and_loudness),
    };
    return cmocka_run_group_tests_name(session_name, tests, NULL, NULL);
}
