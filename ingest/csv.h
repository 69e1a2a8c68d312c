/*
 * csv.h - streaming RFC 4180 reader for silo exports.
 *
 * Exports arrive as CSV files of any size (several GB), written by systems
 * that sometimes emit broken rows. The reader therefore streams through a
 * fixed-size buffer (memory is bounded by the row cap plus one read chunk,
 * whatever the file size; 64-bit offsets and line numbers), and turns every
 * data row into either a good row or a rejected row that says why, where and
 * what it held, so the caller can write a reject file and nothing is lost
 * silently. One broken row never stops the rest of the file.
 *
 * Format accepted: fields separated by ',', optionally enclosed in '"' with
 * '""' for a quote inside; line ends LF, CRLF or CR (mixed is fine); a UTF-8
 * byte-order mark at the very start is skipped; the last line may lack a line
 * end. The first row is the header.
 *
 * Deliberate choices (see csv.c for the reasons):
 *  - A '"' inside an unquoted field (5'10" tall) is kept as a literal byte,
 *    as libcsv and Python's csv do by default: real exports contain it.
 *  - A closing quote followed by anything but ',' or a line end ("ab"c) is
 *    a malformed quoted field and rejects the row as unterminated-quote.
 *  - Empty physical lines carry no data and are skipped (they still count
 *    for line numbers); cpi_csv_blank_lines() says how many there were.
 *  - Resync: a row that spans several physical lines and is bad (its quote
 *    runs to end of file, a quoted field is malformed, or the column count
 *    is wrong) is taken to be a runaway quote: only its FIRST physical line
 *    is rejected (unterminated-quote, or wrong-column-count when every quote
 *    closed properly) and parsing resumes at the start of the next line.
 *  - Row cap: a row whose bytes (line end excluded) exceed max_row_bytes is
 *    rejected as row-too-large and skipped to its end without being held in
 *    memory. If an oversized row reaches a line end inside quotes, it is cut
 *    there like a runaway quote (only its first line is rejected), so a
 *    quote that never closes costs at most max_row_bytes of re-reading,
 *    never a scan to end of file. While such a row is skipped, a hole in a
 *    sparse file (NUL bytes never written) is jumped over with SEEK_DATA
 *    rather than read.
 *  - A header over the row cap is refused as soon as it passes the cap (the
 *    file cannot be read without it), and a header holding NUL bytes is
 *    refused as "not a CSV text file": `truncate -s 10G` takes no time.
 *
 * Reject reasons (exact words, shared with docs/formats.md):
 *   wrong-column-count, unterminated-quote, invalid-utf8, nul-byte,
 *   row-too-large.
 *
 * Ownership: cpi_csv_open* returns a reader the caller frees with
 * cpi_csv_close. Header strings live as long as the reader. Everything a
 * cpi_csv_row points to (fields, lengths, raw bytes) belongs to the reader
 * and stays valid only until the next cpi_csv_next or cpi_csv_close.
 * cpi_csv_open_mem borrows buf (it must outlive the reader). cpi_csv_open_fd
 * borrows fd (the caller closes it after cpi_csv_close).
 */
#ifndef CPI_CSV_H
#define CPI_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

typedef struct cpi_csv cpi_csv;

#define CPI_CSV_DEFAULT_MAX_ROW (1u << 20)   /* 1 MiB */
#define CPI_CSV_DEFAULT_READ (1u << 20)      /* bytes per read() */
#define CPI_CSV_RAW_KEEP (64u << 10)         /* raw bytes kept for a reject */
#define CPI_CSV_MAX_LIMIT ((size_t)1 << 32)  /* largest max_row_bytes / read_bytes accepted */

/* Pass NULL for all defaults; a zero member means its default. */
typedef struct cpi_csv_opts {
    size_t max_row_bytes;  /* row cap, line end excluded; default 1 MiB */
    size_t read_bytes;     /* size of each read; default 1 MiB (tests use 1 to stress refills) */
    const char *name;      /* name used in messages; default: the path, or "<memory>", "<fd N>" */
} cpi_csv_opts;

/*
 * Open and read the header. Errors: CPI_ERR_USAGE (opts over
 * CPI_CSV_MAX_LIMIT), CPI_ERR_IO (missing, unreadable),
 * CPI_ERR_DATA (empty file, bad header: invalid UTF-8, NUL byte, unclosed
 * quote, over the row cap, duplicate names), CPI_ERR_NOMEM. Messages name
 * the file (and line/column where one applies).
 */
cpi_status cpi_csv_open(const char *path, const cpi_csv_opts *opts, cpi_csv **out, cpi_error *err);
cpi_status cpi_csv_open_fd(int fd, const cpi_csv_opts *opts, cpi_csv **out, cpi_error *err);
cpi_status cpi_csv_open_mem(const char *buf, size_t len, const cpi_csv_opts *opts, cpi_csv **out,
                            cpi_error *err);
void cpi_csv_close(cpi_csv *csv);

/* The name used in messages (path unless opts->name was given). */
const char *cpi_csv_name(const cpi_csv *csv);

/* Header: number of columns and each name exactly as in the file (decoded, NUL-terminated). */
size_t cpi_csv_ncols(const cpi_csv *csv);
const char *cpi_csv_header(const cpi_csv *csv, size_t i);  /* NULL if i >= ncols */

/*
 * Index of the first (leftmost) header that matches any of names (a
 * NULL-terminated list of aliases), or -1. Matching ignores ASCII case and
 * spaces/tabs around both the header and the alias.
 */
int cpi_csv_column(const cpi_csv *csv, const char *const names[]);

/*
 * Write the header names as "A, B, C" into buf (always NUL-terminated,
 * truncated with "..." if it does not fit), for "expected X, found ..."
 * messages. Returns buf.
 */
char *cpi_csv_header_list(const cpi_csv *csv, char *buf, size_t size);

typedef struct cpi_csv_row {
    size_t nfields;              /* == cpi_csv_ncols for a good row; 0 for a rejected row */
    const char *const *field;    /* decoded ("" undoubled), NUL-terminated, valid UTF-8 without NUL */
    const size_t *len;           /* byte length of each field */
    uint64_t line;               /* 1-based physical line where the row starts */
    uint64_t end_line;           /* physical line where it ends (> line for quoted line breaks) */
    uint64_t byte_offset;        /* offset of the row's first byte in the file */
    const char *reject_reason;   /* NULL for a good row, else one of the reason words */
    size_t reject_column;        /* 1-based field at fault, 0 if not known: for wrong-column-count the
                                    first missing or first extra field; for a resynced first line the
                                    field whose quote was open at its line end; for row-too-large the
                                    field holding the first byte past the cap */
    const char *raw;             /* the row's bytes as in the file, line end excluded (rejects */
    size_t raw_len;              /*   and good rows alike); for a resynced reject: its first line */
    bool raw_truncated;          /* raw holds only the first CPI_CSV_RAW_KEEP bytes */
} cpi_csv_row;

/*
 * Next data row. CPI_OK: *row is a good row or a rejected one (check
 * reject_reason). CPI_NOT_FOUND: end of file. CPI_ERR_IO: read error
 * (message names the file). CPI_ERR_NOMEM.
 */
cpi_status cpi_csv_next(cpi_csv *csv, cpi_csv_row *row, cpi_error *err);

/* Progress: bytes consumed so far, and the file size (0 if unknown, e.g. a pipe). */
uint64_t cpi_csv_bytes_read(const cpi_csv *csv);
uint64_t cpi_csv_file_size(const cpi_csv *csv);

/* Empty physical lines skipped so far (they hold no data). */
uint64_t cpi_csv_blank_lines(const cpi_csv *csv);

/*
 * Is s[0..n) well-formed UTF-8 (no overlong forms, no surrogates, nothing
 * above U+10FFFF)? NUL bytes count as valid here; the reader checks them
 * separately. Exposed for the adapters and for testing against utf8proc.
 */
bool cpi_csv_utf8_valid(const void *s, size_t n);

#endif
