/* keys.h: single key presses from the terminal while a session plays.
 *
 * keys_open() puts the terminal on standard input in non-canonical mode
 * without echo, so each key arrives at once and nothing is printed over the
 * status line; Ctrl-C and Ctrl-Z still send their signals. The terminal's
 * own settings are put back by keys_close(), at exit (atexit), and before a
 * stop on Ctrl-Z (SIGTSTP), then taken again on SIGCONT. keys_restore_now()
 * is async-signal-safe, for signal handlers that end the program.
 *
 * Without a terminal on standard input (a service, a pipe) keys_open()
 * does nothing and keys_read() never returns a key. */
#ifndef BREATHE_KEYS_H
#define BREATHE_KEYS_H

#include <stdbool.h>

/* Returns true when key presses will be read. */
bool keys_open(void);
/* The next key pressed, or -1 when none is waiting; never blocks. */
int keys_read(void);
void keys_close(void);
void keys_restore_now(void);

#endif
