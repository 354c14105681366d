/* none.c: no pacer sound (voice cues or silence only), and no background
 * (a session without a background group). */
#include "render/sounds.h"

const pacer_player pacer_player_none = {
    .sound = PACER_NONE,
};

const background_player background_player_none = {
    .kind = BACKGROUND_NONE,
};
