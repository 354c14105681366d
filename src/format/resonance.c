/* resonance.c: breathe steps paced at the resonance rate (resonance.h). */
#include "format/resonance.h"

#include <stddef.h>

void session_resonance_pattern(breath_pattern *pattern, double rate)
{
    double breath = 60.0 / rate;
    *pattern = (breath_pattern){
        .count = 2,
        .seconds = { SESSION_RESONANCE_INHALE_SHARE * breath,
                     (1.0 - SESSION_RESONANCE_INHALE_SHARE) * breath },
        .kind = { BREATH_INHALE, BREATH_EXHALE },
    };
}

static void set_rate(session_step *steps, size_t count, double rate)
{
    for (size_t i = 0; i < count; i++) {
        session_step *step = &steps[i];
        if (step->type == STEP_REPEAT)
            set_rate(step->repeat.steps, step->repeat.step_count, rate);
        else if (step->type == STEP_BREATHE && step->breathe.resonance) {
            session_resonance_pattern(&step->breathe.pattern, rate);
            step->breathe.ramp_to = step->breathe.pattern;
        }
    }
}

void session_set_resonance_rate(session *s, double rate)
{
    set_rate(s->steps, s->step_count, rate);
}

static const session_step *first_in(const session_step *steps, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        const session_step *step = &steps[i];
        if (step->type == STEP_BREATHE && step->breathe.resonance)
            return step;
        if (step->type == STEP_REPEAT) {
            const session_step *found = first_in(step->repeat.steps, step->repeat.step_count);
            if (found)
                return found;
        }
    }
    return NULL;
}

const session_step *session_first_resonance_step(const session *s)
{
    return first_in(s->steps, s->step_count);
}
