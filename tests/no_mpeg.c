/* no_mpeg: preloaded into breathe by the CLI test (LD_PRELOAD), it makes
 * libsndfile's sf_format_check() refuse MPEG, as a libsndfile built without
 * LAME and mpg123 does; every other format goes to the real one. So the
 * test sees what a machine without MP3 support sees, through the same call
 * the program makes, with nothing in the program for the test's sake. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <string.h>

#include <sndfile.h>

typedef int (*format_check)(const SF_INFO *info);

int sf_format_check(const SF_INFO *info)
{
    if ((info->format & SF_FORMAT_TYPEMASK) == SF_FORMAT_MPEG)
        return 0;
    void *symbol = dlsym(RTLD_NEXT, "sf_format_check");
    if (symbol == NULL)
        return 0;
    format_check real;
    memcpy(&real, &symbol, sizeof real);   /* POSIX: dlsym's pointer may be a function's */
    return real(info);
}
