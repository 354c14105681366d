/* transport.c: see transport.h. */
#include "render/transport.h"

#include <math.h>

/* Controls are picked up between chunks this long: a few milliseconds. */
enum { CHUNK = 64 };

void transport_init(transport *t, engine *e, int rate, double volume_db)
{
    t->engine = e;
    atomic_init(&t->next, NULL);
    atomic_init(&t->retired, NULL);
    atomic_init(&t->stop_requested, false);
    atomic_init(&t->stopped_early, false);
    atomic_init(&t->pause_requested, 0);
    atomic_init(&t->paused, false);
    atomic_init(&t->position, engine_position(e));
    atomic_init(&t->volume_centi_db, (int)lround(volume_db * 100.0));
    atomic_init(&t->skips, 0);
    t->rate = rate;
    t->level = 1.0;
    t->volume_db = volume_db;
}

void transport_free_engines(transport *t)
{
    engine_free(t->engine);
    t->engine = NULL;
    engine_free(atomic_exchange(&t->next, NULL));
    engine_free(atomic_exchange(&t->retired, NULL));
}

void transport_request_stop(transport *t)
{
    atomic_store(&t->stop_requested, true);
}

void transport_toggle_pause(transport *t)
{
    atomic_fetch_xor(&t->pause_requested, 1);
}

bool transport_pause_requested(const transport *t)
{
    return atomic_load(&t->pause_requested) != 0;
}

double transport_set_volume(transport *t, double volume_db)
{
    /* Widened to the target already set, so that a volume given outside
     * the range (--volume -60) is never pulled into it by a change the
     * other way: quieter stays quieter. */
    double now = transport_volume(t);
    double lowest = fmin(TRANSPORT_VOLUME_MIN_DB, now);
    double highest = fmax(TRANSPORT_VOLUME_MAX_DB, now);
    if (volume_db < lowest)
        volume_db = lowest;
    if (volume_db > highest)
        volume_db = highest;
    atomic_store(&t->volume_centi_db, (int)lround(volume_db * 100.0));
    return transport_volume(t);
}

double transport_volume(const transport *t)
{
    return atomic_load(&t->volume_centi_db) / 100.0;
}

bool transport_skip(transport *t, engine *next)
{
    if (atomic_load(&t->retired) != NULL)
        return false;
    engine *expected = NULL;
    return atomic_compare_exchange_strong(&t->next, &expected, next);
}

void transport_collect(transport *t)
{
    engine_free(atomic_exchange(&t->retired, NULL));
}

int64_t transport_next_step(const timeline *tl, int64_t position, int64_t end)
{
    timeline_span span;
    if (!timeline_locate(tl, position, &span) || span.end >= end)
        return end;
    return span.end;
}

void transport_fade_in(transport *t)
{
    t->level = 0.0;
}

/* Moves the volume towards its target by what `frames` frames allow. */
static void follow_volume(transport *t, size_t frames)
{
    double target = atomic_load_explicit(&t->volume_centi_db, memory_order_relaxed) / 100.0;
    if (t->volume_db == target)
        return;
    double most = TRANSPORT_VOLUME_DB_PER_SECOND * (double)frames / t->rate;
    if (fabs(target - t->volume_db) <= most)
        t->volume_db = target;
    else
        t->volume_db += target > t->volume_db ? most : -most;
    engine_set_volume(t->engine, t->volume_db);
}

/* The audio callback's side. Between chunks it looks at what is asked for:
 * while a stop, skip or pause wants silence it fades out, and once silent
 * ends the source, switches engines, or plays silence. */
size_t transport_render(void *context, float *out, size_t frames)
{
    transport *t = context;
    size_t written = 0;
    while (written < frames) {
        size_t chunk = frames - written < CHUNK ? frames - written : CHUNK;
        bool stop = atomic_load(&t->stop_requested);
        engine *next = atomic_load(&t->next);
        bool pause = atomic_load(&t->pause_requested) != 0;
        if (stop && !atomic_load_explicit(&t->stopped_early, memory_order_relaxed))
            atomic_store(&t->stopped_early, true);
        bool fading_out = stop || next != NULL || pause;

        if (fading_out && t->level <= 0.0) {
            if (stop)
                break;
            if (next != NULL && atomic_load(&t->retired) == NULL) {
                atomic_store(&t->retired, t->engine);
                t->engine = next;
                engine_set_volume(t->engine, t->volume_db);
                atomic_store(&t->next, NULL);
                atomic_fetch_add(&t->skips, 1);
                atomic_store(&t->position, engine_position(t->engine));
                /* The new engine fades itself in, as after --start. */
                if (!pause)
                    t->level = 1.0;
                continue;
            }
            if (pause)
                atomic_store(&t->paused, true);
            for (size_t i = 0; i < 2 * chunk; i++)
                out[2 * written + i] = 0.0f;
            written += chunk;
            continue;
        }
        atomic_store_explicit(&t->paused, false, memory_order_relaxed);

        double seconds = stop ? TRANSPORT_STOP_FADE_SECONDS
                       : next != NULL ? TRANSPORT_SKIP_FADE_SECONDS
                                      : TRANSPORT_PAUSE_FADE_SECONDS;
        double step = 1.0 / (seconds * t->rate);
        if (fading_out) {
            /* End the chunk where the fade reaches silence, so nothing is
             * rendered unheard. */
            double left = round(t->level / step);
            if (left < 1.0)
                left = 1.0;
            if ((double)chunk > left)
                chunk = (size_t)left;
        }
        follow_volume(t, chunk);
        float *x = out + 2 * written;
        size_t n = engine_render(t->engine, x, chunk);
        if (fading_out || t->level < 1.0) {
            for (size_t i = 0; i < n; i++) {
                t->level += fading_out ? -step : step;
                /* Snapped at the ends, so a fade lasts exactly its frames. */
                if (t->level < 0.5 * step)
                    t->level = 0.0;
                else if (t->level > 1.0 - 0.5 * step)
                    t->level = 1.0;
                float g = (float)(0.5 - 0.5 * cos(M_PI * t->level));
                x[2 * i] *= g;
                x[2 * i + 1] *= g;
            }
        }
        written += n;
        if (n < chunk)
            break;
    }
    atomic_store(&t->position, engine_position(t->engine));
    return written;
}
