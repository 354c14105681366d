/* breathe_player.c: org.breathe.Player1 of `breathe --serve` (see
 * serve_internal.h and breathe(1)): what MPRIS has no words for. The step
 * and the breath phase, the seconds left in it and lung fullness, and the
 * heart rate when one is followed, are read from the player's snapshot
 * when asked; StepChanged and PhaseChanged come as the run thread's events
 * reach the bus thread. TodayDue is the followed programme's session due
 * today. */
#include "serve/serve_internal.h"

#include <math.h>
#include <stdlib.h>

#include "play/programmes.h"

/* ---- the signals ---- */

void breathe_player_step_changed(service *s, const play_snapshot *now)
{
    const char *label = now->step && now->step->label ? now->step->label : "";
    sd_bus_emit_signal(s->bus, SERVE_OBJECT_PATH, IFACE_BREATHE, "StepChanged", "xs",
                       (int64_t)now->step_ordinal, label);
    sd_bus_emit_properties_changed(s->bus, SERVE_OBJECT_PATH, IFACE_BREATHE, "Step",
                                   "StepIndex", NULL);
}

void breathe_player_phase_changed(service *s, const play_snapshot *now)
{
    sd_bus_emit_signal(s->bus, SERVE_OBJECT_PATH, IFACE_BREATHE, "PhaseChanged", "sdd",
                       breath_kind_name(now->phase), now->phase_seconds_left, now->fullness);
    sd_bus_emit_properties_changed(s->bus, SERVE_OBJECT_PATH, IFACE_BREATHE, "Phase", NULL);
}

/* ---- the properties ---- */

static bool breath_now(service *s, play_snapshot *now)
{
    if (!s->current || atomic_load(&s->current->ended))
        return false;
    player_snapshot(s->current->player, now);
    return true;
}

static int get_step(sd_bus *bus, const char *path, const char *interface, const char *property,
                    sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
    play_snapshot now;
    bool playing = breath_now(userdata, &now);
    return sd_bus_message_append(reply, "s",
                                 playing && now.step && now.step->label ? now.step->label : "");
}

static int get_step_index(sd_bus *bus, const char *path, const char *interface,
                          const char *property, sd_bus_message *reply, void *userdata,
                          sd_bus_error *error)
{
    play_snapshot now;
    bool playing = breath_now(userdata, &now);
    return sd_bus_message_append(reply, "x", playing && now.step ? now.step_ordinal : (int64_t)-1);
}

static int get_phase(sd_bus *bus, const char *path, const char *interface, const char *property,
                     sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
    play_snapshot now;
    bool breathing = breath_now(userdata, &now) && now.breathing;
    return sd_bus_message_append(reply, "s", breathing ? breath_kind_name(now.phase) : "");
}

static int get_seconds_left(sd_bus *bus, const char *path, const char *interface,
                            const char *property, sd_bus_message *reply, void *userdata,
                            sd_bus_error *error)
{
    play_snapshot now;
    bool breathing = breath_now(userdata, &now) && now.breathing;
    return sd_bus_message_append(reply, "d", breathing ? now.phase_seconds_left : 0.0);
}

static int get_fullness(sd_bus *bus, const char *path, const char *interface,
                        const char *property, sd_bus_message *reply, void *userdata,
                        sd_bus_error *error)
{
    play_snapshot now;
    bool breathing = breath_now(userdata, &now) && now.breathing;
    return sd_bus_message_append(reply, "d", breathing ? now.fullness : 0.0);
}

/* The heart-rate source's numbers (hr/monitor.h), read when asked, like
 * Fullness: 0 when none is followed or no beat has come. */
static bool heart_now(service *s, play_snapshot *now)
{
    return breath_now(s, now) && now->heart_rate_on;
}

static int get_heart_rate(sd_bus *bus, const char *path, const char *interface,
                          const char *property, sd_bus_message *reply, void *userdata,
                          sd_bus_error *error)
{
    play_snapshot now;
    bool known = heart_now(userdata, &now) && now.heart.connected && !isnan(now.heart.heart_rate);
    return sd_bus_message_append(reply, "d", known ? now.heart.heart_rate : 0.0);
}

static int get_heart_rate_swing(sd_bus *bus, const char *path, const char *interface,
                                const char *property, sd_bus_message *reply, void *userdata,
                                sd_bus_error *error)
{
    play_snapshot now;
    bool known = heart_now(userdata, &now) && !isnan(now.heart.swing);
    return sd_bus_message_append(reply, "d", known ? now.heart.swing : 0.0);
}

static int get_heart_rate_connected(sd_bus *bus, const char *path, const char *interface,
                                    const char *property, sd_bus_message *reply,
                                    void *userdata, sd_bus_error *error)
{
    play_snapshot now;
    return sd_bus_message_append(reply, "b", heart_now(userdata, &now) && now.heart.connected);
}

static int get_heart_beats(sd_bus *bus, const char *path, const char *interface,
                           const char *property, sd_bus_message *reply, void *userdata,
                           sd_bus_error *error)
{
    play_snapshot now;
    return sd_bus_message_append(reply, "x", heart_now(userdata, &now) ? now.heart.beats
                                                                      : (int64_t)0);
}

/* The followed programme's session due today ("" when none is due or no
 * programme is followed), worked out from the files at each read, so it
 * follows the date and sessions played by any front end. Announced as
 * changed after each session the service plays. */
static int get_today_due(sd_bus *bus, const char *path, const char *interface,
                         const char *property, sd_bus_message *reply, void *userdata,
                         sd_bus_error *error)
{
    char *due = programmes_due_besides(NULL);
    int r = sd_bus_message_append(reply, "s", due ? due : "");
    free(due);
    return r;
}

const sd_bus_vtable breathe_player_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_SIGNAL("StepChanged", "xs", 0),
    SD_BUS_SIGNAL("PhaseChanged", "sdd", 0),
    SD_BUS_PROPERTY("Step", "s", get_step, 0, DYNAMIC),
    SD_BUS_PROPERTY("StepIndex", "x", get_step_index, 0, DYNAMIC),
    SD_BUS_PROPERTY("Phase", "s", get_phase, 0, DYNAMIC),
    SD_BUS_PROPERTY("PhaseSecondsLeft", "d", get_seconds_left, 0, 0),
    SD_BUS_PROPERTY("Fullness", "d", get_fullness, 0, 0),
    SD_BUS_PROPERTY("HeartRate", "d", get_heart_rate, 0, 0),
    SD_BUS_PROPERTY("HeartRateSwing", "d", get_heart_rate_swing, 0, 0),
    SD_BUS_PROPERTY("HeartRateConnected", "b", get_heart_rate_connected, 0, 0),
    SD_BUS_PROPERTY("HeartBeats", "x", get_heart_beats, 0, 0),
    SD_BUS_PROPERTY("TodayDue", "s", get_today_due, 0, DYNAMIC),
    SD_BUS_VTABLE_END,
};
