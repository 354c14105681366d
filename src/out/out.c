/* out.c: choosing a backend (see out.h). */
#include "out/out.h"

const out_backend *out_backend_for(const char *path)
{
    return path ? &out_file_backend : &out_portaudio_backend;
}
