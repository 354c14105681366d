/* Unit tests of the tables that describe each step type and each sound:
 * every entry of every layer is there, in its place, with what that layer
 * needs; a session that names a type or a sound gets that kind; and each
 * kind behaves as its record says (a step is described by its name, a
 * sound is heard or not). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/sound_kinds.h"
#include "format/step_kinds.h"
#include "render/engine.h"
#include "render/sounds.h"
#include "render/step_timing.h"
#include "testaudio.h"
#include "testreport.h"

#define RATE 48000

/* A step of each type with what it needs, as a session writes it. A new
 * step type fails the tests until it has one here. */
static const char *step_example(const char *type)
{
    static const char *const examples[][2] = {
        { "cue", "{ type = \"cue\"; file = \"tone.wav\"; }" },
        { "bell", "{ type = \"bell\"; strikes = 2; interval = 1; ring = 1; }" },
        { "breathe", "{ type = \"breathe\"; pattern = \"2-3\"; cycles = 2; }" },
        { "timer", "{ type = \"timer\"; duration = 3; }" },
        { "repeat", "{ type = \"repeat\"; count = 2; steps = ( { type = \"bell\"; } ); }" },
    };
    for (size_t i = 0; i < sizeof examples / sizeof examples[0]; i++)
        if (strcmp(examples[i][0], type) == 0)
            return examples[i][1];
    fail_msg("no example of a '%s' step in test_kinds.c", type);
    return NULL;
}

/* Writes a session of `top` settings and `steps` (and a short WAV it may
 * name) into the test's folder and loads it. */
static session *load(const char *top, const char *steps)
{
    char *wav = testaudio_path(testaudio_dir, "tone.wav");
    testaudio_burst burst = { RATE, 0, RATE / 2, 440.0, 0.2 };
    assert_int_equal(testaudio_write_burst(wav, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1, RATE / 2,
                                           &burst), 0);
    free(wav);
    size_t size = strlen(top) + strlen(steps) + 128;
    char *text = malloc(size);
    assert_non_null(text);
    snprintf(text, size, "title = \"Kinds\";\n%s\nsteps = ( %s );\n", top, steps);
    char *path = testaudio_write_text(testaudio_dir, "kinds.cfg", text);
    free(text);
    session *s = NULL;
    int status = session_load(path, &s, REPORT_TO_STDERR);
    free(path);
    assert_int_equal(status, 0);
    return s;
}

/* ---- the tables ---- */

static void every_step_type_has_a_record_in_each_layer(void **state)
{
    (void)state;
    for (int t = 0; t < STEP_TYPE_COUNT; t++) {
        const step_kind *kind = step_kinds[t];
        const step_timing *timing = step_timings[t];
        assert_non_null(kind);
        assert_non_null(timing);
        assert_int_equal(kind->type, t);
        assert_int_equal(timing->type, t);
        assert_non_null(kind->name);
        assert_true(kind->name[0] != '\0');
        assert_string_equal(step_type_name((step_type)t), kind->name);
        assert_non_null(kind->settings);
        assert_non_null(kind->parse);
        assert_non_null(timing->describe);
        assert_non_null(timing->plot_band);
        /* A step with events of its own has a timed part to put them in. */
        assert_true(timing->build || !timing->events);
        for (int u = 0; u < t; u++)
            assert_string_not_equal(step_kinds[u]->name, kind->name);
        /* The settings every step takes are not one type's own. */
        for (int i = 0; kind->settings[i]; i++)
            for (int j = 0; step_common_settings[j]; j++)
                assert_string_not_equal(kind->settings[i], step_common_settings[j]);
    }
}

static void every_sound_has_a_record_in_each_layer(void **state)
{
    (void)state;
    for (int k = 0; k < PACER_SOUND_COUNT; k++) {
        assert_int_equal(pacer_sound_kinds[k].sound, k);
        assert_non_null(pacer_sound_kinds[k].name);
        assert_string_equal(pacer_sound_name((pacer_sound)k), pacer_sound_kinds[k].name);
        assert_non_null(pacer_players[k]);
        assert_int_equal(pacer_players[k]->sound, k);
        /* A strike rings; a gain belongs to a sound that plays. */
        assert_true(!pacer_players[k]->strike || pacer_players[k]->ring_seconds > 0.0);
        assert_true(!pacer_players[k]->gain || pacer_players[k]->render);
    }
    for (int k = 0; k < BACKGROUND_KIND_COUNT; k++) {
        const background_sound_kind *sound = &background_sound_kinds[k];
        assert_int_equal(sound->kind, k);
        assert_non_null(sound->name);
        assert_string_equal(background_kind_name((background_kind)k), sound->name);
        assert_non_null(background_players[k]);
        assert_int_equal(background_players[k]->kind, k);
        /* Whatever a session can choose is heard; what it cannot is not. */
        assert_true((sound->chosen_by != NULL) == (background_players[k]->render != NULL));
    }
}

/* ---- each step type ---- */

static void each_step_type_loads_as_itself_and_is_described_by_its_name(void **state)
{
    (void)state;
    for (int t = 0; t < STEP_TYPE_COUNT; t++) {
        session *s = load("", step_example(step_kinds[t]->name));
        assert_int_equal(s->step_count, 1);
        assert_int_equal(s->steps[0].type, t);
        timeline *tl = NULL;
        assert_int_equal(timeline_build(s, &tl, REPORT_TO_STDERR), 0);
        assert_true(timeline_length(tl) > 0);
        char what[256], name[64];
        step_timings[t]->describe(tl, &s->steps[0], 2, what, sizeof what);
        assert_memory_equal(what, step_kinds[t]->name, strlen(step_kinds[t]->name));
        step_timing_name(&s->steps[0], name, sizeof name);
        assert_true(name[0] != '\0');
        timeline_free(tl);
        session_free(s);
    }
}

static void a_setting_of_another_type_names_both(void **state)
{
    (void)state;
    /* Each type's settings are refused by every other type that lacks them,
     * with a message naming the step's own type. */
    for (int t = 0; t < STEP_TYPE_COUNT; t++) {
        const char *own = step_kinds[t]->settings[0];
        for (int u = 0; u < STEP_TYPE_COUNT; u++) {
            bool shared = false;
            for (int i = 0; step_kinds[u]->settings[i]; i++)
                shared = shared || strcmp(step_kinds[u]->settings[i], own) == 0;
            if (shared)
                continue;
            char text[256];
            snprintf(text, sizeof text, "title = \"x\";\nsteps = ( { type = \"%s\"; %s = 1; } );\n",
                     step_kinds[u]->name, own);
            char *path = testaudio_write_text(testaudio_dir, "other.cfg", text);
            char *message = NULL;
            size_t size = 0;
            FILE *err = open_memstream(&message, &size);
            session *s = NULL;
            assert_int_equal(session_load(path, &s, REPORT_TO(err)), 2);
            fclose(err);
            char expected[128];
            snprintf(expected, sizeof expected, "'%s' is not a setting of a %s step", own,
                     step_kinds[u]->name);
            assert_non_null(strstr(message, expected));
            free(message);
            free(path);
        }
    }
}

/* ---- each sound ---- */

/* The peak of the first `seconds` of the session's render. */
static float render_peak(const session *s, double seconds)
{
    timeline *tl = NULL;
    assert_int_equal(timeline_build(s, &tl, REPORT_TO_STDERR), 0);
    engine_options options = { .volume_db = 0.0, .start = 0, .length = TIMELINE_FOREVER };
    engine *e = engine_create(tl, &options);
    assert_non_null(e);
    size_t frames = (size_t)(seconds * RATE);
    float *out = malloc(sizeof *out * 2 * frames);
    assert_non_null(out);
    size_t got = engine_render(e, out, frames);
    float peak = 0.0f;
    for (size_t i = 0; i < 2 * got; i++)
        peak = fmaxf(peak, fabsf(out[i]));
    free(out);
    engine_free(e);
    timeline_free(tl);
    return peak;
}

static void each_pacer_sound_loads_as_itself_and_is_heard_as_its_player_says(void **state)
{
    (void)state;
    for (int k = 0; k < PACER_SOUND_COUNT; k++) {
        char top[128];
        snprintf(top, sizeof top, "pacer = { sound = \"%s\"; };", pacer_sound_kinds[k].name);
        session *s = load(top, "{ type = \"breathe\"; pattern = \"2-2\"; cycles = 1; }");
        assert_int_equal(s->pacer.sound, k);
        assert_int_equal(s->steps[0].breathe.pacer.sound, k);
        bool heard = pacer_players[k]->render || pacer_players[k]->strike;
        float peak = render_peak(s, 2.0);
        if (heard)
            assert_true(peak > 1e-4f);
        else
            assert_true(peak == 0.0f);
        session_free(s);
    }
}

static void each_background_loads_as_itself_and_is_heard_as_its_player_says(void **state)
{
    (void)state;
    for (int k = 0; k < BACKGROUND_KIND_COUNT; k++) {
        const background_sound_kind *sound = &background_sound_kinds[k];
        char top[160] = "";
        if (sound->chosen_by && strcmp(sound->chosen_by, "noise") == 0)
            snprintf(top, sizeof top, "background = { noise = \"%s\"; fade = 0; };",
                     sound->name);
        else if (sound->chosen_by)
            snprintf(top, sizeof top, "background = { %s = \"tone.wav\"; fade = 0; };",
                     sound->chosen_by);
        /* A timer without bells: only the background sounds. */
        session *s = load(top, "{ type = \"timer\"; duration = 1; bell_end = false; }");
        assert_int_equal(s->background.kind, k);
        float peak = render_peak(s, 0.5);
        if (background_players[k]->render)
            assert_true(peak > 1e-4f);
        else
            assert_true(peak == 0.0f);
        session_free(s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_step_type_has_a_record_in_each_layer),
        cmocka_unit_test(every_sound_has_a_record_in_each_layer),
        TESTAUDIO_TEST_IN_DIR(each_step_type_loads_as_itself_and_is_described_by_its_name),
        TESTAUDIO_TEST_IN_DIR(a_setting_of_another_type_names_both),
        TESTAUDIO_TEST_IN_DIR(each_pacer_sound_loads_as_itself_and_is_heard_as_its_player_says),
        TESTAUDIO_TEST_IN_DIR(each_background_loads_as_itself_and_is_heard_as_its_player_says),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
