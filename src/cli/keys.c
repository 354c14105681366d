/* keys.c: see keys.h. */
#include "cli/keys.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static struct termios saved;           /* the terminal as it was */
static struct termios raw;             /* as keys_open() sets it */
static volatile sig_atomic_t active;   /* raw mode is set (or set again after SIGCONT) */
static bool opened;
static bool exit_hook;

static void restore_at_exit(void)
{
    keys_restore_now();
}

void keys_restore_now(void)
{
    if (active) {
        int saved_errno = errno;
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        active = 0;
        errno = saved_errno;
    }
}

/* Ctrl-Z: give the terminal back, then stop as the default action would. */
static void on_stop(int number)
{
    (void)number;
    int saved_errno = errno;
    bool was_active = active;
    keys_restore_now();
    if (was_active)
        active = -1;           /* to be taken again on SIGCONT */
    signal(SIGTSTP, SIG_DFL);
    raise(SIGTSTP);
    errno = saved_errno;
}

/* Back from a stop (fg or bg): take the terminal again, but only when in
 * the foreground, or the shell's own settings would be overwritten. */
static void on_continue(int number)
{
    (void)number;
    int saved_errno = errno;
    struct sigaction stop;
    memset(&stop, 0, sizeof stop);
    stop.sa_handler = on_stop;
    sigemptyset(&stop.sa_mask);
    sigaction(SIGTSTP, &stop, NULL);
    if (active == -1 && tcgetpgrp(STDIN_FILENO) == getpgrp()) {
        if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0)
            active = 1;
    }
    errno = saved_errno;
}

bool keys_open(void)
{
    if (opened)
        return true;
    if (!isatty(STDIN_FILENO) || tcgetpgrp(STDIN_FILENO) != getpgrp())
        return false;
    if (tcgetattr(STDIN_FILENO, &saved) != 0)
        return false;
    raw = saved;
    raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
    raw.c_cc[VMIN] = 0;
    raw.c_cc[VTIME] = 0;
    if (!exit_hook) {
        atexit(restore_at_exit);
        exit_hook = true;
    }
    struct sigaction action;
    memset(&action, 0, sizeof action);
    sigemptyset(&action.sa_mask);
    action.sa_handler = on_stop;
    sigaction(SIGTSTP, &action, NULL);
    action.sa_handler = on_continue;
    sigaction(SIGCONT, &action, NULL);
    if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) != 0)
        return false;
    active = 1;
    opened = true;
    return true;
}

int keys_read(void)
{
    if (!opened || active != 1)
        return -1;
    struct pollfd ready = { .fd = STDIN_FILENO, .events = POLLIN };
    if (poll(&ready, 1, 0) != 1 || !(ready.revents & POLLIN))
        return -1;
    unsigned char key;
    if (read(STDIN_FILENO, &key, 1) != 1)
        return -1;
    return key;
}

void keys_close(void)
{
    if (!opened)
        return;
    signal(SIGTSTP, SIG_DFL);
    signal(SIGCONT, SIG_DFL);
    keys_restore_now();
    opened = false;
}
