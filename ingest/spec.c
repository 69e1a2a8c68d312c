/* spec.c - field names for mapping files and raw values (see spec.h). */
#include "ingest/spec.h"

#include <string.h>
#include <strings.h>

static const char *const field_names[CPI_F__COUNT] = {
    [CPI_F_NONE] = NULL,
    [CPI_F_NAME] = "name",
    [CPI_F_FORENAMES] = "forenames",
    [CPI_F_SURNAME] = "surname",
    [CPI_F_DOB] = "dob",
    [CPI_F_AGE] = "age",
    [CPI_F_GENDER] = "gender",
    [CPI_F_NOMINAL_ID] = "nominal_id",
    [CPI_F_PNC] = "pnc",
    [CPI_F_ALIAS] = "alias",
    [CPI_F_STREET_NAME] = "street_name",
    [CPI_F_ADDRESS] = "address",
    [CPI_F_POSTCODE] = "postcode",
    [CPI_F_LOCATION_ID] = "location_id",
    [CPI_F_PLACE_NAME] = "place_name",
    [CPI_F_PLACE_TYPE] = "place_type",
    [CPI_F_PHONE] = "phone",
    [CPI_F_EMAIL] = "email",
    [CPI_F_USERNAME] = "username",
    [CPI_F_HOUSE] = "house",
    [CPI_F_STREET] = "street",
    [CPI_F_TOWN] = "town",
    [CPI_F_LOCALITY] = "locality",
    [CPI_F_REGION] = "region",
};

const char *cpi_field_name(cpi_field f)
{
    return (f > CPI_F_NONE && f < CPI_F__COUNT) ? field_names[f] : NULL;
}

cpi_field cpi_field_parse(const char *name)
{
    for (int f = CPI_F_NONE + 1; f < CPI_F__COUNT; f++)
        if (strcasecmp(field_names[f], name) == 0)
            return (cpi_field)f;
    return CPI_F_NONE;
}
