/* Whole sessions whose cue and background files are streamed render
 * exactly as when the same files are held in memory, from the start and
 * from any --start, with the background looping across its seam. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include <sndfile.h>

#include "render/engine.h"
#include "testaudio.h"
#include "testreport.h"

#define RATE 48000

static audio_clip *open_clip(const char *path, int64_t preload_max)
{
    audio_clip *clip = NULL;
    char why[256];
    assert_int_equal(audio_clip_open(path, RATE, preload_max, &clip, why, sizeof why), 0);
    assert_non_null(clip);
    return clip;
}

static int64_t count_different(const float *a, const float *b, int64_t frames)
{
    int64_t n = 0;
    for (int64_t i = 0; i < 2 * frames; i++)
        n += a[i] != b[i];
    return n;
}

typedef struct {
    session *session;
    timeline *timeline;
} loaded;

static void load_session(loaded *l, const char *text)
{
    char *path = testaudio_write_text(testaudio_dir, "streamed.cfg", text);
    assert_non_null(path);
    assert_int_equal(session_load(path, &l->session, REPORT_TO_STDERR), 0);
    assert_int_equal(timeline_build(l->session, &l->timeline, REPORT_TO_STDERR), 0);
    free(path);
}

static float *render_all(const timeline *t, int64_t start, int64_t frames, size_t block)
{
    engine_options options = { .volume_db = 0.0, .start = start, .length = frames };
    engine *e = engine_create(t, &options);
    assert_non_null(e);
    float *out = malloc(sizeof(float) * 2 * (size_t)frames);
    int64_t done = 0;
    size_t n;
    while ((n = engine_render(e, out + 2 * done,
                              done + (int64_t)block > frames ? (size_t)(frames - done) : block))
           > 0)
        done += (int64_t)n;
    assert_int_equal(done, frames);
    engine_free(e);
    return out;
}

static const char streamed_session[] =
    "format = 1;\n"
    "title = \"Streamed\";\n"
    "background = { file = \"bed.wav\"; level = -12.0; fade = 2.0; };\n"
    "steps = (\n"
    "  { type = \"timer\"; duration = \"5s\"; bell_end = false; },\n"
    "  { type = \"cue\"; file = \"talk.wav\"; level = -6.0; },\n"
    "  { type = \"timer\"; duration = \"50s\"; bell_end = false; }\n"
    ");\n";

/* A session whose background (looping) and cue are streamed renders exactly
 * as with the same files held whole, and from any start it renders exactly
 * the frames of the whole render after the start's short fade-in. */
static void test_session_streamed_equals_preloaded(void **state)
{
    (void)state;
    char *bed_path = testaudio_write_music(testaudio_dir, "bed.wav", RATE, 2, 20.0);
    char *talk_path = testaudio_write_music(testaudio_dir, "talk.wav", RATE, 1, 17.0);
    assert_non_null(bed_path);
    assert_non_null(talk_path);
    free(bed_path);
    free(talk_path);
    loaded l;
    load_session(&l, streamed_session);
    const audio_clip *bed = l.session->background.file;
    assert_true(bed->streamed);
    int64_t total = timeline_length(l.timeline);
    /* 5 s + the 17 s cue + 50 s: the background loops three times and more. */
    assert_int_equal(total, (5 + 17 + 50) * (int64_t)RATE);
    float *streamed = render_all(l.timeline, 0, total, 4096);

    /* The same files decoded whole, put in the session's place. */
    audio_clip *bed_whole = open_clip(bed->path, INT64_MAX);
    session_step *cue_step = NULL;
    for (size_t i = 0; i < l.session->clip_count; i++)
        assert_true(l.session->clips[i]->streamed);
    cue_step = &l.session->steps[1];
    assert_int_equal(cue_step->type, STEP_CUE);
    const audio_clip *talk = cue_step->cue_step.file;
    audio_clip *talk_whole = open_clip(talk->path, INT64_MAX);
    l.session->background.file = bed_whole;
    cue_step->cue_step.file = talk_whole;
    timeline *preloaded_timeline = NULL;
    assert_int_equal(timeline_build(l.session, &preloaded_timeline, REPORT_TO_STDERR), 0);
    float *preloaded = render_all(preloaded_timeline, 0, total, 333);
    assert_int_equal(count_different(streamed, preloaded, total), 0);
    /* And the cue is there: 17 s of sound at its place. */
    double cue_rms = testaudio_rms(streamed, 2, 0, 6 * RATE, 20 * RATE);
    assert_true(cue_rms > 0.1);

    /* Starting part way (in the cue, in the second loop round): the start
     * fades in over 10 ms, then every frame is the whole render's until the
     * background's 2 s fade-out before the end of what is rendered, less
     * the engine's block before it (its gain is set at block edges and
     * glides in between, so that block already leans into the fade; 10 ms
     * is more than a block). */
    const int64_t starts[] = { 7 * RATE + 123, 41 * RATE + 77 };
    for (int s = 0; s < 2; s++) {
        int64_t n = 6 * RATE;
        float *part = render_all(l.timeline, starts[s], n, 1000);
        int64_t settled = RATE / 50, end_fade = 2 * RATE + RATE / 100;
        assert_int_equal(count_different(part + 2 * settled,
                                         streamed + 2 * (starts[s] + settled),
                                         n - settled - end_fade),
                         0);
        free(part);
    }

    l.session->background.file = bed;
    cue_step->cue_step.file = talk;
    timeline_free(preloaded_timeline);
    audio_clip_free(bed_whole);
    audio_clip_free(talk_whole);
    free(preloaded);
    free(streamed);
    timeline_free(l.timeline);
    session_free(l.session);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_session_streamed_equals_preloaded),
    };
    return cmocka_run_group_tests(tests, testaudio_dir_setup, testaudio_dir_teardown);
}
