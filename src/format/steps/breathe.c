/* breathe.c: a breathe step paces breathing to a `pattern` for a number of
 * `cycles` or for a `duration`, optionally ramping to `ramp_to`, with its
 * own `pacer` and `voice` over the session's. */
#include <limits.h>
#include <string.h>

#include "format/messages.h"
#include "format/resonance.h"
#include "format/step_kinds.h"

static const char *const breathe_settings[] = {
    "pattern", "cycles", "duration", "ramp_to", "phases", "pacer", "voice", NULL
};

/* pattern = "resonance": paced at the fallback rate until the playback
 * library puts in the person's own (format/resonance.h). */
static bool is_resonance(const config_setting_t *pattern)
{
    const char *text = config_setting_type(pattern) == CONFIG_TYPE_STRING
                           ? config_setting_get_string(pattern) : NULL;
    return text && strcmp(text, SESSION_RESONANCE_PATTERN) == 0;
}

/* `pattern`, with the phases `phases` names (or its count implies). */
static int read_pattern(loader *ld, const config_setting_t *group, session_step *step)
{
    breath_pattern *p = &step->breathe.pattern;
    const config_setting_t *pattern = config_setting_get_member(group, "pattern");
    const config_setting_t *phases = config_setting_get_member(group, "phases");
    if (!pattern)
        return settings_fail(ld, group, MSG_MISSING, "a breathe step", "pattern",
                             "pattern = \"4-7-8\";");
    if (is_resonance(pattern)) {
        if (phases)
            return settings_fail(ld, phases, MSG_RESONANCE_PHASES);
        session_resonance_pattern(p, SESSION_RESONANCE_FALLBACK_RATE);
        step->breathe.resonance = true;
        return 0;
    }
    if (settings_get_pattern(ld, pattern, p) != 0)
        return 2;
    if (phases ? settings_get_phases(ld, phases, p) != 0
               : settings_default_phases(ld, pattern, p) != 0)
        return 2;
    return settings_check_pattern(ld, pattern, p);
}

/* `ramp_to`: the same phases as the pattern, other lengths. */
static int read_ramp(loader *ld, const config_setting_t *group, session_step *step)
{
    const config_setting_t *ramp_to = config_setting_get_member(group, "ramp_to");
    const breath_pattern *p = &step->breathe.pattern;
    step->breathe.ramp_to = *p;
    if (!ramp_to)
        return 0;
    if (step->breathe.resonance)
        return settings_fail(ld, ramp_to, MSG_RESONANCE_RAMP);
    breath_pattern *r = &step->breathe.ramp_to;
    if (settings_get_pattern(ld, ramp_to, r) != 0)
        return 2;
    if (r->count != p->count)
        return settings_fail(ld, ramp_to, MSG_RAMP_COUNT, r->count, p->count);
    memcpy(r->kind, p->kind, sizeof r->kind);
    if (settings_check_pattern(ld, ramp_to, r) != 0)
        return 2;
    step->breathe.ramps = true;
    return 0;
}

static int parse_breathe(loader *ld, const config_setting_t *group, session_step *step,
                         int depth)
{
    (void)depth;
    const config_setting_t *cycles = config_setting_get_member(group, "cycles");
    const config_setting_t *duration = config_setting_get_member(group, "duration");
    if (read_pattern(ld, group, step) != 0
        || read_ramp(ld, group, step) != 0)
        return 2;

    if ((cycles != NULL) == (duration != NULL))
        return settings_fail(ld, group, MSG_CYCLES_OR_DURATION);
    if (cycles && settings_get_integer(ld, cycles, 1, LLONG_MAX, &step->breathe.cycles) != 0)
        return 2;
    if (duration && settings_get_duration(ld, duration, LENGTH_POSITIVE,
                                          &step->breathe.duration_seconds) != 0)
        return 2;

    /* The step's own pacer and voice settings override the session's. */
    step->breathe.pacer = settings_session(ld)->pacer;
    step->breathe.voice = settings_session(ld)->voice;
    return settings_read_pacer(ld, group, &step->breathe.pacer) != 0
        || settings_read_voice(ld, group, &step->breathe.voice) != 0 ? 2 : 0;
}

/* The voice cues, inhale to hold_out. */
static void each_cue(const session_step *step, session_cue_visit visit, void *context)
{
    for (int k = 0; k < BREATH_KIND_COUNT; k++)
        if (step->breathe.voice.cue[k])
            visit(context, step->breathe.voice.cue[k]);
}

const step_kind step_kind_breathe = {
    .type = STEP_BREATHE,
    .name = "breathe",
    .settings = breathe_settings,
    .parse = parse_breathe,
    .each_cue = each_cue,
};
