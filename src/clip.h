/* clip.h: audio files decoded for mixing.
 *
 * audio_clip_load() reads any file libsndfile can open (WAV, FLAC, Ogg Vorbis
 * or Opus, MP3, AIFF...), at any sample rate and channel count, and returns it
 * as interleaved stereo float at the requested output rate. Rate conversion is
 * libsamplerate's; mono is copied to both channels, more than two channels are
 * mixed down. Non-finite samples become silence and samples are clamped to
 * [-1, 1], so nothing a file holds can reach the mix as NaN or overload. The
 * first and last milliseconds are faded so a clip that starts or stops off
 * zero does not click.
 *
 * The converted length is exactly round(source_frames * rate / source_rate),
 * and sample j of the source lands on frame round(j * rate / source_rate):
 * a cue is placed on exact frames whatever its rate. */
#ifndef BREATHE_CLIP_H
#define BREATHE_CLIP_H

#include <stddef.h>
#include <stdint.h>

typedef struct audio_clip {
    float *samples;     /* interleaved stereo, frames * 2 values */
    int64_t frames;     /* at the output rate */
    char *path;         /* the file it came from */
    int source_rate;
    int source_channels;
    int64_t source_frames;
} audio_clip;

/* Decodes path at output rate `rate`. On failure returns nonzero, writes a
 * one-line reason (no file name, no newline) into why, and sets *out to NULL. */
int audio_clip_load(const char *path, int rate, audio_clip **out, char *why, size_t why_size);
void audio_clip_free(audio_clip *clip);

#endif
