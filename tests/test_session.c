/* Unit tests of the session loader: value parsers, defaults, merging, every
 * step type, repeat nesting and how audio paths are found. Sessions and WAV
 * files are written into a fresh temporary folder. */
#define _XOPEN_SOURCE 700   /* nftw */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "format/session.h"
#include "testreport.h"

/* cmocka 1.1 compares floats only as float. */
#define assert_near(actual, expected, tolerance) \
    check_near((actual), (expected), (tolerance), #actual, __FILE__, __LINE__)

static void check_near(double actual, double expected, double tolerance, const char *what,
                       const char *file, int line)
{
    if (!(fabs(actual - expected) <= tolerance))
        fail_msg("%s:%d: %s is %.17g, expected %.17g", file, line, what, actual, expected);
}

static char temp_folder[] = "/tmp/breathe-session-test-XXXXXX";

/* ---- Fixtures ---- */

static char *in_temp(const char *relative)
{
    size_t size = strlen(temp_folder) + strlen(relative) + 2;
    char *path = malloc(size);
    assert_non_null(path);
    snprintf(path, size, "%s/%s", temp_folder, relative);
    return path;
}

static void make_parents(const char *path)
{
    char *copy = strdup(path);
    assert_non_null(copy);
    for (char *p = copy + strlen(temp_folder) + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(copy, 0700) != 0 && errno != EEXIST)
                fail_msg("mkdir %s: %s", copy, strerror(errno));
            *p = '/';
        }
    }
    free(copy);
}

static void write_text(const char *relative, const char *text)
{
    char *path = in_temp(relative);
    make_parents(path);
    FILE *file = fopen(path, "wb");
    assert_non_null(file);
    fputs(text, file);
    fclose(file);
    free(path);
}

/* A short mono 16-bit WAV of `frames` frames at `rate`: a quiet sine. */
static void write_wav(const char *relative, int rate, int frames)
{
    char *path = in_temp(relative);
    make_parents(path);
    SF_INFO info = { .samplerate = rate, .channels = 1,
                     .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16 };
    SNDFILE *file = sf_open(path, SFM_WRITE, &info);
    if (!file)
        fail_msg("cannot write %s: %s", path, sf_strerror(NULL));
    float *samples = malloc((size_t)frames * sizeof *samples);
    assert_non_null(samples);
    for (int i = 0; i < frames; i++)
        samples[i] = 0.25f * (float)sin(2.0 * M_PI * 440.0 * i / rate);
    assert_int_equal(sf_writef_float(file, samples, frames), frames);
    sf_close(file);
    free(samples);
    free(path);
}

static int remove_entry(const char *path, const struct stat *info, int flag, struct FTW *ftw)
{
    (void)info;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int make_temp_folder(void **state)
{
    (void)state;
    return mkdtemp(temp_folder) ? 0 : -1;
}

static int remove_temp_folder(void **state)
{
    (void)state;
    return nftw(temp_folder, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static const char *const no_folders[] = { NULL };

static int reset_search_path(void **state)
{
    (void)state;
    session_audio_search_path = no_folders;
    return 0;
}

/* Loads temp/relative; returns the status and the message printed. */
static int load_file(const char *relative, session **s, char **message)
{
    char *path = in_temp(relative);
    size_t size = 0;
    *message = NULL;
    FILE *err = open_memstream(message, &size);
    assert_non_null(err);
    int status = session_load(path, s, REPORT_TO(err));
    fclose(err);
    free(path);
    return status;
}

/* Writes text as temp/relative and loads it, which must succeed. */
static session *load_ok_at(const char *relative, const char *text)
{
    session *s = NULL;
    char *message;
    write_text(relative, text);
    int status = load_file(relative, &s, &message);
    if (status != 0)
        fail_msg("loading failed: %s", message);
    assert_string_equal(message, "");
    free(message);
    assert_non_null(s);
    return s;
}

static session *load_ok(const char *text)
{
    return load_ok_at("session.cfg", text);
}

/* Writes text as temp/relative, loads it, which must fail; returns the
 * message with the folder prefix removed ("relative:LINE: ..."). */
static char *load_error_at(const char *relative, const char *text)
{
    session *s = (session *)0x1;
    char *message;
    write_text(relative, text);
    assert_int_equal(load_file(relative, &s, &message), 2);
    assert_null(s);
    size_t prefix = strlen(temp_folder) + 1;
    assert_true(strncmp(message, temp_folder, prefix - 1) == 0);
    char *shown = strdup(message + prefix);
    free(message);
    assert_non_null(shown);
    return shown;
}

static void assert_error(const char *text, const char *expected)
{
    char *message = load_error_at("error.cfg", text);
    assert_string_equal(message, expected);
    free(message);
}

#define MINIMAL "title = \"t\";\n"

/* ---- Value parsers ---- */

static void durations_in_every_form(void **state)
{
    (void)state;
    static const struct { const char *text; double seconds; } cases[] = {
        { "30", 30.0 },        { "5.5", 5.5 },       { "0", 0.0 },
        { "90s", 90.0 },       { "5m", 300.0 },      { "1.5m", 90.0 },
        { "2m30s", 150.0 },    { "1h", 3600.0 },     { "1h15m", 4500.0 },
        { "1h15m30s", 4530.0 }, { "1h30s", 3630.0 }, { "0.25s", 0.25 },
        { ".5s", 0.5 },        { "10.s", 10.0 },     { "24h", 86400.0 },
        { "1440m", 86400.0 },  { "23h60m", 86400.0 }, { "86400", 86400.0 },
        { "0s", 0.0 },         { "007m", 420.0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double seconds = -1.0;
        char why[256] = "";
        if (parse_duration_text(cases[i].text, &seconds, why, sizeof why) != 0)
            fail_msg("\"%s\" rejected: %s", cases[i].text, why);
        assert_near(seconds, cases[i].seconds, 1e-9);
    }
}

static void durations_rejected_with_an_example(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "", "-5s", "-1", "5x", "30s2m", "1h1h", "m", "s", "1.2.3s", "5 s", " 5s", "5s ",
        "nan", "inf", "1e3", "+5", "5ms", "1m-5s", "0x10", "24h0.5s", "86401", "25h", "h5",
        "1,5m", "1d",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        double seconds = 123.0;
        char why[256] = "";
        if (parse_duration_text(bad[i], &seconds, why, sizeof why) == 0)
            fail_msg("\"%s\" accepted as %g s", bad[i], seconds);
        assert_near(seconds, 123.0, 0.0);
        assert_true(strlen(why) > 10);
        assert_null(strchr(why, '\n'));
    }
    double seconds;
    char why[256];
    parse_duration_text("5x", &seconds, why, sizeof why);
    assert_non_null(strstr(why, "\"2m30s\""));
    parse_duration_text("25h", &seconds, why, sizeof why);
    assert_non_null(strstr(why, "24 hours"));
    parse_duration_text("-5s", &seconds, why, sizeof why);
    assert_non_null(strstr(why, "negative"));
}

static void duration_reason_is_one_printable_line(void **state)
{
    (void)state;
    double seconds;
    char why[512];
    assert_int_not_equal(parse_duration_text("5\nx\x01\xff", &seconds, why, sizeof why), 0);
    assert_null(strchr(why, '\n'));
    assert_non_null(strstr(why, "\\x0A"));
    assert_non_null(strstr(why, "\\xFF"));
    char tiny[8];
    assert_int_not_equal(parse_duration_text("5x", &seconds, tiny, sizeof tiny), 0);
    assert_int_equal(strlen(tiny), sizeof tiny - 1);
}

static void assert_pattern(const breath_pattern *p, int count, const double *seconds,
                           const breath_kind *kinds)
{
    assert_int_equal(p->count, count);
    for (int i = 0; i < count; i++) {
        assert_near(p->seconds[i], seconds[i], 1e-12);
        assert_int_equal(p->kind[i], kinds[i]);
    }
}

static void pattern_text_forms_and_kinds(void **state)
{
    (void)state;
    breath_pattern p;
    char why[256];
    assert_int_equal(parse_pattern_text("4-7-8", &p, why, sizeof why), 0);
    assert_pattern(&p, 3, (const double[]){ 4, 7, 8 },
                   (const breath_kind[]){ BREATH_INHALE, BREATH_HOLD, BREATH_EXHALE });
    assert_int_equal(parse_pattern_text("5.5-5.5", &p, why, sizeof why), 0);
    assert_pattern(&p, 2, (const double[]){ 5.5, 5.5 },
                   (const breath_kind[]){ BREATH_INHALE, BREATH_EXHALE });
    assert_int_equal(parse_pattern_text("4-4-4-4", &p, why, sizeof why), 0);
    assert_pattern(&p, 4, (const double[]){ 4, 4, 4, 4 },
                   (const breath_kind[]){ BREATH_INHALE, BREATH_HOLD, BREATH_EXHALE,
                                          BREATH_HOLD_OUT });
    assert_int_equal(parse_pattern_text("4-0-8-0", &p, why, sizeof why), 0);
    assert_near(p.seconds[1], 0.0, 0.0);
    assert_int_equal(parse_pattern_text("60-60", &p, why, sizeof why), 0);
    assert_int_equal(parse_pattern_text("0.1-0.25", &p, why, sizeof why), 0);
    assert_near(p.seconds[1], 0.25, 0.0);
}

static void pattern_text_errors(void **state)
{
    (void)state;
    static const struct { const char *text; const char *reason; } bad[] = {
        { "", "not a pattern" },
        { "4", "2, 3 or 4 entries" },
        { "4-4-4-4-4", "not 5" },
        { "1-1-1-1-1-1-1-1-1", "at most 8 entries" },
        { "0-4", "inhale (entry 1) must be more than 0" },
        { "4-0", "exhale (entry 2) must be more than 0" },
        { "4-0-0", "exhale (entry 3)" },
        { "4-61-4", "hold (entry 2) must be at most 60 seconds" },
        { "61-4", "inhale (entry 1) must be at most 60" },
        { "4-4-4-60.5", "hold_out (entry 4) must be at most 60" },
        { "4--4", "not a pattern" },
        { "4-", "not a pattern" },
        { "-4-4", "not a pattern" },
        { "a-b", "not a pattern" },
        { "4 - 4", "not a pattern" },
        { "4s-4s", "not a pattern" },
        { "4,4", "not a pattern" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        breath_pattern p = { .count = 99 };
        char why[256] = "";
        if (parse_pattern_text(bad[i].text, &p, why, sizeof why) == 0)
            fail_msg("\"%s\" accepted", bad[i].text);
        assert_int_equal(p.count, 99);
        if (!strstr(why, bad[i].reason))
            fail_msg("\"%s\": reason \"%s\" lacks \"%s\"", bad[i].text, why, bad[i].reason);
    }
}

static void breath_kinds_have_their_file_names(void **state)
{
    (void)state;
    assert_string_equal(breath_kind_name(BREATH_INHALE), "inhale");
    assert_string_equal(breath_kind_name(BREATH_HOLD), "hold");
    assert_string_equal(breath_kind_name(BREATH_EXHALE), "exhale");
    assert_string_equal(breath_kind_name(BREATH_HOLD_OUT), "hold_out");
    assert_non_null(breath_kind_name(BREATH_KIND_COUNT));
}

/* ---- Defaults ---- */

static void defaults_of_the_top_level(void **state)
{
    (void)state;
    session *s = load_ok(MINIMAL "steps = ( { type = \"bell\"; } );\n");
    assert_string_equal(s->title, "t");
    assert_string_equal(s->description, "");
    assert_string_equal(s->author, "");
    assert_null(s->caution);
    assert_int_equal(s->sample_rate, SESSION_DEFAULT_RATE);
    assert_int_equal(s->sample_rate, 48000);
    assert_near(s->volume_db, 0.0, 0.0);
    assert_int_equal(s->pacer.sound, PACER_TONE);
    assert_near(s->pacer.low_hz, 196.0, 0.0);
    assert_near(s->pacer.high_hz, 294.0, 0.0);
    assert_near(s->pacer.level_db, -18.0, 0.0);
    for (int k = 0; k < BREATH_KIND_COUNT; k++)
        assert_null(s->voice.cue[k]);
    assert_near(s->voice.level_db, 0.0, 0.0);
    assert_int_equal(s->voice.cycles, 3);
    assert_int_equal(s->background.kind, BACKGROUND_NONE);
    assert_null(s->background.file);
    assert_int_equal(s->clip_count, 0);
    assert_true(strstr(s->path, "session.cfg") != NULL);
    assert_int_equal(s->step_count, 1);
    session_free(s);
}

static void defaults_of_every_step_type(void **state)
{
    (void)state;
    session *s = load_ok(MINIMAL
                         "steps = (\n"
                         "  { type = \"bell\"; },\n"
                         "  { type = \"breathe\"; pattern = \"4-6\"; cycles = 5; },\n"
                         "  { type = \"timer\"; duration = 60; },\n"
                         "  { type = \"repeat\"; count = 2; steps = ( { type = \"bell\"; } ); }\n"
                         ");\n");
    assert_int_equal(s->step_count, 4);
    for (size_t i = 0; i < s->step_count; i++) {
        assert_string_equal(s->steps[i].label, "");
        assert_null(s->steps[i].precue);
        assert_near(s->steps[i].gap_seconds, 0.0, 0.0);
        assert_int_equal(s->steps[i].line, 3 + (int)i);
    }
    const session_step *bell = &s->steps[0];
    assert_int_equal(bell->type, STEP_BELL);
    assert_int_equal(bell->bell.strikes, 1);
    assert_near(bell->bell.interval_seconds, 4.0, 0.0);
    assert_near(bell->bell.hz, 432.0, 0.0);
    assert_near(bell->bell.level_db, -12.0, 0.0);
    assert_near(bell->bell.ring_seconds, 6.0, 0.0);

    const session_step *breathe = &s->steps[1];
    assert_int_equal(breathe->type, STEP_BREATHE);
    assert_false(breathe->breathe.ramps);
    assert_memory_equal(&breathe->breathe.ramp_to, &breathe->breathe.pattern,
                        sizeof(breath_pattern));
    assert_int_equal(breathe->breathe.cycles, 5);
    assert_near(breathe->breathe.duration_seconds, 0.0, 0.0);
    assert_memory_equal(&breathe->breathe.pacer, &s->pacer, sizeof(pacer_settings));
    assert_int_equal(breathe->breathe.voice.cycles, 3);

    const session_step *timer = &s->steps[2];
    assert_int_equal(timer->type, STEP_TIMER);
    assert_near(timer->timer.duration_seconds, 60.0, 0.0);
    assert_near(timer->timer.bell_every_seconds, 0.0, 0.0);
    assert_true(timer->timer.bell_end);
    assert_int_equal(timer->timer.ticks, 0);

    const session_step *repeat = &s->steps[3];
    assert_int_equal(repeat->type, STEP_REPEAT);
    assert_int_equal(repeat->repeat.count, 2);
    assert_false(repeat->repeat.forever);
    assert_int_equal(repeat->repeat.step_count, 1);
    assert_int_equal(repeat->repeat.steps[0].type, STEP_BELL);
    session_free(s);
}

static void background_defaults(void **state)
{
    (void)state;
    session *s = load_ok(MINIMAL "background = { noise = \"pink\"; };\n"
                         "steps = ( { type = \"bell\"; } );\n");
    assert_int_equal(s->background.kind, BACKGROUND_PINK);
    assert_null(s->background.file);
    assert_near(s->background.level_db, -30.0, 0.0);
    assert_near(s->background.fade_seconds, 5.0, 0.0);
    assert_near(s->background.duck_db, -6.0, 0.0);
    session_free(s);

    s = load_ok(MINIMAL "background = { noise = \"brown\"; level = -40; fade = \"1m\"; duck = 0; };\n"
                "steps = ( { type = \"bell\"; } );\n");
    assert_int_equal(s->background.kind, BACKGROUND_BROWN);
    assert_near(s->background.level_db, -40.0, 0.0);
    assert_near(s->background.fade_seconds, 60.0, 0.0);
    assert_near(s->background.duck_db, 0.0, 0.0);
    session_free(s);

    s = load_ok(MINIMAL "background = { noise = \"white\"; fade = 0; };\n"
                "steps = ( { type = \"bell\"; } );\n");
    assert_int_equal(s->background.kind, BACKGROUND_WHITE);
    assert_near(s->background.fade_seconds, 0.0, 0.0);
    session_free(s);
}

/* An empty caution, or one of only spaces, is no caution. */
static void blank_caution_is_none(void **state)
{
    (void)state;
    static const char *const blanks[] = { "\"\"", "\"   \"", "\" \\t\\n \"" };
    for (size_t i = 0; i < sizeof blanks / sizeof blanks[0]; i++) {
        char text[256];
        snprintf(text, sizeof text, MINIMAL "caution = %s;\nsteps = ( { type = \"bell\"; } );\n",
                 blanks[i]);
        session *s = load_ok(text);
        if (s->caution)
            fail_msg("caution = %s gave \"%s\", not none", blanks[i], s->caution);
        session_free(s);
    }
    session *s = load_ok(MINIMAL "caution = \" Sit down. \";\nsteps = ( { type = \"bell\"; } );\n");
    assert_string_equal(s->caution, " Sit down. ");
    session_free(s);
}

/* ---- Settings ---- */

static void top_level_settings(void **state)
{
    (void)state;
    session *s = load_ok("format = 1;\n"
                         "title = \"Évening calm\";\n"
                         "description = \"slow\";\n"
                         "author = \"me\";\n"
                         "caution = \"stop if dizzy\";\n"
                         "sample_rate = 44100;\n"
                         "volume = -3.5;\n"
                         "pacer = { sound = \"bowl\"; low = 150; high = 300.5; level = -20; };\n"
                         "voice = { level = -2; cycles = 0; };\n"
                         "steps = ( { type = \"bell\"; } );\n");
    assert_string_equal(s->title, "Évening calm");
    assert_string_equal(s->description, "slow");
    assert_string_equal(s->author, "me");
    assert_string_equal(s->caution, "stop if dizzy");
    assert_int_equal(s->sample_rate, 44100);
    assert_near(s->volume_db, -3.5, 0.0);
    assert_int_equal(s->pacer.sound, PACER_BOWL);
    assert_near(s->pacer.low_hz, 150.0, 0.0);
    assert_near(s->pacer.high_hz, 300.5, 0.0);
    assert_near(s->pacer.level_db, -20.0, 0.0);
    assert_near(s->voice.level_db, -2.0, 0.0);
    assert_int_equal(s->voice.cycles, 0);
    session_free(s);
}

static void range_bounds_are_inclusive(void **state)
{
    (void)state;
    session *s = load_ok(MINIMAL "sample_rate = 8000; volume = -120;\n"
                         "pacer = { sound = \"none\"; low = 20; high = 3999.5; level = 40.0; };\n"
                         "steps = ( { type = \"bell\"; hz = 20; } );\n");
    assert_int_equal(s->sample_rate, 8000);
    assert_int_equal(s->pacer.sound, PACER_NONE);
    assert_near(s->pacer.high_hz, 3999.5, 0.0);
    session_free(s);
    s = load_ok(MINIMAL "sample_rate = 192000;\n"
                "pacer = { sound = \"noise\"; high = 20000; };\n"
                "steps = ( { type = \"bell\"; hz = 20000; } );\n");
    assert_int_equal(s->sample_rate, 192000);
    assert_int_equal(s->pacer.sound, PACER_NOISE);
    session_free(s);
    assert_error(MINIMAL "sample_rate = 192001;\nsteps = ( { type = \"bell\"; } );\n",
                 "error.cfg:2: 'sample_rate' must be between 8000 and 192000, not 192001\n");
    assert_error(MINIMAL "sample_rate = 8000;\npacer = { high = 4000; };\n"
                 "steps = ( { type = \"bell\"; } );\n",
                 "error.cfg:3: 'high' must be below half the sample rate (4000 Hz), not 4000\n");
    assert_error(MINIMAL "volume = -120.5;\nsteps = ( { type = \"bell\"; } );\n",
                 "error.cfg:2: 'volume' must be between -120 and +40 dB, not -120.5\n");
    assert_error(MINIMAL "volume = 1e400;\nsteps = ( { type = \"bell\"; } );\n",
                 "error.cfg:2: 'volume' must be between -120 and +40 dB, not inf\n");
}

static void pacer_merges_key_by_key(void **state)
{
    (void)state;
    session *s = load_ok(MINIMAL
                         "pacer = { sound = \"bowl\"; low = 100; };\n"
                         "steps = (\n"
                         "  { type = \"breathe\"; pattern = \"4-6\"; cycles = 2;\n"
                         "    pacer = { level = -24; }; },\n"
                         "  { type = \"breathe\"; pattern = \"4-6\"; cycles = 2;\n"
                         "    pacer = { sound = \"noise\"; high = 500; }; },\n"
                         "  { type = \"breathe\"; pattern = \"4-6\"; cycles = 2; }\n"
                         ");\n");
    const pacer_settings *first = &s->steps[0].breathe.pacer;
    assert_int_equal(first->sound, PACER_BOWL);
    assert_near(first->low_hz, 100.0, 0.0);
    assert_near(first->high_hz, 294.0, 0.0);
    assert_near(first->level_db, -24.0, 0.0);
    const pacer_settings *second = &s->steps[1].breathe.pacer;
    assert_int_equal(second->sound, PACER_NOISE);
    assert_near(second->low_hz, 100.0, 0.0);
    assert_near(second->high_hz, 500.0, 0.0);
    assert_near(second->level_db, -18.0, 0.0);
    assert_memory_equal(&s->steps[2].breathe.pacer, &s->pacer, sizeof(pacer_settings));
    /* The top level is untouched by the overrides. */
    assert_int_equal(s->pacer.sound, PACER_BOWL);
    assert_near(s->pacer.level_db, -18.0, 0.0);
    session_free(s);
}

static void common_step_settings(void **state)
{
    (void)state;
    session *s = load_ok(MINIMAL
                         "steps = (\n"
                         "  { type = \"bell\"; label = \"Start ✓\"; gap = \"1m30s\"; },\n"
                         "  { type = \"bell\"; gap = 2.5; },\n"
                         "  { type = \"bell\"; gap = 0; label = \"\"; }\n"
                         ");\n");
    assert_string_equal(s->steps[0].label, "Start ✓");
    assert_near(s->steps[0].gap_seconds, 90.0, 0.0);
    assert_near(s->steps[1].gap_seconds, 2.5, 0.0);
    assert_near(s->steps[2].gap_seconds, 0.0, 0.0);
    assert_string_equal(s->steps[2].label, "");
    session_free(s);
}

static void bell_fields(void **state)
{
    (void)state;
    session *s = load_ok(MINIMAL
                         "steps = ( { type = \"bell\"; strikes = 3; interval = \"5s\";\n"
                         "            hz = 528.5; level = -6; ring = 10 } );\n");
    const session_step *bell = &s->steps[0];
    assert_int_equal(bell->bell.strikes, 3);
    assert_near(bell->bell.interval_seconds, 5.0, 0.0);
    assert_near(bell->bell.hz, 528.5, 0.0);
    assert_near(bell->bell.level_db, -6.0, 0.0);
    assert_near(bell->bell.ring_seconds, 10.0, 0.0);
    session_free(s);
}

static void timer_fields(void **state)
{
    (void)state;
    session *s = load_ok(MINIMAL
                         "steps = ( { type = \"timer\"; duration = \"1h15m\"; bell_every = \"5m\";\n"
                         "            bell_end = false; ticks = 10L; },\n"
                         "          { type = \"timer\"; duration = 0.5; bell_every = 0; } );\n");
    const session_step *timer = &s->steps[0];
    assert_near(timer->timer.duration_seconds, 4500.0, 0.0);
    assert_near(timer->timer.bell_every_seconds, 300.0, 0.0);
    assert_false(timer->timer.bell_end);
    assert_int_equal(timer->timer.ticks, 10);
    assert_near(s->steps[1].timer.duration_seconds, 0.5, 0.0);
    assert_near(s->steps[1].timer.bell_every_seconds, 0.0, 0.0);
    session_free(s);
    assert_error(MINIMAL "steps = ( { type = \"timer\"; duration = 0; } );\n",
                 "error.cfg:2: 'duration' must be more than 0 seconds, not 0\n");
    assert_error(MINIMAL "steps = ( { type = \"timer\"; duration = \"0s\"; } );\n",
                 "error.cfg:2: 'duration' must be more than 0 seconds, not 0\n");
    assert_error(MINIMAL "steps = ( { type = \"timer\"; duration = 5; bell_every = -1; } );\n",
                 "error.cfg:2: 'bell_every' must be 0 seconds or more, not -1\n");
    assert_error(MINIMAL "steps = ( { type = \"timer\"; duration = [5]; } );\n",
                 "error.cfg:2: 'duration' must be a duration (seconds, or a string like "
                 "\"2m30s\"), not an array\n");
}

static void breathe_fields(void **state)
{
    (void)state;
    session *s = load_ok(MINIMAL
                         "steps = (\n"
                         "  { type = \"breathe\"; pattern = [4, 7, 8]; cycles = 10000000000L;\n"
                         "    ramp_to = [4.0, 3.5, 6.0]; },\n"
                         "  { type = \"breathe\"; pattern = [2.0, 1.0, 6.0];\n"
                         "    phases = [\"inhale\", \"inhale\", \"exhale\"]; duration = \"2m30s\"; },\n"
                         "  { type = \"breathe\"; pattern = ( 4, 6.5 ); duration = 90;\n"
                         "    ramp_to = \"5-7\"; },\n"
                         "  { type = \"breathe\"; pattern = \"1-1-1-1-1-1-1-1\"; cycles = 1;\n"
                         "    phases = [\"inhale\", \"hold\", \"inhale\", \"hold\",\n"
                         "              \"exhale\", \"hold_out\", \"exhale\", \"hold_out\"]; },\n"
                         "  { type = \"breathe\"; pattern = [5]; phases = [\"exhale\"]; cycles = 3; }\n"
                         ");\n");
    const session_step *a = &s->steps[0];
    assert_pattern(&a->breathe.pattern, 3, (const double[]){ 4, 7, 8 },
                   (const breath_kind[]){ BREATH_INHALE, BREATH_HOLD, BREATH_EXHALE });
    assert_true(a->breathe.ramps);
    assert_pattern(&a->breathe.ramp_to, 3, (const double[]){ 4, 3.5, 6 },
                   (const breath_kind[]){ BREATH_INHALE, BREATH_HOLD, BREATH_EXHALE });
    assert_true(a->breathe.cycles == 10000000000LL);
    assert_near(a->breathe.duration_seconds, 0.0, 0.0);

    const session_step *b = &s->steps[1];
    assert_pattern(&b->breathe.pattern, 3, (const double[]){ 2, 1, 6 },
                   (const breath_kind[]){ BREATH_INHALE, BREATH_INHALE, BREATH_EXHALE });
    assert_false(b->breathe.ramps);
    assert_int_equal(b->breathe.cycles, 0);
    assert_near(b->breathe.duration_seconds, 150.0, 0.0);

    const session_step *c = &s->steps[2];
    assert_pattern(&c->breathe.pattern, 2, (const double[]){ 4, 6.5 },
                   (const breath_kind[]){ BREATH_INHALE, BREATH_EXHALE });
    assert_pattern(&c->breathe.ramp_to, 2, (const double[]){ 5, 7 },
                   (const breath_kind[]){ BREATH_INHALE, BREATH_EXHALE });
    assert_near(c->breathe.duration_seconds, 90.0, 0.0);

    const session_step *d = &s->steps[3];
    assert_int_equal(d->breathe.pattern.count, 8);
    assert_int_equal(d->breathe.pattern.kind[2], BREATH_INHALE);
    assert_int_equal(d->breathe.pattern.kind[7], BREATH_HOLD_OUT);

    assert_pattern(&s->steps[4].breathe.pattern, 1, (const double[]){ 5 },
                   (const breath_kind[]){ BREATH_EXHALE });
    session_free(s);

    /* ramp_to takes its kinds from phases, so a zero exhale is caught. */
    assert_error(MINIMAL "steps = ( { type = \"breathe\"; pattern = [2.0, 1.0, 6.0];\n"
                 "  phases = [\"inhale\", \"hold\", \"exhale\"]; cycles = 2;\n"
                 "  ramp_to = [2.0, 1.0, 0.0]; } );\n",
                 "error.cfg:4: 'ramp_to': the exhale (entry 3) must be more than 0 seconds, "
                 "not 0\n");
    assert_error(MINIMAL "steps = ( { type = \"breathe\"; pattern = [4, 4];\n"
                 "  phases = ( \"inhale\", 3 ); cycles = 2; } );\n",
                 "error.cfg:3: 'phases' entry 2 must be a phase name (inhale, hold, exhale or "
                 "hold_out), not a number\n");
    assert_error(MINIMAL "steps = ( { type = \"breathe\"; pattern = [1, 1, 1, 1, 1, 1, 1, 1, 1];\n"
                 "  cycles = 2; } );\n",
                 "error.cfg:2: 'pattern': a pattern has at most 8 entries, not 9\n");
    assert_error(MINIMAL "steps = ( { type = \"breathe\"; pattern = [];\n"
                 "  cycles = 2; } );\n",
                 "error.cfg:2: 'pattern': a pattern has 2, 3 or 4 entries (inhale-exhale, "
                 "inhale-hold-exhale or inhale-hold-exhale-hold_out), not 0; 'phases' can "
                 "name other counts\n");
}

static void voice_and_pacer_groups_in_steps_are_checked(void **state)
{
    (void)state;
    assert_error(MINIMAL "steps = ( { type = \"breathe\"; pattern = \"4-4\"; cycles = 2;\n"
                 "  voice = { cylces = 2; }; } );\n",
                 "error.cfg:3: unknown setting 'cylces' in 'voice'; did you mean 'cycles'?\n");
    assert_error(MINIMAL "steps = ( { type = \"breathe\"; pattern = \"4-4\"; cycles = 2;\n"
                 "  voice = 3; } );\n",
                 "error.cfg:3: 'voice' must be a group { ... }, not a number\n");
    assert_error(MINIMAL "voice = { cycles = -1; };\nsteps = ( { type = \"bell\"; } );\n",
                 "error.cfg:2: 'cycles' must be 0 or more, not -1\n");
}

static void repeat_fields_and_nesting(void **state)
{
    (void)state;
    session *s = load_ok(MINIMAL
                         "steps = (\n"
                         "  { type = \"repeat\"; count = 3L; forever = false;\n"
                         "    steps = ( { type = \"bell\"; }, { type = \"timer\"; duration = 5; } ); },\n"
                         "  { type = \"repeat\"; forever = true; label = \"loop\";\n"
                         "    steps = ( { type = \"bell\"; } ); }\n"
                         ");\n");
    const session_step *counted = &s->steps[0];
    assert_int_equal(counted->type, STEP_REPEAT);
    assert_int_equal(counted->repeat.count, 3);
    assert_false(counted->repeat.forever);
    assert_int_equal(counted->repeat.step_count, 2);
    assert_int_equal(counted->repeat.steps[1].type, STEP_TIMER);
    assert_int_equal(counted->repeat.steps[1].line, 4);
    const session_step *forever = &s->steps[1];
    assert_true(forever->repeat.forever);
    assert_int_equal(forever->repeat.count, 0);
    assert_string_equal(forever->label, "loop");
    session_free(s);

    /* Eight repeats inside one another are fine; a ninth is not. */
    for (int depth = 8; depth <= 9; depth++) {
        char text[4096];
        size_t used = (size_t)snprintf(text, sizeof text, MINIMAL "steps = (\n");
        for (int i = 0; i < depth; i++)
            used += (size_t)snprintf(text + used, sizeof text - used,
                                     "{ type = \"repeat\"; count = 2; steps = (\n");
        used += (size_t)snprintf(text + used, sizeof text - used, "{ type = \"bell\"; }\n");
        for (int i = 0; i < depth; i++)
            used += (size_t)snprintf(text + used, sizeof text - used, ") }\n");
        snprintf(text + used, sizeof text - used, ");\n");
        if (depth == 8) {
            s = load_ok(text);
            const session_step *step = &s->steps[0];
            for (int i = 0; i < 8; i++) {
                assert_int_equal(step->type, STEP_REPEAT);
                assert_int_equal(step->repeat.step_count, 1);
                step = &step->repeat.steps[0];
            }
            assert_int_equal(step->type, STEP_BELL);
            assert_int_equal(step->line, 11);
            session_free(s);
        } else {
            assert_error(text, "error.cfg:11: repeats nest at most 8 deep; this repeat is 9 deep\n");
        }
    }
}

static void enum_and_name_suggestions(void **state)
{
    (void)state;
    assert_error(MINIMAL "steps = ( { type = \"timr\"; duration = 5; } );\n",
                 "error.cfg:2: unknown step type 'timr'; did you mean 'timer'?\n");
    assert_error(MINIMAL "steps = ( { type = \"walk\"; } );\n",
                 "error.cfg:2: unknown step type 'walk'; expected one of cue, bell, breathe, "
                 "timer, repeat\n");
    assert_error(MINIMAL "steps = ( { type = \"bell\"; lable = \"x\"; } );\n",
                 "error.cfg:2: unknown setting 'lable' in a bell step; did you mean 'label'?\n");
    assert_error(MINIMAL "steps = ( { type = \"bell\"; duration = 5; } );\n",
                 "error.cfg:2: 'duration' is not a setting of a bell step\n");
    /* A setting of another type that is also close to a valid one. */
    assert_error(MINIMAL "steps = ( { type = \"timer\"; duration = 5; ring = 3; } );\n",
                 "error.cfg:2: 'ring' is not a setting of a timer step\n");
    assert_error(MINIMAL "steps = ( { type = \"cue\"; file = \"x.wav\"; count = 3; } );\n",
                 "error.cfg:2: 'count' is not a setting of a cue step\n");
    assert_error(MINIMAL "background = { nois = \"pink\"; };\nsteps = ( { type = \"bell\"; } );\n",
                 "error.cfg:2: unknown setting 'nois' in 'background'; did you mean 'noise'?\n");
    assert_error(MINIMAL "steps = ( { type = \"breathe\"; pattern = \"4-4\"; cycles = 2;\n"
                 "  phases = [\"in\", \"exhale\"]; } );\n",
                 "error.cfg:3: unknown phase 'in'; expected one of inhale, hold, exhale, hold_out\n");
    /* Short names take a distance of 1 only. */
    assert_error(MINIMAL "steps = ( { type = \"bell\"; hzz = 5; } );\n",
                 "error.cfg:2: unknown setting 'hzz' in a bell step; did you mean 'hz'?\n");
    assert_error(MINIMAL "steps = ( { type = \"bell\"; hhzz = 5; } );\n",
                 "error.cfg:2: unknown setting 'hhzz' in a bell step; expected one of type, "
                 "label, cue, gap, strikes, interval, hz, level, ring\n");
}

static void messages_quote_strings_safely(void **state)
{
    (void)state;
    assert_error(MINIMAL "steps = ( { type = \"a\\nb\"; } );\n",
                 "error.cfg:2: unknown step type 'a\\x0Ab'; expected one of cue, bell, breathe, "
                 "timer, repeat\n");
    char text[512];
    snprintf(text, sizeof text, MINIMAL "steps = ( { type = \"%0200d\"; } );\n", 0);
    char *message = load_error_at("error.cfg", text);
    assert_non_null(strstr(message, "00...'"));
    assert_true(strlen(message) < 250);
    free(message);
}

static void format_and_integers(void **state)
{
    (void)state;
    session *s = load_ok("format = 1L;\n" MINIMAL "steps = ( { type = \"bell\"; strikes = 2L; } );\n");
    assert_int_equal(s->steps[0].bell.strikes, 2);
    session_free(s);
    assert_error("format = 1.0;\n" MINIMAL "steps = ( { type = \"bell\"; } );\n",
                 "error.cfg:1: 'format' must be a whole number, not 1.0\n");
    assert_error("format = \"1\";\n" MINIMAL "steps = ( { type = \"bell\"; } );\n",
                 "error.cfg:1: 'format' must be a whole number, not a string\n");
    assert_error("format = 0;\n" MINIMAL "steps = ( { type = \"bell\"; } );\n",
                 "error.cfg:1: unsupported format 0; this player reads format 1\n");
    /* The format is checked before anything else a newer format might add. */
    assert_error("format = 3;\nbreathing_style = \"new\";\n" MINIMAL
                 "steps = ( { type = \"bell\"; } );\n",
                 "error.cfg:1: unsupported format 3; this player reads format 1\n");
    assert_error(MINIMAL "steps = ( { type = \"bell\"; strikes = 3000000000L; } );\n",
                 "error.cfg:2: 'strikes' must be between 1 and 2147483647, not 3000000000\n");
    assert_error(MINIMAL "steps = ( { type = \"repeat\"; count = 0L; steps = ( { type = \"bell\"; } ); } );\n",
                 "error.cfg:2: 'count' must be 1 or more, not 0\n");
}

static void syntax_errors_name_the_path_as_given(void **state)
{
    (void)state;
    assert_error(MINIMAL "steps = ( { type = \"bell\"; }\n",
                 "error.cfg:3: syntax error\n");
    assert_error(MINIMAL "steps = ( { type = \"bell\" ; } );\n 5 = 4;\n",
                 "error.cfg:3: syntax error\n");
}

static void includes_are_relative_to_the_session(void **state)
{
    (void)state;
    write_text("inc/common.cfg", "pacer = { sound = \"bowl\"; };\n");
    session *s = load_ok_at("inc/main.cfg", MINIMAL "@include \"common.cfg\"\n"
                                                    "steps = ( { type = \"bell\"; } );\n");
    assert_int_equal(s->pacer.sound, PACER_BOWL);
    session_free(s);
    /* An error inside an included file names that file. */
    write_text("inc/broken.cfg", "pacer = { sound = \"bel\"; };\n");
    char *message = load_error_at("inc/main2.cfg", MINIMAL "@include \"broken.cfg\"\n"
                                                          "steps = ( { type = \"bell\"; } );\n");
    assert_string_equal(message, "inc/broken.cfg:1: unknown pacer sound 'bel'; expected one of "
                                 "tone, bowl, noise, none\n");
    free(message);
    write_text("inc/syntax.cfg", "pacer = { sound = ; };\n");
    message = load_error_at("inc/main3.cfg", MINIMAL "@include \"syntax.cfg\"\n"
                                                    "steps = ( { type = \"bell\"; } );\n");
    assert_string_equal(message, "inc/syntax.cfg:1: syntax error\n");
    free(message);
}

/* ---- Audio files ---- */

static const audio_clip *first_clip_named(const session *s, const char *suffix)
{
    for (size_t i = 0; i < s->clip_count; i++) {
        const char *path = s->clips[i]->path;
        size_t a = strlen(path), b = strlen(suffix);
        if (a >= b && strcmp(path + a - b, suffix) == 0)
            return s->clips[i];
    }
    return NULL;
}

static void audio_paths_are_found_in_order(void **state)
{
    (void)state;
    write_wav("look/sounds/a.wav", 48000, 480);
    write_wav("look/a.wav", 48000, 960);     /* hidden by sounds/a.wav */
    write_wav("look/b.wav", 48000, 480);
    write_wav("extra1/c.wav", 48000, 480);
    write_wav("extra2/c.wav", 48000, 960);   /* hidden by extra1/c.wav */
    write_wav("extra2/d.wav", 48000, 480);
    char *extra1 = in_temp("extra1"), *extra2 = in_temp("extra2");
    const char *folders[] = { extra1, extra2, NULL };
    session_audio_search_path = folders;

    session *s = load_ok_at("look/session.cfg",
                            MINIMAL "audio_dir = \"sounds\";\n"
                            "steps = (\n"
                            "  { type = \"cue\"; file = \"a.wav\"; },\n"
                            "  { type = \"cue\"; file = \"b.wav\"; },\n"
                            "  { type = \"cue\"; file = \"c.wav\"; },\n"
                            "  { type = \"cue\"; file = \"d.wav\"; level = -3; }\n"
                            ");\n");
    assert_int_equal(s->clip_count, 4);
    assert_non_null(strstr(s->steps[0].cue_step.file->path, "look/sounds/a.wav"));
    assert_int_equal(s->steps[0].cue_step.file->frames, 480);
    assert_non_null(strstr(s->steps[1].cue_step.file->path, "look/b.wav"));
    assert_non_null(strstr(s->steps[2].cue_step.file->path, "extra1/c.wav"));
    assert_non_null(strstr(s->steps[3].cue_step.file->path, "extra2/d.wav"));
    assert_near(s->steps[0].cue_step.level_db, 0.0, 0.0);
    assert_near(s->steps[3].cue_step.level_db, -3.0, 0.0);
    session_free(s);

    /* Without audio_dir, the session's folder comes first. */
    s = load_ok_at("look/session2.cfg",
                   MINIMAL "steps = ( { type = \"cue\"; file = \"a.wav\"; } );\n");
    assert_int_equal(s->steps[0].cue_step.file->frames, 960);
    session_free(s);

    /* Not found: every folder looked in is named. */
    char *message = load_error_at("look/session3.cfg",
                                  MINIMAL "audio_dir = \"sounds\";\n"
                                  "steps = ( { type = \"cue\"; file = \"e.wav\"; } );\n");
    char expected[1024];
    snprintf(expected, sizeof expected,
             "look/session3.cfg:3: cannot find audio file 'e.wav' (looked in %s/look/sounds, "
             "%s/look, %s, %s)\n", temp_folder, temp_folder, extra1, extra2);
    assert_string_equal(message, expected);
    free(message);
    session_audio_search_path = no_folders;
    free(extra1);
    free(extra2);
}

/* audio_dir that does not exist is passed over: relative paths are found
 * next to the session and in the search path (--check warns about it). */
static void missing_audio_dir_is_passed_over(void **state)
{
    (void)state;
    write_wav("passed/here.wav", 48000, 100);
    session *s = load_ok_at("passed/session.cfg",
                            MINIMAL "audio_dir = \"nowhere\";\n"
                            "steps = ( { type = \"cue\"; file = \"here.wav\"; } );\n");
    assert_non_null(strstr(s->steps[0].cue_step.file->path, "passed/here.wav"));
    assert_non_null(strstr(s->audio_dir, "passed/nowhere"));
    assert_int_equal(s->audio_dir_line, 2);
    session_free(s);
}

static void audio_dir_may_be_absolute(void **state)
{
    (void)state;
    write_wav("absolute/here.wav", 48000, 100);
    char text[1024];
    char *folder = in_temp("absolute");
    snprintf(text, sizeof text, MINIMAL "audio_dir = \"%s\";\n"
             "steps = ( { type = \"cue\"; file = \"here.wav\"; },\n"
             "          { type = \"cue\"; file = \"%s/here.wav\"; } );\n", folder, folder);
    session *s = load_ok_at("elsewhere/session.cfg", text);
    assert_int_equal(s->clip_count, 1);
    assert_ptr_equal(s->steps[0].cue_step.file, s->steps[1].cue_step.file);
    session_free(s);
    free(folder);
}

static void each_file_is_decoded_once(void **state)
{
    (void)state;
    write_wav("once/in.wav", 48000, 480);
    write_wav("once/out.wav", 48000, 480);
    write_text("once/sub/readme.txt", "a folder for the ../ path\n");
    session *s = load_ok_at("once/session.cfg",
                            MINIMAL
                            "voice = { inhale = \"in.wav\"; exhale = \"out.wav\";\n"
                            "          hold = \"./in.wav\"; hold_out = \"sub/../out.wav\"; };\n"
                            "background = { file = \"in.wav\"; };\n"
                            "steps = ( { type = \"bell\"; cue = \"in.wav\"; },\n"
                            "          { type = \"cue\"; file = \"out.wav\"; } );\n");
    assert_int_equal(s->clip_count, 2);
    assert_ptr_equal(s->voice.cue[BREATH_INHALE], s->voice.cue[BREATH_HOLD]);
    assert_ptr_equal(s->voice.cue[BREATH_EXHALE], s->voice.cue[BREATH_HOLD_OUT]);
    assert_ptr_not_equal(s->voice.cue[BREATH_INHALE], s->voice.cue[BREATH_EXHALE]);
    assert_int_equal(s->background.kind, BACKGROUND_FILE);
    assert_ptr_equal(s->background.file, s->voice.cue[BREATH_INHALE]);
    assert_ptr_equal(s->steps[0].precue, s->voice.cue[BREATH_INHALE]);
    assert_ptr_equal(s->steps[1].cue_step.file, s->voice.cue[BREATH_EXHALE]);
    session_free(s);
}

static void voice_merges_key_by_key_and_shares_clips(void **state)
{
    (void)state;
    write_wav("voice/in.wav", 48000, 480);
    write_wav("voice/out.wav", 48000, 480);
    write_wav("voice/hold.wav", 48000, 480);
    session *s = load_ok_at("voice/session.cfg",
                            MINIMAL
                            "voice = { inhale = \"in.wav\"; exhale = \"out.wav\"; level = -3;\n"
                            "          cycles = 2; };\n"
                            "steps = (\n"
                            "  { type = \"breathe\"; pattern = \"4-4-4\"; cycles = 4;\n"
                            "    voice = { hold = \"hold.wav\"; cycles = 0; }; },\n"
                            "  { type = \"breathe\"; pattern = \"4-4\"; cycles = 4; }\n"
                            ");\n");
    assert_int_equal(s->clip_count, 3);
    const voice_settings *top = &s->voice;
    assert_non_null(top->cue[BREATH_INHALE]);
    assert_null(top->cue[BREATH_HOLD]);
    assert_null(top->cue[BREATH_HOLD_OUT]);
    assert_int_equal(top->cycles, 2);
    const voice_settings *merged = &s->steps[0].breathe.voice;
    assert_ptr_equal(merged->cue[BREATH_INHALE], top->cue[BREATH_INHALE]);
    assert_ptr_equal(merged->cue[BREATH_EXHALE], top->cue[BREATH_EXHALE]);
    assert_non_null(merged->cue[BREATH_HOLD]);
    assert_non_null(strstr(merged->cue[BREATH_HOLD]->path, "hold.wav"));
    assert_null(merged->cue[BREATH_HOLD_OUT]);
    assert_near(merged->level_db, -3.0, 0.0);
    assert_int_equal(merged->cycles, 0);
    assert_memory_equal(&s->steps[1].breathe.voice, top, sizeof *top);
    session_free(s);
}

static void clips_are_decoded_at_the_session_rate(void **state)
{
    (void)state;
    write_wav("rate/cue.wav", 44100, 4410);
    session *s = load_ok_at("rate/session.cfg",
                            MINIMAL "sample_rate = 48000;\n"
                            "steps = ( { type = \"cue\"; file = \"cue.wav\"; } );\n");
    const audio_clip *clip = s->steps[0].cue_step.file;
    assert_int_equal(clip->source_rate, 44100);
    assert_int_equal(clip->source_frames, 4410);
    assert_int_equal(clip->frames, 4800);
    assert_ptr_equal(first_clip_named(s, "cue.wav"), clip);
    session_free(s);
}

/* session_read(): the same session, lengths and errors as session_load(),
 * with no samples decoded; an unchanged file read again gives the same. */
static void read_gives_lengths_without_decoding(void **state)
{
    (void)state;
    write_wav("read/cue.wav", 44100, 4410);
    write_wav("read/long.wav", 22050, 22050 * 20);
    write_text("read/noise.wav", "this is not audio\n");
    static const char text[] = MINIMAL "sample_rate = 48000;\n"
        "steps = ( { type = \"cue\"; file = \"cue.wav\"; },\n"
        "          { type = \"cue\"; file = \"long.wav\"; cue = \"cue.wav\"; } );\n";
    write_text("read/session.cfg", text);
    char *path = in_temp("read/session.cfg");
    session *loaded = NULL;
    assert_int_equal(session_load(path, &loaded, NULL), 0);
    for (int round = 0; round < 2; round++) {
        session *read = NULL;
        assert_int_equal(session_read(path, &read, NULL), 0);
        assert_int_equal(read->clip_count, loaded->clip_count);
        for (size_t i = 0; i < read->clip_count; i++) {
            assert_int_equal(read->clips[i]->frames, loaded->clips[i]->frames);
            assert_int_equal(read->clips[i]->source_rate, loaded->clips[i]->source_rate);
            assert_int_equal(read->clips[i]->source_frames, loaded->clips[i]->source_frames);
            assert_null(read->clips[i]->samples);
        }
        assert_int_equal(read->steps[0].cue_step.file->frames, 4800);
        assert_int_equal(read->steps[1].cue_step.file->frames, 48000 * 20);
        session_free(read);
    }
    session_free(loaded);
    free(path);

    /* What is not audio is refused the same way. */
    write_text("read/bad.cfg", MINIMAL "steps = ( { type = \"cue\"; file = \"noise.wav\"; } );\n");
    path = in_temp("read/bad.cfg");
    report_buffer said = { 0 };
    session *read = NULL;
    assert_int_equal(session_read(path, &read, &(report_sink){ report_buffer_emit, &said }), 2);
    assert_null(read);
    assert_non_null(strstr(said.text, "cannot use audio file 'noise.wav': "));
    report_buffer_free(&said);
    free(path);
}

static void undecodable_files_are_errors(void **state)
{
    (void)state;
    write_text("undecodable/noise.wav", "this is not audio\n");
    char *message = load_error_at("undecodable/session.cfg",
                                  MINIMAL "steps = ( { type = \"bell\";\n"
                                  "  cue = \"noise.wav\"; } );\n");
    const char *expected = "undecodable/session.cfg:3: cannot use audio file 'noise.wav': ";
    assert_true(strncmp(message, expected, strlen(expected)) == 0);
    assert_true(strlen(message) > strlen(expected) + 1);
    assert_non_null(strchr(message, '\n'));
    assert_int_equal(strchr(message, '\n') - message, (long)strlen(message) - 1);
    free(message);

    /* A folder is not a file. */
    write_wav("undecodable/folder.wav/x.wav", 48000, 10);
    message = load_error_at("undecodable/session2.cfg",
                            MINIMAL "steps = ( { type = \"cue\"; file = \"folder.wav\"; } );\n");
    assert_non_null(strstr(message, "cannot find audio file 'folder.wav'"));
    free(message);

    message = load_error_at("undecodable/session3.cfg",
                            MINIMAL "steps = ( { type = \"cue\"; file = \"\"; } );\n");
    assert_string_equal(message, "undecodable/session3.cfg:2: 'file' must not be empty\n");
    free(message);
    message = load_error_at("undecodable/session4.cfg",
                            MINIMAL "steps = ( { type = \"cue\"; file = 3; } );\n");
    assert_string_equal(message, "undecodable/session4.cfg:2: 'file' must be a string "
                                 "(an audio file path), not a number\n");
    free(message);
    message = load_error_at("undecodable/session5.cfg",
                            MINIMAL "steps = ( { type = \"cue\"; file = \"/no/such/file.wav\"; } );\n");
    assert_string_equal(message, "undecodable/session5.cfg:2: cannot find audio file "
                                 "'/no/such/file.wav' (no such file)\n");
    free(message);
}

static void free_accepts_null(void **state)
{
    (void)state;
    session_free(NULL);
}

/* A cue put before the first step: decoded at the session's rate, the
 * steps moved up by one, the clip owned (and freed) by the session; a file
 * that is not audio changes nothing. */
static void a_cue_can_be_put_first(void **state)
{
    (void)state;
    write_wav("first/said.wav", 16000, 8000);
    write_text("first/not-audio.wav", "not audio\n");
    session *s = load_ok_at("first/session.cfg",
                            "format = 1;\ntitle = \"First\";\nsample_rate = 32000;\nsteps = (\n"
                            "  { type = \"timer\"; label = \"Wait\"; duration = 2; },\n"
                            "  { type = \"bell\"; }\n);\n");
    char why[256];
    char *bad = in_temp("first/not-audio.wav");
    assert_int_equal(session_prepend_cue(s, bad, "Said", 1.5, why, sizeof why), 2);
    assert_true(strlen(why) > 0);
    assert_int_equal((int)s->step_count, 2);
    assert_int_equal((int)s->clip_count, 0);
    char *good = in_temp("first/said.wav");
    assert_int_equal(session_prepend_cue(s, good, "Said", 1.5, why, sizeof why), 0);
    assert_int_equal((int)s->step_count, 3);
    assert_int_equal(s->steps[0].type, STEP_CUE);
    assert_string_equal(s->steps[0].label, "Said");
    assert_true(s->steps[0].gap_seconds == 1.5);
    assert_int_equal((int)s->steps[0].cue_step.file->frames, 16000);
    assert_int_equal((int)s->clip_count, 1);
    assert_ptr_equal(s->clips[0], s->steps[0].cue_step.file);
    assert_string_equal(s->steps[1].label, "Wait");
    assert_int_equal(s->steps[2].type, STEP_BELL);
    free(bad);
    free(good);
    session_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(durations_in_every_form),
        cmocka_unit_test(durations_rejected_with_an_example),
        cmocka_unit_test(duration_reason_is_one_printable_line),
        cmocka_unit_test(pattern_text_forms_and_kinds),
        cmocka_unit_test(pattern_text_errors),
        cmocka_unit_test(breath_kinds_have_their_file_names),
        cmocka_unit_test(defaults_of_the_top_level),
        cmocka_unit_test(defaults_of_every_step_type),
        cmocka_unit_test(background_defaults),
        cmocka_unit_test(blank_caution_is_none),
        cmocka_unit_test(top_level_settings),
        cmocka_unit_test(range_bounds_are_inclusive),
        cmocka_unit_test(pacer_merges_key_by_key),
        cmocka_unit_test(common_step_settings),
        cmocka_unit_test(bell_fields),
        cmocka_unit_test(timer_fields),
        cmocka_unit_test(breathe_fields),
        cmocka_unit_test(voice_and_pacer_groups_in_steps_are_checked),
        cmocka_unit_test(repeat_fields_and_nesting),
        cmocka_unit_test(enum_and_name_suggestions),
        cmocka_unit_test(messages_quote_strings_safely),
        cmocka_unit_test(format_and_integers),
        cmocka_unit_test(syntax_errors_name_the_path_as_given),
        cmocka_unit_test(includes_are_relative_to_the_session),
        cmocka_unit_test_setup_teardown(audio_paths_are_found_in_order, reset_search_path,
                                        reset_search_path),
        cmocka_unit_test(audio_dir_may_be_absolute),
        cmocka_unit_test(missing_audio_dir_is_passed_over),
        cmocka_unit_test(each_file_is_decoded_once),
        cmocka_unit_test(voice_merges_key_by_key_and_shares_clips),
        cmocka_unit_test(clips_are_decoded_at_the_session_rate),
        cmocka_unit_test(undecodable_files_are_errors),
        cmocka_unit_test(read_gives_lengths_without_decoding),
        cmocka_unit_test(free_accepts_null),
        cmocka_unit_test(a_cue_can_be_put_first),
    };
    return cmocka_run_group_tests(tests, make_temp_folder, remove_temp_folder);
}
