/* sounds.c: the tables of how sounds sound (see sounds.h). One line per
 * sound, in the order of its enum; a table without a size of its own fails
 * the assertion after it when a sound is left out, and each record names
 * its own value, which the unit tests match against its place. */
#include "render/sounds.h"

const pacer_player *const pacer_players[] = {
    &pacer_player_tone,
    &pacer_player_bowl,
    &pacer_player_noise,
    &pacer_player_none,
};
_Static_assert(sizeof pacer_players / sizeof pacer_players[0] == PACER_SOUND_COUNT,
               "pacer_players[] needs one entry for every pacer_sound");

const background_player *const background_players[] = {
    &background_player_none,
    &background_player_white,
    &background_player_pink,
    &background_player_brown,
    &background_player_file,
};
_Static_assert(sizeof background_players / sizeof background_players[0]
                   == BACKGROUND_KIND_COUNT,
               "background_players[] needs one entry for every background_kind");
