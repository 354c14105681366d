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
 * a cue is placed on exact frames whatever its rate.
 *
 * A clip is never longer than its file's header says (or, when the header
 * cannot tell, than what the file decoded to when it was opened): frames
 * beyond that are never read, so what was judged short enough to hold in
 * memory stays so.
 *
 * A long file need not be held in memory: audio_clip_open() decodes it only
 * when it is at most preload_max_frames long at the output rate, and
 * otherwise returns a streamed clip (samples NULL) that an
 * audio_clip_reader decodes from disk in order, from any position. A
 * streamed clip's frames are a pure function of the file and the position;
 * when the rates differ they are converted in segments of about four
 * seconds, each starting a fresh converter shortly before it, so they match
 * the decoded-in-memory conversion to within rounding, not bit for bit. */
#ifndef BREATHE_CLIP_H
#define BREATHE_CLIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a session holds in memory: files of at most CLIP_PRELOAD_SECONDS,
 * while together they take at most CLIP_PRELOAD_BYTES decoded. Every other
 * file is streamed, so memory does not grow with the length of a file. */
#define CLIP_PRELOAD_SECONDS 15.0
#define CLIP_PRELOAD_BYTES (6 * 1024 * 1024)

struct audio_clip_pending;

typedef struct audio_clip {
    float *samples;     /* interleaved stereo, frames * 2 values; NULL when streamed
                           or not yet decoded */
    bool streamed;      /* read from disk while it plays */
    int64_t frames;     /* at the output rate */
    char *path;         /* the file it came from */
    int source_rate;
    int source_channels;
    int64_t source_frames;
    struct audio_clip_pending *pending;  /* opened, to be decoded: audio_clip_finish() */
} audio_clip;

/* The reason given when a file could not be decoded for want of memory: the
 * system's failure, not the file's. */
#define CLIP_WHY_NO_MEMORY "not enough memory to decode it"

/* Decodes path at output rate `rate`. On failure returns nonzero, writes a
 * one-line reason (no file name, no newline) into why, and sets *out to NULL. */
int audio_clip_load(const char *path, int rate, audio_clip **out, char *why, size_t why_size);
/* As audio_clip_load(), but a file longer than preload_max_frames (at the
 * output rate) is checked and returned streamed, with no length limit. */
int audio_clip_open(const char *path, int rate, int64_t preload_max_frames, audio_clip **out,
                    char *why, size_t why_size);
void audio_clip_free(audio_clip *clip);

/* As audio_clip_open(), but a clip to be held in memory is only opened and
 * checked, and left open for audio_clip_finish() to decode: a session's
 * files are opened in order (to choose what is held in memory) and then
 * decoded together, on as many cores as there are (audio_clip_finish_all),
 * which is most of the time from launch to the first sample. Until then
 * `samples` is NULL and `frames` is the length the header promises. */
int audio_clip_open_deferred(const char *path, int rate, int64_t preload_max_frames,
                             audio_clip **out, char *why, size_t why_size);
/* Decodes a clip opened deferred; does nothing for any other clip. On
 * failure returns nonzero with a reason in why, as audio_clip_open(). */
int audio_clip_finish(audio_clip *clip, char *why, size_t why_size);
/* Decodes every deferred clip of `clips`, several at once. Returns 0, or
 * nonzero with *failed set to the first clip (in order) that could not be
 * decoded and its reason in why. Each clip is decoded alone, so the result
 * does not depend on how many threads did it. */
int audio_clip_finish_all(audio_clip *const *clips, size_t count, size_t *failed, char *why,
                          size_t why_size);

/* Only the file's header: whether it opens as audio that can be converted
 * to `rate`, and its length there. The clip has no samples (it looks
 * streamed) and is not for playing: it is what listing sessions needs, in a
 * fraction of the time (an unchanged file probed before is not read again;
 * safe from several threads). 0, or nonzero with a reason in why. */
int audio_clip_probe(const char *path, int rate, audio_clip **out, char *why, size_t why_size);

/* Sequential reading of a clip from disk, at output rate `rate` (the one it
 * was opened at). open() and read() allocate and do I/O: they belong on a
 * reader thread, or in an offline render. read() writes exactly `frames`
 * frames (fewer only at the clip's end) and returns how many; what the file
 * no longer holds reads as silence. seek() returns 0, or -1 when the file
 * cannot be sought to the position. */
typedef struct audio_clip_reader audio_clip_reader;
int audio_clip_reader_open(const audio_clip *clip, int rate, int64_t position,
                           audio_clip_reader **out, char *why, size_t why_size);
int audio_clip_reader_seek(audio_clip_reader *reader, int64_t position);
int64_t audio_clip_reader_read(audio_clip_reader *reader, float *out, int64_t frames);
void audio_clip_reader_close(audio_clip_reader *reader);

#endif
