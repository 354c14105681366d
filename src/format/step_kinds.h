/* step_kinds.h: every step type, as a session file writes it.
 *
 * Each step type is described once, in its own file under format/steps/:
 * its name (type = "bell"), the names of its own settings, how they are
 * read into a session_step and what freeing one involves. The loader walks
 * step_kinds[] for everything it does by type, so nothing else in the format
 * layer names a step type.
 *
 * What a step does on the timeline, and how --check, --plot and the status
 * line describe it, is the render layer's record of the same type
 * (render/step_timing.h): a lower layer cannot call into a higher one, so
 * each layer keeps its own table, indexed by step_type, and each table is
 * checked at compile time to have an entry for every type. Adding a step
 * type adds its value to step_type (session.h), a file here and one in
 * render/steps/, and a line in each table. */
#ifndef BREATHE_FORMAT_STEP_KINDS_H
#define BREATHE_FORMAT_STEP_KINDS_H

#include "format/settings.h"

typedef struct {
    step_type type;                 /* its own index in step_kinds[] */
    const char *name;               /* as written: type = "bell" */
    /* Its own settings, NULL-terminated; every step also takes the
     * settings in step_common_settings. */
    const char *const *settings;
    /* Reads its own settings from `group` into `step`, whose type, label,
     * cue and gap are read already; `depth` is how many repeats the step is
     * inside. 0, or 2 after reporting the problem. */
    int (*parse)(loader *ld, const config_setting_t *group, session_step *step, int depth);
    /* Frees what parse allocated (also after a parse that failed part way);
     * NULL when it allocates nothing. */
    void (*free)(session_step *step);
    /* The audio files it plays as cues, besides the `cue` every step has
     * (session_step_cues()); NULL when it has none. */
    void (*each_cue)(const session_step *step, session_cue_visit visit, void *context);
} step_kind;

/* "type", "label", "cue", "gap": what every step takes. */
extern const char *const step_common_settings[];

extern const step_kind step_kind_cue, step_kind_bell, step_kind_breathe, step_kind_timer,
    step_kind_repeat;

/* Indexed by step_type. */
extern const step_kind *const step_kinds[STEP_TYPE_COUNT];

#endif
