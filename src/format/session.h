/* session.h: a session file, parsed and checked against the session format.
 *
 * session_load() reads a libconfig file, checks every setting against the
 * format (docs/session-format.md): types, ranges, required and unknown
 * settings (with a "did you mean" when a known name is close), then resolves
 * and decodes every audio file it names at the session's sample rate. The
 * first problem is handed to the report sink as an error at the file and
 * line it is about (the command line prints "FILE:LINE: message") and the
 * load fails; nothing is half-loaded. The result is plain data: durations in
 * seconds, levels in dB, audio as decoded clips. Turning it into frames is
 * the timeline's job. Every message an author can see is listed together in
 * format/messages.h. */
#ifndef BREATHE_SESSION_H
#define BREATHE_SESSION_H

#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>

#include "base/clock.h"
#include "base/report.h"
#include "format/clip.h"

enum {
    SESSION_MAX_PHASES = 8,        /* entries in a pattern (2-4 without `phases`) */
    SESSION_MAX_REPEAT_DEPTH = 8,
    SESSION_MAX_INCLUDE_DEPTH = 8,       /* @include inside @include */
    SESSION_MAX_INCLUDES = 64,           /* @include lines in all */
    SESSION_MAX_TEXT_BYTES = 1024 * 1024, /* the session with all its @includes */
};

#define SESSION_MAX_DURATION_SECONDS ((double)CLOCK_SECONDS_PER_DAY)  /* one setting */
#define SESSION_MAX_PHASE_SECONDS 60.0
#define SESSION_MAX_TOTAL_SECONDS (7.0 * CLOCK_SECONDS_PER_DAY)         /* the whole session */

typedef enum {
    BREATH_INHALE,
    BREATH_HOLD,
    BREATH_EXHALE,
    BREATH_HOLD_OUT,
    BREATH_KIND_COUNT
} breath_kind;

/* Names as written in session files: "inhale", "hold", "exhale", "hold_out". */
const char *breath_kind_name(breath_kind kind);

/* A pattern of 2 to 4 entries names its phases by count (inhale, exhale /
 * inhale, hold, exhale / ... hold_out). As an extension of the format, a
 * breathe step's `phases` array may name each entry, and then any count from
 * 1 to SESSION_MAX_PHASES is allowed. */
typedef struct {
    int count;
    double seconds[SESSION_MAX_PHASES];
    breath_kind kind[SESSION_MAX_PHASES];
} breath_pattern;

/* One cycle of the pattern: the sum of its phases, in seconds. */
double breath_pattern_seconds(const breath_pattern *pattern);
/* The pattern as a session file writes it, "4-7-8", in out (size bytes). */
void breath_pattern_format(char *out, size_t size, const breath_pattern *pattern);

/* Each sound is described once: format/sound_kinds.h (its name in session
 * files) and render/sounds.h (how it sounds). */
typedef enum { PACER_TONE, PACER_BOWL, PACER_NOISE, PACER_NONE, PACER_SOUND_COUNT } pacer_sound;

/* As written in session files: sound = "bowl". */
const char *pacer_sound_name(pacer_sound sound);

typedef struct {
    pacer_sound sound;
    double low_hz, high_hz, level_db;
} pacer_settings;

typedef struct {
    const audio_clip *cue[BREATH_KIND_COUNT]; /* NULL: nothing for that phase */
    double level_db;
    int cycles;                               /* 0: every cycle */
} voice_settings;

typedef enum {
    BACKGROUND_NONE,
    BACKGROUND_WHITE,
    BACKGROUND_PINK,
    BACKGROUND_BROWN,
    BACKGROUND_FILE,
    BACKGROUND_KIND_COUNT
} background_kind;

/* "white", "pink", "brown" (as written: noise = "pink"), "file", "none". */
const char *background_kind_name(background_kind kind);

typedef struct {
    background_kind kind;
    const audio_clip *file;  /* BACKGROUND_FILE only */
    double level_db, fade_seconds, duck_db;
} background_settings;

/* Each type is described once: format/step_kinds.h (how a session file
 * writes it) and render/step_timing.h (what it does and how it is shown). */
typedef enum {
    STEP_CUE,
    STEP_BELL,
    STEP_BREATHE,
    STEP_TIMER,
    STEP_REPEAT,
    STEP_TYPE_COUNT
} step_type;

/* As written in session files: type = "bell". */
const char *step_type_name(step_type type);

typedef struct session_step session_step;
struct session_step {
    step_type type;
    const char *file;         /* the file the step's group is in: the session's path or an
                                 @include file (owned by the session; NULL: the session's) */
    int line;                 /* where the step's group starts, in that file */
    char *label;              /* "" when none */
    const audio_clip *precue; /* the step's `cue`, played before the timed part, or NULL */
    double gap_seconds;
    union {
        struct { const audio_clip *file; double level_db; } cue_step;  /* type "cue" */
        struct {
            int strikes;
            double interval_seconds, hz, level_db, ring_seconds;
        } bell;
        struct {
            breath_pattern pattern;
            breath_pattern ramp_to;   /* equal to pattern when there is no ramp_to */
            bool ramps;
            bool resonance;           /* pattern = "resonance": paced at the person's
                                         resonance rate (format/resonance.h) */
            long long cycles;         /* 0 when the step runs for a duration */
            double duration_seconds;  /* 0 when the step counts cycles */
            pacer_settings pacer;     /* merged with the top-level group */
            voice_settings voice;     /* merged with the top-level group */
        } breathe;
        struct {
            double duration_seconds;
            double bell_every_seconds; /* 0: none */
            bool bell_end;
            int ticks;
        } timer;
        struct {
            session_step *steps;
            size_t step_count;
            long long count;          /* rounds; 0 with forever */
            bool forever;
        } repeat;
    };
};

typedef void (*session_cue_visit)(void *context, const audio_clip *clip);
/* Calls visit, in order, for each audio file the step plays as a cue: its
 * own `cue`, then those of its type (a cue step's file, a breathe step's
 * voice cues, everything in a repeat's steps). Not the background. */
void session_step_cues(const session_step *step, session_cue_visit visit, void *context);

typedef struct {
    char *path;               /* the session file as given */
    char *title, *description, *author;
    char *caution;            /* NULL when none */
    int sample_rate;
    double volume_db;
    pacer_settings pacer;
    voice_settings voice;
    background_settings background;
    session_step *steps;
    size_t step_count;
    char *audio_dir;          /* audio_dir resolved against the session's folder, or NULL */
    const char *audio_dir_file;  /* where audio_dir is set (a file name as below) */
    int audio_dir_line;
    audio_clip **clips;       /* every decoded file, each once */
    const char **clip_files;  /* the file each of clips is first named in (as below) */
    int *clip_lines;          /* and the line */
    size_t clip_count;
    /* The files settings were read from, as messages name them: `path`, or
     * an @include file shown under the session's folder ("dir/common.cfg").
     * The `file` pointers above point to `path` or into this list. */
    char **source_files;
    size_t source_file_count;
} session;

/* Defaults of the format, used where a session says nothing. */
/* Session files end in this; `breathe NAME` looks for NAME.cfg. */
#define SESSION_FILE_SUFFIX ".cfg"

#define SESSION_DEFAULT_RATE 48000
#define PACER_DEFAULT_LOW_HZ 196.0
#define PACER_DEFAULT_HIGH_HZ 294.0
#define PACER_DEFAULT_LEVEL_DB (-18.0)
#define VOICE_DEFAULT_CYCLES 3
#define BACKGROUND_DEFAULT_LEVEL_DB (-30.0)
#define BACKGROUND_DEFAULT_FADE_SECONDS 5.0
#define BACKGROUND_DEFAULT_DUCK_DB (-6.0)
#define BELL_DEFAULT_HZ 432.0
#define BELL_DEFAULT_LEVEL_DB (-12.0)
#define BELL_DEFAULT_INTERVAL_SECONDS 4.0
#define BELL_DEFAULT_RING_SECONDS 6.0

/* Folders searched, after audio_dir and the session's own folder, for
 * relative audio paths. NULL-terminated; set by the caller (play/library.h:
 * library_audio_path_set()). */
extern const char *const *session_audio_search_path;

/* Returns 0 on success; 1 when the system failed (out of memory); 2 when the
 * session is wrong. Either failure is reported to `report` (NULL: not
 * reported). */
int session_load(const char *path, session **out, const report_sink *report);
/* As session_load(), but the audio files are only found, opened and checked
 * as audio, not decoded: every clip has its length at the session's rate
 * (`frames`, from the file's header) and no samples. Enough for the
 * timeline's lengths and for listing sessions; not for rendering. A file
 * that would not decode is not found out here. */
int session_read(const char *path, session **out, const report_sink *report);
void session_free(session *s);

/* Puts a cue step before the session's first: the audio file at `path`
 * (decoded at the session's rate), labelled `label`, then gap_seconds of
 * quiet. For words about the session that are not part of its file (the
 * programme's "today's session is due"); build the timeline after it.
 * Returns 0; 1 when out of memory; 2 when the file cannot be used as audio,
 * with a one-line reason in why either way and the session unchanged. */
int session_prepend_cue(session *s, const char *path, const char *label, double gap_seconds,
                        char *why, size_t why_size);

/* Value parsers, exposed for tests and the CLI (--start, --length).
 * Return 0 on success, or nonzero with a reason in why. */
int parse_duration_text(const char *text, double *seconds, char *why, size_t why_size);
int parse_pattern_text(const char *text, breath_pattern *pattern, char *why, size_t why_size);

#endif
