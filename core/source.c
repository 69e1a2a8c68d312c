/* source.c - source names and restricted-source masks (see source.h). */
#include "core/source.h"

#include <string.h>

static const char *const names[CPI_SRC__COUNT] = {
    [CPI_SRC_NICHE] = CPI_SRC_NAME_NICHE, [CPI_SRC_MIRAF] = CPI_SRC_NAME_MIRAF, [CPI_SRC_MACE] = CPI_SRC_NAME_MACE,
    [CPI_SRC_MARAC] = CPI_SRC_NAME_MARAC, [CPI_SRC_POLIT] = CPI_SRC_NAME_POLIT, [CPI_SRC_SOC] = CPI_SRC_NAME_SOC,
    [CPI_SRC_OTHER] = "other"};

const char *cpi_src_name(cpi_src s) { return (unsigned)s < CPI_SRC__COUNT ? names[s] : "other"; }

const char *cpi_src_label(cpi_src s)
{
    static const char *const labels[CPI_SRC__COUNT] = {"Niche", "MIRAF", "MACE", "MARAC", "POLIT", "SOC", "other"};
    return (unsigned)s < CPI_SRC__COUNT ? labels[s] : "other";
}

/* One wording everywhere a withheld item is announced (profiles, place reports, candidate lists). */
const char *cpi_src_default_contact(cpi_src s)
{
    switch (s) {
    case CPI_SRC_POLIT:
        return "the POLIT (online child abuse) team";
    case CPI_SRC_MARAC:
        return "the MARAC coordinator";
    default:
        return "the system's owner";
    }
}

static bool parse_n(const char *name, size_t n, cpi_src *out)
{
    for (int i = 0; i < CPI_SRC__COUNT; i++)
        if (strlen(names[i]) == n && memcmp(names[i], name, n) == 0) {
            *out = (cpi_src)i;
            return true;
        }
    return false;
}

bool cpi_src_parse(const char *name, cpi_src *out) { return parse_n(name, strlen(name), out); }

cpi_src cpi_src_of_ref(const char *ref)
{
    const char *colon = strchr(ref, ':');
    cpi_src s;
    if (colon && parse_n(ref, (size_t)(colon - ref), &s))
        return s;
    return CPI_SRC_OTHER;
}

bool cpi_src_parse_list(const char *list, uint32_t *mask, const char **bad)
{
    *mask = 0;
    const char *p = list;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        cpi_src s;
        if (n) {
            if (!parse_n(p, n, &s)) {
                if (bad)
                    *bad = p;
                return false;
            }
            *mask |= CPI_SRC_BIT(s);
        }
        p += n + (e ? 1 : 0);
    }
    return true;
}
