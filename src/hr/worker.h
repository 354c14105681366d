/* worker.h: the thread a heart-rate source reads on, and the eventfd that
 * tells it to stop, the same for every kind of source (source.h).
 *
 * The thread polls `wake` beside whatever it waits for and returns once it
 * is readable. init() before anything else; free() is safe after a failed
 * init() and stops a thread still running. */
#ifndef BREATHE_HR_WORKER_H
#define BREATHE_HR_WORKER_H

#include <pthread.h>
#include <stdbool.h>

typedef struct {
    int wake;            /* eventfd: readable once stop() is called; -1: none */
    pthread_t thread;
    bool running;
} hr_worker;

/* 0, or -1 when the eventfd cannot be made. */
int hr_worker_init(hr_worker *w);
/* Starts run(arg) on a thread of its own: 0, or the pthread error. */
int hr_worker_start(hr_worker *w, void *(*run)(void *), void *arg);
/* Wakes the thread and waits for it; nothing when it is not running. */
void hr_worker_stop(hr_worker *w);
void hr_worker_free(hr_worker *w);

#endif
