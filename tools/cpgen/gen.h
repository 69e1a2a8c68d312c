/*
 * gen.h - shared types of cpgen, the synthetic force generator.
 *
 * cpgen first builds a population (people, places, phones, online identities
 * and who poses a risk to whom) in memory, then streams every silo's export
 * row by row straight to buffered files, writing the ground truth beside each
 * row. Only the population is held in memory, so memory does not grow with
 * the number of rows. Everything random comes from one seeded xoshiro256**
 * generator per stage, so output depends on the seed and arguments only.
 *
 * Ownership: gen_ctx owns every array it points to (freed by gen_free).
 * name_fore/name_nick return a pointer into one of eight rotating static
 * buffers (use it before eight more calls); other name helpers return static
 * strings; format helpers write into caller buffers.
 *
 * Determinism caveat: rng_heavy/rng_zipf go through libm pow/exp/log, so the
 * same seed gives the same bytes on the same libm (glibc here); a different
 * libm could round a boundary case differently.
 */
#ifndef CPGEN_GEN_H
#define CPGEN_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/normalise/normalise.h" /* dates: cpi_norm_days_from_ymd, cpi_norm_ymd_from_days */

#define NONE UINT32_MAX

/* ---- random numbers: xoshiro256**, seeded by splitmix64 ---- */
typedef struct rng {
    uint64_t s[4];
} rng;

void rng_seed(rng *r, uint64_t seed, uint64_t stream);
uint64_t rng_next(rng *r);
/* Uniform in [0, n); n > 0. */
uint32_t rng_below(rng *r, uint32_t n);
/* True with probability p. */
bool rng_chance(rng *r, double p);
double rng_unit(rng *r);
/* Heavy-tailed count >= 1 (Pareto-like), capped at cap: most 1-3, a few large. */
uint32_t rng_heavy(rng *r, double alpha, uint32_t cap);
/* Zipf-like index in [0, n): low indices much more likely. */
uint32_t rng_zipf(rng *r, uint32_t n);

/* ---- dates: day numbers as core/normalise's, days since 1970-01-01 (proleptic Gregorian) ---- */
bool day_parse_iso(const char *s, int32_t *out);
/* A random day in [start, end] on which someone born on dob is at least min_age (if possible). */
struct gen_ctx;
int32_t day_at_age(const struct gen_ctx *g, rng *r, int32_t dob, int min_age);
/* Whole years between dob and day. */
int age_at(int32_t dob, int32_t day);

typedef enum date_fmt {
    DF_DMY4,  /* dd/mm/yyyy  (niche, soc) */
    DF_ISO,   /* yyyy-mm-dd  (miraf) */
    DF_MON,   /* d MMM yyyy  (mace) */
    DF_DMY2,  /* d/m/yy      (marac) */
    DF_COMPACT /* yyyymmdd   (polit) */
} date_fmt;

/* Format y/m/d (need not be a valid date: impossible dates for bad rows). */
int date_fmt_ymd(char *buf, size_t cap, date_fmt f, int y, int m, int d);
int date_fmt_day(char *buf, size_t cap, date_fmt f, int32_t day);

/* ---- the population ---- */
typedef enum p_sub {
    PS_CHILD, PS_LAC, PS_PARENT, PS_ADULT, PS_RSO, PS_CSE, PS_OCG, PS_DA, PS_ONLINE, PS__COUNT
} p_sub;

enum p_flag {
    PF_SHPO = 1u << 0, PF_CARE_HOME = 1u << 1, PF_FOSTER = 1u << 2, PF_SIBLING = 1u << 3,
    PF_COMMON = 1u << 4, PF_NICHE = 1u << 5, PF_MISSING = 1u << 6, PF_EXPLOITED = 1u << 7,
    PF_STEP = 1u << 8, PF_CPP = 1u << 9, PF_CSE_FLAG = 1u << 10, PF_DA_HOME = 1u << 11,
    PF_ONLINE_VICTIM = 1u << 12, PF_CAWN = 1u << 13
};

typedef struct person {
    uint8_t sub;      /* p_sub */
    char gender;      /* 'M' / 'F' */
    uint16_t fore;    /* forename index */
    uint16_t fore2;   /* middle name index or UINT16_MAX */
    uint16_t sur;     /* surname index */
    uint16_t alt_sur; /* another surname they are known by (stepfather's) or UINT16_MAX */
    int32_t dob;
    uint32_t home;    /* location index */
    uint32_t household;
    uint32_t twin, namesake; /* person index or NONE */
    uint32_t nom, nom2;      /* Niche nominal numbers, 0 = none */
    uint32_t pnc;            /* 0 = none */
    uint32_t phone;          /* phone index or NONE */
    uint32_t online;         /* first online index or NONE */
    uint8_t nonline;
    uint16_t street;         /* street-name index + 1, 0 = none */
    uint32_t group;          /* OCG group or NONE */
    uint32_t school;         /* location index or NONE */
    uint32_t flags;
    uint16_t episodes;       /* missing episodes */
    uint32_t found[4];       /* found-at locations */
    uint8_t nfound;
    uint8_t found_n[4];
} person;

typedef enum l_type {
    LT_HOME, LT_CARE, LT_FOSTER, LT_SCHOOL, LT_PARK, LT_TAKEAWAY, LT_HOTEL, LT_STATION,
    LT_CUCKOOED, LT_TRAP, LT_SHOP, LT__COUNT
} l_type;

typedef struct location {
    uint8_t type;
    uint8_t la;       /* local authority index */
    uint8_t town;     /* town index within the LA */
    uint8_t flat;     /* 0 = none */
    uint16_t street;  /* street index */
    uint16_t number;  /* 0 = none (premises known by name) */
    uint16_t name;    /* premises name index */
    char pc[9];       /* canonical postcode "NP20 4DW" */
    uint32_t loc, loc2; /* Niche location numbers, 0 = none */
} location;

typedef struct phone {
    char digits[12]; /* national form, "07712345678" */
    uint32_t owner;  /* person index */
} phone;

typedef struct online {
    char value[48];
    uint32_t owner;
    bool email;
} online;

/* poses-risk-to, adult -> child */
typedef enum e_type { ET_CSE, ET_CCE, ET_RSO, ET_ONLINE, ET_DA } e_type;
typedef struct edge {
    uint32_t adult, child;
    uint8_t type;
    bool cawn;
    int32_t cawn_day;
} edge;

typedef struct household {
    uint32_t home;
    uint32_t first;   /* first member (person index) */
    uint8_t n;        /* members, consecutive */
    uint32_t mother, father; /* NONE if absent */
    bool da;          /* father is a domestic-abuse perpetrator */
} household;

typedef struct group {
    uint32_t first;   /* members are people first..first+n-1; first is the line holder */
    uint8_t n;
    uint32_t addr[4]; uint8_t naddr;
    uint32_t lines[3]; uint8_t nlines;
    uint16_t line_name; /* street-name index used as the line's name */
} group;

/* ---- output: one buffered CSV file with truth rows beside it ---- */
typedef struct gen_ctx gen_ctx;

typedef struct gen_file {
    const char *source;  /* "niche" */
    const char *name;    /* "nominals.csv" */
    FILE *fp;
    date_fmt dfmt;
    uint64_t rows, rejects;
    int ncols;
} gen_file;

#define ROW_MAX_FIELDS 96
#define ROW_MAX_SLOTS 32
#define ROW_BUF 8192

/* A row being built: fields in column order, each tagged with its mention slot (0 = a fact). */
typedef struct row {
    gen_file *f;
    char id[40];
    char buf[ROW_BUF];
    size_t len;
    uint16_t fstart[ROW_MAX_FIELDS], flen[ROW_MAX_FIELDS];
    uint8_t fslot[ROW_MAX_FIELDS];
    int nf;
    struct { uint8_t kind; uint32_t id; const char *role; } slot[ROW_MAX_SLOTS + 1];
    int nslots;
    int date_col, req_col;
    int32_t date_y, date_m, date_d; /* record date, for impossible-date rejects */
} row;

enum { K_PERSON = 1, K_LOCATION, K_PHONE, K_ONLINE };

struct gen_ctx {
    /* arguments */
    uint64_t seed;
    uint32_t children;
    int mess;
    uint32_t bad_permille;
    int32_t start, end;
    char start_s[11], end_s[11];
    const char *out;
    bool progress;
    /* population */
    person *p; uint32_t np, cap_p;
    location *l; uint32_t nl, cap_l;
    phone *t; uint32_t nt, cap_t;
    online *o; uint32_t no, cap_o;
    edge *e; uint32_t ne, cap_e;
    household *h; uint32_t nh, cap_h;
    group *g; uint32_t ng, cap_g;
    uint32_t *by_child, *by_child_off; /* CSR of edges by child: indices into e */
    uint32_t *by_adult, *by_adult_off; /* CSR of edges by adult */
    uint32_t *hot; uint32_t nhot;      /* hotspot locations, most used first */
    uint32_t *schools; uint32_t nschools;
    uint64_t *addr_set; uint32_t naddr, cap_addr; /* addresses in use (pop.c add_loc): each is one place */
    uint32_t nominals, nominal_dups, locs, loc_dups;
    /* output */
    FILE *truth;
    gen_file files[16];
    int nfiles;
    rng bad; /* decides which rows are malformed: its own stream so content does not shift */
    uint64_t total_rows, total_records, total_mentions;
};

/* pop.c */
int pop_build(gen_ctx *g);
void gen_free(gen_ctx *g);
/* Niche numbers of a person: pick one (a duplicate is sometimes used). */
uint32_t pop_nominal(gen_ctx *g, rng *r, uint32_t pi);
uint32_t pop_locnum(gen_ctx *g, rng *r, uint32_t li);
/* Edges of a child / adult: sets *n, returns pointer into by_child / by_adult. */
const uint32_t *pop_edges_of_child(const gen_ctx *g, uint32_t child, uint32_t *n);
const uint32_t *pop_edges_of_adult(const gen_ctx *g, uint32_t adult, uint32_t *n);

/* names.c: static tables */
void names_init(void);
const char *name_fore(uint16_t i);
const char *name_sur(uint16_t i);
const char *name_street(uint16_t i);
const char *name_street_alias(uint16_t i); /* street names adults are known by */
uint16_t name_pick_fore(rng *r, char gender);
uint16_t name_pick_sur(rng *r);
uint16_t name_pick_street(rng *r);
uint16_t name_pick_alias(rng *r);
uint16_t name_sur_index(const char *s);
uint16_t name_fore_index(const char *s);
bool name_sur_common(uint16_t i);
/* A nickname / short form of forename i, or NULL if it has none. */
const char *name_nick(rng *r, uint16_t i);
bool name_has_nick(uint16_t i);
uint32_t name_nfore(void);
uint32_t name_nstreet(void);
uint32_t name_nalias(void);

typedef struct la_info {
    const char *name;
    const char *area; /* EAST / WEST */
    const char *towns[8];
    const char *districts[8]; /* postcode district per town */
    const char *dial;          /* landline code */
    uint8_t ntowns;
} la_info;
extern const la_info LAS[5];
const char *place_name(uint8_t type, uint16_t idx, uint8_t la, uint8_t town, char *buf, size_t cap);
uint32_t place_name_count(uint8_t type);

/* mess.c: recording errors, written values of a person / place / phone per silo */
typedef struct written_name {
    char fore[64], sur[96];
} written_name;
void mess_name(gen_ctx *g, rng *r, uint32_t pi, written_name *out);
/* DOB as written in format f: a date, empty, or an approximate age at day `at`. */
void mess_dob(gen_ctx *g, rng *r, uint32_t pi, date_fmt f, int32_t at, char *buf, size_t cap);
void mess_address_line(gen_ctx *g, rng *r, uint32_t li, char *buf, size_t cap, bool with_town);
void mess_address_1(gen_ctx *g, rng *r, uint32_t li, char *buf, size_t cap);
void mess_postcode(gen_ctx *g, rng *r, uint32_t li, char *buf, size_t cap);
void mess_phone(gen_ctx *g, rng *r, uint32_t ti, int canonical_style, char *buf, size_t cap);
void clean_address_1(const gen_ctx *g, uint32_t li, char *buf, size_t cap);
void clean_address_line(const gen_ctx *g, uint32_t li, char *buf, size_t cap);
/* Upper-case an ASCII/UTF-8 string in place (ASCII letters only; Welsh diacritics kept). */
void str_upper(char *s);

/* out.c */
int out_open(gen_ctx *g, gen_file *f, const char *source, const char *name, date_fmt df,
             const char *const *header, int ncols);
int out_close(gen_ctx *g, gen_file *f);
void row_begin(row *w, gen_file *f, const char *id_fmt, ...) __attribute__((format(printf, 3, 4)));
/* Start a mention slot; returns its number (>= 1) for field tagging. */
int row_slot(row *w, int kind, uint32_t true_id, const char *role);
void row_str(row *w, int slot, const char *s);
void row_fmt(row *w, int slot, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The record's required date (also used for impossible-date rejects). */
void row_date(row *w, int32_t day);
/* Mark the field just added as the file's "required field". */
void row_mark_req(row *w);
void row_commit(gen_ctx *g, row *w);
void gen_progress(gen_ctx *g, const char *what);

/* silos */
int silo_niche(gen_ctx *g);
int silo_miraf(gen_ctx *g);
int silo_mace(gen_ctx *g);
int silo_marac(gen_ctx *g);
int silo_polit(gen_ctx *g);
int silo_soc(gen_ctx *g);
int truth_write_entities(gen_ctx *g);

#endif
