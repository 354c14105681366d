/* wav_chunks.h: RIFF chunks for the WAV files breathe writes, where
 * libsndfile cannot: a WAV header for a stream (libsndfile will not write
 * WAV to a pipe), and cue points with labels (its cue support names no
 * points). Chunks are gathered in memory, little-endian, each padded to an
 * even size as RIFF asks; the file backend (out_file.c) writes them. */
#ifndef BREATHE_OUT_WAV_CHUNKS_H
#define BREATHE_OUT_WAV_CHUNKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "out/out.h"

/* Bytes gathered for WAV chunks; `failed` once memory ran out. */
typedef struct {
    unsigned char *bytes;
    size_t size, capacity;
    bool failed;
} wav_chunks;

/* Appends bytes; on running out of memory sets `failed` and adds nothing more. */
void wav_chunks_add(wav_chunks *b, const void *data, size_t size);
/* Appends a little-endian number of 1 to 4 bytes. */
void wav_chunks_add_le(wav_chunks *b, uint32_t value, int bytes);
/* Appends a text sub-chunk `id` (with its number first when `numbered`). */
void wav_chunks_add_text(wav_chunks *b, const char *id, uint32_t number, bool numbered,
                         const char *text);
/* Appends the tags as a LIST INFO chunk (nothing when there are none). */
void wav_chunks_add_info(wav_chunks *b, const out_tags *tags);
/* Appends a "cue " chunk with a point at each marker and a LIST adtl chunk
 * with their labels (nothing when count is 0). */
void wav_chunks_add_cues(wav_chunks *b, const out_marker *markers, size_t count);

/* Writes value little-endian at *at and moves *at past it. */
void wav_put_le(unsigned char **at, uint32_t value, int bytes);
/* Reads 4 bytes little-endian. */
uint32_t wav_get_le32(const unsigned char *at);

#endif
