/*
 * source.h - the silos the queries know by name, and which of them are
 * restricted.
 *
 * A record reference starts with its source ("polit:PI-0000055"). Queries
 * need to know which silo a fact came from for two reasons: to say where it
 * came from (every fact keeps its source), and to withhold what restricted
 * silos hold (POLIT and MARAC: an officer may see only that something exists
 * and whom to ask). Sources loaded through a mapping file are "other".
 *
 * A set of sources is a bit mask (1u << cpi_src), small enough to store in
 * every edge and compare without string work.
 */
#ifndef CPI_SOURCE_H
#define CPI_SOURCE_H

#include <stdbool.h>
#include <stdint.h>

typedef enum cpi_src {
    CPI_SRC_NICHE,
    CPI_SRC_MIRAF,
    CPI_SRC_MACE,
    CPI_SRC_MARAC,
    CPI_SRC_POLIT,
    CPI_SRC_SOC,
    CPI_SRC_OTHER,
    CPI_SRC__COUNT
} cpi_src;

/*
 * The silos' names, spelled once: the reference prefix, each adapter's source
 * (ingest/adapter_NAME.c), what users type (--sources, ingest SOURCE) and
 * cpi_src_name.
 */
#define CPI_SRC_NAME_NICHE "niche"
#define CPI_SRC_NAME_MIRAF "miraf"
#define CPI_SRC_NAME_MACE "mace"
#define CPI_SRC_NAME_MARAC "marac"
#define CPI_SRC_NAME_POLIT "polit"
#define CPI_SRC_NAME_SOC "soc"

#define CPI_SRC_BIT(s) (1u << (s))
/* The silos whose content officers see only as "restricted information exists". */
#define CPI_SRC_RESTRICTED (CPI_SRC_BIT(CPI_SRC_MARAC) | CPI_SRC_BIT(CPI_SRC_POLIT))
#define CPI_SRC_ALL ((1u << CPI_SRC__COUNT) - 1)

/* The source of a record or mention reference ("miraf:MF-1/2" -> CPI_SRC_MIRAF). */
cpi_src cpi_src_of_ref(const char *ref);
/* "niche", ... "other". */
const char *cpi_src_name(cpi_src s);
/* The silo's name as people write it, for text: "Niche", "MIRAF", "MACE", "MARAC", "POLIT", "SOC", "other". */
const char *cpi_src_label(cpi_src s);
/* Whom to ask about a source's withheld content when the access grant names nobody (the unit that holds it). */
const char *cpi_src_default_contact(cpi_src s);
/* Parse a source name; false if it is not one of the named silos (or "other"). */
bool cpi_src_parse(const char *name, cpi_src *out);
/* Parse a comma-separated list of source names into a mask; false (and *bad set) on an unknown name. */
bool cpi_src_parse_list(const char *list, uint32_t *mask, const char **bad);

#endif
