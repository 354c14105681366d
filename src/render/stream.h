/* stream.h: long audio files read from disk while they play.
 *
 * A stream pool has a fixed number of slots, each a single-producer,
 * single-consumer ring of stereo frames (C11 atomics, no locks). The render
 * core is the consumer: it claims a slot for a streamed clip a little before
 * the clip sounds, reads frames from it in order, and releases it. The
 * producer opens the file, decodes, converts the rate (audio_clip_reader)
 * and fills the ring.
 *
 * Offline (a pool made with live = false) the consumer is its own producer:
 * a read that finds the ring short decodes what is missing there and then,
 * so every frame is the file's. Live, a reader thread started with
 * stream_pool_start() is the producer, and the consumer never waits: frames
 * that have not arrived when they are due play as silence, the stream skips
 * them so that it stays on time, and they are counted. Everything the
 * pool needs is allocated by stream_pool_create(); claim, read and release
 * never allocate, lock, do I/O or wait when live.
 *
 * A file that cannot be opened or read any more (deleted before it plays,
 * damaged) plays as silence, and the first such failure is kept for the
 * report. A file deleted while it plays keeps playing from its open
 * descriptor. */
#ifndef BREATHE_STREAM_H
#define BREATHE_STREAM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/report.h"
#include "format/clip.h"

enum {
    STREAM_SLOTS = 8,              /* streamed sounds at once, the background included */
    STREAM_RING_FRAMES = 32768,    /* per slot at least: 0.68 s at 48 kHz, 256 KiB */
};
/* Streamed sounds are claimed this long before they start, so the reader
 * has their first frames ready in time; more where the output takes sound
 * in bursts. */
#define STREAM_LOOKAHEAD_SECONDS 0.5
#define STREAM_MAX_BURST_SECONDS 4.0

typedef struct stream_pool stream_pool;
typedef struct stream_slot stream_slot;

/* burst_seconds: the most sound the output may take at once, well ahead of
 * time (its whole buffer, when it starts): sounds due within it are claimed
 * and read before it starts, and rings are made to hold it. 0 offline. */
stream_pool *stream_pool_create(int rate, bool live, double burst_seconds);
/* How far ahead of a streamed sound the render claims it, in frames. */
int64_t stream_pool_lookahead(const stream_pool *pool);
/* Stops the reader thread, if any, and frees everything. */
void stream_pool_free(stream_pool *pool);

/* Live: fills every claimed slot's ring, then starts the reader thread.
 * Returns 0, or -1 when the thread cannot be started. */
int stream_pool_start(stream_pool *pool);

/* Claims a slot that will play `clip` from frame `position`. With
 * loop_end > loop_start it plays up to loop_end and then goes on from
 * loop_start, forever. Returns NULL, and counts a missed sound, when every
 * slot is taken. Claims may come from more than one thread (a skip prepares
 * its engine beside the playing one); each slot is then read and released
 * by its claimer only. */
stream_slot *stream_claim(stream_pool *pool, const audio_clip *clip, int64_t position,
                          int64_t loop_start, int64_t loop_end);
/* Writes exactly `frames` frames: the clip's, or silence for what is missing. */
void stream_read(stream_slot *slot, float *out, int frames);
void stream_release(stream_slot *slot);

typedef struct {
    int64_t missing_frames;   /* frames due before the reader delivered them */
    int64_t missed_sounds;    /* streamed sounds that found no free slot */
    int64_t failures;         /* files that could not be opened or read */
    char failure[512];        /* the first failure: "FILE: reason" */
} stream_report;

/* Totals so far. Live, call it after playback has stopped. */
void stream_pool_report(stream_pool *pool, stream_report *out);
/* Reports what went wrong to `sink`, one error each, with the sample rate
 * for seconds; reports nothing when all went well. */
void stream_report_print(const stream_report *report, int rate, const report_sink *sink);

#endif
