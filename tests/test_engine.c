/* Golden renders: sessions written in the format, rendered by the engine,
 * and measured against numbers computed from the format's rules: lengths
 * in frames, pitches, levels, peaks, smoothness, exact event frames. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <unistd.h>
#include <cmocka.h>

#include <sndfile.h>

#include "render/engine.h"
#include "testaudio.h"
#include "testreport.h"

typedef struct {
    session *session;
    timeline *timeline;
    float *samples;      /* stereo */
    int64_t frames;
    int rate;
} render;

static void load(render *r, const char *text)
{
    memset(r, 0, sizeof *r);
    char *path = testaudio_write_text(testaudio_dir, "golden.cfg", text);
    assert_non_null(path);
    int status = session_load(path, &r->session, REPORT_TO_STDERR);
    free(path);
    assert_int_equal(status, 0);
    assert_int_equal(timeline_build(r->session, &r->timeline, REPORT_TO_STDERR), 0);
    r->rate = r->session->sample_rate;
}

/* Renders [start, start + length) asking for `block` frames at a time. */
static void render_range(render *r, int64_t start, int64_t length, size_t block)
{
    engine_options options = { .volume_db = 0.0, .start = start, .length = length };
    engine *e = engine_create(r->timeline, &options);
    assert_non_null(e);
    int64_t expected = engine_end(e) - start;
    free(r->samples);
    r->samples = malloc(sizeof(float) * 2 * (size_t)(expected + (int64_t)block));
    r->frames = 0;
    size_t n;
    while ((n = engine_render(e, r->samples + 2 * r->frames, block)) > 0)
        r->frames += (int64_t)n;
    assert_int_equal(engine_position(e), engine_end(e));
    engine_free(e);
}

static void render_all(render *r, const char *text, size_t block)
{
    load(r, text);
    render_range(r, 0, TIMELINE_FOREVER, block);
}

static void release(render *r)
{
    free(r->samples);
    timeline_free(r->timeline);
    session_free(r->session);
}

static int64_t at(const render *r, double s) { return (int64_t)llround(s * r->rate); }

static float peak(const render *r, int64_t from, int64_t to)
{
    float p = 0.0f;
    for (int64_t i = 2 * from; i < 2 * to; i++)
        p = fmaxf(p, fabsf(r->samples[i]));
    return p;
}

static double rms_db(const render *r, int64_t from, int64_t to)
{
    double sum = 0.0;
    for (int64_t i = 2 * from; i < 2 * to; i++)
        sum += (double)r->samples[i] * r->samples[i];
    return 10.0 * log10(sum / (double)(2 * (to - from)) + 1e-30);
}

/* Frequency of the left channel from rising zero crossings. */
static double hz_between(const render *r, double from_s, double to_s)
{
    int64_t from = at(r, from_s), to = at(r, to_s);
    double first = -1.0, last = -1.0;
    int crossings = 0;
    for (int64_t i = from + 1; i < to; i++) {
        float a = r->samples[2 * (i - 1)], b = r->samples[2 * i];
        if (a < 0.0f && b >= 0.0f) {
            double t = (double)(i - 1) + a / (a - b);
            if (first < 0.0)
                first = t;
            else
                crossings++;
            last = t;
        }
    }
    return crossings > 0 ? crossings * r->rate / (last - first) : 0.0;
}

static const char mixed_session[] =
    "format = 1;\n"
    "title = \"golden\";\n"
    "steps = (\n"
    "  { type = \"bell\"; ring = 2; },\n"
    "  { type = \"breathe\"; pattern = \"4-6\"; cycles = 2; },\n"
    "  { type = \"timer\"; duration = 3; gap = 0.5; }\n"
    ");\n";

static void test_length_is_exact_in_frames(void **state)
{
    (void)state;
    render r;
    render_all(&r, mixed_session, 4096);
    /* 2 s of bell + 2 cycles of 10 s + 3 s timer + 0.5 s gap. */
    assert_int_equal(r.frames, 1224000);
    release(&r);

    char text[1024];
    snprintf(text, sizeof text, "sample_rate = 44100;\n%s", mixed_session);
    render_all(&r, text, 1000);
    assert_int_equal(r.frames, (int64_t)(25.5 * 44100));
    release(&r);
}

static void test_block_size_and_repeat_renders_are_identical(void **state)
{
    (void)state;
    render a, b, c;
    render_all(&a, mixed_session, 4096);
    render_all(&b, mixed_session, 7);
    render_all(&c, mixed_session, 4096);
    assert_int_equal(a.frames, b.frames);
    assert_memory_equal(a.samples, b.samples, sizeof(float) * 2 * (size_t)a.frames);
    assert_memory_equal(a.samples, c.samples, sizeof(float) * 2 * (size_t)a.frames);
    release(&a);
    release(&b);
    release(&c);
}

static void test_pacer_pitch_follows_the_breath(void **state)
{
    (void)state;
    render r;
    render_all(&r,
               "format = 1; title = \"pitch\";\n"
               "pacer = { sound = \"tone\"; low = 200.0; high = 400.0; level = -6.0; };\n"
               "steps = ( { type = \"breathe\"; pattern = [4, 4]; cycles = 2; } );\n",
               512);
    assert_int_equal(r.frames, 16 * 48000);
    /* Fullness eases 0 -> 1 over the inhale; pitch is low * (high/low)^fullness. */
    double quarter = 200.0 * pow(2.0, 0.5 - 0.5 * cos(M_PI * 0.25));
    double q1 = hz_between(&r, 0.9, 1.1), mid = hz_between(&r, 1.9, 2.1);
    double q3 = hz_between(&r, 2.9, 3.1), top = hz_between(&r, 3.85, 4.0);
    assert_true(fabs(q1 - quarter) / quarter < 0.02);
    assert_true(fabs(mid - 200.0 * sqrt(2.0)) / (200.0 * sqrt(2.0)) < 0.02);
    assert_true(q1 < mid && mid < q3 && q3 < top);
    assert_true(fabs(top - 400.0) / 400.0 < 0.02);
    /* Exhale: falling back to low. */
    double e1 = hz_between(&r, 4.9, 5.1), e3 = hz_between(&r, 6.9, 7.1);
    double bottom = hz_between(&r, 7.85, 8.0);
    assert_true(e1 > e3 && e3 > bottom);
    assert_true(fabs(bottom - 200.0) / 200.0 < 0.02);
    /* Level: the tone at -6 dB peaks at -6 dBFS mid-breath, and fades at the edges. */
    float mid_peak = peak(&r, at(&r, 1.9), at(&r, 2.1));
    float minus_6_db = powf(10.0f, -6.0f / 20.0f);
    assert_true(mid_peak > 0.9f * minus_6_db && mid_peak <= minus_6_db * 1.0001f);
    assert_true(peak(&r, 0, 48) < 0.01f);
    assert_true(peak(&r, r.frames - 48, r.frames) < 0.01f);
    release(&r);
}

static void test_holds_sound_softer(void **state)
{
    (void)state;
    render r;
    render_all(&r,
               "format = 1; title = \"holds\";\n"
               "pacer = { level = -6.0; };\n"
               "steps = ( { type = \"breathe\"; pattern = \"3-3-3-3\"; cycles = 1; } );\n",
               512);
    double inhale = rms_db(&r, at(&r, 1.0), at(&r, 2.0));
    double hold = rms_db(&r, at(&r, 4.0), at(&r, 5.5));
    assert_true(hold < inhale - 4.0);      /* softer ... */
    assert_true(hold > inhale - 10.0);     /* ... but still sounding */
    release(&r);
}

static double worst_second_difference(const render *r, int64_t from, int64_t to)
{
    double worst = 0.0;
    for (int64_t i = from + 2; i < to; i++)
        for (int c = 0; c < 2; c++) {
            double d = r->samples[2 * i + c] - 2.0 * r->samples[2 * (i - 1) + c]
                       + r->samples[2 * (i - 2) + c];
            worst = fmax(worst, fabs(d));
        }
    return worst;
}

static void test_no_clicks_anywhere(void **state)
{
    (void)state;
    render r;
    render_all(&r,
               "format = 1; title = \"smooth\";\n"
               "pacer = { level = -6.0; };\n"
               "steps = (\n"
               "  { type = \"bell\"; strikes = 2; interval = 1; ring = 2; },\n"
               "  { type = \"breathe\"; pattern = \"2-1-2-1\"; cycles = 2; },\n"
               "  { type = \"breathe\"; pattern = \"1-1\"; cycles = 1; pacer = { sound = \"bowl\"; }; },\n"
               "  { type = \"timer\"; duration = 4; ticks = 2; bell_end = true; }\n"
               ");\n",
               333);
    /* A click is a jump; smooth sound at these pitches and levels bends by
     * far less than 0.01 per sample. A 0.02 step would show as 0.02. */
    assert_true(worst_second_difference(&r, 0, r.frames) < 0.01);
    release(&r);
}

static void test_never_clips(void **state)
{
    (void)state;
    render r;
    render_all(&r,
               "format = 1; title = \"loud\"; volume = 30.0;\n"
               "background = { noise = \"white\"; level = 0.0; fade = 0.1; };\n"
               "steps = (\n"
               "  { type = \"bell\"; strikes = 3; interval = 0.5; level = 0.0; ring = 2; },\n"
               "  { type = \"breathe\"; pattern = \"1-1\"; cycles = 2; }\n"
               ");\n",
               4096);
    assert_true(peak(&r, 0, r.frames) <= powf(10.0f, -1.0f / 20.0f));
    release(&r);
}

static void test_bell_level(void **state)
{
    (void)state;
    render r;
    render_all(&r,
               "format = 1; title = \"bell\";\n"
               "steps = ( { type = \"bell\"; level = -12.0; ring = 4; } );\n", 4096);
    double p = 20.0 * log10(peak(&r, 0, r.frames));
    assert_true(p <= -12.0 && p > -18.0);
    /* It dies away: the last second is far below the first. */
    assert_true(rms_db(&r, 0, at(&r, 1.0)) - rms_db(&r, at(&r, 3.0), r.frames) > 20.0);
    release(&r);
}

static void test_background_noise_level(void **state)
{
    (void)state;
    const char *colours[] = { "white", "pink", "brown" };
    for (int i = 0; i < 3; i++) {
        char text[512];
        snprintf(text, sizeof text,
                 "format = 1; title = \"bed\";\n"
                 "background = { noise = \"%s\"; level = -30.0; fade = 1.0; };\n"
                 "steps = ( { type = \"timer\"; duration = 10; bell_end = false; } );\n",
                 colours[i]);
        render r;
        render_all(&r, text, 4096);
        /* Noise at gain 1 is -6 dBFS RMS; at -30 dB it is -36 dBFS. */
        double level = rms_db(&r, at(&r, 2.0), at(&r, 8.0));
        assert_true(fabs(level + 36.0) < 1.0);
        /* Faded in and out. */
        assert_true(peak(&r, 0, 10) < 1e-3f);
        assert_true(peak(&r, r.frames - 10, r.frames) < 1e-3f);
        release(&r);
    }
}

static void test_start_resumes_ringing_sounds(void **state)
{
    (void)state;
    render whole, part;
    const char *text = "format = 1; title = \"seek\";\n"
                       "steps = ( { type = \"bell\"; strikes = 3; interval = 1.5; ring = 3; } );\n";
    render_all(&whole, text, 4096);
    load(&part, text);
    int64_t start = at(&part, 2.0);
    render_range(&part, start, TIMELINE_FOREVER, 4096);
    assert_int_equal(part.frames, whole.frames - start);
    /* After the short fade-in, the same bells at the same frames. */
    double worst = 0.0;
    for (int64_t i = at(&part, 0.05); i < part.frames - at(&part, 0.05); i++)
        worst = fmax(worst, fabs(part.samples[2 * i] - whole.samples[2 * (start + i)]));
    assert_true(worst < 2e-3);
    release(&whole);
    release(&part);
}

static void test_length_option_cuts_with_a_fade(void **state)
{
    (void)state;
    render r;
    load(&r,
         "format = 1; title = \"forever\";\n"
         "steps = ( { type = \"repeat\"; forever = true; steps = (\n"
         "  { type = \"breathe\"; pattern = \"2-2\"; cycles = 1; } ); } );\n");
    assert_true(timeline_length(r.timeline) == TIMELINE_FOREVER);
    render_range(&r, 0, at(&r, 9.0), 1024);
    assert_int_equal(r.frames, at(&r, 9.0));
    assert_true(fabsf(r.samples[2 * (r.frames - 1)]) < 1e-4f);
    release(&r);
}

/* A cue whose content starts at a known source frame lands on the frame the
 * rates give, after a 1.5 s bell step, whatever the file's rate. */
static void test_cue_placed_on_exact_frame_after_resampling(void **state)
{
    (void)state;
    int rates[] = { 22050, 44100, 96000 };
    for (int i = 0; i < 3; i++) {
        char wav[512];
        snprintf(wav, sizeof wav, "%s/burst-%d.wav", testaudio_dir, rates[i]);
        int64_t burst_start = rates[i] / 4;   /* 0.25 s into the file */
        testaudio_burst burst = { rates[i], burst_start, rates[i] / 2, 1000.0, 0.5 };
        assert_int_equal(testaudio_write_burst(wav, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 1,
                                               rates[i], &burst), 0);
        char text[1024];
        snprintf(text, sizeof text,
                 "format = 1; title = \"cue\";\n"
                 "steps = ( { type = \"bell\"; ring = 1.5; level = -90.0; },\n"
                 "          { type = \"cue\"; file = \"%s\"; } );\n", wav);
        render r;
        render_all(&r, text, 4096);
        assert_int_equal(r.frames, at(&r, 1.5) + 48000);
        int64_t expected = at(&r, 1.5) + at(&r, 0.25);
        int64_t onset = -1;
        for (int64_t f = at(&r, 1.5); f < r.frames && onset < 0; f++)
            if (fabsf(r.samples[2 * f]) > 0.05f)
                onset = f;
        assert_true(onset >= expected && onset <= expected + 48);   /* ramped onset */
        double level = rms_db(&r, expected + 2400, expected + 20000);
        assert_true(fabs(level - 20.0 * log10(0.5 / sqrt(2.0))) < 0.5);
        release(&r);
    }
}

/* A repeat's cue plays once, before its first round, and its gap is
 * silence after the last round: the format gives every step both. */
static void test_repeat_cue_and_gap_render(void **state)
{
    (void)state;
    char wav[512];
    snprintf(wav, sizeof wav, "%s/repeat-cue.wav", testaudio_dir);
    testaudio_burst burst = { 48000, 0, 24000, 500.0, 0.5 };   /* 0.5 s at 500 Hz */
    assert_int_equal(testaudio_write_burst(wav, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 1, 24000,
                                           &burst), 0);
    char text[1024];
    snprintf(text, sizeof text,
             "format = 1; title = \"repeat cue\";\n"
             "steps = ( { type = \"repeat\"; count = 2; cue = \"%s\"; gap = 3;\n"
             "            steps = ( { type = \"bell\"; ring = 2.0; } ); },\n"
             "          { type = \"bell\"; ring = 1.0; } );\n", wav);
    render r;
    render_all(&r, text, 1000);
    /* 0.5 s cue, 2 rounds of a 2 s bell, a 3 s gap, a 1 s bell. */
    assert_int_equal(r.frames, at(&r, 0.5 + 4.0 + 3.0 + 1.0));
    assert_true(rms_db(&r, at(&r, 0.1), at(&r, 0.4)) > -12.0);       /* the cue */
    assert_true(peak(&r, at(&r, 0.5), at(&r, 0.5) + 1) < 0.01f);      /* first bell's onset */
    assert_true(peak(&r, at(&r, 0.6), at(&r, 1.0)) > 0.01f);           /* first bell */
    assert_true(peak(&r, at(&r, 2.6), at(&r, 3.0)) > 0.01f);           /* second bell */
    assert_true(peak(&r, at(&r, 4.5), at(&r, 7.5)) < 1e-6f);           /* the gap */
    assert_true(peak(&r, at(&r, 7.6), at(&r, 8.0)) > 0.01f);           /* the last bell */
    release(&r);
}

/* More bells than the engine sounds at once: the extra ones are left out
 * and counted, the rest still ring, and the output never clips. */
static void test_too_many_sounds_are_counted(void **state)
{
    (void)state;
    render r;
    load(&r, "format = 1; title = \"crowd\";\n"
             "steps = ( { type = \"bell\"; strikes = 150; interval = 0.02; ring = 6.0;"
             " level = -60.0; } );\n");
    engine_options options = { .volume_db = 0.0, .start = 0, .length = TIMELINE_FOREVER };
    engine *e = engine_create(r.timeline, &options);
    assert_non_null(e);
    float block[2 * 512];
    while (engine_render(e, block, 512) > 0)
        for (int i = 0; i < 2 * 512; i++)
            assert_true(fabsf(block[i]) <= 1.0f);
    /* Strike k sounds from 0.02 k s to 0.02 k + 6 s: 96 ring at once by
     * strike 95, and each later strike finds no room until the first one
     * has rung out at 6 s, after the last strike (2.98 s). */
    assert_int_equal(engine_dropped_sounds(e), 150 - ENGINE_MAX_VOICES);
    engine_free(e);

    atomic_int_least64_t shared;
    atomic_init(&shared, 0);
    options.dropped_sounds = &shared;
    options.start = at(&r, 1.0);
    e = engine_create(r.timeline, &options);
    assert_non_null(e);
    while (engine_render(e, block, 512) > 0)
        ;
    /* From 1 s: strikes 0-50 resume, 51-95 start fresh, the rest are dropped. */
    assert_int_equal(atomic_load(&shared), 150 - ENGINE_MAX_VOICES);
    assert_int_equal(engine_dropped_sounds(e), atomic_load(&shared));
    engine_free(e);
    timeline_free(r.timeline);
    session_free(r.session);

    load(&r, mixed_session);
    e = engine_create(r.timeline, &(engine_options){ .length = TIMELINE_FOREVER });
    while (engine_render(e, block, 512) > 0)
        ;
    assert_int_equal(engine_dropped_sounds(e), 0);
    engine_free(e);
    timeline_free(r.timeline);
    session_free(r.session);
}

static void test_background_ducks_under_cues(void **state)
{
    (void)state;
    char wav[512];
    snprintf(wav, sizeof wav, "%s/voice.wav", testaudio_dir);
    testaudio_burst burst = { 48000, 0, 96000, 3000.0, 0.001 };
    assert_int_equal(testaudio_write_burst(wav, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 1, 96000,
                                           &burst), 0);
    char text[1024];
    snprintf(text, sizeof text,
             "format = 1; title = \"duck\";\n"
             "background = { noise = \"white\"; level = -20.0; fade = 0.5; duck = -12.0; };\n"
             "steps = ( { type = \"timer\"; duration = 4; bell_end = false; },\n"
             "          { type = \"cue\"; file = \"%s\"; },\n"
             "          { type = \"timer\"; duration = 4; bell_end = false; } );\n", wav);
    render r;
    render_all(&r, text, 4096);
    double open = rms_db(&r, at(&r, 2.0), at(&r, 3.5));
    double ducked = rms_db(&r, at(&r, 4.5), at(&r, 5.8));
    double after = rms_db(&r, at(&r, 7.5), at(&r, 9.0));
    assert_true(fabs(open - ducked - 12.0) < 1.0);
    assert_true(fabs(open - after) < 1.0);
    /* Smoothly: the level glides down over ~0.1 s, never in one jump. */
    int64_t window = at(&r, 0.02);
    double before = rms_db(&r, at(&r, 3.8), at(&r, 3.8) + window);
    for (int64_t f = at(&r, 3.8) + window; f < at(&r, 4.5); f += window) {
        double level = rms_db(&r, f, f + window);
        assert_true(fabs(level - before) < 3.0);
        before = level;
    }
    release(&r);
}

static double noise_sample(int64_t frame, int channel, void *context)
{
    (void)context;
    uint64_t x = (uint64_t)frame * 2654435761u + (uint64_t)channel * 40503u + 12345u;
    x ^= x >> 13;
    x *= 0x5bd1e995u;
    x ^= x >> 15;
    return 0.5 * ((double)(x % 20001) / 10000.0 - 1.0);
}

/* A background file loops without a gap or a click at the seam: every 2 ms
 * of a looping noise bed keeps its level (a cut-and-restart would dip there,
 * since every file's edges are faded). */
static void test_background_file_loops_seamlessly(void **state)
{
    (void)state;
    char wav[512];
    snprintf(wav, sizeof wav, "%s/bed.wav", testaudio_dir);
    assert_int_equal(testaudio_write(wav, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 48000, 2, 62400,
                                     noise_sample, NULL), 0);
    char text[1024];
    snprintf(text, sizeof text,
             "format = 1; title = \"loop\";\n"
             "background = { file = \"%s\"; level = 0.0; fade = 0.5; };\n"
             "steps = ( { type = \"timer\"; duration = 6; bell_end = false; } );\n", wav);
    render r;
    render_all(&r, text, 4096);
    assert_int_equal(r.frames, 6 * 48000);
    double expected = 20.0 * log10(0.5 / sqrt(3.0));
    double middle = rms_db(&r, at(&r, 0.6), at(&r, 5.4));
    assert_true(fabs(middle - expected) < 0.5);
    int64_t window = at(&r, 0.002);
    for (int64_t f = at(&r, 0.6); f + window < at(&r, 5.4); f += window)
        assert_true(fabs(rms_db(&r, f, f + window) - expected) < 3.0);
    release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_length_is_exact_in_frames),
        cmocka_unit_test(test_block_size_and_repeat_renders_are_identical),
        cmocka_unit_test(test_pacer_pitch_follows_the_breath),
        cmocka_unit_test(test_holds_sound_softer),
        cmocka_unit_test(test_no_clicks_anywhere),
        cmocka_unit_test(test_never_clips),
        cmocka_unit_test(test_bell_level),
        cmocka_unit_test(test_background_noise_level),
        cmocka_unit_test(test_start_resumes_ringing_sounds),
        cmocka_unit_test(test_length_option_cuts_with_a_fade),
        cmocka_unit_test(test_cue_placed_on_exact_frame_after_resampling),
        cmocka_unit_test(test_background_ducks_under_cues),
        cmocka_unit_test(test_repeat_cue_and_gap_render),
        cmocka_unit_test(test_too_many_sounds_are_counted),
        cmocka_unit_test(test_background_file_loops_seamlessly),
    };
    return cmocka_run_group_tests(tests, testaudio_dir_setup, testaudio_dir_teardown);
}
