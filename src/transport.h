/* transport.h: what live playback adds around the engine.
 *
 * A stop can be asked for from any thread, a signal handler included; the
 * audio then fades out over a short time instead of being cut, and the
 * source ends. The position is published for the status display. */
#ifndef BREATHE_TRANSPORT_H
#define BREATHE_TRANSPORT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"

#define TRANSPORT_STOP_FADE_SECONDS 0.3

typedef struct {
    engine *engine;
    atomic_bool stop_requested;
    atomic_bool stopped_early;    /* the source ended because of a stop */
    atomic_int_least64_t position;
    int64_t fade_frames;          /* length of the stop fade */
    int64_t fade_left;            /* frames of fade still to play; -1 before a stop */
} transport;

void transport_init(transport *t, engine *e, int rate);
/* Safe to call from a signal handler. */
void transport_request_stop(transport *t);
/* An out_source render function; context is the transport. */
size_t transport_render(void *context, float *out, size_t frames);

#endif
