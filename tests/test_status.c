/* test_status.c: the terminal front end's status line with a heart-rate
 * source (cli/status.c): the heart rate and the last breath's swing on a
 * terminal, "HR --" while no beats come, and in a log a line when the
 * strap drops out and when it is back, and the summary at the end. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cli/status.h"
#include "format/session.h"
#include "render/timeline.h"
#include "testaudio.h"
#include "testreport.h"

static timeline *paced_timeline(session **out)
{
    char *path = testaudio_write_text(testaudio_dir, "s.cfg",
        "format = 1;\ntitle = \"t\";\npacer = { sound = \"tone\"; };\n"
        "steps = ( { type = \"breathe\"; label = \"Slow\"; pattern = \"5-5\"; cycles = 3; } );\n");
    assert_int_equal(session_load(path, out, REPORT_TO_STDERR), 0);
    free(path);
    timeline *t;
    assert_int_equal(timeline_build(*out, &t, REPORT_TO_STDERR), 0);
    return t;
}

static hr_state heart(bool connected, double rate, double swing)
{
    hr_state h = { .connected = connected, .heart_rate = rate, .swing = swing, .beats = 812,
                   .artefacts = 3, .gaps = 1 };
    snprintf(h.source, sizeof h.source, "Polar H10 1A2B (A0:9E:1A:12:34:56), Bluetooth");
    return h;
}

static void test_terminal_line_shows_heart_rate_and_swing(void **state)
{
    (void)state;
    session *s;
    timeline *t = paced_timeline(&s);
    char *text = NULL;
    size_t size = 0;
    FILE *stream = open_memstream(&text, &size);
    status display;
    status_begin(&display, stream, false, STATUS_PLAYING, t, timeline_length(t), NULL);
    display.terminal = true;   /* as if on a terminal 100 columns wide */
    display.width = 100;
    int rate = timeline_rate(t);
    hr_state h = heart(true, 63.6, NAN);
    status_heart(&display, 2 * rate, &h);
    status_update(&display, 2 * rate);
    fflush(stream);
    assert_non_null(strstr(text, "  HR 64 0:02 / 0:30"));
    h = heart(true, 71.2, 8.6);
    status_heart(&display, 3 * rate, &h);
    status_update(&display, 3 * rate);
    fflush(stream);
    assert_non_null(strstr(text, "  HR 71 swing 9 0:03 / 0:30"));
    h = heart(false, NAN, 8.6);
    status_heart(&display, 4 * rate, &h);
    status_update(&display, 4 * rate);
    fflush(stream);
    assert_non_null(strstr(text, "  HR -- 0:04 / 0:30"));
    /* Every line fits the terminal's width. */
    for (char *line = strtok(text, "\r"); line; line = strtok(NULL, "\r")) {
        char *end = strstr(line, "\033[K");
        if (end)
            assert_true(end - line <= 100);
    }
    fclose(stream);
    free(text);
    timeline_free(t);
    session_free(s);
}

static void test_log_lines_and_summary(void **state)
{
    (void)state;
    session *s;
    timeline *t = paced_timeline(&s);
    char *text = NULL;
    size_t size = 0;
    FILE *stream = open_memstream(&text, &size);
    status display;
    status_begin(&display, stream, false, STATUS_PLAYING, t, timeline_length(t), NULL);
    int rate = timeline_rate(t);
    hr_state h = heart(false, NAN, NAN);
    status_heart(&display, 0, &h);            /* not yet: nothing to say */
    h = heart(true, 60, NAN);
    status_heart(&display, rate, &h);
    status_heart(&display, 2 * rate, &h);     /* no change: no line */
    h = heart(false, NAN, NAN);
    status_heart(&display, 12 * rate, &h);
    h = heart(true, 61, NAN);
    status_heart(&display, 15 * rate, &h);
    h.rejected = 2;
    status_heart_summary(&display, &h, "/state/breathe/recordings/x.tsv");
    fclose(stream);
    assert_string_equal(text,
        "[0:01] heart rate: beats from Polar H10 1A2B (A0:9E:1A:12:34:56), Bluetooth\n"
        "[0:12] heart rate: Polar H10 1A2B (A0:9E:1A:12:34:56), Bluetooth dropped out; "
        "waiting for it\n"
        "[0:15] heart rate: beats from Polar H10 1A2B (A0:9E:1A:12:34:56), Bluetooth\n"
        "heart rate: 812 beats, 3 corrected (threshold), 1 gap, 2 notifications unreadable\n"
        "recorded in /state/breathe/recordings/x.tsv\n");
    free(text);
    timeline_free(t);
    session_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TESTAUDIO_TEST_IN_DIR(test_terminal_line_shows_heart_rate_and_swing),
        TESTAUDIO_TEST_IN_DIR(test_log_lines_and_summary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
