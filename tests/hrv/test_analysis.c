/* The analysis on generated series whose truth is known: heart rate
 * swinging with each paced rate by a chosen amount, with noise and with
 * artefacts, built as a recording in memory. Each rate's swing is close to
 * the sinusoid's own (the highest minus the lowest of 60000 / RR), its LF
 * peak at the breathing frequency, its phase where the sinusoid puts the
 * heart rate's peak; the resonance is the rate with the largest swing, a
 * tie when two are alike, and none with too few clean beats. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>

#include "hrv/analysis.h"
#include "rrseries.h"

enum { CAPACITY = 4000 };

static const double rates[] = {6.5, 6.0, 5.5, 5.0, 4.5};

/* A recording: 60 s unpaced, then 120 s at each rate with 20 s of rest,
 * the RR swing (ms, peak to peak) at each rate from swing_of. */
static recording make_recording(const double swing_of[5], double noise_ms, unsigned long long seed)
{
    beat *beats = malloc(CAPACITY * sizeof *beats);
    double *bpm = malloc(CAPACITY * sizeof *bpm);
    size_t count = 0;
    rrseries_random random = {seed};
    double t = 0.0;
    size_t before = count;
    rrseries_paced(beats, &count, CAPACITY, t, 60.0, 900.0, 0.0, 6.0, noise_ms, &random);
    for (size_t i = before; i < count; i++)
        bpm[i] = 0.0;
    t = 60.0;
    for (int r = 0; r < 5; r++) {
        before = count;
        rrseries_paced(beats, &count, CAPACITY, t, 120.0, 900.0, swing_of[r], rates[r],
                       noise_ms, &random);
        for (size_t i = before; i < count; i++)
            bpm[i] = rates[r];
        t += 120.0;
        before = count;
        rrseries_paced(beats, &count, CAPACITY, t, 20.0, 900.0, 0.0, 6.0, noise_ms, &random);
        for (size_t i = before; i < count; i++)
            bpm[i] = 0.0;
        t += 20.0;
    }
    recording rec = {.rows = calloc(count, sizeof *rec.rows), .count = count};
    for (size_t i = 0; i < count; i++)
        rec.rows[i] = (recording_row){.t = beats[i].t, .rr_raw_ms = beats[i].rr_ms,
                                      .rr_ms = beats[i].rr_ms, .bpm = bpm[i],
                                      .line = (int)i + 6};
    free(beats);
    free(bpm);
    return rec;
}

/* The heart-rate swing of an RR sinusoid of mean 900 ms and this swing. */
static double true_swing_bpm(double swing_ms)
{
    return 60000.0 / (900.0 - swing_ms / 2.0) - 60000.0 / (900.0 + swing_ms / 2.0);
}

static void test_clean_resonance_found(void **state)
{
    (void)state;
    const double swing[5] = {60.0, 90.0, 140.0, 90.0, 60.0};
    recording rec = make_recording(swing, 3.0, 0x1234567ULL);
    hrv_analysis a;
    assert_int_equal(hrv_analyse(&rec, &a), RESULT_OK);
    assert_int_equal(a.rate_count, 5);
    assert_int_equal(beat_counts_artefacts(&a.artefacts), 0);
    for (size_t i = 0; i < 5; i++) {
        const hrv_rate *r = &a.rates[i];
        assert_true(r->rate == rates[i]);
        assert_true(r->enough);
        /* whole breaths from the first after 15 s to the rate's last beat
         * (the rate starts and ends within a beat of 60 + 140 r and 120 s on) */
        double period = 60.0 / rates[i];
        assert_int_equal(r->breaths, (size_t)(floor(119.0 / period) - ceil(15.0 / period)));
        /* beats sample the sinusoid: the swing is a little under its own */
        double truth = true_swing_bpm(swing[i]);
        if (!(r->swing_bpm <= truth * 1.05 && r->swing_bpm >= truth * 0.85))
            fail_msg("%g/min: swing %.2f bpm, the sinusoid's %.2f", rates[i], r->swing_bpm, truth);
        assert_true(fabs(r->lf_peak_hz - rates[i] / 60.0) <= 0.001);
        assert_int_equal(r->lf_peaks, 1);
        assert_true(r->follow > 0.95);
        /* RR = sin(w t) from the rate's start: longest at 90°, so heart rate
         * is highest at 270°; the start is known to half a beat (the analysis
         * puts it halfway between the last beat before and the first) */
        if (fabs(r->phase_degrees - 270.0) > 30.0)
            fail_msg("%g/min: phase %.0f°", rates[i], r->phase_degrees);
    }
    assert_int_equal(a.resonance.outcome, RESONANCE_FOUND);
    assert_true(a.rates[a.resonance.best].rate == 5.5);
    assert_true(a.resonance.clear);
    for (int k = 0; k < CRITERION_COUNT; k++)
        assert_true(a.resonance.criteria[k]);
    /* LF power grows with the swing: the sinusoid's power is (swing/2)^2 / 2 */
    double lf = a.rates[2].lf_power, expected = 70.0 * 70.0 / 2.0;
    if (fabs(lf - expected) > 0.15 * expected)
        fail_msg("LF power %.0f ms², a 140-ms sinusoid has %.0f", lf, expected);
    hrv_analysis_free(&a);
    recording_free(&rec);
}

static void test_artefacts_do_not_move_the_choice(void **state)
{
    (void)state;
    const double swing[5] = {60.0, 140.0, 90.0, 70.0, 50.0};
    recording rec = make_recording(swing, 3.0, 0x42ULL);
    /* a missed beat at each rate, 60 s in: twice an interval as raw */
    for (int r = 0; r < 5; r++) {
        double at = 60.0 + 140.0 * r + 60.0;
        size_t i = 0;
        while (rec.rows[i].t < at)
            i++;
        rec.rows[i + 1].rr_raw_ms += rec.rows[i].rr_raw_ms;
        for (size_t j = i; j + 1 < rec.count; j++)
            rec.rows[j] = rec.rows[j + 1];
        rec.count--;
    }
    hrv_analysis a;
    assert_int_equal(hrv_analyse(&rec, &a), RESULT_OK);
    assert_int_equal(a.artefacts.of_kind[BEAT_MISSED], 5);
    assert_int_equal(beat_counts_artefacts(&a.artefacts), 5);
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(a.rates[i].artefacts, 1);
    assert_int_equal(a.resonance.outcome, RESONANCE_FOUND);
    assert_true(a.rates[a.resonance.best].rate == 6.0);
    hrv_analysis_free(&a);
    recording_free(&rec);
}

static void test_alike_swings_are_a_tie(void **state)
{
    (void)state;
    const double swing[5] = {60.0, 120.0, 120.0, 70.0, 50.0};
    recording rec = make_recording(swing, 8.0, 0x77ULL);
    hrv_analysis a;
    assert_int_equal(hrv_analyse(&rec, &a), RESULT_OK);
    assert_int_equal(a.resonance.outcome, RESONANCE_TIE);
    assert_true(a.resonance.margin_errors < HRV_TIE_MARGIN);
    double tied[2] = {a.rates[a.resonance.best].rate, a.rates[a.resonance.runner_up].rate};
    assert_true((tied[0] == 6.0 && tied[1] == 5.5) || (tied[0] == 5.5 && tied[1] == 6.0));
    hrv_analysis_free(&a);
    recording_free(&rec);
}

static void test_too_few_clean_beats(void **state)
{
    (void)state;
    const double swing[5] = {60.0, 90.0, 140.0, 90.0, 60.0};
    recording rec = make_recording(swing, 3.0, 0x99ULL);
    /* every paced beat after the first 40 s of its rate is a dropout */
    size_t kept = 0;
    for (size_t i = 0; i < rec.count; i++) {
        double into = fmod(rec.rows[i].t - 60.0, 140.0);
        if (rec.rows[i].bpm > 0 && rec.rows[i].t > 60.0 && into > 40.0 && into < 120.0)
            rec.rows[i] = (recording_row){.t = rec.rows[i].t, .gap = true, .line = rec.rows[i].line};
        rec.rows[kept++] = rec.rows[i];
    }
    rec.count = kept;
    hrv_analysis a;
    assert_int_equal(hrv_analyse(&rec, &a), RESULT_OK);
    assert_true(a.gaps > 0);
    assert_int_equal(a.resonance.outcome, RESONANCE_TOO_FEW);
    assert_int_equal(a.resonance.rates_with_enough, 0);
    hrv_analysis_free(&a);
    recording_free(&rec);
}

static void test_nothing_paced(void **state)
{
    (void)state;
    recording rec = {0};
    hrv_analysis a;
    assert_int_equal(hrv_analyse(&rec, &a), RESULT_OK);
    assert_int_equal(a.rate_count, 0);
    assert_int_equal(a.resonance.outcome, RESONANCE_TOO_FEW);
    hrv_analysis_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clean_resonance_found),
        cmocka_unit_test(test_artefacts_do_not_move_the_choice),
        cmocka_unit_test(test_alike_swings_are_a_tie),
        cmocka_unit_test(test_too_few_clean_beats),
        cmocka_unit_test(test_nothing_paced),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
