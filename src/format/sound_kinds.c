/* sound_kinds.c: the tables of pacer and background sounds (see
 * sound_kinds.h). One line per sound, in the order of its enum; a table
 * without a size of its own fails the assertion after it when a sound is
 * left out, and each entry names its own value, which the unit tests match
 * against its place. */
#include "format/sound_kinds.h"

#include <string.h>

const pacer_sound_kind pacer_sound_kinds[] = {
    { PACER_TONE, "tone" },
    { PACER_BOWL, "bowl" },
    { PACER_NOISE, "noise" },
    { PACER_NONE, "none" },
};
_Static_assert(sizeof pacer_sound_kinds / sizeof pacer_sound_kinds[0] == PACER_SOUND_COUNT,
               "pacer_sound_kinds[] needs one entry for every pacer_sound");

const background_sound_kind background_sound_kinds[] = {
    { BACKGROUND_NONE, "none", NULL },
    { BACKGROUND_WHITE, "white", "noise" },
    { BACKGROUND_PINK, "pink", "noise" },
    { BACKGROUND_BROWN, "brown", "noise" },
    { BACKGROUND_FILE, "file", "file" },
};
_Static_assert(sizeof background_sound_kinds / sizeof background_sound_kinds[0]
                   == BACKGROUND_KIND_COUNT,
               "background_sound_kinds[] needs one entry for every background_kind");

const char *pacer_sound_name(pacer_sound sound)
{
    if ((int)sound < 0 || sound >= PACER_SOUND_COUNT)
        return "unknown";
    return pacer_sound_kinds[sound].name;
}

const char *background_kind_name(background_kind kind)
{
    if ((int)kind < 0 || kind >= BACKGROUND_KIND_COUNT)
        return "unknown";
    return background_sound_kinds[kind].name;
}

int background_sounds_chosen_by(const char *setting, const char *names[BACKGROUND_KIND_COUNT + 1],
                                background_kind kinds[BACKGROUND_KIND_COUNT])
{
    int count = 0;
    for (int k = 0; k < BACKGROUND_KIND_COUNT; k++) {
        const background_sound_kind *sound = &background_sound_kinds[k];
        if (sound->chosen_by && strcmp(sound->chosen_by, setting) == 0) {
            names[count] = sound->name;
            kinds[count++] = sound->kind;
        }
    }
    names[count] = NULL;
    return count;
}
