/* step_kinds.c: the table of step types (see step_kinds.h). */
#include "format/step_kinds.h"

const char *const step_common_settings[] = { "type", "label", "cue", "gap", NULL };

/* One line per step type, in the order of step_type. The table has no size
 * of its own, so a type left out (or one too many) fails the assertion
 * below; each record names its own type, which the unit tests match
 * against its place. */
const step_kind *const step_kinds[] = {
    &step_kind_cue,
    &step_kind_bell,
    &step_kind_breathe,
    &step_kind_timer,
    &step_kind_repeat,
};
_Static_assert(sizeof step_kinds / sizeof step_kinds[0] == STEP_TYPE_COUNT,
               "step_kinds[] needs one entry for every step_type");

void session_step_cues(const session_step *step, session_cue_visit visit, void *context)
{
    if (step->precue)
        visit(context, step->precue);
    if (step_kinds[step->type]->each_cue)
        step_kinds[step->type]->each_cue(step, visit, context);
}

const char *step_type_name(step_type type)
{
    if ((int)type < 0 || type >= STEP_TYPE_COUNT || !step_kinds[type])
        return "step";
    return step_kinds[type]->name;
}
