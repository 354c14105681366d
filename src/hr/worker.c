/* worker.c: a heart-rate source's thread and its stop signal (worker.h). */
#include "hr/worker.h"

#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

int hr_worker_init(hr_worker *w)
{
    w->running = false;
    w->wake = eventfd(0, EFD_CLOEXEC);
    return w->wake < 0 ? -1 : 0;
}

int hr_worker_start(hr_worker *w, void *(*run)(void *), void *arg)
{
    int error = pthread_create(&w->thread, NULL, run, arg);
    w->running = error == 0;
    return error;
}

void hr_worker_stop(hr_worker *w)
{
    if (!w->running)
        return;
    uint64_t one = 1;
    if (write(w->wake, &one, sizeof one) < 0) {
        /* An eventfd takes a write unless its count is full: it is woken. */
    }
    pthread_join(w->thread, NULL);
    w->running = false;
}

void hr_worker_free(hr_worker *w)
{
    hr_worker_stop(w);
    if (w->wake >= 0)
        close(w->wake);
    w->wake = -1;
}
