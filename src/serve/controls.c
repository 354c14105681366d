/* controls.c: what MPRIS and the web remote both do to the session that
 * plays (pause, volume, next step), and how a change of state is said to
 * both (see serve_internal.h). One set of functions for the two front ends
 * keeps them in one state: a pause from the web page is a PlaybackStatus
 * change on the bus, and the other way round. */
#include "serve/serve_internal.h"

#include <stdarg.h>

const char *service_playback_status(const service *s)
{
    if (!s->current || s->current->stopping)
        return "Stopped";
    return s->paused ? "Paused" : "Playing";
}

bool service_controllable(const service *s)
{
    return s->current && !s->current->stopping;
}

/* PropertiesChanged of org.mpris.MediaPlayer2.Player for the names given,
 * NULL-terminated. */
static void emit_player(service *s, const char *first, ...)
{
    /* NULL-terminated names, as sd_bus_emit_properties_changed takes them. */
    char *names[16];
    int count = 0;
    va_list list;
    va_start(list, first);
    for (const char *name = first; name && count < 15; name = va_arg(list, const char *))
        names[count++] = (char *)name;
    va_end(list);
    names[count] = NULL;
    sd_bus_emit_properties_changed_strv(s->bus, SERVE_OBJECT_PATH, IFACE_PLAYER, names);
}

void service_announce_status(service *s, bool metadata)
{
    web_state_changed(s->web);
    const char *now = service_playback_status(s);
    if (now == s->status && !metadata)
        return;
    s->status = now;
    if (metadata)
        emit_player(s, "PlaybackStatus", "Metadata", "CanPlay", "CanPause", "CanSeek",
                    "CanGoNext", "CanGoPrevious", NULL);
    else
        emit_player(s, "PlaybackStatus", "CanPlay", "CanPause", "CanSeek", "CanGoNext",
                    "CanGoPrevious", NULL);
    sd_bus_emit_properties_changed(s->bus, SERVE_OBJECT_PATH, IFACE_BREATHE, "Step",
                                   "StepIndex", "Phase", NULL);
    if (metadata)
        sd_bus_emit_properties_changed(s->bus, SERVE_OBJECT_PATH, IFACE_PLAYLISTS,
                                       "ActivePlaylist", NULL);
}

void service_set_paused(service *s, bool paused)
{
    if (!service_controllable(s) || s->paused == paused)
        return;
    s->paused = paused;
    player_set_paused(s->current->player, paused);
    service_announce_status(s, false);
}

void service_next_step(service *s)
{
    if (service_controllable(s))
        player_next_step(s->current->player);
}

void service_change_volume(service *s, double volume)
{
    volume = volume < 0.0 ? 0.0 : volume > 1.0 ? 1.0 : volume;
    if (volume == s->volume)
        return;
    s->volume = volume;
    if (s->current)
        player_set_volume(s->current->player, s->current->base_db + volume_to_db(volume));
    emit_player(s, "Volume", NULL);
    web_state_changed(s->web);
}
