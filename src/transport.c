/* transport.c: see transport.h. */
#include "transport.h"

#include <math.h>

void transport_init(transport *t, engine *e, int rate)
{
    t->engine = e;
    atomic_init(&t->stop_requested, false);
    atomic_init(&t->stopped_early, false);
    atomic_init(&t->position, engine_position(e));
    t->fade_frames = (int64_t)(TRANSPORT_STOP_FADE_SECONDS * rate) + 1;
    t->fade_left = -1;
}

void transport_request_stop(transport *t)
{
    atomic_store(&t->stop_requested, true);
}

size_t transport_render(void *context, float *out, size_t frames)
{
    transport *t = context;
    if (t->fade_left < 0 && atomic_load(&t->stop_requested)) {
        t->fade_left = t->fade_frames;
        atomic_store(&t->stopped_early, true);
    }
    size_t wanted = frames;
    if (t->fade_left >= 0 && (int64_t)wanted > t->fade_left)
        wanted = (size_t)t->fade_left;
    size_t n = engine_render(t->engine, out, wanted);
    if (t->fade_left >= 0) {
        for (size_t i = 0; i < n; i++) {
            double u = (double)(t->fade_left - (int64_t)i) / (double)t->fade_frames;
            float g = (float)(0.5 - 0.5 * cos(M_PI * u));
            out[2 * i] *= g;
            out[2 * i + 1] *= g;
        }
        t->fade_left -= (int64_t)n;
    }
    atomic_store(&t->position, engine_position(t->engine));
    return n;
}
