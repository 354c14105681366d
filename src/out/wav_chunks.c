/* wav_chunks.c: RIFF chunks that libsndfile does not write (see wav_chunks.h). */
#include "out/wav_chunks.h"

#include <stdlib.h>
#include <string.h>

void wav_put_le(unsigned char **at, uint32_t value, int bytes)
{
    for (int i = 0; i < bytes; i++)
        *(*at)++ = (unsigned char)(value >> (8 * i));
}

void wav_chunks_add(wav_chunks *b, const void *data, size_t size)
{
    if (b->failed)
        return;
    if (b->size + size > b->capacity) {
        size_t capacity = b->capacity ? b->capacity : 256;
        while (capacity < b->size + size)
            capacity *= 2;
        unsigned char *grown = realloc(b->bytes, capacity);
        if (grown == NULL) {
            b->failed = true;
            return;
        }
        b->bytes = grown;
        b->capacity = capacity;
    }
    memcpy(b->bytes + b->size, data, size);
    b->size += size;
}

void wav_chunks_add_le(wav_chunks *b, uint32_t value, int bytes)
{
    unsigned char le[4], *at = le;
    wav_put_le(&at, value, bytes);
    wav_chunks_add(b, le, (size_t)bytes);
}

/* A text sub-chunk: the text with its NUL, padded to an even size. */
void wav_chunks_add_text(wav_chunks *b, const char *id, uint32_t number, bool numbered,
                           const char *text)
{
    size_t length = strlen(text) + 1;
    wav_chunks_add(b, id, 4);
    wav_chunks_add_le(b, (uint32_t)(length + (numbered ? 4 : 0)), 4);
    if (numbered)
        wav_chunks_add_le(b, number, 4);
    wav_chunks_add(b, text, length);
    if (length & 1)
        wav_chunks_add(b, "", 1);
}

/* The tags as a LIST INFO chunk (what libsndfile writes in a WAV file). */
void wav_chunks_add_info(wav_chunks *b, const out_tags *tags)
{
    const struct { const char *id, *text; } fields[] = {
        { "INAM", tags->title }, { "IART", tags->artist }, { "ICMT", tags->comment },
        { "ICRD", tags->date }, { "ISFT", tags->software },
    };
    size_t start = b->size;
    wav_chunks_add(b, "LIST\0\0\0\0INFO", 12);
    bool any = false;
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (fields[i].text != NULL && fields[i].text[0] != '\0') {
            wav_chunks_add_text(b, fields[i].id, 0, false, fields[i].text);
            any = true;
        }
    if (!any)
        b->size = start;
    else if (!b->failed) {
        unsigned char *at = b->bytes + start + 4;
        wav_put_le(&at, (uint32_t)(b->size - start - 8), 4);
    }
}

/* The cue points: a "cue " chunk with a point at each marker's start, and
 * a LIST "adtl" chunk with each one's label, which audio editors and
 * ffmpeg (as chapters) show. */
void wav_chunks_add_cues(wav_chunks *b, const out_marker *markers, size_t count)
{
    if (count == 0)
        return;
    wav_chunks_add(b, "cue ", 4);
    wav_chunks_add_le(b, (uint32_t)(4 + 24 * count), 4);
    wav_chunks_add_le(b, (uint32_t)count, 4);
    for (size_t i = 0; i < count; i++) {
        uint32_t frame = (uint32_t)markers[i].start;
        wav_chunks_add_le(b, (uint32_t)i + 1, 4);    /* its id */
        wav_chunks_add_le(b, frame, 4);              /* its position */
        wav_chunks_add(b, "data", 4);
        wav_chunks_add_le(b, 0, 4);                  /* chunk start */
        wav_chunks_add_le(b, 0, 4);                  /* block start */
        wav_chunks_add_le(b, frame, 4);              /* sample offset */
    }
    size_t start = b->size;
    wav_chunks_add(b, "LIST\0\0\0\0adtl", 12);
    for (size_t i = 0; i < count; i++)
        wav_chunks_add_text(b, "labl", (uint32_t)i + 1, true,
                       markers[i].label != NULL ? markers[i].label : "");
    if (!b->failed) {
        unsigned char *at = b->bytes + start + 4;
        wav_put_le(&at, (uint32_t)(b->size - start - 8), 4);
    }
}

uint32_t wav_get_le32(const unsigned char *at)
{
    return (uint32_t)at[0] | (uint32_t)at[1] << 8 | (uint32_t)at[2] << 16 | (uint32_t)at[3] << 24;
}
