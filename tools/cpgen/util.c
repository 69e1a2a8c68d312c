/*
 * util.c - cpgen's own random numbers and calendar arithmetic.
 *
 * Determinism is the point: the same seed must give the same bytes on any
 * machine, so nothing here reads the clock, the locale or libc's rand().
 * xoshiro256** is seeded through splitmix64; each generation stage takes its
 * own stream so a change in one silo does not reshuffle the others.
 */
#include "tools/cpgen/gen.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void rng_seed(rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * 0xd1b54a32d192ed03ULL);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t rng_next(rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint32_t rng_below(rng *r, uint32_t n)
{
    /* Lemire's multiply-shift: bias is below 2^-32 per draw, irrelevant here. */
    return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

double rng_unit(rng *r) { return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0); }

bool rng_chance(rng *r, double p) { return rng_unit(r) < p; }

uint32_t rng_heavy(rng *r, double alpha, uint32_t cap)
{
    double u = 1.0 - rng_unit(r); /* (0, 1] */
    double v = pow(u, -1.0 / alpha);
    uint32_t k = v >= (double)cap ? cap : (uint32_t)v;
    return k < 1 ? 1 : k;
}

uint32_t rng_zipf(rng *r, uint32_t n)
{
    /* Inverse of a continuous 1/x density on [1, n+1): cheap and skewed enough. */
    double x = exp(rng_unit(r) * log((double)n + 1.0)) - 1.0;
    uint32_t i = (uint32_t)x;
    return i >= n ? n - 1 : i;
}

bool day_parse_iso(const char *s, int32_t *out)
{
    int y, m, d;
    char tail;
    if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
        return false;
    if (y < 1900 || y > 2100 || !cpi_norm_date_valid(y, m, d))
        return false;
    *out = cpi_norm_days_from_ymd(y, m, d);
    return true;
}

int age_at(int32_t dob, int32_t day)
{
    int y1, m1, d1, y2, m2, d2;
    cpi_norm_ymd_from_days(dob, &y1, &m1, &d1);
    cpi_norm_ymd_from_days(day, &y2, &m2, &d2);
    int a = y2 - y1;
    if (m2 < m1 || (m2 == m1 && d2 < d1))
        a--;
    return a;
}

static const char *const MON[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

int date_fmt_ymd(char *buf, size_t cap, date_fmt f, int y, int m, int d)
{
    switch (f) {
    case DF_DMY4: return snprintf(buf, cap, "%02d/%02d/%04d", d, m, y);
    case DF_ISO: return snprintf(buf, cap, "%04d-%02d-%02d", y, m, d);
    case DF_MON: return snprintf(buf, cap, "%d %s %04d", d, MON[(m - 1) % 12], y);
    case DF_DMY2: return snprintf(buf, cap, "%d/%d/%02d", d, m, ((y % 100) + 100) % 100);
    case DF_COMPACT: return snprintf(buf, cap, "%04d%02d%02d", y, m, d);
    }
    return 0;
}

int date_fmt_day(char *buf, size_t cap, date_fmt f, int32_t day)
{
    int y, m, d;
    cpi_norm_ymd_from_days(day, &y, &m, &d);
    return date_fmt_ymd(buf, cap, f, y, m, d);
}

int32_t day_at_age(const gen_ctx *g, rng *r, int32_t dob, int min_age)
{
    int32_t lo = dob + min_age * 366;
    if (lo < g->start)
        lo = g->start;
    if (lo > g->end - 30)
        lo = dob > g->start ? (dob < g->end - 30 ? dob : g->end - 30) : g->start;
    return lo + (int32_t)rng_below(r, (uint32_t)(g->end - lo + 1));
}
