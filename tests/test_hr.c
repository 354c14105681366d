/* test_hr.c: the heart-rate layer's pure parts and its monitor: the Heart
 * Rate Measurement parser (every malformed case), the threshold check, RR
 * text, the recording's rows and header, and the monitor's times, gaps and
 * swings (fed directly, its source a pipe nobody writes to). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "hr/artefact.h"
#include "hr/measurement.h"
#include "hr/monitor.h"
#include "hr/recording.h"
#include "hr/rr_text.h"
#include "testaudio.h"
#include "testreport.h"

/* ---- the notification parser ---- */

static hr_measurement_result parse(const uint8_t *bytes, size_t size, hr_measurement *m)
{
    return hr_measurement_parse(bytes, size, m);
}

static void test_measurement_8_bit_rate_and_intervals(void **state)
{
    (void)state;
    /* flags: contact supported and made, RR present; 62 bpm; 1024 and 512 ticks */
    const uint8_t bytes[] = { 0x16, 62, 0x00, 0x04, 0x00, 0x02 };
    hr_measurement m;
    assert_int_equal(parse(bytes, sizeof bytes, &m), HR_MEASUREMENT_OK);
    assert_int_equal(m.heart_rate, 62);
    assert_true(m.contact_supported);
    assert_true(m.contact);
    assert_false(m.has_energy);
    assert_int_equal(m.interval_count, 2);
    assert_true(m.interval_ms[0] == 1000.0);
    assert_true(m.interval_ms[1] == 500.0);
}

static void test_measurement_16_bit_rate_and_energy(void **state)
{
    (void)state;
    /* 16-bit rate 300 (0x012c), energy 0x0102, one interval of 819 ticks */
    const uint8_t bytes[] = { 0x19, 0x2c, 0x01, 0x02, 0x01, 0x33, 0x03 };
    hr_measurement m;
    assert_int_equal(parse(bytes, sizeof bytes, &m), HR_MEASUREMENT_OK);
    assert_int_equal(m.heart_rate, 300);
    assert_true(m.has_energy);
    assert_int_equal(m.energy_kilojoules, 0x0102);
    assert_int_equal(m.interval_count, 1);
    assert_true(fabs(m.interval_ms[0] - 819 * 1000.0 / 1024.0) < 1e-9);
}

static void test_measurement_malformed(void **state)
{
    (void)state;
    hr_measurement m;
    static const struct {
        uint8_t bytes[8];
        size_t size;
        hr_measurement_result expected;
    } cases[] = {
        { { 0 }, 0, HR_MEASUREMENT_TOO_SHORT },
        { { 0x10 }, 1, HR_MEASUREMENT_TOO_SHORT },
        { { 0x11, 60 }, 2, HR_MEASUREMENT_MISSING_RATE },      /* 16-bit promised */
        { { 0x18, 60, 1 }, 3, HR_MEASUREMENT_MISSING_ENERGY },  /* energy promised */
        { { 0x08, 60 }, 2, HR_MEASUREMENT_MISSING_ENERGY },
        { { 0x00, 60 }, 2, HR_MEASUREMENT_NO_INTERVALS },       /* no RR field */
        { { 0x00, 60, 0x00, 0x04 }, 4, HR_MEASUREMENT_NO_INTERVALS },  /* not flagged */
        { { 0x10, 60 }, 2, HR_MEASUREMENT_NO_INTERVALS },       /* flagged, empty */
        { { 0x10, 60, 0x00 }, 3, HR_MEASUREMENT_ODD_INTERVALS },
        { { 0x10, 60, 0x00, 0x04, 0x01 }, 5, HR_MEASUREMENT_ODD_INTERVALS },
        { { 0x10, 60, 0x00, 0x00 }, 4, HR_MEASUREMENT_ZERO_INTERVAL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hr_measurement_result got = parse(cases[i].bytes, cases[i].size, &m);
        if (got != cases[i].expected)
            fail_msg("case %zu: %d, not %d", i, got, cases[i].expected);
        assert_true(strlen(hr_measurement_result_text(got)) > 0);
    }
    uint8_t too_long[HR_MEASUREMENT_MAX_BYTES + 2] = { 0x10, 60 };
    assert_int_equal(parse(too_long, sizeof too_long, &m), HR_MEASUREMENT_TOO_LONG);
    /* The longest there can be: 255 intervals. */
    uint8_t longest[HR_MEASUREMENT_MAX_BYTES] = { 0x10, 60 };
    for (size_t i = 2; i < sizeof longest; i++)
        longest[i] = 1;
    assert_int_equal(parse(longest, sizeof longest, &m), HR_MEASUREMENT_OK);
    assert_int_equal(m.interval_count, HR_MEASUREMENT_MAX_INTERVALS);
}

/* ---- the threshold check ---- */

static void test_artefact_threshold_and_median(void **state)
{
    (void)state;
    hr_artefact a;
    hr_artefact_reset(&a);
    double corrected;
    const double clean[] = { 800, 810, 790, 805, 820 };
    for (size_t i = 0; i < 5; i++) {
        assert_false(hr_artefact_check(&a, clean[i], &corrected));
        assert_true(corrected == clean[i]);
    }
    /* Median of 800 790 805 810 820 is 805: 1056 is 251 ms more. */
    assert_true(hr_artefact_check(&a, 1056, &corrected));
    assert_true(corrected == 805);
    /* 1055 is exactly 250 more: clean. */
    assert_false(hr_artefact_check(&a, 1055, &corrected));
    assert_true(corrected == 1055);
    /* A missed beat (twice the interval) and an extra one (half). */
    assert_true(hr_artefact_check(&a, 1610, &corrected));
    assert_true(hr_artefact_check(&a, 400, &corrected));
    /* The median is of the last 11 clean ones at most. */
    double values[] = { 5, 1, 4, 2, 3, 6 };
    assert_true(hr_artefact_median(values, 5) == 3);
    double even[] = { 4, 1, 3, 2 };
    assert_true(hr_artefact_median(even, 4) == 2.5);
}

static void test_artefact_new_pace_is_taken(void **state)
{
    (void)state;
    hr_artefact a;
    hr_artefact_reset(&a);
    double corrected;
    for (int i = 0; i < 11; i++)
        hr_artefact_check(&a, 1000, &corrected);
    /* Five in a row at 700 that agree: flagged four times, then the
     * reference starts again from them. */
    for (int i = 0; i < HR_ARTEFACT_RESET - 1; i++) {
        assert_true(hr_artefact_check(&a, 700 + i, &corrected));
        assert_true(corrected == 1000);
    }
    assert_false(hr_artefact_check(&a, 704, &corrected));
    assert_false(hr_artefact_check(&a, 710, &corrected));
    /* Five in a row that do not agree among themselves stay flagged. */
    hr_artefact_reset(&a);
    for (int i = 0; i < 11; i++)
        hr_artefact_check(&a, 1000, &corrected);
    const double wild[] = { 300, 2000, 310, 2100, 320, 2050 };
    for (size_t i = 0; i < 6; i++)
        assert_true(hr_artefact_check(&a, wild[i], &corrected));
}

/* ---- RR text ---- */

static hr_rr_text_result line(hr_rr_text *t, const char *text, double *value)
{
    char why[256];
    return hr_rr_text_line(t, text, value, why, sizeof why);
}

static void test_rr_text_plain_and_polar(void **state)
{
    (void)state;
    hr_rr_text t;
    double v = 0;
    hr_rr_text_init(&t);
    assert_int_equal(line(&t, "# a comment", &v), HR_RR_TEXT_SKIPPED);
    assert_int_equal(line(&t, "", &v), HR_RR_TEXT_SKIPPED);
    assert_int_equal(line(&t, "812\r", &v), HR_RR_TEXT_INTERVAL);
    assert_true(v == 812);
    assert_int_equal(line(&t, " 812.5 ", &v), HR_RR_TEXT_INTERVAL);
    assert_true(v == 812.5);
    char why[256];
    assert_int_equal(hr_rr_text_line(&t, "81x", &v, why, sizeof why), HR_RR_TEXT_BAD);
    assert_string_equal(why, "'81x' is not an RR interval in milliseconds (such as 812)");
    assert_int_equal(hr_rr_text_line(&t, "0", &v, why, sizeof why), HR_RR_TEXT_BAD);
    assert_string_equal(why, "an RR interval of 0 ms: it must be from 1 to 60000 ms");
    assert_int_equal(line(&t, "60001", &v), HR_RR_TEXT_BAD);
    assert_int_equal(line(&t, "nan", &v), HR_RR_TEXT_BAD);

    /* Polar Sensor Logger's RR file. */
    hr_rr_text_init(&t);
    assert_int_equal(line(&t, "Phone timestamp;RR-interval [ms]", &v), HR_RR_TEXT_SKIPPED);
    assert_int_equal(line(&t, "2026-12-20T07:30:00.812;812", &v), HR_RR_TEXT_INTERVAL);
    assert_true(v == 812);
    assert_int_equal(line(&t, "2026-12-20T07:30:01.650;838\r", &v), HR_RR_TEXT_INTERVAL);
    assert_true(v == 838);
    assert_int_equal(hr_rr_text_line(&t, "2026-12-20T07:30:02", &v, why, sizeof why),
                     HR_RR_TEXT_BAD);
    assert_string_equal(why, "no 'RR-interval [ms]' column in this row");
    /* The column wherever it is, with the header's separator. */
    hr_rr_text_init(&t);
    assert_int_equal(line(&t, "\"RR-interval [ms]\",\"Phone timestamp\"", &v), HR_RR_TEXT_SKIPPED);
    assert_int_equal(line(&t, "\"799\",\"2026-12-20T07:30:00.812\"", &v), HR_RR_TEXT_INTERVAL);
    assert_true(v == 799);
    /* A header of any other file is not an interval. */
    hr_rr_text_init(&t);
    assert_int_equal(line(&t, "Phone timestamp;HR [bpm]", &v), HR_RR_TEXT_BAD);
}

/* ---- the recording ---- */

static void test_recording_rows_and_path(void **state)
{
    (void)state;
    char row[HR_RECORDING_ROW_MAX];
    hr_recording_format_row(row, sizeof row, 1.5, 812.5, 812.5, 6.0, NULL);
    assert_string_equal(row, "1.500\t812.5\t812.5\t6\t\n");
    hr_recording_format_row(row, sizeof row, 12.3456, 1250.0, 830.04, 5.5, "threshold");
    assert_string_equal(row, "12.346\t1250.0\t830.0\t5.5\tthreshold\n");
    hr_recording_format_row(row, sizeof row, 3, 800, 800, 60.0 / 9.0, NULL);
    assert_string_equal(row, "3.000\t800.0\t800.0\t6.67\t\n");
    hr_recording_format_row(row, sizeof row, 4, 800, 800, NAN, NULL);
    assert_string_equal(row, "4.000\t800.0\t800.0\t\t\n");
    hr_recording_format_row(row, sizeof row, 14.2, NAN, NAN, 10.0, "gap");
    assert_string_equal(row, "14.200\t\t\t10\tgap\n");
    assert_int_equal(hr_recording_format_row(row, 8, 14.2, NAN, NAN, 10.0, "gap"), -1);

    setenv("TZ", "UTC", 1);
    tzset();
    char *path = hr_recording_path("/state/breathe/recordings", 1797751800, "sessions/my walk.cfg");
    assert_string_equal(path, "/state/breathe/recordings/2026-12-20T07-30-00-my-walk.tsv");
    free(path);
    char when[64];
    hr_recording_local_time(when, sizeof when, 1797751800);
    assert_string_equal(when, "2026-12-20T07:30:00+00:00");
    setenv("TZ", "<+0530>-5:30", 1);
    tzset();
    hr_recording_local_time(when, sizeof when, 1797751800);
    assert_string_equal(when, "2026-12-20T13:00:00+05:30");
    unsetenv("TZ");
    tzset();
}

static void test_recording_file_never_replaced(void **state)
{
    (void)state;
    setenv("TZ", "UTC", 1);
    tzset();
    char *folder = testaudio_path(testaudio_dir, "deep/recordings");
    char *path = hr_recording_path(folder, 1797751800, "resonance-assessment");
    hr_recording *first, *second;
    assert_int_equal(hr_recording_open(&first, path, "resonance-assessment", 1797751800,
                                       "file rr.txt", REPORT_TO_STDERR), 0);
    hr_recording_row(first, 0.8, 800, 800, 6, NULL);
    assert_int_equal(hr_recording_open(&second, path, "resonance-assessment", 1797751800,
                                       "file\nrr.txt", REPORT_TO_STDERR), 0);
    assert_non_null(strstr(hr_recording_file(second), "-resonance-assessment-2.tsv"));
    assert_int_equal(hr_recording_close(first), 0);
    assert_int_equal(hr_recording_close(second), 0);
    char *text = testaudio_read_text(path, NULL);
    assert_string_equal(text, "# breathe heart-rate recording 1\n"
                              "# session: resonance-assessment\n"
                              "# started: 2026-12-20T07:30:00+00:00\n"
                              "# source: file rr.txt\n"
                              "t\trr_raw_ms\trr_ms\tbpm\tartefact\n"
                              "0.800\t800.0\t800.0\t6\t\n");
    free(text);
    char *other = testaudio_path(folder, "2026-12-20T07-30-00-resonance-assessment-2.tsv");
    text = testaudio_read_text(other, NULL);
    assert_non_null(strstr(text, "# source: file rr.txt\n"));   /* one line */
    free(text);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    unlink(path);
    unlink(other);
    free(other);
    free(path);
    char *deep = testaudio_path(testaudio_dir, "deep");
    rmdir(folder);
    rmdir(deep);
    free(deep);
    free(folder);
    unsetenv("TZ");
    tzset();
}

/* ---- the monitor ---- */

/* A monitor whose source is a pipe nobody writes to: its thread waits,
 * and the test hands it beats itself. */
static hr_monitor *idle_monitor(const char *folder)
{
    char *fifo = testaudio_path(testaudio_dir, "beats");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    hr_monitor *m;
    hr_options options = { .source = fifo, .session = "test", .recordings_folder = folder };
    assert_int_equal(hr_monitor_open(&m, &options, REPORT_TO_STDERR), 0);
    assert_int_equal(hr_monitor_start(m), 0);
    unlink(fifo);
    free(fifo);
    /* The source's thread says it is connected as it starts; wait for that
     * (at most 20 s: under valgrind a thread starts late), so that it cannot
     * land after the connection changes the tests make themselves. */
    hr_state s = { .connected = false };
    for (int i = 0; i < 2000 && !s.connected; i++) {
        hr_monitor_state(m, &s);
        if (!s.connected)
            nanosleep(&(struct timespec){ .tv_nsec = 10000000 }, NULL);
    }
    assert_true(s.connected);
    return m;
}

static void test_monitor_times_swing_and_gaps(void **state)
{
    (void)state;
    char *folder = testaudio_path(testaudio_dir, "recordings");
    hr_monitor *m = idle_monitor(folder);
    hr_state s;
    hr_monitor_state(m, &s);
    assert_true(isnan(s.heart_rate));
    assert_true(isnan(s.swing));
    assert_int_equal(strncmp(s.source, "pipe /", 6), 0);   /* a pipe, by its path */
    double start = hr_monitor_start_time(m);
    /* Nothing paced: the bpm column is empty. */
    hr_monitor_pace(m, NAN);
    hr_monitor_beats(m, (double[]){ 1000.0 }, 1, start + 1.0);
    /* A breath at 6 a minute: heart rates 60, 75 and 50 (after a beat
     * that ended in the same notification). */
    hr_monitor_pace(m, 6.0);
    hr_monitor_breath(m);
    hr_monitor_beats(m, (double[]){ 1000.0, 800.0 }, 2, start + 3.0);
    hr_monitor_beats(m, (double[]){ 1200.0 }, 1, start + 4.2);
    hr_monitor_state(m, &s);
    assert_true(isnan(s.swing));            /* the breath is not over */
    assert_true(s.heart_rate == 50.0);
    hr_monitor_breath(m);
    hr_monitor_state(m, &s);
    assert_true(s.swing == 75.0 - 50.0);
    assert_int_equal(s.beats, 4);
    /* An artefact: 2400 ms (a missed beat) is replaced by the median. */
    hr_monitor_beats(m, (double[]){ 2400.0 }, 1, start + 6.6);
    hr_monitor_state(m, &s);
    assert_int_equal(s.artefacts, 1);
    assert_true(s.heart_rate == 60000.0 / 1000.0);
    /* A drop-out: a gap row; a breath under way at the time gives no swing. */
    hr_monitor_connection(m, false, start + 7.0);
    hr_monitor_state(m, &s);
    assert_false(s.connected);
    assert_int_equal(s.gaps, 1);
    assert_true(isnan(s.heart_rate));
    hr_monitor_connection(m, true, start + 9.0);
    hr_monitor_beats(m, (double[]){ 900.0 }, 1, start + 9.9);
    hr_monitor_breath(m);
    hr_monitor_state(m, &s);
    assert_true(s.swing == 25.0);           /* still the last whole breath's */
    /* Times never go backwards, whatever the arrivals say. */
    hr_monitor_beats(m, (double[]){ 1000.0, 1000.0 }, 2, start + 9.5);
    const char *path = hr_monitor_recording(m);
    assert_non_null(path);
    char *kept = strdup(path);
    assert_int_equal(hr_monitor_stop(m), 0);
    hr_monitor_free(m);

    char *text = testaudio_read_text(kept, NULL);
    const char *rows = strstr(text, "t\trr_raw_ms\trr_ms\tbpm\tartefact\n");
    assert_non_null(rows);
    rows += strlen("t\trr_raw_ms\trr_ms\tbpm\tartefact\n");
    /* Arrival times as the test gave them, from the monitor's start. */
    const char *expected[][5] = {
        { "1.000", "1000.0", "1000.0", "", "" },
        { "2.200", "1000.0", "1000.0", "6", "" },
        { "3.000", "800.0", "800.0", "6", "" },
        { "4.200", "1200.0", "1200.0", "6", "" },
        { "6.600", "2400.0", "1000.0", "6", "threshold" },
        { "7.000", "", "", "6", "gap" },
        { "9.900", "900.0", "900.0", "6", "" },
        { "9.900", "1000.0", "1000.0", "6", "" },
        { "9.900", "1000.0", "1000.0", "6", "" },
    };
    size_t count = sizeof expected / sizeof expected[0];
    char *copy = strdup(rows);
    char *save_line = NULL;
    size_t n = 0;
    for (char *l = strtok_r(copy, "\n", &save_line); l; l = strtok_r(NULL, "\n", &save_line), n++) {
        assert_true(n < count);
        char *fields[5] = { 0 };
        char *at = l;
        for (int f = 0; f < 5; f++) {
            fields[f] = at;
            char *tab = strchr(at, '\t');
            if (f < 4) {
                assert_non_null(tab);
                *tab = '\0';
                at = tab + 1;
            } else {
                assert_null(tab);
            }
        }
        double t = strtod(fields[0], NULL);
        if (fabs(t - strtod(expected[n][0], NULL)) > 0.0005)
            fail_msg("row %zu: t %s, not about %s", n, fields[0], expected[n][0]);
        for (int f = 1; f < 5; f++) {
            if (strcmp(fields[f], expected[n][f]) != 0)
                fail_msg("row %zu, column %d: '%s', not '%s'", n, f, fields[f], expected[n][f]);
        }
    }
    assert_int_equal(n, count);
    free(copy);
    free(text);
    unlink(kept);
    rmdir(folder);
    free(kept);
    free(folder);
}

static void test_monitor_bad_file_is_file_line(void **state)
{
    (void)state;
    char *path = testaudio_write_text(testaudio_dir, "rr.txt", "800\n810\n\n8o0\n");
    report_buffer buffer = { 0 };
    hr_monitor *m;
    hr_options options = { .source = path, .session = "test" };
    assert_int_equal(hr_monitor_open(&m, &options, REPORT_TO_BUFFER(&buffer)), 2);
    assert_null(m);
    char expected[512];
    snprintf(expected, sizeof expected,
             "%s:4: '8o0' is not an RR interval in milliseconds (such as 812)\n", path);
    assert_string_equal(buffer.text, expected);
    report_buffer_free(&buffer);
    /* Empty: nothing to pace. */
    free(testaudio_write_text(testaudio_dir, "rr.txt", "# nothing\n"));
    assert_int_equal(hr_monitor_open(&m, &options, REPORT_TO_BUFFER(&buffer)), 2);
    assert_non_null(strstr(buffer.text, "no RR intervals in it"));
    report_buffer_free(&buffer);
    /* A path that is not there. */
    hr_options missing = { .source = "no/such/rr.txt", .session = "test" };
    assert_int_equal(hr_monitor_open(&m, &missing, REPORT_TO_BUFFER(&buffer)), 2);
    assert_string_equal(buffer.text, "--hr 'no/such/rr.txt': No such file or directory\n");
    report_buffer_free(&buffer);
    unlink(path);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_measurement_8_bit_rate_and_intervals),
        cmocka_unit_test(test_measurement_16_bit_rate_and_energy),
        cmocka_unit_test(test_measurement_malformed),
        cmocka_unit_test(test_artefact_threshold_and_median),
        cmocka_unit_test(test_artefact_new_pace_is_taken),
        cmocka_unit_test(test_rr_text_plain_and_polar),
        cmocka_unit_test(test_recording_rows_and_path),
        TESTAUDIO_TEST_IN_DIR(test_recording_file_never_replaced),
        TESTAUDIO_TEST_IN_DIR(test_monitor_times_swing_and_gaps),
        TESTAUDIO_TEST_IN_DIR(test_monitor_bad_file_is_file_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
