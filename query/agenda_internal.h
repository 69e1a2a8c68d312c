/*
 * agenda_internal.h - what query/agenda.c and query/agenda_since.c share:
 * the scoring rule (agenda.h) applied to one card, and the --since pass.
 * Not a public interface.
 */
#ifndef CPI_AGENDA_INTERNAL_H
#define CPI_AGENDA_INTERNAL_H

#include "query/agenda.h"

/* Add the rule's parts for card k (and the adult of concern linked, if any) to it. */
void cpi_agenda_score(cpi_agenda_item *it, const cpi_card *k, const char *adult_id, const char *adult_name,
                      int32_t as_of, uint32_t withhold, cpi_arena *a);

/* For each listed child (items and unplaced): new records after a->since and the score then. */
cpi_status cpi_agenda_since(cpi_txn *txn, cpi_agenda *a, uint32_t withhold, cpi_arena *arena, cpi_error *err);

#endif
