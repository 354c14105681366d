/* The recording reader: a recording as the live side writes it is read
 * whole (comments, dropouts, flagged beats, empty bpm, CRLF line ends), and
 * each way a file can fail to be one is reported once at its line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "hrv/recording.h"

typedef struct {
    int errors;
    int line;
    char message[512];
} collected;

static void collect(void *context, const report_entry *entry)
{
    collected *c = context;
    c->errors++;
    c->line = entry->line;
    snprintf(c->message, sizeof c->message, "%s", entry->message);
}

static int parse(const char *text, recording *out, collected *c)
{
    *c = (collected){0};
    report_sink sink = {collect, c};
    return recording_parse("r.tsv", text, strlen(text), out, &sink);
}

#define HEAD "# breathe heart-rate recording 1\n" \
             "# session: resonance-assessment\n# started: 2026-12-20T07:30:00+01:00\n" \
             "# source: Polar H10 12345678\n" \
             "t\trr_raw_ms\trr_ms\tbpm\tartefact\n"

static void test_reads_a_recording(void **state)
{
    (void)state;
    const char *text = HEAD
        "0.912\t912.0\t912.0\t\t\n"
        "1.830\t918.5\t918.5\t6.5\t\n"
        "# a comment between rows\n"
        "\n"
        "2.100\t\t\t6.5\tgap\r\n"
        "3.950\t1850.2\t925.1\t6.5\tthreshold\n"
        "4.900\t950.0\t950.0\t6.5\t";
    recording r;
    collected c;
    assert_int_equal(parse(text, &r, &c), RESULT_OK);
    assert_int_equal(c.errors, 0);
    assert_string_equal(r.session, "resonance-assessment");
    assert_string_equal(r.started, "2026-12-20T07:30:00+01:00");
    assert_string_equal(r.source, "Polar H10 12345678");
    assert_int_equal(r.count, 5);
    assert_true(r.rows[0].bpm == 0.0 && !r.rows[0].gap && !r.rows[0].flagged);
    assert_true(r.rows[1].t == 1.830 && r.rows[1].rr_raw_ms == 918.5 && r.rows[1].bpm == 6.5);
    assert_true(r.rows[2].gap && r.rows[2].rr_ms == 0.0);
    assert_int_equal(r.rows[2].line, 10);
    assert_true(r.rows[3].flagged && r.rows[3].rr_raw_ms == 1850.2 && r.rows[3].rr_ms == 925.1);
    assert_int_equal(r.rows[4].line, 12);
    recording_free(&r);
}

static void test_header_only_is_an_empty_recording(void **state)
{
    (void)state;
    recording r;
    collected c;
    assert_int_equal(parse(HEAD, &r, &c), RESULT_OK);
    assert_int_equal(r.count, 0);
    recording_free(&r);
}

static void test_each_fault_at_its_line(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int line;
        const char *says;
    } faults[] = {
        {"# breathe heart-rate recording 2\n", 1, "not a breathe heart-rate recording"},
        {"", 1, "an empty file"},
        {"# breathe heart-rate recording 1\nt\trr_ms\tbpm\n", 2, "expected the header line"},
        {HEAD "1.000\t900.0\t900.0\t6\n", 6, "4 columns"},
        {HEAD "1.000\t900.0\t900.0\t6\t\t\n", 6, "6 columns"},
        {HEAD "1.0e3\t900.0\t900.0\t6\t\n", 6, "t is not a time"},
        {HEAD "-1.000\t900.0\t900.0\t6\t\n", 6, "t is not a time"},
        {HEAD "2.000\t900.0\t900.0\t6\t\n1.999\t900.0\t900.0\t6\t\n", 7, "comes before"},
        {HEAD "1.000\t 900.0\t900.0\t6\t\n", 6, "rr_raw_ms is not a number"},
        {HEAD "1.000\t900.0\t0x10\t6\t\n", 6, "rr_ms is not a number"},
        {HEAD "1.000\t900.\t900.0\t6\t\n", 6, "rr_raw_ms is not a number"},
        {HEAD "1.000\t0.0\t900.0\t6\t\n", 6, "no heart beat interval"},
        {HEAD "1.000\t900.0\t70000.0\t6\t\n", 6, "no heart beat interval"},
        {HEAD "1.000\t900.0\t900.0\t6\t\n700000.000\t900.0\t900.0\t6\t\n", 7, "seven days"},
        {HEAD "1.000\t900.0\t900.0\t0\t\n", 6, "bpm is not a breathing rate"},
        {HEAD "1.000\t900.0\t900.0\t61\t\n", 6, "bpm is not a breathing rate"},
        {HEAD "1.000\t\t900.0\t6\t\n", 6, "an interval is missing"},
        {HEAD "1.000\t900.0\t\t6\tgap\n", 6, "a gap row has empty"},
        {HEAD "1.000\t900.0\t900.0\t6\tBAD\n", 6, "artefact is not a word"},
        {"# breathe heart-rate recording 1\n# only comments\n", 3, "no header line"},
    };
    for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++) {
        recording r;
        collected c;
        int result = parse(faults[i].text, &r, &c);
        if (result != RESULT_INVALID || c.errors != 1 || c.line != faults[i].line ||
            !strstr(c.message, faults[i].says))
            fail_msg("fault %zu: result %d, %d error(s), line %d (expected %d): %s", i, result,
                     c.errors, c.line, faults[i].line, c.message);
        assert_null(r.rows);
        assert_null(r.session);
    }
}

static void test_nul_byte(void **state)
{
    (void)state;
    static const char text[] = "# breathe heart-rate recording 1\nt\0x";
    recording r;
    collected c = {0};
    report_sink sink = {collect, &c};
    assert_int_equal(recording_parse("r.tsv", text, sizeof text - 1, &r, &sink), RESULT_INVALID);
    assert_int_equal(c.line, 2);
    assert_non_null(strstr(c.message, "NUL"));
}

static void test_missing_file(void **state)
{
    (void)state;
    recording r;
    collected c = {0};
    report_sink sink = {collect, &c};
    assert_int_equal(recording_read("/nonexistent/breathe/r.tsv", &r, &sink), RESULT_INVALID);
    assert_int_equal(c.errors, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_a_recording),
        cmocka_unit_test(test_header_only_is_an_empty_recording),
        cmocka_unit_test(test_each_fault_at_its_line),
        cmocka_unit_test(test_nul_byte),
        cmocka_unit_test(test_missing_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
