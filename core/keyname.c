/* keyname.c - the table of key names (see keyname.h). */
#include "core/keyname.h"

#include <string.h>

#include "core/model.h"

#define P CPI_KEY_KIND(CPI_KIND_PERSON)
#define L CPI_KEY_KIND(CPI_KIND_LOCATION)
#define T CPI_KEY_KIND(CPI_KIND_PHONE)
#define O CPI_KEY_KIND(CPI_KIND_ONLINE)

const cpi_key_name cpi_key_names[] = {
    {CPI_KEY_FN, P, true},        {CPI_KEY_FM, P, false},       {CPI_KEY_NN, P, true},
    {CPI_KEY_SN, P, true},        {CPI_KEY_SA, P, true},        {CPI_KEY_FX, P, false},
    {CPI_KEY_SX, P, false},       {CPI_KEY_DOB, P, true},       {CPI_KEY_BY, P, false},
    {CPI_KEY_DOB_LO, P, false},   {CPI_KEY_DOB_HI, P, false},   {CPI_KEY_NID, P, true},
    {CPI_KEY_PNC, P, true},       {CPI_KEY_GENDER, P, false},   {CPI_KEY_STREET, P, false},
    {CPI_KEY_ADDR, L, true},      {CPI_KEY_HOUSE, L, false},    {CPI_KEY_FLAT, L, false},
    {CPI_KEY_STREET_K, L, false}, {CPI_KEY_TOWN, L, false},     {CPI_KEY_LOCALITY, L, false},
    {CPI_KEY_REGION, L, false},   {CPI_KEY_PREMISES, L, false}, {CPI_KEY_PC, L, true},
    {CPI_KEY_PCS, L, false},      {CPI_KEY_PCD, L, false},      {CPI_KEY_PLACE, L, false},
    {CPI_KEY_LID, L, true},       {CPI_KEY_TEL, T, true},       {CPI_KEY_EMAIL, P | O, false},
    {CPI_KEY_USER, O, false},
};
const size_t cpi_key_names_count = sizeof cpi_key_names / sizeof cpi_key_names[0];

const cpi_key_name *cpi_key_name_find(const char *name)
{
    for (size_t i = 0; name && i < cpi_key_names_count; i++)
        if (strcmp(cpi_key_names[i].name, name) == 0)
            return &cpi_key_names[i];
    return NULL;
}
