/* web_controls.c: the table of controls the web remote (web/web.h) drives
 * `breathe --serve` through (see serve_internal.h). Each calls what the
 * MPRIS methods call, on the same thread, so the page and a D-Bus client
 * see and change one state; the web remote plays installed sessions only,
 * by name. */
#include "serve/serve_internal.h"

#include <stdlib.h>

static void web_get_state(void *context, web_state *out)
{
    service *s = context;
    *out = (web_state){ .loaded = service_controllable(s), .volume_db = volume_to_db(s->volume),
                        .paused = s->paused };
    if (out->loaded) {
        out->name = s->current->track.name;
        player_snapshot(s->current->player, &out->snapshot);
    }
}

static int web_play(void *context, const char *name, double start_seconds, char **why)
{
    char *uri = breathe_uri(name);
    if (!uri) {
        *why = NULL;
        return 1;
    }
    int code = service_open_run(context, name, uri, true, start_seconds, why);
    free(uri);
    return code;
}

static void web_set_paused(void *context, bool paused)
{
    service_set_paused(context, paused);
}

static void web_stop_all(void *context)
{
    service_stop_all(context);
}

static void web_next(void *context)
{
    service_next_step(context);
}

static void web_set_volume(void *context, double volume_db)
{
    service_change_volume(context, 1.0 - volume_db / SERVE_VOLUME_FLOOR_DB);
}

web_controls service_web_controls(service *s)
{
    return (web_controls){ web_get_state, web_play, web_set_paused, web_stop_all, web_next,
                           web_set_volume, s };
}
