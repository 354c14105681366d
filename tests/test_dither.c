/* The 16-bit dither (out/dither.h) on its own: the triangular distribution
 * of its error, samples beyond full scale clamped and NaN made silent in the
 * middle of ordinary ones without changing those, and the same bytes
 * however the samples are cut into calls (in whole groups of four). The
 * measurement on a quiet tone through a real file is in test_out_file.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>

#include "out/dither.h"

enum { COUNT = 400000 };

static float input[COUNT];
static int16_t output[COUNT], again[COUNT];

/* Silence dithered: the value d + 0.5 steps rounded down, with d
 * triangular over +-1, is -1 with probability 1/8, 0 with 3/4, +1 with 1/8,
 * and never anything else. */
static void test_silence_is_triangular(void **state)
{
    (void)state;
    memset(input, 0, sizeof input);
    out_dither d;
    out_dither_init(&d);
    out_dither_to_16(&d, input, output, COUNT);
    int counts[3] = { 0, 0, 0 };
    for (int i = 0; i < COUNT; i++) {
        assert_true(output[i] >= -1 && output[i] <= 1);
        counts[output[i] + 1]++;
    }
    /* Binomial standard deviations: about 210 for 1/8, 270 for 3/4. */
    print_message("-1: %d, 0: %d, +1: %d of %d\n", counts[0], counts[1], counts[2], COUNT);
    assert_true(fabs(counts[0] - COUNT / 8.0) < 1200.0);
    assert_true(fabs(counts[2] - COUNT / 8.0) < 1200.0);
    assert_true(fabs(counts[1] - COUNT * 0.75) < 1500.0);
}

/* Neighbouring samples' dither is unrelated: the correlation of
 * successive values of silence dithered is near 0. */
static void test_successive_values_unrelated(void **state)
{
    (void)state;
    memset(input, 0, sizeof input);
    out_dither d;
    out_dither_init(&d);
    out_dither_to_16(&d, input, output, COUNT);
    for (int lag = 1; lag <= 8; lag++) {
        double sum = 0.0, squares = 0.0;
        for (int i = 0; i + lag < COUNT; i++) {
            sum += (double)output[i] * output[i + lag];
            squares += (double)output[i] * output[i];
        }
        double r = sum / squares;
        print_message("lag %d: r = %.4f\n", lag, r);
        assert_true(fabs(r) < 0.01);   /* noise alone: about 1 / sqrt(COUNT) = 0.0016 */
    }
}

/* Full scale and beyond clamp to the 16-bit range, NaN becomes 0, and the
 * ordinary samples around them come out as they do without them. */
static void test_out_of_range_clamped(void **state)
{
    (void)state;
    enum { N = 3000 };
    for (int i = 0; i < N; i++)
        input[i] = 0.5f * sinf(0.01f * (float)i);
    out_dither d;
    out_dither_init(&d);
    out_dither_to_16(&d, input, again, N);
    const float odd[] = { 1.0f, 2.0f, -1.0f, -2.0f, INFINITY, -INFINITY, NAN, 0.99999f };
    const int16_t expected_low[] = { 32767, 32767, -32768, -32768, 32767, -32768, 0, 32766 };
    for (size_t k = 0; k < sizeof odd / sizeof odd[0]; k++)
        input[1500 + 7 * k] = odd[k];
    out_dither_init(&d);
    out_dither_to_16(&d, input, output, N);
    for (int i = 0; i < N; i++) {
        size_t k = (size_t)(i - 1500) / 7;
        if (i >= 1500 && (i - 1500) % 7 == 0 && k < sizeof odd / sizeof odd[0]) {
            /* 0.99999 is 32767.67 steps: 32766 or 32767 with the dither. */
            assert_true(output[i] >= expected_low[k] && output[i] <= expected_low[k] + (k == 7));
            continue;
        }
        assert_int_equal(output[i], again[i]);
    }
}

/* The same bytes whether converted in one call or in several whose sizes
 * are whole groups of four. */
static void test_same_however_cut(void **state)
{
    (void)state;
    for (int i = 0; i < COUNT; i++)
        input[i] = 0.3f * sinf(0.001f * (float)i) + 1e-5f * (float)(i % 7);
    out_dither d;
    out_dither_init(&d);
    out_dither_to_16(&d, input, output, COUNT);
    out_dither_init(&d);
    size_t done = 0;
    const size_t pieces[] = { 4, 1020, 4096, 8, 65536 };
    for (int p = 0; done < COUNT; p++) {
        size_t n = pieces[p % 5] < COUNT - done ? pieces[p % 5] : COUNT - done;
        out_dither_to_16(&d, input + done, again + done, n);
        done += n;
    }
    assert_memory_equal(output, again, sizeof output);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_silence_is_triangular),
        cmocka_unit_test(test_successive_values_unrelated),
        cmocka_unit_test(test_out_of_range_clamped),
        cmocka_unit_test(test_same_however_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
