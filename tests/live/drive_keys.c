/* drive_keys: runs a program on a pseudo-terminal and types keys at given
 * times, as a person at a terminal (or over SSH) would.
 *
 *   drive_keys [--expect-status N] [--expect-output TEXT]... [--signal SECONDS=NAME]
 *              KEYS PROGRAM [ARGS...]
 *
 * KEYS is a comma-separated list of SECONDS=CHARS: at SECONDS after the
 * program first draws its status line (the first "erase to the end of the
 * line", ESC [ K, it writes: breathe draws it once its audio runs, so the
 * times are the session's own however long the program takes to start), CHARS are typed ("space" types one space, "ctrl-c" a Ctrl-C). --signal sends a signal
 * (INT, TERM, USR1) to the program instead. Everything the program writes
 * to the terminal is read (and copied to standard output at the end).
 *
 * Checks, each printed as "ok: ..." or "FAIL: ...":
 *  - while the program runs, the terminal is in non-canonical mode without
 *    echo (so keys arrive at once and are not printed);
 *  - after it exits, the terminal's settings are exactly what they were;
 *  - its exit status is N (default 0); its output holds each TEXT.
 * Exit status: 0 all checks passed, 1 a check failed, 2 usage or system error. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <utmp.h>

#define TIMEOUT_SECONDS 60.0
#define MAX_ACTIONS 32
#define MAX_EXPECTED 8

typedef struct {
    double at;
    char keys[32];   /* empty for a signal */
    int signal;
} action;

static bool failed;

static void check(bool ok, const char *what)
{
    printf("%s: %s\n", ok ? "ok" : "FAIL", what);
    if (!ok)
        failed = true;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static int signal_named(const char *name)
{
    if (strcmp(name, "INT") == 0)
        return SIGINT;
    if (strcmp(name, "TERM") == 0)
        return SIGTERM;
    if (strcmp(name, "USR1") == 0)
        return SIGUSR1;
    return 0;
}

/* "1.5=n,3=space" or a single "2=TERM" for --signal. */
static int parse_actions(const char *text, action *actions, int count, bool signals)
{
    char copy[512];
    snprintf(copy, sizeof copy, "%s", text);
    for (char *item = strtok(copy, ","); item; item = strtok(NULL, ",")) {
        char *equals = strchr(item, '=');
        if (!equals || count == MAX_ACTIONS)
            return -1;
        *equals = '\0';
        action *a = &actions[count];
        memset(a, 0, sizeof *a);
        a->at = atof(item);
        const char *what = equals + 1;
        if (signals) {
            a->signal = signal_named(what);
            if (!a->signal)
                return -1;
        } else {
            if (strcmp(what, "space") == 0)
                what = " ";
            else if (strcmp(what, "ctrl-c") == 0)
                what = "\003";
            snprintf(a->keys, sizeof a->keys, "%s", what);
        }
        count++;
    }
    return count;
}

static bool same_settings(const struct termios *a, const struct termios *b)
{
    return a->c_iflag == b->c_iflag && a->c_oflag == b->c_oflag && a->c_cflag == b->c_cflag
           && a->c_lflag == b->c_lflag && memcmp(a->c_cc, b->c_cc, sizeof a->c_cc) == 0;
}

int main(int argc, char **argv)
{
    int expect_status = 0;
    const char *expected[MAX_EXPECTED];
    int expected_count = 0;
    action actions[MAX_ACTIONS];
    int count = 0;
    int arg = 1;
    for (; arg < argc && strncmp(argv[arg], "--", 2) == 0; arg += 2) {
        if (arg + 1 >= argc)
            break;
        if (strcmp(argv[arg], "--expect-status") == 0) {
            expect_status = atoi(argv[arg + 1]);
        } else if (strcmp(argv[arg], "--expect-output") == 0 && expected_count < MAX_EXPECTED) {
            expected[expected_count++] = argv[arg + 1];
        } else if (strcmp(argv[arg], "--signal") == 0) {
            count = parse_actions(argv[arg + 1], actions, count, true);
            if (count < 0)
                break;
        } else {
            break;
        }
    }
    if (count >= 0 && arg + 2 <= argc)
        count = parse_actions(argv[arg], actions, count, false);
    if (count < 0 || arg + 2 > argc) {
        fprintf(stderr, "usage: drive_keys [--expect-status N] [--expect-output TEXT] "
                        "[--signal SECONDS=NAME] KEYS PROGRAM [ARGS...]\n");
        return 2;
    }
    char **program = argv + arg + 1;

    int master, slave;
    struct winsize size = { .ws_row = 24, .ws_col = 100 };
    if (openpty(&master, &slave, NULL, NULL, &size) != 0) {
        perror("drive_keys: openpty");
        return 2;
    }
    struct termios before, during, after;
    tcgetattr(slave, &before);
    pid_t child = fork();
    if (child < 0) {
        perror("drive_keys: fork");
        return 2;
    }
    if (child == 0) {
        close(master);
        if (login_tty(slave) != 0)
            _exit(127);
        execvp(program[0], program);
        _exit(127);
    }
    /* The slave stays open here, to read its settings after the child. */
    fcntl(master, F_SETFL, O_NONBLOCK);

    static char output[1 << 20];
    size_t used = 0;
    double start = now(), started = -1.0;
    int next = 0, status = 0;
    bool exited = false, saw_raw = false;
    while (!exited) {
        for (size_t i = 0; started < 0.0 && i + 3 <= used; i++)
            if (memcmp(output + i, "\033[K", 3) == 0)
                started = now();
        double elapsed = started < 0.0 ? -1.0 : now() - started;
        if (now() - start > TIMEOUT_SECONDS) {
            kill(child, SIGKILL);
            waitpid(child, &status, 0);
            check(false, "the program ended within the time limit");
            break;
        }
        if (tcgetattr(slave, &during) == 0 && !(during.c_lflag & (ICANON | ECHO)))
            saw_raw = true;
        while (next < count && elapsed >= actions[next].at) {
            if (actions[next].signal) {
                kill(child, actions[next].signal);
                printf("sent signal %d at %.3f s\n", actions[next].signal, elapsed);
            } else {
                ssize_t n = write(master, actions[next].keys, strlen(actions[next].keys));
                printf("typed '%s' at %.3f s%s\n",
                       actions[next].keys[0] == '\003' ? "ctrl-c" : actions[next].keys, elapsed,
                       n < 0 ? " (failed)" : "");
            }
            next++;
        }
        struct pollfd ready = { .fd = master, .events = POLLIN };
        if (poll(&ready, 1, 10) > 0) {
            ssize_t n = read(master, output + used, sizeof output - 1 - used);
            if (n > 0)
                used += (size_t)n;
        }
        if (waitpid(child, &status, WNOHANG) == child)
            exited = true;
    }
    for (;;) {   /* what is left in the terminal */
        ssize_t n = read(master, output + used, sizeof output - 1 - used);
        if (n <= 0)
            break;
        used += (size_t)n;
    }
    output[used] = '\0';
    tcgetattr(slave, &after);

    printf("--- terminal output ---\n");
    for (size_t i = 0; i < used; i++)   /* status redraws as separate lines */
        putchar(output[i] == '\r' ? '\n' : output[i]);
    printf("\n--- end of terminal output ---\n");
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    printf("exit status %d\n", code);
    check(saw_raw, "while playing, the terminal was in non-canonical mode without echo");
    check(same_settings(&before, &after), "afterwards, the terminal settings are restored");
    check(code == expect_status, "the exit status is the one expected");
    for (int i = 0; i < expected_count; i++) {
        char what[256];
        snprintf(what, sizeof what, "the terminal shows '%s'", expected[i]);
        check(strstr(output, expected[i]) != NULL, what);
    }
    return failed ? 1 : 0;
}
