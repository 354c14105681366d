/* mpris.c: the MPRIS 2.2 interfaces org.mpris.MediaPlayer2 and
 * org.mpris.MediaPlayer2.Player of `breathe --serve` (see
 * serve_internal.h), as the specification words them: a session is a
 * track (mpris:trackid TRACK_PATH/N, a new N each time one plays), Next and
 * Previous move between its steps, and what MPRIS says to ignore (a rate
 * other than 1, a position outside the track) is ignored. Play with nothing
 * playing plays the last session again. */
#include "serve/serve_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "play/library.h"

/* ---- org.mpris.MediaPlayer2 ---- */

static int method_quit(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    service_begin_quit(userdata);
    return sd_bus_reply_method_return(m, "");
}

static int method_raise(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return sd_bus_reply_method_return(m, "");
}

static int get_true(sd_bus *bus, const char *path, const char *interface, const char *property,
                    sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
    return sd_bus_message_append(reply, "b", 1);
}

static int get_false(sd_bus *bus, const char *path, const char *interface, const char *property,
                     sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
    return sd_bus_message_append(reply, "b", 0);
}

static int get_identity(sd_bus *bus, const char *path, const char *interface,
                        const char *property, sd_bus_message *reply, void *userdata,
                        sd_bus_error *error)
{
    return sd_bus_message_append(reply, "s", "breathe");
}

static int get_schemes(sd_bus *bus, const char *path, const char *interface,
                       const char *property, sd_bus_message *reply, void *userdata,
                       sd_bus_error *error)
{
    return sd_bus_message_append(reply, "as", 2, "file", "breathe");
}

static int get_mime_types(sd_bus *bus, const char *path, const char *interface,
                          const char *property, sd_bus_message *reply, void *userdata,
                          sd_bus_error *error)
{
    return sd_bus_message_append(reply, "as", 0);
}

const sd_bus_vtable mpris_root_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD("Raise", "", "", method_raise, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("Quit", "", "", method_quit, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_PROPERTY("CanQuit", "b", get_true, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("CanRaise", "b", get_false, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("HasTrackList", "b", get_false, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Identity", "s", get_identity, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("SupportedUriSchemes", "as", get_schemes, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("SupportedMimeTypes", "as", get_mime_types, 0,
                    SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_VTABLE_END,
};

/* ---- org.mpris.MediaPlayer2.Player ---- */

/* Percent-decodes the path of a file: URI. NULL when it is not one. */
static char *file_uri_path(const char *uri)
{
    const char *path;
    if (strncmp(uri, "file://", 7) == 0) {
        path = uri + 7;
        if (strncmp(path, "localhost/", 10) == 0)
            path += 9;
        if (*path != '/')
            return NULL;
    } else if (strncmp(uri, "file:/", 6) == 0) {
        path = uri + 5;
    } else {
        return NULL;
    }
    char *out = malloc(strlen(path) + 1), *o = out;
    if (!out)
        return NULL;
    for (const char *p = path; *p; p++) {
        unsigned value;
        if (*p == '%' && sscanf(p + 1, "%2x", &value) == 1 && p[1] && p[2]
            && strchr("0123456789abcdefABCDEF", p[1]) && strchr("0123456789abcdefABCDEF", p[2])
            && value != 0) {
            *o++ = (char)value;
            p += 2;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    return out;
}

/* OpenUri: a breathe:NAME or file: URI. */
static int open_uri(service *s, const char *uri, sd_bus_error *error)
{
    if (strncmp(uri, "breathe:", 8) == 0 && uri[8]) {
        const char *name = uri + 8;
        return service_open_session(s, name, uri, !library_is_path(name), error);
    }
    char *path = file_uri_path(uri);
    if (!path)
        return sd_bus_error_setf(error, ERROR_URI,
                                 "breathe: cannot play '%s': only file: and breathe:NAME URIs "
                                 "are played", uri);
    int result = service_open_session(s, path, uri, false, error);
    free(path);
    return result;
}

static int play(service *s, sd_bus_error *error)
{
    if (service_controllable(s)) {
        service_set_paused(s, false);
        return 0;
    }
    if (!s->have_last)
        return 0;   /* nothing to play: no effect, as MPRIS says */
    track again;
    if (track_copy(&again, &s->last) != 0)
        return sd_bus_error_set(error, ERROR_FAILED, "breathe: out of memory");
    int result = service_open_session(s, again.name, again.url, again.installed, error);
    track_free(&again);
    return result;
}

static int method_play(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    return reply_or_error(m, play(userdata, error));
}

static int method_pause(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    service_set_paused(userdata, true);
    return sd_bus_reply_method_return(m, "");
}

static int method_play_pause(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    service *s = userdata;
    if (service_controllable(s)) {
        service_set_paused(s, !s->paused);
        return sd_bus_reply_method_return(m, "");
    }
    return reply_or_error(m, play(s, error));
}

static int method_stop(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    service_stop_all(userdata);
    return sd_bus_reply_method_return(m, "");
}

static int method_next(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    service_next_step(userdata);
    return sd_bus_reply_method_return(m, "");
}

static int method_previous(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    service *s = userdata;
    if (service_controllable(s))
        player_previous_step(s->current->player);
    return sd_bus_reply_method_return(m, "");
}

/* Moves to `us` microseconds into the session: before the start is the
 * start; past the end ends it. */
static void seek_to(service *s, int64_t us)
{
    player *p = s->current->player;
    int rate = timeline_rate(player_timeline(p));
    if (us < 0)
        us = 0;
    player_seek(p, (int64_t)((double)us * rate / 1e6 + 0.5));
}

static int64_t heard_us(service *s)
{
    if (!s->current)
        return 0;
    play_snapshot now;
    player_snapshot(s->current->player, &now);
    return frames_to_us(now.heard, now.rate);
}

static int method_seek(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    service *s = userdata;
    int64_t offset;
    int r = sd_bus_message_read(m, "x", &offset);
    if (r < 0)
        return r;
    if (service_controllable(s))
        seek_to(s, heard_us(s) + offset);
    return sd_bus_reply_method_return(m, "");
}

static void track_path(char *path, size_t size, unsigned number)
{
    snprintf(path, size, TRACK_PATH "/%u", number);
}

static int method_set_position(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    service *s = userdata;
    const char *id;
    int64_t position;
    int r = sd_bus_message_read(m, "ox", &id, &position);
    if (r < 0)
        return r;
    if (service_controllable(s)) {
        char path[64];
        track_path(path, sizeof path, s->current->track.number);
        int64_t length = s->current->track.length_us;
        /* As MPRIS says: another track, or a position outside this one,
         * is ignored. */
        if (strcmp(id, path) == 0 && position >= 0 && (length < 0 || position <= length))
            seek_to(s, position);
    }
    return sd_bus_reply_method_return(m, "");
}

static int method_open_uri(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    const char *uri;
    int r = sd_bus_message_read(m, "s", &uri);
    if (r < 0)
        return r;
    return reply_or_error(m, open_uri(userdata, uri, error));
}

static int get_status(sd_bus *bus, const char *path, const char *interface,
                      const char *property, sd_bus_message *reply, void *userdata,
                      sd_bus_error *error)
{
    return sd_bus_message_append(reply, "s", service_playback_status(userdata));
}

static int append_entry(sd_bus_message *reply, const char *key, const char *type, ...)
{
    va_list list;
    va_start(list, type);
    int r = sd_bus_message_open_container(reply, 'e', "sv");
    if (r >= 0)
        r = sd_bus_message_append(reply, "s", key);
    if (r >= 0)
        r = sd_bus_message_open_container(reply, 'v', type);
    if (r >= 0)
        r = sd_bus_message_appendv(reply, type, list);
    if (r >= 0)
        r = sd_bus_message_close_container(reply);
    if (r >= 0)
        r = sd_bus_message_close_container(reply);
    va_end(list);
    return r;
}

static int get_metadata(sd_bus *bus, const char *path, const char *interface,
                        const char *property, sd_bus_message *reply, void *userdata,
                        sd_bus_error *error)
{
    service *s = userdata;
    const track *t = s->current ? &s->current->track : s->have_last ? &s->last : NULL;
    int r = sd_bus_message_open_container(reply, 'a', "{sv}");
    if (r < 0)
        return r;
    if (!t) {
        r = append_entry(reply, "mpris:trackid", "o", NO_TRACK);
        return r < 0 ? r : sd_bus_message_close_container(reply);
    }
    char id[64];
    track_path(id, sizeof id, t->number);
    r = append_entry(reply, "mpris:trackid", "o", id);
    if (r >= 0 && t->length_us >= 0)
        r = append_entry(reply, "mpris:length", "x", t->length_us);
    if (r >= 0)
        r = append_entry(reply, "xesam:title", "s", t->title);
    if (r >= 0 && t->author[0])
        r = append_entry(reply, "xesam:artist", "as", 1, t->author);
    if (r >= 0 && t->description[0])
        r = append_entry(reply, "xesam:comment", "as", 1, t->description);
    if (r >= 0)
        r = append_entry(reply, "xesam:url", "s", t->url);
    return r < 0 ? r : sd_bus_message_close_container(reply);
}

static int get_volume(sd_bus *bus, const char *path, const char *interface,
                      const char *property, sd_bus_message *reply, void *userdata,
                      sd_bus_error *error)
{
    service *s = userdata;
    return sd_bus_message_append(reply, "d", s->volume);
}

static int set_volume(sd_bus *bus, const char *path, const char *interface,
                      const char *property, sd_bus_message *value, void *userdata,
                      sd_bus_error *error)
{
    service *s = userdata;
    double volume;
    int r = sd_bus_message_read(value, "d", &volume);
    if (r < 0)
        return r;
    if (!isfinite(volume))
        return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "breathe: Volume is a number");
    service_change_volume(s, volume);
    return 0;
}

static int get_position(sd_bus *bus, const char *path, const char *interface,
                        const char *property, sd_bus_message *reply, void *userdata,
                        sd_bus_error *error)
{
    return sd_bus_message_append(reply, "x", heard_us(userdata));
}

static int get_rate(sd_bus *bus, const char *path, const char *interface, const char *property,
                    sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
    return sd_bus_message_append(reply, "d", 1.0);
}

static int set_rate(sd_bus *bus, const char *path, const char *interface, const char *property,
                    sd_bus_message *value, void *userdata, sd_bus_error *error)
{
    double rate;
    int r = sd_bus_message_read(value, "d", &rate);
    if (r < 0)
        return r;
    if (rate == 0.0)   /* as MPRIS says: as Pause */
        service_set_paused(userdata, true);
    return 0;   /* any other rate is ignored: sessions play at 1 */
}

static int get_can_play(sd_bus *bus, const char *path, const char *interface,
                        const char *property, sd_bus_message *reply, void *userdata,
                        sd_bus_error *error)
{
    service *s = userdata;
    return sd_bus_message_append(reply, "b", service_controllable(s) || s->have_last);
}

static int get_can_control_now(sd_bus *bus, const char *path, const char *interface,
                               const char *property, sd_bus_message *reply, void *userdata,
                               sd_bus_error *error)
{
    return sd_bus_message_append(reply, "b", service_controllable(userdata));
}

const sd_bus_vtable mpris_player_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD("Next", "", "", method_next, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("Previous", "", "", method_previous, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("Pause", "", "", method_pause, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("PlayPause", "", "", method_play_pause, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("Stop", "", "", method_stop, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("Play", "", "", method_play, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("Seek", "x", "", method_seek, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("SetPosition", "ox", "", method_set_position, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("OpenUri", "s", "", method_open_uri, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_SIGNAL("Seeked", "x", 0),
    SD_BUS_PROPERTY("PlaybackStatus", "s", get_status, 0, DYNAMIC),
    SD_BUS_WRITABLE_PROPERTY("Rate", "d", get_rate, set_rate, 0, 0),
    SD_BUS_PROPERTY("Metadata", "a{sv}", get_metadata, 0, DYNAMIC),
    SD_BUS_WRITABLE_PROPERTY("Volume", "d", get_volume, set_volume, 0, DYNAMIC),
    SD_BUS_PROPERTY("Position", "x", get_position, 0, 0),
    SD_BUS_PROPERTY("MinimumRate", "d", get_rate, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("MaximumRate", "d", get_rate, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("CanGoNext", "b", get_can_control_now, 0, DYNAMIC),
    SD_BUS_PROPERTY("CanGoPrevious", "b", get_can_control_now, 0, DYNAMIC),
    SD_BUS_PROPERTY("CanPlay", "b", get_can_play, 0, DYNAMIC),
    SD_BUS_PROPERTY("CanPause", "b", get_can_control_now, 0, DYNAMIC),
    SD_BUS_PROPERTY("CanSeek", "b", get_can_control_now, 0, DYNAMIC),
    SD_BUS_PROPERTY("CanControl", "b", get_true, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_VTABLE_END,
};
