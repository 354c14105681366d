/* Lipponen and Tarvainen's classification and correction on generated
 * series: a clean series with breathing and noise has no artefacts; a
 * missed, an extra and an ectopic beat and a long and a short interval put
 * in at known beats are each found as what they are and mended to within
 * a few milliseconds of the truth; the timing of the series is kept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hrv/beats.h"
#include "rrseries.h"

enum { CAPACITY = 1200 };

/* Ten minutes at 6 breaths a minute, swing 120 ms, noise 8 ms. */
static size_t clean_series(beat *beats)
{
    size_t count = 0;
    rrseries_random random = {0x9e3779b97f4a7c15ULL};
    rrseries_paced(beats, &count, CAPACITY, 0.0, 600.0, 900.0, 120.0, 6.0, 8.0, &random);
    return count;
}

static void test_clean_series_has_no_artefacts(void **state)
{
    (void)state;
    beat *in = malloc(CAPACITY * sizeof *in), *out = malloc(2 * CAPACITY * sizeof *out);
    size_t count = clean_series(in), corrected = 0;
    assert_true(count > 600);
    beat_counts counts;
    assert_int_equal(beats_correct(in, count, out, &corrected, NULL, &counts), 0);
    assert_int_equal(beat_counts_artefacts(&counts), 0);
    assert_int_equal(corrected, count);
    assert_memory_equal(in, out, count * sizeof *in);
    free(in);
    free(out);
}

static void test_each_artefact_found_and_mended(void **state)
{
    (void)state;
    beat *truth = malloc(CAPACITY * sizeof *truth), *in = malloc(CAPACITY * sizeof *in);
    beat *out = malloc(2 * CAPACITY * sizeof *out);
    beat_kind *kinds = malloc(CAPACITY * sizeof *kinds);
    size_t truth_count = clean_series(truth);
    memcpy(in, truth, truth_count * sizeof *in);
    size_t count = truth_count;

    /* ectopic: beat 300 comes 250 ms early, its interval short and the next long */
    in[300].rr_ms -= 250.0;
    in[300].t -= 0.250;
    in[301].rr_ms += 250.0;
    /* long at 400 (+350 ms, the beats after it later) and short at 500 (-300 ms) */
    in[400].rr_ms += 350.0;
    in[500].rr_ms -= 300.0;
    /* extra: beat 200's interval split 30 % / 70 % by a beat that was not there */
    memmove(in + 201, in + 200, (count - 200) * sizeof *in);
    count++;
    double whole = in[201].rr_ms;
    in[200] = (beat){in[201].t - 0.7 * whole / 1000.0, 0.3 * whole};
    in[201].rr_ms = 0.7 * whole;
    /* missed: beat 100 not seen, its interval joins the next (beats after shift) */
    in[101].rr_ms += in[100].rr_ms;
    memmove(in + 100, in + 101, (count - 101) * sizeof *in);
    count--;
    /* indices now: missed 100, extra 199 and 200, ectopic 300 and 301, long 400, short 500 */

    size_t corrected = 0;
    beat_counts counts;
    assert_int_equal(beats_correct(in, count, out, &corrected, kinds, &counts), 0);
    for (size_t i = 0; i < count; i++)
        if (kinds[i] != BEAT_NORMAL)
            print_message("beat %zu (%.1f ms): %s\n", i, in[i].rr_ms, beat_kind_name(kinds[i]));
    assert_int_equal(kinds[100], BEAT_MISSED);
    assert_int_equal(kinds[199], BEAT_EXTRA);
    assert_int_equal(kinds[301], BEAT_ECTOPIC);   /* the second of the pair */
    assert_int_equal(kinds[400], BEAT_LONG);
    assert_int_equal(kinds[500], BEAT_SHORT);
    assert_int_equal(counts.of_kind[BEAT_MISSED], 1);
    assert_int_equal(counts.of_kind[BEAT_EXTRA], 1);
    assert_int_equal(counts.of_kind[BEAT_ECTOPIC], 1);
    assert_int_equal(counts.of_kind[BEAT_LONG], 1);
    assert_int_equal(counts.of_kind[BEAT_SHORT], 1);
    assert_int_equal(beat_counts_artefacts(&counts), 5);

    /* The mended series has the true number of beats, and every interval is
     * within 30 ms of the truth (the noise is 8 ms; a missed beat is split
     * in equal halves where the truth differed by the swing between them). */
    assert_int_equal(corrected, truth_count);
    for (size_t i = 0; i < corrected; i++) {
        if (fabs(out[i].rr_ms - truth[i].rr_ms) > 30.0)
            fail_msg("beat %zu: %.1f ms mended, %.1f ms true", i, out[i].rr_ms, truth[i].rr_ms);
        assert_true(fabs(out[i].t - truth[i].t) < 0.4);
        if (i > 0)
            assert_true(out[i].t > out[i - 1].t);
    }
    free(truth);
    free(in);
    free(out);
    free(kinds);
}

static void test_short_series_left_alone(void **state)
{
    (void)state;
    beat in[BEATS_MIN_COUNT - 1], out[2 * (BEATS_MIN_COUNT - 1)];
    for (size_t i = 0; i < BEATS_MIN_COUNT - 1; i++)
        in[i] = (beat){(double)i, i == 3 ? 2000.0 : 1000.0};
    size_t corrected = 0;
    beat_counts counts;
    assert_int_equal(beats_correct(in, BEATS_MIN_COUNT - 1, out, &corrected, NULL, &counts), 0);
    assert_int_equal(corrected, BEATS_MIN_COUNT - 1);
    assert_int_equal(beat_counts_artefacts(&counts), 0);
    assert_int_equal(beats_correct(in, 0, out, &corrected, NULL, &counts), 0);
    assert_int_equal(corrected, 0);
}

static void test_constant_series_is_clean(void **state)
{
    (void)state;
    /* no spread at all: the threshold floor keeps 1 ms steps normal */
    double rr[40];
    beat_kind kinds[40];
    for (size_t i = 0; i < 40; i++)
        rr[i] = 1000.0 + (double)(i % 2);
    assert_int_equal(beats_classify(rr, 40, kinds), 0);
    for (size_t i = 0; i < 40; i++)
        assert_int_equal(kinds[i], BEAT_NORMAL);
}

static void test_kind_names(void **state)
{
    (void)state;
    assert_string_equal(beat_kind_name(BEAT_MISSED), "missed");
    assert_string_equal(beat_kind_name(BEAT_ECTOPIC), "ectopic");
    assert_string_equal(beat_kind_name(BEAT_KIND_COUNT), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clean_series_has_no_artefacts),
        cmocka_unit_test(test_each_artefact_found_and_mended),
        cmocka_unit_test(test_short_series_left_alone),
        cmocka_unit_test(test_constant_series_is_clean),
        cmocka_unit_test(test_kind_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
