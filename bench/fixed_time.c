/*
 * fixed_time.c - an LD_PRELOAD shim that makes time() return $CPI_FIXED_TIME
 * (seconds since 1970), so two ingests of one input stamp the same ingest time,
 * audit times and reject-file names and their stores can be compared byte for
 * byte (bench/ingest_same.sh builds and uses it). Clocks used for durations
 * (clock_gettime) are left alone.
 *
 *   cc -shared -fPIC -O2 -o fixed_time.so bench/fixed_time.c
 */
#include <stdlib.h>
#include <time.h>

time_t time(time_t *out)
{
    const char *v = getenv("CPI_FIXED_TIME");
    time_t t = v ? (time_t)strtoll(v, NULL, 10) : 1700000000;
    if (out)
        *out = t;
    return t;
}
