/* Lint: each warning fires on a session made to trigger it, and stays quiet
 * on one just inside its threshold. Sessions and cue files are written to a
 * fresh folder per test; the numbers in the messages are computed here from
 * the files written (lengths, levels) and the documented thresholds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sndfile.h>

#include "authoring/lint.h"
#include "testaudio.h"
#include "testreport.h"

#define RATE 48000

typedef struct {
    int count;
    lint_kind kind[64];
    char file[64][512];
    int line[64];
    char message[64][1024];
} findings;

static void collect(void *context, lint_kind kind, const char *file, int line,
                    const char *message)
{
    findings *f = context;
    if (f->count < 64) {
        f->kind[f->count] = kind;
        snprintf(f->file[f->count], sizeof f->file[0], "%s", file);
        f->line[f->count] = line;
        snprintf(f->message[f->count], sizeof f->message[0], "%s", message);
    }
    f->count++;
}

/* A 440 Hz burst of `seconds` at `amplitude`, filling the whole file. */
static void write_cue(const char *name, double seconds, double amplitude)
{
    char *path = testaudio_path(testaudio_dir, name);
    int64_t frames = (int64_t)llround(seconds * RATE);
    testaudio_burst burst = { RATE, 0, frames, 440.0, amplitude };
    assert_int_equal(testaudio_write_burst(path, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 2, frames,
                                           &burst), 0);
    free(path);
}

/* Loads the session at `path` and runs the lints over it. */
static void lint_file(const char *path, findings *f)
{
    session *s = NULL;
    timeline *t = NULL;
    assert_int_equal(session_load(path, &s, REPORT_TO_STDERR), 0);
    assert_int_equal(timeline_build(s, &t, REPORT_TO_STDERR), 0);
    memset(f, 0, sizeof *f);
    int reported = lint_session(t, collect, f);
    assert_int_equal(reported, f->count);
    for (int i = 0; i < f->count && i < 64; i++)
        printf("  %s:%d: %s\n", f->file[i], f->line[i], f->message[i]);
    timeline_free(t);
    session_free(s);
}

/* Writes `text` as a session and runs the lints over it. */
static void lint_text(const char *text, findings *f)
{
    char *path = testaudio_write_text(testaudio_dir, "session.cfg", text);
    assert_non_null(path);
    lint_file(path, f);
    free(path);
}

static int count_kind(const findings *f, lint_kind kind)
{
    int n = 0;
    for (int i = 0; i < f->count && i < 64; i++)
        n += f->kind[i] == kind;
    return n;
}

static const char *first_of(const findings *f, lint_kind kind, int *line)
{
    for (int i = 0; i < f->count && i < 64; i++) {
        if (f->kind[i] == kind) {
            if (line)
                *line = f->line[i];
            return f->message[i];
        }
    }
    fail_msg("no finding of kind %d", (int)kind);
    return NULL;
}

/* ---- voice and step cues ---- */

static void test_voice_cue_longer_than_its_phase(void **state)
{
    (void)state;
    findings f;
    write_cue("in.wav", 1.5, 0.1);
    lint_text("title = \"t\"; caution = \"c\";\n"
              "voice = { inhale = \"in.wav\"; };\n"
              "steps = (\n"
              "  { type = \"breathe\"; pattern = \"1-2\"; cycles = 3; }\n"
              ");\n", &f);
    assert_int_equal(count_kind(&f, LINT_VOICE_CUE_TOO_LONG), 1);
    int line = 0;
    const char *m = first_of(&f, LINT_VOICE_CUE_TOO_LONG, &line);
    assert_int_equal(line, 4);
    assert_non_null(strstr(m, "lasts 1.5 s"));
    assert_non_null(strstr(m, "inhale it starts (1.0 s, cycle 1)"));

    lint_text("title = \"t\"; caution = \"c\";\n"
              "voice = { inhale = \"in.wav\"; };\n"
              "steps = ( { type = \"breathe\"; pattern = \"2-2\"; cycles = 3; } );\n", &f);
    assert_int_equal(f.count, 0);
}

/* The inhale shrinks from 3 s to 1 s over 5 cycles (3, 2.5, 2, 1.5, 1): a
 * 1.6 s cue fits the cycles the voice speaks in when that is the first 3,
 * and not when it is every cycle (cycle 4 has 1.5 s). */
static void test_voice_cue_checked_over_the_cued_cycles_of_a_ramp(void **state)
{
    (void)state;
    findings f;
    write_cue("in.wav", 1.6, 0.1);
    lint_text("title = \"t\"; caution = \"c\";\n"
              "steps = ( { type = \"breathe\"; pattern = \"3-3\"; ramp_to = \"1-3\"; cycles = 5;\n"
              "  voice = { inhale = \"in.wav\"; cycles = 3; }; } );\n", &f);
    assert_int_equal(count_kind(&f, LINT_VOICE_CUE_TOO_LONG), 0);
    lint_text("title = \"t\"; caution = \"c\";\n"
              "steps = ( { type = \"breathe\"; pattern = \"3-3\"; ramp_to = \"1-3\"; cycles = 5;\n"
              "  voice = { inhale = \"in.wav\"; cycles = 0; }; } );\n", &f);
    assert_int_equal(count_kind(&f, LINT_VOICE_CUE_TOO_LONG), 1);
    /* Cycles 1 to 4 are measured first; the first too short is cycle 4. */
    assert_non_null(strstr(first_of(&f, LINT_VOICE_CUE_TOO_LONG, NULL), "(1.5 s, cycle 4)"));
}

static void test_step_cue_longer_than_its_step(void **state)
{
    (void)state;
    findings f;
    write_cue("intro.wav", 3.0, 0.1);
    lint_text("title = \"t\";\n"
              "steps = ( { type = \"timer\"; cue = \"intro.wav\"; duration = 2; } );\n", &f);
    assert_int_equal(count_kind(&f, LINT_STEP_CUE_TOO_LONG), 1);
    assert_non_null(strstr(first_of(&f, LINT_STEP_CUE_TOO_LONG, NULL),
                            "lasts 3.0 s, longer than the timer step it introduces (2.0 s)"));
    lint_text("title = \"t\";\n"
              "steps = ( { type = \"timer\"; cue = \"intro.wav\"; duration = 5; } );\n", &f);
    assert_int_equal(f.count, 0);
}

/* ---- holds and pace ---- */

static void test_long_hold_without_caution(void **state)
{
    (void)state;
    findings f;
    lint_text("title = \"t\";\n\n"
              "steps = ( { type = \"breathe\"; pattern = \"4-21-4\"; cycles = 1; } );\n", &f);
    int line = 0;
    assert_int_equal(count_kind(&f, LINT_LONG_HOLD), 1);
    assert_non_null(strstr(first_of(&f, LINT_LONG_HOLD, &line), "a hold of 21 s"));
    assert_int_equal(line, 3);
    /* A hold after breathing out counts too, also when a ramp reaches it. */
    lint_text("title = \"t\";\n"
              "steps = ( { type = \"breathe\"; pattern = \"4-4-4-4\"; ramp_to = \"4-4-4-25\";"
              " cycles = 3; } );\n", &f);
    assert_non_null(strstr(first_of(&f, LINT_LONG_HOLD, NULL), "a hold_out of 25 s"));
    /* At the threshold, or with a caution: no warning about the hold (a 28 s
     * cycle is also slower than 3 a minute: that is the pace warning). */
    lint_text("title = \"t\";\n"
              "steps = ( { type = \"breathe\"; pattern = \"4-20-4\"; cycles = 1; } );\n", &f);
    assert_int_equal(count_kind(&f, LINT_LONG_HOLD), 0);
    assert_int_equal(count_kind(&f, LINT_PACE), 1);
    lint_text("title = \"t\"; caution = \"Stop if dizzy.\";\n"
              "steps = ( { type = \"breathe\"; pattern = \"4-21-4\"; cycles = 1; } );\n", &f);
    assert_int_equal(f.count, 0);
    /* An empty caution is no caution. */
    lint_text("title = \"t\"; caution = \" \";\n"
              "steps = ( { type = \"breathe\"; pattern = \"4-21-4\"; cycles = 1; } );\n", &f);
    assert_int_equal(count_kind(&f, LINT_LONG_HOLD), 1);
}

static void test_pace_outside_3_to_20_without_caution(void **state)
{
    (void)state;
    findings f;
    /* 1 + 1 s: 30 a minute. */
    lint_text("title = \"t\";\n"
              "steps = ( { type = \"breathe\"; pattern = \"1-1\"; cycles = 4; } );\n", &f);
    assert_int_equal(count_kind(&f, LINT_PACE), 1);
    assert_non_null(strstr(first_of(&f, LINT_PACE, NULL), "30.0 breaths a minute"));
    /* 10 + 11 s: 2.857 a minute. */
    lint_text("title = \"t\";\n"
              "steps = ( { type = \"breathe\"; pattern = \"10-11\"; cycles = 1; } );\n", &f);
    assert_non_null(strstr(first_of(&f, LINT_PACE, NULL), "2.9 breaths a minute"));
    /* 3 and 20 a minute are inside: 20 s and 3 s cycles. */
    lint_text("title = \"t\";\n"
              "steps = ( { type = \"breathe\"; pattern = \"10-10\"; ramp_to = \"1-2\"; cycles = 2; } );\n",
              &f);
    assert_int_equal(f.count, 0);
    lint_text("title = \"t\"; caution = \"Fast breathing: sit down.\";\n"
              "steps = ( { type = \"breathe\"; pattern = \"1-1\"; cycles = 4; } );\n", &f);
    assert_int_equal(f.count, 0);
}

/* ---- labels ---- */

static void test_unlabelled_steps_in_long_sessions(void **state)
{
    (void)state;
    findings f;
    /* 10 minutes: breathe and timer steps need labels, bells do not. */
    lint_text("title = \"t\";\n"
              "steps = (\n"
              "  { type = \"bell\"; },\n"
              "  { type = \"breathe\"; pattern = \"5-5\"; duration = \"5m\"; },\n"
              "  { type = \"timer\"; duration = 294; }\n"   /* 6 s bell + 300 + 294 = 600 s */
              ");\n", &f);
    assert_int_equal(count_kind(&f, LINT_NO_LABEL), 2);
    int line = 0;
    assert_non_null(strstr(first_of(&f, LINT_NO_LABEL, &line), "this breathe step has no label"));
    assert_int_equal(line, 4);
    /* One second shorter: no warning. */
    lint_text("title = \"t\";\n"
              "steps = (\n"
              "  { type = \"bell\"; },\n"
              "  { type = \"breathe\"; pattern = \"5-5\"; duration = \"5m\"; },\n"
              "  { type = \"timer\"; duration = 293; }\n"
              ");\n", &f);
    assert_int_equal(f.count, 0);
    /* Labelled, or repeating forever without labels. */
    lint_text("title = \"t\";\n"
              "steps = ( { type = \"timer\"; label = \"Rest\"; duration = \"20m\"; } );\n", &f);
    assert_int_equal(f.count, 0);
    lint_text("title = \"t\";\n"
              "steps = ( { type = \"repeat\"; forever = true; steps = (\n"
              "  { type = \"timer\"; duration = 60; } ); } );\n", &f);
    assert_int_equal(count_kind(&f, LINT_NO_LABEL), 1);
    assert_non_null(strstr(first_of(&f, LINT_NO_LABEL, NULL), "runs until stopped"));
}

/* ---- cue file levels ---- */

/* ITU-R BS.1770: a 1 kHz sine of amplitude A in both channels measures
 * 20 log10(A) LUFS (the K-weighting gain at 1 kHz offsets the -0.691 dB),
 * and its sample peak is 20 log10(A) dBFS. */
static void test_loudness_of_a_sine_follows_bs1770(void **state)
{
    (void)state;
    char *path = testaudio_path(testaudio_dir, "sine.wav");
    testaudio_burst burst = { RATE, 0, 3 * RATE, 1000.0, 0.1 };
    assert_int_equal(testaudio_write_burst(path, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 2, 3 * RATE,
                                           &burst), 0);
    audio_clip *clip = NULL;
    char why[256];
    assert_int_equal(audio_clip_load(path, RATE, &clip, why, sizeof why), 0);
    double lufs, peak;
    assert_int_equal(lint_clip_loudness(clip, RATE, &lufs, &peak), 0);
    assert_true(fabs(lufs - (-20.0)) < 0.2);
    assert_true(fabs(peak - (-20.0)) < 0.05);
    audio_clip_free(clip);
    /* The same file streamed from disk (as long cues are) measures the same. */
    assert_int_equal(audio_clip_open(path, RATE, RATE / 2, &clip, why, sizeof why), 0);
    assert_true(clip->streamed);
    assert_null(clip->samples);
    assert_int_equal(lint_clip_loudness(clip, RATE, &lufs, &peak), 0);
    assert_true(fabs(lufs - (-20.0)) < 0.2);
    assert_true(fabs(peak - (-20.0)) < 0.05);
    audio_clip_free(clip);
    free(path);
}

static void test_clipping_cue_file(void **state)
{
    (void)state;
    findings f;
    write_cue("loud.wav", 1.0, 1.0);    /* peaks at 0 dBFS */
    write_cue("fine.wav", 1.0, 0.5);    /* -6 dBFS */
    lint_text("title = \"t\";\n"
              "steps = (\n"
              "  { type = \"cue\"; file = \"fine.wav\"; },\n"
              "  { type = \"cue\"; file = \"loud.wav\"; }\n"
              ");\n", &f);
    assert_int_equal(count_kind(&f, LINT_CUE_CLIPS), 1);
    int line = 0;
    const char *m = first_of(&f, LINT_CUE_CLIPS, &line);
    assert_non_null(strstr(m, "loud.wav' peaks at"));
    assert_int_equal(line, 4);
    assert_int_equal(f.count, 1);
}

static void test_quiet_cue_files(void **state)
{
    (void)state;
    findings f;
    /* Two at -12 dBFS and one 15 dB lower: the median is the louder level. */
    write_cue("a.wav", 1.0, 0.25);
    write_cue("b.wav", 1.0, 0.25);
    write_cue("soft.wav", 1.0, 0.25 * pow(10.0, -15.0 / 20.0));
    lint_text("title = \"t\";\n"
              "steps = (\n"
              "  { type = \"cue\"; file = \"a.wav\"; },\n"
              "  { type = \"cue\"; file = \"b.wav\"; },\n"
              "  { type = \"cue\"; file = \"soft.wav\"; }\n"
              ");\n", &f);
    assert_int_equal(f.count, 1);
    int line = 0;
    const char *m = first_of(&f, LINT_CUE_QUIET, &line);
    assert_int_equal(line, 5);
    assert_non_null(strstr(m, "soft.wav"));
    assert_non_null(strstr(m, "15 LU below the median"));

    /* 9 dB lower is within the 10 LU allowed. */
    write_cue("softer.wav", 1.0, 0.25 * pow(10.0, -9.0 / 20.0));
    lint_text("title = \"t\";\n"
              "steps = (\n"
              "  { type = \"cue\"; file = \"a.wav\"; },\n"
              "  { type = \"cue\"; file = \"b.wav\"; },\n"
              "  { type = \"cue\"; file = \"softer.wav\"; }\n"
              ");\n", &f);
    assert_int_equal(f.count, 0);

    /* Alone, a file at about -60 LUFS is below the -45 LUFS floor; a silent one says so. */
    write_cue("whisper.wav", 1.0, 0.001);
    write_cue("silent.wav", 1.0, 0.0);
    lint_text("title = \"t\";\n"
              "steps = ( { type = \"cue\"; file = \"whisper.wav\"; } );\n", &f);
    assert_int_equal(count_kind(&f, LINT_CUE_QUIET), 1);
    assert_non_null(strstr(first_of(&f, LINT_CUE_QUIET, NULL), "below -45 LUFS"));
    lint_text("title = \"t\";\n"
              "steps = ( { type = \"cue\"; file = \"silent.wav\"; } );\n", &f);
    assert_non_null(strstr(first_of(&f, LINT_CUE_QUIET, NULL), "silent.wav' is silent"));
}

/* ---- where a finding is ---- */

/* A finding about a setting read from an @include file names that file
 * and its line; one in the session file names the session. */
static void test_findings_in_included_files_name_that_file(void **state)
{
    (void)state;
    write_cue("loud.wav", 1.0, 1.0);
    char *common = testaudio_write_text(testaudio_dir, "common.cfg",
                                        "# shared steps\n"
                                        "\n"
                                        "steps = (\n"
                                        "  { type = \"breathe\"; pattern = \"4-25-8\"; cycles = 1; },\n"
                                        "  { type = \"cue\"; file = \"loud.wav\"; }\n"
                                        ");\n");
    char *path = testaudio_write_text(testaudio_dir, "session.cfg",
                                      "title = \"t\";\n"
                                      "audio_dir = \".\";\n"
                                      "@include \"common.cfg\"\n");
    assert_non_null(common);
    assert_non_null(path);
    write_cue("spare.wav", 1.0, 0.1);
    findings f;
    lint_file(path, &f);
    bool hold = false, clips = false, unused = false;
    for (int i = 0; i < f.count && i < 64; i++) {
        if (f.kind[i] == LINT_LONG_HOLD) {
            assert_string_equal(f.file[i], common);
            assert_int_equal(f.line[i], 4);
            hold = true;
        } else if (f.kind[i] == LINT_CUE_CLIPS) {
            assert_string_equal(f.file[i], common);
            assert_int_equal(f.line[i], 5);
            clips = true;
        } else if (f.kind[i] == LINT_UNUSED_AUDIO) {
            assert_string_equal(f.file[i], path);
            assert_int_equal(f.line[i], 2);
            unused = true;
        }
    }
    assert_true(hold && clips && unused);
    free(common);
    free(path);
}

/* ---- audio_dir ---- */

static void test_unused_files_in_audio_dir(void **state)
{
    (void)state;
    findings f;
    write_cue("used.wav", 1.0, 0.1);
    write_cue("spare.wav", 1.0, 0.1);
    char *notes = testaudio_write_text(testaudio_dir, "notes.txt", "not audio\n");
    assert_non_null(notes);
    lint_text("title = \"t\";\n"
              "audio_dir = \".\";\n"
              "steps = ( { type = \"cue\"; file = \"used.wav\"; } );\n", &f);
    assert_int_equal(f.count, 1);
    int line = 0;
    assert_non_null(strstr(first_of(&f, LINT_UNUSED_AUDIO, &line), "'spare.wav' in audio_dir"));
    assert_int_equal(line, 2);
    /* Without audio_dir the folder is not looked at. */
    lint_text("title = \"t\";\n"
              "steps = ( { type = \"cue\"; file = \"used.wav\"; } );\n", &f);
    assert_int_equal(f.count, 0);
    free(notes);
}

static void test_audio_dir_that_does_not_exist(void **state)
{
    (void)state;
    findings f;
    write_cue("used.wav", 1.0, 0.1);
    lint_text("title = \"t\";\n\n"
              "audio_dir = \"sounds\";\n"
              "steps = ( { type = \"cue\"; file = \"used.wav\"; } );\n", &f);
    assert_int_equal(f.count, 1);
    int line = 0;
    const char *m = first_of(&f, LINT_AUDIO_DIR_MISSING, &line);
    assert_int_equal(line, 3);
    char expected[1024];
    snprintf(expected, sizeof expected, "audio_dir '%s/sounds' does not exist; ", testaudio_dir);
    assert_true(strncmp(m, expected, strlen(expected)) == 0);
}

static void test_bundled_sessions_have_no_warnings(void **state)
{
    (void)state;
    const char *source = getenv("BREATHE_SOURCE_DIR");
    assert_non_null(source);
    static const char *const names[] = { "box-breathing", "calm-breathing",
                                         "resonance-breathing" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/sessions/%s.cfg", source, names[i]);
        findings f;
        lint_file(path, &f);
        assert_int_equal(f.count, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TESTAUDIO_TEST_IN_DIR(test_voice_cue_longer_than_its_phase),
        TESTAUDIO_TEST_IN_DIR(test_voice_cue_checked_over_the_cued_cycles_of_a_ramp),
        TESTAUDIO_TEST_IN_DIR(test_step_cue_longer_than_its_step),
        TESTAUDIO_TEST_IN_DIR(test_long_hold_without_caution),
        TESTAUDIO_TEST_IN_DIR(test_pace_outside_3_to_20_without_caution),
        TESTAUDIO_TEST_IN_DIR(test_unlabelled_steps_in_long_sessions),
        TESTAUDIO_TEST_IN_DIR(test_loudness_of_a_sine_follows_bs1770),
        TESTAUDIO_TEST_IN_DIR(test_clipping_cue_file),
        TESTAUDIO_TEST_IN_DIR(test_quiet_cue_files),
        TESTAUDIO_TEST_IN_DIR(test_findings_in_included_files_name_that_file),
        TESTAUDIO_TEST_IN_DIR(test_unused_files_in_audio_dir),
        TESTAUDIO_TEST_IN_DIR(test_audio_dir_that_does_not_exist),
        cmocka_unit_test(test_bundled_sessions_have_no_warnings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
