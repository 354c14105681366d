/* stream.c: streamed audio files. See stream.h.
 *
 * A slot moves through FREE -> CLAIMING -> REQUESTED (the consumer has claimed it) ->
 * ACTIVE (the producer has opened the file) -> RELEASED (the consumer is done)
 * -> FREE (the producer has closed the file). Each side changes the state
 * only where the arrow is its own, so neither ever waits for the other.
 * Claims go through SLOT_CLAIMING with a compare-and-swap, because a skip
 * prepares its engine on another thread while the playing engine may claim
 * too. Ring positions count frames from the claim and only grow: the producer
 * owns `written`, the consumer owns `read`. */
#include "render/stream.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

enum { SLOT_FREE, SLOT_CLAIMING, SLOT_REQUESTED, SLOT_ACTIVE, SLOT_RELEASED };

/* Frames decoded into a ring at a time, so no slot waits long for another. */
#define FILL_FRAMES 4096
#define READER_IDLE_NANOSECONDS 2000000L

struct stream_slot {
    stream_pool *pool;
    atomic_int state;
    float *ring;                   /* the pool's ring_frames stereo frames */
    atomic_int_least64_t written;  /* frames put in the ring since the claim */
    atomic_int_least64_t read;     /* frames taken out */
    /* Set by the consumer when claiming. */
    const audio_clip *clip;
    int64_t position, loop_start, loop_end;
    /* The producer's. */
    audio_clip_reader *reader;
    int64_t next;                  /* clip frame the producer decodes next */
    bool failed;                   /* could not open or read: the ring stays empty */
    /* The consumer's. */
    int64_t skip;                  /* frames played as silence, to drop when they arrive */
    atomic_bool broken;            /* the producer failed: silence is not an underrun */
};

struct stream_pool {
    int rate;
    bool live;
    int64_t ring_frames;           /* per slot */
    size_t rings_bytes;
    int64_t lookahead_frames;
    stream_slot slots[STREAM_SLOTS];
    float *rings;
    pthread_t thread;
    bool thread_running;
    atomic_bool stop;
    atomic_int_least64_t missing_frames, missed_sounds, failures;
    atomic_bool failure_kept;
    char failure[512];
};

stream_pool *stream_pool_create(int rate, bool live, double burst_seconds)
{
    stream_pool *pool = calloc(1, sizeof *pool);
    if (pool == NULL)
        return NULL;
    if (!(burst_seconds >= 0.0) || burst_seconds > STREAM_MAX_BURST_SECONDS)
        burst_seconds = burst_seconds > 0.0 ? STREAM_MAX_BURST_SECONDS : 0.0;
    /* A sound claimed ahead of a burst is read before the output starts
     * (stream_pool_start); its ring must hold all the burst takes of it. */
    double ahead = STREAM_LOOKAHEAD_SECONDS + burst_seconds;
    pool->lookahead_frames = (int64_t)ceil(ahead * rate);
    pool->ring_frames = pool->lookahead_frames > STREAM_RING_FRAMES ? pool->lookahead_frames
                                                                   : STREAM_RING_FRAMES;
    /* Mapped rather than allocated: a page costs memory only once sound is
     * read into it, so a long buffer costs only for the slots in use. */
    pool->rings_bytes = (size_t)STREAM_SLOTS * (size_t)pool->ring_frames * 2 * sizeof(float);
    pool->rings = mmap(NULL, pool->rings_bytes, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (pool->rings == MAP_FAILED) {
        free(pool);
        return NULL;
    }
    pool->rate = rate;
    pool->live = live;
    for (int i = 0; i < STREAM_SLOTS; i++) {
        stream_slot *slot = &pool->slots[i];
        slot->pool = pool;
        slot->ring = pool->rings + (size_t)i * (size_t)pool->ring_frames * 2;
        atomic_init(&slot->state, SLOT_FREE);
        atomic_init(&slot->written, 0);
        atomic_init(&slot->read, 0);
        atomic_init(&slot->broken, false);
    }
    atomic_init(&pool->stop, false);
    atomic_init(&pool->missing_frames, 0);
    atomic_init(&pool->missed_sounds, 0);
    atomic_init(&pool->failures, 0);
    atomic_init(&pool->failure_kept, false);
    return pool;
}

int64_t stream_pool_lookahead(const stream_pool *pool) { return pool->lookahead_frames; }

/* ---- the producer ---- */

static void note_failure(stream_slot *slot, const char *why)
{
    stream_pool *pool = slot->pool;
    slot->failed = true;
    atomic_store_explicit(&slot->broken, true, memory_order_release);
    atomic_fetch_add_explicit(&pool->failures, 1, memory_order_relaxed);
    if (!atomic_exchange(&pool->failure_kept, true))
        snprintf(pool->failure, sizeof pool->failure, "%s: %s", slot->clip->path, why);
}

static void close_slot(stream_slot *slot)
{
    audio_clip_reader_close(slot->reader);
    slot->reader = NULL;
    slot->failed = false;
    atomic_store_explicit(&slot->broken, false, memory_order_relaxed);
    atomic_store_explicit(&slot->written, 0, memory_order_relaxed);
    atomic_store_explicit(&slot->read, 0, memory_order_relaxed);
    atomic_store_explicit(&slot->state, SLOT_FREE, memory_order_release);
}

/* Decodes up to `limit` frames into the slot's ring; returns how many. */
static int64_t fill_slot(stream_slot *slot, int64_t limit)
{
    int64_t written = atomic_load_explicit(&slot->written, memory_order_relaxed);
    int64_t ring_frames = slot->pool->ring_frames;
    int64_t room = ring_frames
                   - (written - atomic_load_explicit(&slot->read, memory_order_acquire));
    if (room > limit)
        room = limit;
    int64_t done = 0;
    while (done < room && !slot->failed) {
        int64_t at = (written + done) % ring_frames;
        int64_t n = room - done;
        if (n > ring_frames - at)
            n = ring_frames - at;
        bool looping = slot->loop_end > slot->loop_start;
        int64_t end = looping ? slot->loop_end : slot->clip->frames;
        if (slot->next >= end) {
            if (!looping)
                break;
            if (audio_clip_reader_seek(slot->reader, slot->loop_start) != 0) {
                note_failure(slot, "cannot seek back to loop it");
                break;
            }
            slot->next = slot->loop_start;
        }
        if (n > end - slot->next)
            n = end - slot->next;
        int64_t got = audio_clip_reader_read(slot->reader, slot->ring + 2 * at, n);
        if (got <= 0) {
            note_failure(slot, "cannot read it");
            break;
        }
        slot->next += got;
        done += got;
    }
    if (done > 0)
        atomic_store_explicit(&slot->written, written + done, memory_order_release);
    return done;
}

/* One step of the producer's work on a slot; returns true if it did any. */
static bool service_slot(stream_slot *slot, int64_t limit)
{
    int state = atomic_load_explicit(&slot->state, memory_order_acquire);
    if (state == SLOT_RELEASED) {
        close_slot(slot);
        return true;
    }
    if (state == SLOT_REQUESTED) {
        char why[256];
        slot->next = slot->position;
        if (audio_clip_reader_open(slot->clip, slot->pool->rate, slot->position, &slot->reader,
                                   why, sizeof why) != 0)
            note_failure(slot, why);
        int expected = SLOT_REQUESTED;
        if (!atomic_compare_exchange_strong(&slot->state, &expected, SLOT_ACTIVE))
            close_slot(slot);  /* released before it was opened */
        return true;
    }
    if (state == SLOT_ACTIVE && !slot->failed)
        return fill_slot(slot, limit) > 0;
    return false;
}

static bool service_all(stream_pool *pool, int64_t limit)
{
    bool worked = false;
    for (int i = 0; i < STREAM_SLOTS; i++)
        worked = service_slot(&pool->slots[i], limit) || worked;
    return worked;
}

static void *reader_thread(void *context)
{
    stream_pool *pool = context;
    while (!atomic_load_explicit(&pool->stop, memory_order_acquire)) {
        if (!service_all(pool, FILL_FRAMES)) {
            struct timespec pause = { 0, READER_IDLE_NANOSECONDS };
            nanosleep(&pause, NULL);
        }
    }
    return NULL;
}

int stream_pool_start(stream_pool *pool)
{
    if (!pool->live || pool->thread_running)
        return 0;
    while (service_all(pool, pool->ring_frames)) {
    }
    if (pthread_create(&pool->thread, NULL, reader_thread, pool) != 0)
        return -1;
    pool->thread_running = true;
    return 0;
}

void stream_pool_free(stream_pool *pool)
{
    if (pool == NULL)
        return;
    if (pool->thread_running) {
        atomic_store_explicit(&pool->stop, true, memory_order_release);
        pthread_join(pool->thread, NULL);
    }
    for (int i = 0; i < STREAM_SLOTS; i++)
        audio_clip_reader_close(pool->slots[i].reader);
    munmap(pool->rings, pool->rings_bytes);
    free(pool);
}

/* ---- the consumer ---- */

stream_slot *stream_claim(stream_pool *pool, const audio_clip *clip, int64_t position,
                          int64_t loop_start, int64_t loop_end)
{
    for (int i = 0; i < STREAM_SLOTS; i++) {
        stream_slot *slot = &pool->slots[i];
        int expected = SLOT_FREE;
        if (!atomic_compare_exchange_strong_explicit(&slot->state, &expected, SLOT_CLAIMING,
                                                     memory_order_acquire,
                                                     memory_order_relaxed))
            continue;
        slot->clip = clip;
        slot->position = position;
        slot->loop_start = loop_start;
        slot->loop_end = loop_end;
        slot->skip = 0;
        atomic_store_explicit(&slot->state, SLOT_REQUESTED, memory_order_release);
        return slot;
    }
    atomic_fetch_add_explicit(&pool->missed_sounds, 1, memory_order_relaxed);
    return NULL;
}

void stream_read(stream_slot *slot, float *out, int frames)
{
    stream_pool *pool = slot->pool;
    int64_t read = atomic_load_explicit(&slot->read, memory_order_relaxed);
    int64_t available = atomic_load_explicit(&slot->written, memory_order_acquire) - read;
    if (!pool->live) {
        /* Offline: decode here whatever is not there yet. */
        while (available < slot->skip + frames && service_slot(slot, pool->ring_frames))
            available = atomic_load_explicit(&slot->written, memory_order_acquire) - read;
    }
    int64_t drop = slot->skip < available ? slot->skip : available;
    read += drop;
    available -= drop;
    slot->skip -= drop;
    int64_t take = available < frames ? available : frames;
    for (int64_t i = 0; i < take; i++) {
        const float *in = slot->ring + 2 * ((read + i) % pool->ring_frames);
        out[2 * i] = in[0];
        out[2 * i + 1] = in[1];
    }
    atomic_store_explicit(&slot->read, read + take, memory_order_release);
    if (take < frames) {
        int64_t missing = frames - take;
        memset(out + 2 * take, 0, sizeof(float) * 2 * (size_t)missing);
        slot->skip += missing;
        if (!atomic_load_explicit(&slot->broken, memory_order_acquire))
            atomic_fetch_add_explicit(&pool->missing_frames, missing, memory_order_relaxed);
    }
}

void stream_release(stream_slot *slot)
{
    if (slot == NULL)
        return;
    atomic_store_explicit(&slot->state, SLOT_RELEASED, memory_order_release);
    if (!slot->pool->live)
        service_slot(slot, 0);
}

/* ---- the report ---- */

void stream_pool_report(stream_pool *pool, stream_report *out)
{
    memset(out, 0, sizeof *out);
    if (pool == NULL)
        return;
    out->missing_frames = atomic_load(&pool->missing_frames);
    out->missed_sounds = atomic_load(&pool->missed_sounds);
    out->failures = atomic_load(&pool->failures);
    if (atomic_load(&pool->failure_kept))
        snprintf(out->failure, sizeof out->failure, "%s", pool->failure);
}

void stream_report_print(const stream_report *report, int rate, const report_sink *sink)
{
    if (report->missing_frames > 0)
        report_error(sink, NULL, 0,
                     "reading audio files fell behind: %lld frames (%.3f s) played as silence",
                     (long long)report->missing_frames, (double)report->missing_frames / rate);
    if (report->missed_sounds > 0)
        report_error(sink, NULL, 0, "%lld long sound%s skipped: more than %d at once",
                     (long long)report->missed_sounds, report->missed_sounds == 1 ? "" : "s",
                     STREAM_SLOTS);
    if (report->failures > 0)
        report_error(sink, NULL, 0, "%lld audio file%s could not be read while playing (%s); "
                                    "silence instead",
                     (long long)report->failures, report->failures == 1 ? "" : "s",
                     report->failure);
}
