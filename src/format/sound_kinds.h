/* sound_kinds.h: every pacer and background sound, as a session file
 * writes it.
 *
 * Each sound is one line of a table here (format/sound_kinds.c): its name
 * and, for a background, the setting that chooses it. The settings around
 * them (a pacer's low, high and level; a background's level, fade and duck)
 * are the same for every sound. How each one sounds is the render layer's
 * record of it (render/sounds.h): each layer keeps its own table, indexed by
 * the sound's enum value and checked at compile time to have an entry for
 * every value. Internal to the format layer (and tests). */
#ifndef BREATHE_FORMAT_SOUND_KINDS_H
#define BREATHE_FORMAT_SOUND_KINDS_H

#include "format/session.h"

typedef struct {
    pacer_sound sound;      /* its own index in pacer_sound_kinds[] */
    const char *name;       /* pacer = { sound = "bowl"; } */
} pacer_sound_kind;

typedef struct {
    background_kind kind;   /* its own index in background_sound_kinds[] */
    const char *name;       /* "pink"; "file"; "none" */
    /* The setting of the background group that chooses it: "noise" (with
     * the name as its value) or "file" (with a path); NULL for none, which
     * is a session without a background group. */
    const char *chosen_by;
} background_sound_kind;

extern const pacer_sound_kind pacer_sound_kinds[PACER_SOUND_COUNT];
extern const background_sound_kind background_sound_kinds[BACKGROUND_KIND_COUNT];

/* The names of the background sounds `setting` chooses ("noise": white,
 * pink, brown), NULL-terminated, and their kinds; returns how many. */
int background_sounds_chosen_by(const char *setting, const char *names[BACKGROUND_KIND_COUNT + 1],
                                background_kind kinds[BACKGROUND_KIND_COUNT]);

#endif
