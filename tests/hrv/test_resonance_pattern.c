/* pattern = "resonance": read as 40 % in and 60 % out at 6 a minute by the
 * format layer, paced at the saved rate by the playback library (inside a
 * repeat too, the timeline's cycles following), refused with ramp_to or
 * phases at their lines, and a broken saved file is an error at its line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "format/resonance.h"
#include "format/session.h"
#include "play/library.h"
#include "render/timeline.h"
#include "testaudio.h"
#include "testreport.h"

static const char session_text[] =
    "format = 1;\n"
    "title = \"Resonance\";\n"
    "steps = (\n"
    "  { type = \"breathe\"; pattern = \"4-4\"; cycles = 1; },\n"
    "  { type = \"repeat\"; count = 2; steps = (\n"
    "    { type = \"breathe\"; pattern = \"resonance\"; cycles = 3; }\n"
    "  ); },\n"
    "  { type = \"breathe\"; pattern = \"resonance\"; duration = 60; }\n"
    ");\n";

static void set_state(const char *saved)
{
    char *state = testaudio_path(testaudio_dir, "state");
    setenv("XDG_STATE_HOME", state, 1);
    if (saved) {
        char *folder = testaudio_path(state, "breathe");
        assert_int_equal(mkdir(state, 0700), 0);
        assert_int_equal(mkdir(folder, 0700), 0);
        char *file = testaudio_write_text(folder, "resonance", saved);
        assert_non_null(file);
        free(file);
        free(folder);
    }
    free(state);
}

static void assert_paced(const breath_pattern *p, double rate)
{
    assert_int_equal(p->count, 2);
    assert_int_equal(p->kind[0], BREATH_INHALE);
    assert_int_equal(p->kind[1], BREATH_EXHALE);
    assert_true(fabs(p->seconds[0] - 0.4 * 60.0 / rate) < 1e-9);
    assert_true(fabs(p->seconds[1] - 0.6 * 60.0 / rate) < 1e-9);
}

static void test_fallback_without_a_saved_rate(void **state)
{
    (void)state;
    set_state(NULL);
    char *path = testaudio_write_text(testaudio_dir, "r.cfg", session_text);
    loaded_session l;
    assert_int_equal(library_load(path, &l, REPORT_TO_STDERR), 0);
    assert_true(l.resonance_rate == 0.0);
    const session_step *first = session_first_resonance_step(l.session);
    assert_non_null(first);
    assert_int_equal(first->line, 6);
    assert_paced(&first->breathe.pattern, SESSION_RESONANCE_FALLBACK_RATE);
    assert_paced(&l.session->steps[2].breathe.pattern, SESSION_RESONANCE_FALLBACK_RATE);
    assert_false(l.session->steps[0].breathe.resonance);
    /* 1 breath of 8 s, 2 x 3 of 10 s, then 6 of 10 s */
    assert_int_equal(timeline_length(l.timeline), (8 + 60 + 60) * 48000);
    library_unload(&l);
    free(path);
}

static void test_saved_rate_paces_every_resonance_step(void **state)
{
    (void)state;
    set_state("rate = 5.0;\nmeasured = \"2026-12-20T07:52:10Z\";\n");
    char *path = testaudio_write_text(testaudio_dir, "r.cfg", session_text);
    loaded_session l;
    assert_int_equal(library_load(path, &l, REPORT_TO_STDERR), 0);
    assert_true(l.resonance_rate == 5.0);
    const session_step *inner = &l.session->steps[1].repeat.steps[0];
    assert_paced(&inner->breathe.pattern, 5.0);
    assert_paced(&inner->breathe.ramp_to, 5.0);
    assert_paced(&l.session->steps[2].breathe.pattern, 5.0);
    assert_true(l.session->steps[0].breathe.pattern.seconds[0] == 4.0);   /* "4-4" stays */
    /* 8 s, 2 x 3 breaths of 12 s, then whole 12-s breaths to 60 s */
    assert_int_equal(timeline_length(l.timeline), (8 + 72 + 60) * 48000);
    library_unload(&l);
    free(path);
}

static void test_broken_saved_rate(void **state)
{
    (void)state;
    set_state("rate = \"slow\";\n");
    char *path = testaudio_write_text(testaudio_dir, "r.cfg", session_text);
    report_buffer messages = {0};
    loaded_session l;
    assert_int_equal(library_load(path, &l, REPORT_TO_BUFFER(&messages)), 2);
    assert_non_null(strstr(messages.text, "breathe/resonance:1: rate is breaths a minute"));
    report_buffer_free(&messages);
    free(path);
}

static void test_refused_with_ramp_or_phases(void **state)
{
    (void)state;
    static const struct {
        const char *step;
        const char *says;
    } cases[] = {
        {"{ type = \"breathe\"; pattern = \"resonance\"; ramp_to = \"5-5\"; cycles = 2; }",
         "r.cfg:4: 'ramp_to' does not go with pattern = \"resonance\""},
        {"{ type = \"breathe\"; pattern = \"resonance\"; phases = [\"inhale\", \"exhale\"]; "
         "cycles = 2; }",
         "r.cfg:4: 'phases' does not go with pattern = \"resonance\""},
        {"{ type = \"breathe\"; pattern = \"resonant\"; cycles = 2; }", "r.cfg:4: 'pattern'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, "format = 1;\ntitle = \"R\";\nsteps = (\n  %s\n);\n",
                 cases[i].step);
        char *path = testaudio_write_text(testaudio_dir, "r.cfg", text);
        report_buffer messages = {0};
        session *s = NULL;
        assert_int_equal(session_load(path, &s, REPORT_TO_BUFFER(&messages)), 2);
        if (!strstr(messages.text, cases[i].says))
            fail_msg("case %zu: %s", i, messages.text);
        report_buffer_free(&messages);
        free(path);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TESTAUDIO_TEST_IN_DIR(test_fallback_without_a_saved_rate),
        TESTAUDIO_TEST_IN_DIR(test_saved_rate_paces_every_resonance_step),
        TESTAUDIO_TEST_IN_DIR(test_broken_saved_rate),
        TESTAUDIO_TEST_IN_DIR(test_refused_with_ramp_or_phases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
