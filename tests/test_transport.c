/* Transport: the live controls around the engine. Everything here is
 * compared with the engine's own render of the same session, sample by
 * sample: pause, resume, skip and stop change only the fades and where the
 * engine is, never the sound itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "render/engine.h"
#include "testaudio.h"
#include "render/transport.h"
#include "testreport.h"

enum { RATE = 48000 };

/* Two breathe steps: "first" is 2 cycles of 2-2 (8 s), "second" 1 cycle of
 * 3-3 (6 s), with a tone pacer that sounds all the time. */
static const char session_text[] =
    "format = 1;\n"
    "title = \"Transport test\";\n"
    "pacer = { sound = \"tone\"; };\n"
    "steps = (\n"
    "  { type = \"breathe\"; label = \"first\"; pattern = \"2-2\"; cycles = 2; },\n"
    "  { type = \"breathe\"; label = \"second\"; pattern = \"3-3\"; cycles = 1; }\n"
    ");\n";
static const int64_t second_step = 8 * RATE;
static const int64_t session_end = 14 * RATE;

typedef struct {
    char *dir;
    session *session;
    timeline *timeline;
    float *reference;    /* the whole session from the engine, stereo */
} fixture;

static engine *engine_at(const fixture *f, int64_t start)
{
    engine_options options = { .volume_db = 0.0, .start = start, .length = TIMELINE_FOREVER };
    engine *e = engine_create(f->timeline, &options);
    assert_non_null(e);
    return e;
}

/* The engine alone, from `start` to the end. */
static float *render_from(const fixture *f, int64_t start)
{
    engine *e = engine_at(f, start);
    float *out = calloc((size_t)(2 * (session_end - start) + 2), sizeof(float));
    assert_non_null(out);
    int64_t done = 0;
    size_t n;
    while ((n = engine_render(e, out + 2 * done, 1000)) > 0)
        done += (int64_t)n;
    assert_int_equal(done, session_end - start);
    engine_free(e);
    return out;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = testaudio_temp_dir();
    if (!f->dir)
        return -1;
    char *path = testaudio_write_text(f->dir, "transport.cfg", session_text);
    if (!path)
        return -1;
    int status = session_load(path, &f->session, REPORT_TO_STDERR);
    free(path);
    if (status || timeline_build(f->session, &f->timeline, REPORT_TO_STDERR))
        return -1;
    if (timeline_length(f->timeline) != session_end)
        return -1;
    f->reference = render_from(f, 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    free(f->reference);
    timeline_free(f->timeline);
    session_free(f->session);
    testaudio_remove_dir(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

/* Pulls `frames` frames from the transport in blocks of `block` (as an
 * audio callback would); returns how many came. */
static int64_t pull(transport *t, float *out, int64_t frames, size_t block)
{
    int64_t done = 0;
    while (done < frames) {
        size_t want = frames - done < (int64_t)block ? (size_t)(frames - done) : block;
        size_t n = transport_render(t, out + 2 * done, want);
        done += (int64_t)n;
        if (n < want)
            break;
    }
    return done;
}

static double raised_cosine(double level)
{
    return 0.5 - 0.5 * cos(M_PI * level);
}

static void test_untouched_transport_is_the_engine(void **state)
{
    fixture *f = *state;
    transport t;
    transport_init(&t, engine_at(f, 0), RATE, 0.0);
    float *out = calloc((size_t)(2 * session_end + 2000), sizeof(float));
    assert_int_equal(pull(&t, out, session_end + 500, 333), session_end);
    assert_memory_equal(out, f->reference, sizeof(float) * 2 * (size_t)session_end);
    assert_int_equal(atomic_load(&t.position), session_end);
    assert_false(atomic_load(&t.stopped_early));
    free(out);
    transport_free_engines(&t);
}

static void test_pause_fades_out_waits_and_resumes_where_it_stopped(void **state)
{
    fixture *f = *state;
    const int64_t pressed = 3 * RATE + 123;
    const int64_t fade = (int64_t)llround(TRANSPORT_PAUSE_FADE_SECONDS * RATE);
    const int64_t silent = 2 * RATE;
    transport t;
    transport_init(&t, engine_at(f, 0), RATE, 0.0);
    float *out = calloc((size_t)(2 * (pressed + fade + silent + 2 * fade) + 2), sizeof(float));
    assert_int_equal(pull(&t, out, pressed, 256), pressed);
    assert_memory_equal(out, f->reference, sizeof(float) * 2 * (size_t)pressed);

    transport_toggle_pause(&t);
    assert_true(transport_pause_requested(&t));
    float *fading = out + 2 * pressed;
    assert_int_equal(pull(&t, fading, fade + silent, 256), fade + silent);
    /* The fade: a raised cosine from full to silence over exactly `fade`
     * frames of the session, which then stands still. */
    for (int64_t i = 0; i < fade; i++) {
        double g = raised_cosine(1.0 - (double)(i + 1) / (double)fade);
        assert_float_equal(fading[2 * i], g * f->reference[2 * (pressed + i)], 1e-5);
    }
    assert_int_equal(atomic_load(&t.position), pressed + fade);
    assert_true(atomic_load(&t.paused));
    for (int64_t i = 2 * fade; i < 2 * (fade + silent); i++)
        assert_true(fading[i] == 0.0f);

    transport_toggle_pause(&t);
    float *resumed = fading + 2 * (fade + silent);
    assert_int_equal(pull(&t, resumed, 2 * fade, 256), 2 * fade);
    assert_false(atomic_load(&t.paused));
    /* It fades back in from the very frame where it stood... */
    const float *continues = f->reference + 2 * (pressed + fade);
    for (int64_t i = 0; i < fade; i++) {
        double g = raised_cosine((double)(i + 1) / (double)fade);
        assert_float_equal(resumed[2 * i + 1], g * continues[2 * i + 1], 1e-5);
    }
    /* ...and then is the session itself again, bit for bit. */
    assert_memory_equal(resumed + 2 * fade, continues + 2 * fade,
                        sizeof(float) * 2 * (size_t)fade);
    free(out);
    transport_free_engines(&t);
}

static void test_skip_fades_out_then_plays_the_next_step_as_from_start(void **state)
{
    fixture *f = *state;
    const int64_t pressed = 5 * RATE + 77;
    const int64_t fade = (int64_t)llround(TRANSPORT_SKIP_FADE_SECONDS * RATE);
    int64_t target = transport_next_step(f->timeline, pressed, session_end);
    assert_int_equal(target, second_step);
    float *expected = render_from(f, second_step);

    transport t;
    transport_init(&t, engine_at(f, 0), RATE, 0.0);
    int64_t length = pressed + fade + (session_end - second_step);
    float *out = calloc((size_t)(2 * length + 2000), sizeof(float));
    assert_int_equal(pull(&t, out, pressed, 480), pressed);
    assert_true(transport_skip(&t, engine_at(f, target)));
    /* A second skip waits until the first is done. */
    engine *spare = engine_at(f, target);
    assert_false(transport_skip(&t, spare));
    engine_free(spare);

    assert_int_equal(pull(&t, out + 2 * pressed, length - pressed + 1000, 480), length - pressed);
    for (int64_t i = 0; i < fade; i++) {
        double g = raised_cosine(1.0 - (double)(i + 1) / (double)fade);
        assert_float_equal(out[2 * (pressed + i)], g * f->reference[2 * (pressed + i)], 1e-5);
    }
    assert_memory_equal(out + 2 * (pressed + fade), expected,
                        sizeof(float) * 2 * (size_t)(session_end - second_step));
    assert_int_equal(atomic_load(&t.skips), 1);
    assert_int_equal(atomic_load(&t.position), session_end);
    assert_false(atomic_load(&t.stopped_early));
    transport_collect(&t);
    assert_null(atomic_load(&t.retired));
    free(expected);
    free(out);
    transport_free_engines(&t);
}

static void test_next_step_from_the_last_step_is_the_end(void **state)
{
    fixture *f = *state;
    assert_int_equal(transport_next_step(f->timeline, 0, session_end), second_step);
    assert_int_equal(transport_next_step(f->timeline, second_step - 1, session_end),
                     second_step);
    assert_int_equal(transport_next_step(f->timeline, second_step, session_end), session_end);
    /* --length ending inside the first step: nothing to skip to but the end. */
    assert_int_equal(transport_next_step(f->timeline, RATE, 4 * RATE), 4 * RATE);
}

static void test_volume_moves_smoothly_to_its_target(void **state)
{
    fixture *f = *state;
    const int64_t pressed = 2 * RATE;
    const double target_db = -6.0;
    /* 6 dB at 20 dB/s: 0.3 s; the engine applies it one 32-frame block late. */
    const int64_t ramp = (int64_t)ceil(-target_db / TRANSPORT_VOLUME_DB_PER_SECOND * RATE);
    transport t;
    transport_init(&t, engine_at(f, 0), RATE, 0.0);
    float *out = calloc((size_t)(2 * session_end + 2), sizeof(float));
    assert_int_equal(pull(&t, out, pressed, 512), pressed);
    assert_float_equal(transport_set_volume(&t, target_db), target_db, 1e-9);
    assert_int_equal(pull(&t, out + 2 * pressed, 2 * RATE, 512), 2 * RATE);

    double gain = pow(10.0, target_db / 20.0);
    for (int64_t i = pressed + ramp + 1024; i < pressed + 2 * RATE; i++)
        assert_float_equal(out[2 * i], gain * f->reference[2 * i], 1e-5);
    /* No jumps on the way: over each 10 ms the gain moves by at most what
     * 20 dB/s allows. */
    double last_db = 0.0;
    for (int64_t w = pressed; w < pressed + ramp + 2048; w += RATE / 100) {
        double sum_out = 0.0, sum_ref = 0.0;
        for (int64_t i = w; i < w + RATE / 100; i++) {
            sum_out += (double)out[2 * i] * out[2 * i];
            sum_ref += (double)f->reference[2 * i] * f->reference[2 * i];
        }
        double db = 10.0 * log10(sum_out / sum_ref);
        assert_true(fabs(db - last_db) < 0.25);
        assert_true(db <= 0.01 && db >= target_db - 0.01);
        last_db = db;
    }
    assert_float_equal(last_db, target_db, 0.01);
    /* The keys' range. */
    assert_float_equal(transport_set_volume(&t, 100.0), TRANSPORT_VOLUME_MAX_DB, 1e-9);
    assert_float_equal(transport_set_volume(&t, -100.0), TRANSPORT_VOLUME_MIN_DB, 1e-9);
    free(out);
    transport_free_engines(&t);
}

/* A volume given outside the keys' range (--volume takes -120 to 40 dB)
 * is kept: a key moves it towards the range, never past where it is the
 * other way. */
static void test_volume_outside_the_keys_range_never_jumps(void **state)
{
    fixture *f = *state;
    transport t;
    transport_init(&t, engine_at(f, 0), RATE, -60.0);
    assert_float_equal(transport_set_volume(&t, -61.0), -60.0, 1e-9);
    assert_float_equal(transport_set_volume(&t, -59.0), -59.0, 1e-9);
    assert_float_equal(transport_set_volume(&t, -100.0), -59.0, 1e-9);
    transport_free_engines(&t);

    transport_init(&t, engine_at(f, 0), RATE, 30.0);
    assert_float_equal(transport_set_volume(&t, 31.0), 30.0, 1e-9);
    assert_float_equal(transport_set_volume(&t, 29.0), 29.0, 1e-9);
    assert_float_equal(transport_set_volume(&t, -100.0), TRANSPORT_VOLUME_MIN_DB, 1e-9);
    assert_float_equal(transport_set_volume(&t, 100.0), TRANSPORT_VOLUME_MAX_DB, 1e-9);
    transport_free_engines(&t);
}

static void test_stop_fades_out_and_ends_even_while_paused(void **state)
{
    fixture *f = *state;
    const int64_t fade = (int64_t)llround(TRANSPORT_STOP_FADE_SECONDS * RATE);
    transport t;
    transport_init(&t, engine_at(f, 0), RATE, 0.0);
    float *out = calloc((size_t)(2 * session_end + 2), sizeof(float));
    assert_int_equal(pull(&t, out, RATE, 100), RATE);
    transport_request_stop(&t);
    assert_int_equal(pull(&t, out + 2 * RATE, RATE, 100), fade);
    assert_true(atomic_load(&t.stopped_early));
    assert_true(fabsf(out[2 * (RATE + fade - 1)]) < 1e-6f);
    assert_int_equal(transport_render(&t, out, 100), 0);
    transport_free_engines(&t);

    /* Paused: already silent, so it ends at once. */
    transport_init(&t, engine_at(f, 0), RATE, 0.0);
    transport_toggle_pause(&t);
    assert_int_equal(pull(&t, out, RATE, 100), RATE);
    transport_request_stop(&t);
    assert_int_equal(transport_render(&t, out, 100), 0);
    free(out);
    transport_free_engines(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_untouched_transport_is_the_engine),
        cmocka_unit_test(test_pause_fades_out_waits_and_resumes_where_it_stopped),
        cmocka_unit_test(test_skip_fades_out_then_plays_the_next_step_as_from_start),
        cmocka_unit_test(test_next_step_from_the_last_step_is_the_end),
        cmocka_unit_test(test_volume_moves_smoothly_to_its_target),
        cmocka_unit_test(test_volume_outside_the_keys_range_never_jumps),
        cmocka_unit_test(test_stop_fades_out_and_ends_even_while_paused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
