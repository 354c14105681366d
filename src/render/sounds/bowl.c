/* bowl.c: the bowl pacer strikes a singing bowl at the start of each breath
 * phase, `high` when the lungs are full and `low` when they are empty, and
 * softer at holds. It is silent in between: its strikes are timeline events
 * (EVENT_BOWL) that ring on. */
#include "render/sounds.h"

#define BOWL_RING_SECONDS 6.0
#define BOWL_HOLD_LEVEL_DB (-8.0)   /* relative to the pacer level */

static bool is_hold(breath_kind kind)
{
    return kind != BREATH_INHALE && kind != BREATH_EXHALE;
}

static void strike_bowl(const pacer_settings *pacer, const timeline_breath *breath,
                        timeline_event *event)
{
    bool full = breath->fullness_to >= 0.5;
    event->kind = EVENT_BOWL;
    event->hz = full ? pacer->high_hz : pacer->low_hz;
    event->level_db = pacer->level_db + (is_hold(breath->kind) ? BOWL_HOLD_LEVEL_DB : 0.0);
    if (is_hold(breath->kind) && breath->fullness_to < 0.5)
        event->hz = pacer->low_hz;
}

const pacer_player pacer_player_bowl = {
    .sound = PACER_BOWL,
    .strike = strike_bowl,
    .ring_seconds = BOWL_RING_SECONDS,
};
