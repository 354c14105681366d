/* Plot: the SVG picture of a session. The fullness curve is read back from
 * the polyline and compared with the breathing curve of the format (a
 * raised-cosine glide from empty to full and back); ticks, marks, labels,
 * bounded size for long sessions and the atomic write are checked too. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <sndfile.h>

#include "authoring/plot.h"
#include "testaudio.h"
#include "testreport.h"

typedef struct {
    session *session;
    timeline *timeline;
    char *svg;
    size_t size;
} drawn;

static void load_text(const char *text, drawn *d)
{
    char *path = testaudio_write_text(testaudio_dir, "session.cfg", text);
    assert_non_null(path);
    memset(d, 0, sizeof *d);
    assert_int_equal(session_load(path, &d->session, REPORT_TO_STDERR), 0);
    assert_int_equal(timeline_build(d->session, &d->timeline, REPORT_TO_STDERR), 0);
    free(path);
}

static void draw(const char *text, drawn *d)
{
    load_text(text, d);
    assert_int_equal(plot_svg(d->timeline, 0, TIMELINE_FOREVER, &d->svg, &d->size), 0);
    assert_int_equal(strlen(d->svg), d->size);
}

static void release(drawn *d)
{
    free(d->svg);
    timeline_free(d->timeline);
    session_free(d->session);
}

static int count(const char *text, const char *what)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, what)); p += strlen(what))
        n++;
    return n;
}

/* Fullness of a "2-3" pattern at t seconds into the breathing: the inhale
 * glides 0 -> 1 over 2 s, the exhale 1 -> 0 over 3 s, each along
 * 0.5 - 0.5 cos(pi u) of its fraction u. */
static double expected_fullness(double t)
{
    double u = fmod(t, 5.0);
    if (u < 2.0)
        return 0.5 - 0.5 * cos(M_PI * u / 2.0);
    return 1.0 - (0.5 - 0.5 * cos(M_PI * (u - 2.0) / 3.0));
}

static void test_curve_follows_the_breathing(void **state)
{
    (void)state;
    drawn d;
    draw("title = \"Two breaths\"; caution = \"c\";\n"
         "steps = ( { type = \"breathe\"; pattern = \"2-3\"; cycles = 2; } );\n", &d);
    const char *p = strstr(d.svg, "<polyline points=\"");
    assert_non_null(p);
    assert_int_equal(count(d.svg, "<polyline"), 1);
    p += strlen("<polyline points=\"");
    int points = 0;
    double highest = 0.0, lowest = 1.0, last_x = -1.0;
    while (*p != '"') {
        char *end;
        double x = strtod(p, &end);
        assert_true(end != p && *end == ',');
        double y = strtod(end + 1, &end);
        p = end;
        while (*p == ' ')
            p++;
        double t = (x - PLOT_AREA_LEFT) / PLOT_AREA_WIDTH * 10.0;
        double fullness = 1.0 - (y - PLOT_AREA_TOP) / PLOT_AREA_HEIGHT;
        assert_true(t >= -1e-9 && t < 10.0);
        assert_true(x > last_x);   /* time only moves forward */
        last_x = x;
        if (fabs(fullness - expected_fullness(t)) > 1e-3)
            fail_msg("at %.5f s the curve is at %.5f, the breathing at %.5f", t, fullness,
                     expected_fullness(t));
        highest = fmax(highest, fullness);
        lowest = fmin(lowest, fullness);
        points++;
    }
    /* A point or more per column, and the peaks at their true height. */
    assert_true(points >= PLOT_COLUMNS);
    assert_true(highest > 0.9999);
    assert_true(lowest < 0.0001);
    /* Ticks at the finest round step with at most 10 intervals: each second. */
    assert_int_equal(count(d.svg, "class=\"tick\""), 11);
    assert_non_null(strstr(d.svg, ">0:09</text>"));
    assert_non_null(strstr(d.svg, ">12.0/min</text>"));
    release(&d);
}

static void test_two_hours_is_a_band_in_a_small_file(void **state)
{
    (void)state;
    drawn d;
    /* 2 hours of 1-second breaths: 7200 cycles over 1100 columns. */
    draw("title = \"Long\"; caution = \"c\";\n"
         "steps = ( { type = \"breathe\"; label = \"Fast\"; pattern = \"0.5-0.5\"; duration = \"2h\"; } );\n",
         &d);
    assert_int_equal(count(d.svg, "<polyline"), 0);
    assert_int_equal(count(d.svg, "<polygon"), 1);
    assert_true(d.size < 100 * 1024);
    /* Every 15 minutes: 9 ticks. */
    assert_non_null(strstr(d.svg, ">1:45:00</text>"));
    assert_non_null(strstr(d.svg, ">2:00:00</text>"));
    assert_null(strstr(d.svg, ">1:50:00</text>"));
    /* The band spans empty to full: every breath inside it fills and empties. */
    assert_non_null(strstr(d.svg, "," "104.00 "));                  /* y of full */
    assert_non_null(strstr(d.svg, "," "324.00 "));                  /* y of empty */
    release(&d);
}

static void test_forever_draws_the_first_hour(void **state)
{
    (void)state;
    drawn d;
    draw("title = \"All day\";\n"
         "steps = ( { type = \"repeat\"; forever = true; steps = (\n"
         "  { type = \"timer\"; label = \"Work\"; duration = \"20m\"; } ); } );\n", &d);
    int64_t from, frames;
    plot_window(d.timeline, 0, TIMELINE_FOREVER, &from, &frames);
    assert_int_equal(from, 0);
    assert_int_equal(frames, (int64_t)(PLOT_FOREVER_WINDOW_SECONDS * 48000));
    assert_non_null(strstr(d.svg, "0:00 to 1:00:00 of a session that repeats until stopped"));
    /* Three rounds of the timer, each labelled, each ending on a bell. */
    assert_int_equal(count(d.svg, ">Work</text>"), 3);
    assert_int_equal(count(d.svg, "<circle class=\"bell\""), 3);
    release(&d);

    /* A window asked for: the 2nd and 3rd hour. */
    load_text("title = \"All day\";\n"
              "steps = ( { type = \"repeat\"; forever = true; steps = (\n"
              "  { type = \"timer\"; label = \"Work\"; duration = \"20m\"; } ); } );\n", &d);
    assert_int_equal(plot_svg(d.timeline, 3600 * 48000LL, 7200 * 48000LL, &d.svg, &d.size), 0);
    assert_non_null(strstr(d.svg, "1:00:00 to 3:00:00 of a session"));
    release(&d);
}

static void test_bells_cues_and_labels(void **state)
{
    (void)state;
    char *cue = testaudio_path(testaudio_dir, "cue.wav");
    testaudio_burst burst = { 48000, 0, 48000, 440.0, 0.1 };
    assert_int_equal(testaudio_write_burst(cue, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 1, 48000, &burst), 0);
    drawn d;
    /* Bells at 0, 4 and 8 s; the cue at 14 s. */
    draw("title = \"Marks & <signs>\";\n"
         "steps = (\n"
         "  { type = \"bell\"; label = \"Ring & <go>\"; strikes = 3; },\n"
         "  { type = \"cue\"; file = \"cue.wav\"; }\n"
         ");\n", &d);
    assert_int_equal(count(d.svg, "<circle class=\"bell\""), 3);
    assert_int_equal(count(d.svg, "<path class=\"cue\""), 1);
    assert_non_null(strstr(d.svg, ">Marks &amp; &lt;signs&gt;</text>"));
    assert_non_null(strstr(d.svg, ">Ring &amp; &lt;go&gt;</text>"));
    /* The cue's triangle sits at 14 s of 15: the middle of its column. */
    double column = PLOT_AREA_WIDTH / PLOT_COLUMNS;
    double x = PLOT_AREA_LEFT + column * (floor(14.0 / 15.0 * PLOT_COLUMNS) + 0.5);
    char expected[64];
    snprintf(expected, sizeof expected, "<path class=\"cue\" d=\"M%.2f ", x);
    assert_non_null(strstr(d.svg, expected));
    release(&d);
    free(cue);
}

static void test_write_replaces_atomically(void **state)
{
    (void)state;
    drawn d;
    load_text("title = \"t\";\nsteps = ( { type = \"bell\"; } );\n", &d);
    char *path = testaudio_write_text(testaudio_dir, "picture.svg", "old");
    assert_non_null(path);
    assert_int_equal(plot_write(d.timeline, 0, TIMELINE_FOREVER, path, REPORT_TO_STDERR), 0);
    struct stat info;
    assert_int_equal(stat(path, &info), 0);
    assert_true(info.st_size > 1000);
    /* A folder that does not exist: an error, and nothing written. */
    char *missing = testaudio_path(testaudio_dir, "no-such-folder/picture.svg");
    FILE *err = tmpfile();
    assert_int_equal(plot_write(d.timeline, 0, TIMELINE_FOREVER, missing, REPORT_TO(err)), 1);
    char message[512] = "";
    rewind(err);
    assert_non_null(fgets(message, sizeof message, err));
    assert_non_null(strstr(message, "cannot write"));
    fclose(err);
    /* Only session.cfg and picture.svg: no temporary file left behind. */
    free(missing);
    free(path);
    release(&d);
    DIR *folder = opendir(testaudio_dir);
    assert_non_null(folder);
    int entries = 0;
    for (struct dirent *entry; (entry = readdir(folder));)
        entries += entry->d_name[0] != '.';
    closedir(folder);
    assert_int_equal(entries, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TESTAUDIO_TEST_IN_DIR(test_curve_follows_the_breathing),
        TESTAUDIO_TEST_IN_DIR(test_two_hours_is_a_band_in_a_small_file),
        TESTAUDIO_TEST_IN_DIR(test_forever_draws_the_first_hour),
        TESTAUDIO_TEST_IN_DIR(test_bells_cues_and_labels),
        TESTAUDIO_TEST_IN_DIR(test_write_replaces_atomically),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
