/* Generators: sine table accuracy, bells that ramp in and die away, voices
 * resumed part way, noise colours at their documented level, the tone's
 * pitch, and the breath noise's brightness. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "render/synth.h"

#define RATE 48000

static double rms_db(const float *x, int frames, int stride)
{
    double sum = 0.0;
    for (int i = 0; i < frames; i++)
        sum += (double)x[i * stride] * x[i * stride];
    return 10.0 * log10(sum / frames + 1e-30);
}

static float peak(const float *x, int count)
{
    float p = 0.0f;
    for (int i = 0; i < count; i++)
        p = fmaxf(p, fabsf(x[i]));
    return p;
}

/* Frequency from rising zero crossings, interpolated. */
static double measure_hz(const float *stereo, int frames)
{
    double first = -1.0, last = -1.0;
    int crossings = 0;
    for (int i = 1; i < frames; i++) {
        float a = stereo[2 * (i - 1)], b = stereo[2 * i];
        if (a < 0.0f && b >= 0.0f) {
            double at = (i - 1) + a / (a - b);
            if (first < 0.0)
                first = at;
            else
                crossings++;
            last = at;
        }
    }
    return crossings > 0 ? crossings * RATE / (last - first) : 0.0;
}

static void test_sine_table_is_accurate(void **state)
{
    (void)state;
    synth_init();
    double worst = 0.0;
    for (int i = 0; i < 100000; i++) {
        double phase = i / 100000.0 * 3.0 - 1.0;
        worst = fmax(worst, fabs(synth_sine(phase) - sin(2.0 * M_PI * phase)));
    }
    assert_true(worst < 2e-6);
}

static void test_bell_rings_in_and_dies_away(void **state)
{
    (void)state;
    synth_init();
    int ring = 6 * RATE;
    float *out = calloc(2 * (size_t)ring + 64, sizeof(float));
    synth_voice v;
    synth_voice_bell(&v, 432.0, 0.5, ring, RATE, 0);
    int done = 0;
    while (synth_voice_render(&v, out + 2 * done, 1000))
        done += 1000;
    assert_int_equal(v.elapsed, ring);
    /* Ramped onset and ending, never above its gain. */
    assert_true(fabsf(out[0]) < 1e-3f);
    assert_true(fabsf(out[2 * (ring - 1)]) < 1e-4f);
    assert_true(peak(out, 2 * ring) <= 0.5f);
    assert_true(peak(out, 2 * ring) > 0.5f * 0.3f);
    /* Natural decay: the last half second is 30 dB below the first. */
    double head = rms_db(out, RATE / 2, 2), tail = rms_db(out + 2 * (ring - RATE / 2), RATE / 2, 2);
    assert_true(head - tail > 30.0);
    /* Nothing after the ring: the buffer beyond it is untouched. */
    assert_true(out[2 * ring] == 0.0f);
    free(out);
}

static void test_voice_resumed_part_way_matches(void **state)
{
    (void)state;
    synth_init();
    int ring = 2 * RATE, skip = 12345;
    float *whole = calloc(2 * (size_t)ring, sizeof(float));
    float *part = calloc(2 * (size_t)ring, sizeof(float));
    synth_voice a, b;
    synth_voice_bowl(&a, 294.0, 0.5, ring, RATE, 0);
    synth_voice_render(&a, whole, ring);
    synth_voice_bowl(&b, 294.0, 0.5, ring, RATE, skip);
    synth_voice_render(&b, part, ring - skip);
    double worst = 0.0;
    for (int i = 0; i < 2 * (ring - skip); i++)
        worst = fmax(worst, fabs(whole[2 * skip + i] - part[i]));
    assert_true(worst < 1e-3);
    free(whole);
    free(part);
}

static void test_clip_voice_adds_samples(void **state)
{
    (void)state;
    float samples[8] = { 0.1f, -0.1f, 0.2f, -0.2f, 0.3f, -0.3f, 0.4f, -0.4f };
    audio_clip clip = { .samples = samples, .frames = 4 };
    float out[10] = { 0 };
    synth_voice v;
    synth_voice_clip(&v, &clip, 0.5, 1);
    assert_false(synth_voice_render(&v, out, 5));
    assert_true(fabsf(out[0] - 0.1f) < 1e-7f && fabsf(out[1] + 0.1f) < 1e-7f);
    assert_true(fabsf(out[4] - 0.2f) < 1e-7f);
    assert_true(out[6] == 0.0f);
}

static void test_noise_colours_have_documented_level(void **state)
{
    (void)state;
    synth_noise_color colours[] = { SYNTH_NOISE_WHITE, SYNTH_NOISE_PINK, SYNTH_NOISE_BROWN };
    int rates[] = { 8000, 48000, 192000 };
    float *out = malloc(sizeof(float) * 10 * 192000);
    for (int r = 0; r < 3; r++) {
        for (int c = 0; c < 3; c++) {
            synth_noise n;
            synth_noise_init(&n, colours[c], 42, rates[r]);
            int frames = 10 * rates[r];
            synth_noise_render(&n, out, frames, 1);
            double level = rms_db(out, frames, 1);
            /* -6 dBFS RMS at gain 1, within half a dB for every colour and rate. */
            assert_true(fabs(level + 6.02) < 0.5);
        }
    }
    free(out);
}

static void test_noise_is_deterministic(void **state)
{
    (void)state;
    float a[1000], b[1000], c[1000];
    synth_noise x, y, z;
    synth_noise_init(&x, SYNTH_NOISE_PINK, 7, RATE);
    synth_noise_init(&y, SYNTH_NOISE_PINK, 7, RATE);
    synth_noise_init(&z, SYNTH_NOISE_PINK, 8, RATE);
    synth_noise_render(&x, a, 1000, 1);
    synth_noise_render(&y, b, 1000, 1);
    synth_noise_render(&z, c, 1000, 1);
    assert_memory_equal(a, b, sizeof a);
    assert_memory_not_equal(a, c, sizeof a);
}

static void test_tone_pitch_and_glide(void **state)
{
    (void)state;
    synth_init();
    int frames = RATE;
    float *out = calloc(2 * (size_t)frames, sizeof(float));
    synth_tone t = { 0.0 };
    synth_tone_render(&t, out, frames, RATE, 250.0, 250.0, 0.5f, 0.5f);
    assert_true(fabs(measure_hz(out, frames) - 250.0) < 0.5);
    assert_true(peak(out, 2 * frames) <= 0.5f);
    memset(out, 0, sizeof(float) * 2 * (size_t)frames);
    synth_tone_render(&t, out, frames, RATE, 200.0, 400.0, 0.5f, 0.5f);
    double early = measure_hz(out, RATE / 10);
    double late = measure_hz(out + 2 * (frames - RATE / 10), RATE / 10);
    assert_true(early > 195.0 && early < 215.0);
    assert_true(late > 385.0 && late < 405.0);
    free(out);
}

static double brightness_ratio(float brightness)
{
    synth_breath_noise b;
    synth_breath_noise_init(&b, 3);
    static float out[2 * RATE];
    memset(out, 0, sizeof out);
    synth_breath_noise_render(&b, out, RATE, RATE, brightness, brightness, 0.5f, 0.5f);
    double all = 0.0, change = 0.0;
    for (int i = 1; i < RATE; i++) {
        all += (double)out[2 * i] * out[2 * i];
        double d = out[2 * i] - out[2 * i - 2];
        change += d * d;
    }
    return change / all;
}

static void test_breath_noise_brightens(void **state)
{
    (void)state;
    assert_true(brightness_ratio(1.0f) > 4.0 * brightness_ratio(0.0f));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sine_table_is_accurate),
        cmocka_unit_test(test_bell_rings_in_and_dies_away),
        cmocka_unit_test(test_voice_resumed_part_way_matches),
        cmocka_unit_test(test_clip_voice_adds_samples),
        cmocka_unit_test(test_noise_colours_have_documented_level),
        cmocka_unit_test(test_noise_is_deterministic),
        cmocka_unit_test(test_tone_pitch_and_glide),
        cmocka_unit_test(test_breath_noise_brightens),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
