/* messages.h: every message a session author can see, listed together.
 *
 * The loader (session.c), the step types' readers (format/steps/) and the
 * timeline (render/timeline.c, for what only frames can tell) report them
 * at the file and line they are about (the command line prints
 * "FILE:LINE: message"). Not for front ends: they show what they are
 * handed. */
#ifndef BREATHE_FORMAT_MESSAGES_H
#define BREATHE_FORMAT_MESSAGES_H

/* Every message a session author can see, printed as "FILE:LINE: message".
 * Each starts lowercase, names the setting and says what would be right. */
#define MSG_CANNOT_READ        "cannot read the session file: %s"
#define MSG_FORMAT             "unsupported format %lld; this player reads format 1"
#define MSG_UNKNOWN_SETTING    "unknown setting '%s'%s%s"
#define MSG_OTHER_STEP_SETTING "'%s' is not a setting of a %s step%s"
#define MSG_WRONG_TYPE         "'%s' must be %s, not %s"
#define MSG_NOT_WHOLE          "'%s' must be a whole number, not %s"
#define MSG_INT_AT_LEAST       "'%s' must be %lld or more, not %lld"
#define MSG_INT_BETWEEN        "'%s' must be between %lld and %lld, not %lld"
#define MSG_LEVEL_RANGE        "'%s' must be between %g and +%g dB, not %g"
#define MSG_DUCK_POSITIVE      "'%s' must be 0 dB or less (it lowers the background), not %g"
#define MSG_HZ_RANGE           "'%s' must be between %g and %g Hz, not %g"
#define MSG_HZ_NYQUIST         "'%s' must be below half the sample rate (%d Hz), not %g"
#define MSG_VALUE_WHY          "'%s': %s"
#define MSG_NOT_POSITIVE       "'%s' must be more than 0 seconds, not %g"
#define MSG_NEGATIVE           "'%s' must be 0 seconds or more, not %g"
#define MSG_TOO_LONG           "'%s' must be at most %g hours (%g seconds), not %g"
#define MSG_NOT_UTF8           "'%s' is not valid UTF-8 text; save the file as UTF-8"
#define MSG_EMPTY              "'%s' must not be empty"
#define MSG_MISSING            "%s needs '%s'; for example %s"
#define MSG_NO_STEPS           "'steps' must hold at least one step, like steps = ( { type = \"bell\"; } );"
#define MSG_STEP_NOT_GROUP     "step %u of 'steps' must be a group like { type = \"bell\"; }, not %s"
#define MSG_UNKNOWN_VALUE      "unknown %s '%s'%s"
#define MSG_CYCLES_OR_DURATION "a breathe step needs exactly one of 'cycles' or 'duration'"
#define MSG_COUNT_OR_FOREVER   "a repeat needs 'count' or 'forever = true'"
#define MSG_COUNT_AND_FOREVER  "a repeat takes 'count' or 'forever = true', not both"
#define MSG_NESTED_TOO_DEEP    "repeats nest at most %d deep; this repeat is %d deep"
#define MSG_BACKGROUND_NEITHER "a background needs 'noise' or 'file'"
#define MSG_BACKGROUND_BOTH    "a background takes 'noise' or 'file', not both"
#define MSG_ENTRY_TYPE         "'%s' entry %u must be %s, not %s"
#define MSG_PHASES_COUNT       "'phases' names %d phases but 'pattern' has %d; name each entry once"
#define MSG_PHASES_RANGE       "'phases' must name 1 to %d phases, not %d"
#define MSG_RESONANCE_PHASES   "'phases' does not go with pattern = \"resonance\", which is always an in-breath and an out-breath"
#define MSG_RESONANCE_RAMP     "'ramp_to' does not go with pattern = \"resonance\", which keeps the person's own rate; give the step a pattern of seconds to ramp"
#define MSG_RAMP_COUNT         "'ramp_to' has %d phases but 'pattern' has %d; give as many"
#define MSG_AUDIO_NOT_FOUND    "cannot find audio file '%s' (looked in %s)"
#define MSG_AUDIO_NO_FILE      "cannot find audio file '%s' (no such file)"
#define MSG_AUDIO_UNUSABLE     "cannot use audio file '%s': %s"
#define MSG_OUT_OF_MEMORY      "out of memory"
#define MSG_NOT_REGULAR        "cannot read the session file: it is not a regular file"
#define MSG_TEXT_TOO_LONG      "the session and its @include files hold more than %d KB of text; a session is a short text file"
#define MSG_INCLUDE_EMPTY      "'@include' needs a file name, like @include \"common.cfg\""
#define MSG_INCLUDE_OUTSIDE    "'@include \"%s\"' is outside the session's folder; include only files in that folder or below it"
#define MSG_INCLUDE_NOT_FILE   "'@include \"%s\"' is not a regular file"
#define MSG_INCLUDE_LOOP       "'@include \"%s\"' includes a file that is already being read; remove the loop"
#define MSG_BYTE_ORDER_MARK    "the file starts with a byte order mark; save it as UTF-8 without one"
#define MSG_UTF16              "the file is UTF-16 text; save it as UTF-8"
#define MSG_NESTED_TOO_DEEPLY  "memory exhausted: groups, lists or arrays nest too deeply"
#define MSG_INCLUDE_COUNT      "a session may use at most %d @include lines in all"
#define MSG_INCLUDE_DEPTH      "@include files nest at most %d deep; '%s' is %d deep"

/* Reasons given by the value parsers (the CLI prints them too). */
#define WHY_DURATION_EMPTY     "an empty string is not a duration; write seconds or h, m, s, like \"90s\" or \"2m30s\""
#define WHY_DURATION_NEGATIVE  "\"%s\" is negative; a duration is 0 or more, like \"30s\""
#define WHY_DURATION_FORM      "\"%s\" is not a duration; write seconds, or h, m and s in that order, like \"90s\", \"1.5m\", \"2m30s\" or \"1h15m\""
#define WHY_DURATION_LONG      "\"%s\" is more than 24 hours, the longest a single duration may be"
#define WHY_PATTERN_FORM       "\"%s\" is not a pattern; write phase lengths in seconds joined by '-', like \"4-7-8\" or \"5.5-5.5\""
#define WHY_PATTERN_ENTRIES    "a pattern has at most %d entries, not %d"
#define WHY_PATTERN_COUNT      "a pattern has 2, 3 or 4 entries (inhale-exhale, inhale-hold-exhale or inhale-hold-exhale-hold_out), not %d; 'phases' can name other counts"
#define WHY_PHASE_NOT_POSITIVE "the %s (entry %d) must be more than 0 seconds, not %g"
#define WHY_PHASE_NEGATIVE     "the %s (entry %d) must be 0 seconds or more, not %g"
#define WHY_PHASE_TOO_LONG     "the %s (entry %d) must be at most %g seconds, not %g"
#define WHY_CYCLE_EMPTY        "a breath cycle must last more than 0 seconds"

/* The timeline's, once the steps are frames. */
#define MSG_PHASE_TOO_SHORT    "breath phases must last at least 1 ms"
#define MSG_EMPTY_CYCLE        "a breath cycle must last longer than 0 s"
#define MSG_STEP_OVER_LIMIT    "this breathe step lasts %.0f hours, over the %g-day limit of a session"
#define MSG_SESSION_OVER_LIMIT "the session would last %.1f days, over the %g-day limit; " \
                               "use fewer rounds or 'forever = true'"

/* Programme files (format/programme.c), printed the same way. */
#define MSG_PROGRAMME_CANNOT_READ  "cannot read the programme file: %s"
#define MSG_PROGRAMME_NOT_REGULAR  "cannot read the programme file: it is not a regular file"
#define MSG_PROGRAMME_TOO_LONG     "the programme holds more than %d KB of text; a programme is a short text file"
#define MSG_PROGRAMME_INCLUDE      "a programme is one file: '@include' is not allowed in it"
#define MSG_PROGRAMME_LIST         "'%s' must be a list like %s, not %s"
#define MSG_PROGRAMME_COUNT        "'%s' must hold 1 to %d entries, not %d"
#define MSG_PROGRAMME_ENTRY        "entry %d of '%s' must be a group like %s, not %s"
#define MSG_PROGRAMME_NAME         "'session' must name an installed session like \"neck-stretch\" (letters, digits, '-', '_' and '.'), not \"%s\""
#define MSG_PROGRAMME_TWICE        "'%s' is already in this week; give it one entry with its whole dose"
#define MSG_PROGRAMME_DAYS_NEITHER "a session of a week needs 'days' (like [\"mon\", \"wed\", \"fri\"]) or 'days_per_week'"
#define MSG_PROGRAMME_DAYS_BOTH    "a session of a week takes 'days' or 'days_per_week', not both"
#define MSG_PROGRAMME_DAY          "unknown day '%s' in 'days'; write mon, tue, wed, thu, fri, sat or sun"
#define MSG_PROGRAMME_DAY_TWICE    "'days' names '%s' twice"

#endif
