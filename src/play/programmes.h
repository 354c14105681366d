/* programmes.h: the installed programmes, the one a person follows, and
 * where they stand in it today, for every front end.
 *
 * Programmes are found like sessions (play/library.h): NAME.cfg in the
 * "programmes" folder of each data folder, in the same order
 * ($XDG_DATA_HOME/breathe/programmes, each $XDG_DATA_DIRS entry's
 * breathe/programmes, the install prefix's share/breathe/programmes,
 * $BREATHE_DATA_DIR/programmes); a name with a '/', ending in .cfg, or
 * naming a file that exists is a path.
 *
 * programmes_today() reads the followed programme's state file
 * (user/following.h), the programme, and the history, and works out the
 * plan (play/plan.h). Today is the local date, or $BREATHE_TODAY
 * (YYYY-MM-DD) when set: a switch for tests, documented in breathe(1). */
#ifndef BREATHE_PLAY_PROGRAMMES_H
#define BREATHE_PLAY_PROGRAMMES_H

#include <stdbool.h>
#include <stdint.h>

#include "base/report.h"
#include "format/programme.h"
#include "play/plan.h"
#include "user/following.h"

/* A path as given, or the path of NAME.cfg in the first programme folder
 * that has it. A new string; NULL when none has it (an error to `report`
 * naming the folders looked in) or when out of memory. */
char *programmes_find(const char *name, const report_sink *report);

/* Today's day number: $BREATHE_TODAY when set, else the local date.
 * Returns 0, or 2 after an error when $BREATHE_TODAY is not a date. */
int programmes_today_date(int64_t *day, const report_sink *report);

typedef struct {
    bool following;          /* false: no programme is followed (nothing else set) */
    following state;         /* which, and since when */
    char *path;              /* the programme file */
    programme *programme;
    plan plan;
    char *history_path;      /* NULL when neither XDG_STATE_HOME nor HOME is set */
    history_record *records; /* the history read, for plans of other days */
    size_t record_count;
} programme_today;

/* The followed programme and where its follower stands on `today`.
 * Returns 0 (with out->following false when none is followed), 1 when the
 * system failed, 2 when the state file, the programme or the history is
 * wrong; each problem reported. Free with programmes_today_free(). */
int programmes_today(programme_today *out, int64_t today, const report_sink *report);
void programmes_today_free(programme_today *t);

/* The first day after t->plan.today, within a week, on which a session is
 * due if nothing more is done before then, and that session's name (NULL
 * when none is due in the week). */
const char *programmes_next_due(const programme_today *t, int64_t *day);

/* The followed programme's session due today, as a new string; NULL when
 * none is due or followed, when `played` (a session's name or path, as the
 * history records it; NULL: none) is that session, or when the files cannot
 * be read (not reported: this is a word on the side, and --today says what
 * is wrong). */
char *programmes_due_besides(const char *played);

/* What a session played live says first when another is due today
 * (play_options.announcement). */
#define PROGRAMMES_DUE_ANNOUNCEMENT "voice/programme-due.ogg"

/* The path of the state file (user/following.h) from the environment; a
 * new string, or NULL when neither XDG_STATE_HOME nor HOME is set. */
char *programmes_state_path(void);

#endif
