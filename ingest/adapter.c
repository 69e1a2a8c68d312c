/*
 * adapter.c - the table of silo adapters. Adding a silo is one new
 * ingest/adapter_NAME.c defining `const cpi_adapter cpi_adapter_NAME` and one
 * row below (curl's handler table shape).
 */
#include "ingest/adapter.h"

#include <string.h>
#include <strings.h>

#include "ingest/engine.h"

const cpi_adapter *const cpi_adapters[] = {
    &cpi_adapter_niche,
    &cpi_adapter_miraf,
    &cpi_adapter_mace,
    &cpi_adapter_marac,
    &cpi_adapter_polit,
    &cpi_adapter_soc,
    NULL,
};

const cpi_adapter *cpi_adapter_find(const char *source)
{
    for (const cpi_adapter *const *a = cpi_adapters; *a; a++)
        if (strcmp((*a)->source, source) == 0)
            return *a;
    return NULL;
}

const cpi_spec_file *cpi_adapter_pick_default(const cpi_adapter *ad, const char *file_name, cpi_csv *csv)
{
    if (file_name)
        for (unsigned i = 0; i < ad->nfiles; i++)
            if (ad->files[i].file_name && strcasecmp(ad->files[i].file_name, file_name) == 0)
                return &ad->files[i];
    for (unsigned i = 0; i < ad->nfiles; i++)
        if (cpi_engine_fits(&ad->files[i], csv))
            return &ad->files[i];
    return NULL;
}

static const cpi_adapter_role *role_row(const cpi_adapter *ad, const char *role)
{
    for (const cpi_adapter_role *r = ad->roles; r && r->role; r++)
        if (strcmp(r->role, role) == 0)
            return r;
    return NULL;
}

unsigned cpi_adapter_role_flags(const cpi_adapter *ad, const char *role)
{
    if (!role)
        return 0;
    if (ad) {
        const cpi_adapter_role *r = role_row(ad, role);
        return r ? r->flags : 0;
    }
    unsigned all = CPI_RF_CHILD | CPI_RF_ACTOR, named = 0;
    for (const cpi_adapter *const *a = cpi_adapters; *a; a++) {
        const cpi_adapter_role *r = role_row(*a, role);
        if (r) {
            all &= r->flags;
            named = 1;
        }
    }
    return named ? all : 0;
}
