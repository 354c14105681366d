/* cue.c: a cue step plays one audio file, `file`, at `level` dB. */
#include "format/messages.h"
#include "format/step_kinds.h"

static const char *const cue_settings[] = { "file", "level", NULL };

static int parse_cue(loader *ld, const config_setting_t *group, session_step *step, int depth)
{
    (void)depth;
    const config_setting_t *file = config_setting_get_member(group, "file");
    if (!file)
        return settings_fail(ld, group, MSG_MISSING, "a cue step", "file",
                             "file = \"intro.ogg\";");
    step->cue_step.level_db = 0.0;
    return settings_get_audio(ld, file, &step->cue_step.file) != 0
        || settings_read_level(ld, group, "level", &step->cue_step.level_db) != 0 ? 2 : 0;
}

static void each_cue(const session_step *step, session_cue_visit visit, void *context)
{
    visit(context, step->cue_step.file);
}

const step_kind step_kind_cue = {
    .type = STEP_CUE,
    .name = "cue",
    .settings = cue_settings,
    .parse = parse_cue,
    .each_cue = each_cue,
};
