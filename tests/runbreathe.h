/* runbreathe.h: the real breathe program run from a cmocka test, as a user
 * runs it: its standard output and error captured whole, standard input
 * from /dev/null, its exit status (or 128 + the signal that ended it).
 *
 * The program is $BREATHE_BINARY, run behind $BREATHE_EXE_WRAPPER when that
 * is set (a cross build's qemu). Output goes through files in testaudio_dir
 * (testaudio.h), which must be set up first. */
#ifndef BREATHE_TESTS_RUNBREATHE_H
#define BREATHE_TESTS_RUNBREATHE_H

#include <signal.h>

typedef struct {
    int status;     /* exit code, or 128 + signal */
    char out[16384];
    char err[16384];
} runbreathe_result;

/* The program and its wrapper (NULL: none), read by runbreathe_setup(). */
extern const char *runbreathe_binary;
extern const char *runbreathe_wrapper;

/* Reads the environment; returns 0, or -1 when BREATHE_BINARY is not set. */
int runbreathe_setup(void);

/* Runs breathe with args (NULL-terminated); after `signal_after` seconds
 * (if > 0) sends `signal_number`, counting from when its standard output
 * holds `wait_for` (if not NULL; at most a minute: a program run under
 * valgrind is slow to start). */
void runbreathe(runbreathe_result *r, const char *wait_for, double signal_after,
                int signal_number, const char *const *args);

/* runbreathe(r, NULL, 0, 0, (const char *const[]){ ARGS..., NULL }) */
#define RUNBREATHE(r, ...) runbreathe((r), NULL, 0, 0, (const char *const[]){ __VA_ARGS__, NULL })

#endif
