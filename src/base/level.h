/* level.h: the levels in dB that a setting may give, defined once.
 *
 * A level or gain outside this range is a typo, not a sound anyone wants.
 * Every level in a session file is checked against it (format/session.c);
 * the user's default volume and --volume take the same range. */
#ifndef BREATHE_BASE_LEVEL_H
#define BREATHE_BASE_LEVEL_H

#define LEVEL_MIN_DB (-120.0)
#define LEVEL_MAX_DB 40.0

#endif
