/*
 * eval.c - cpi-eval: how well a clustering of mentions into entities (what
 * `cpindex export entities` writes) reproduces cpgen's ground truth.
 *
 *   cpi-eval --truth DIR/truth.csv --entities entities.csv [--json] [--max-list N]
 *
 * Figures (bench/README.md says what each means): pairwise precision, recall
 * and F1 over all mentions, per kind, per pair of silos and for the weak
 * mentions (MARAC household children, MACE adults of concern, POLIT victims,
 * recorded by first name and age or not at all, so the hardest to link);
 * cluster-level exact and pure fractions; and the false merges that put a
 * child together with someone else, listed for a person to read, because
 * those are the errors that put wrong information in front of an officer;
 * and the twin and father/son namesake pairs (truth_entities.csv's twin_of
 * and namesake_of) put in one entity, which the issue says must never happen.
 *
 * Why pairs are never enumerated: with n mentions there are n^2/2 pairs. A
 * pair is "true" when both mentions share a true id, "predicted" when both
 * share an entity id, "correct" when both; so each count is a sum over groups
 * of C(size, 2), where the groups are the true ids, the entity ids, and the
 * (entity, true id) intersections. Two stable counting sorts (by true id,
 * then by entity) make all three groupings contiguous runs in O(n), and each
 * run is tallied from per-kind / per-source / per-role counts inside it.
 *
 * A mention in truth.csv that the export lacks is its own singleton cluster
 * (and reported); a reference in the export that truth.csv lacks is ignored
 * (and reported); a reference exported twice is an error, since it would make
 * the clustering ambiguous.
 *
 * Exit status: 0 done, 2 usage error, 3 unreadable or malformed input.
 */
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ingest/csv.h"
#include "core/array.h"

#define MAX_SOURCES 64    /* silos seen in truth.csv: seven built in, a few mapped ones */
#define KINDS 4
#define ROLES 4           /* [0] any weak role, then the three below */
#define REFS_PER_TRUE 10  /* references shown per true entity in a listed false merge */
#define TRUES_PER_MERGE 20

static const char *const kind_names[KINDS] = {"person", "location", "phone", "online"};
/* The weak mentions: (source, role). Index = ROLES slot. */
/* The pairs the issue says must stay apart: truth_entities.csv's twin_of and namesake_of columns. */
#define HARD 2
static const char *const hard_name[HARD] = {"twins", "father_son_namesakes"};
static const char *const hard_text[HARD] = {"twin pairs", "father/son namesake pairs"};

static const char *const weak_source[ROLES] = {NULL, "marac", "mace", "polit"};
static const char *const weak_role[ROLES] = {NULL, "household-child", "adult-of-concern", "victim"};

static const char usage[] =
    "usage: cpi-eval --truth DIR/truth.csv --entities entities.csv [--json] [--max-list N]\n"
    "\n"
    "Compare a clustering (CSV reference,entity_id, from `cpindex export entities`) with cpgen's\n"
    "truth (DIR/truth.csv and DIR/truth_entities.csv). Prints pairwise precision, recall and F1\n"
    "overall, per kind, per pair of silos and for weak mentions; cluster-level exact and pure\n"
    "fractions; and the false merges that involve a child (at most N, default 20).\n"
    "  --json        one JSON object with the same figures\n"
    "Exit status: 0 done, 2 usage error, 3 unreadable or malformed input.\n";

/* ---------- errors ---------- */

/* A tool, not the library: report on stderr and exit with the documented status. */
static void die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
static void die(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("cpi-eval: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(code);
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        die(3, "out of memory (%zu bytes)", n);
    return q;
}

/* ---------- string interning: references, true ids, entity ids ---------- */

/*
 * Keys are compared by a 96-bit fingerprint (two independent 64-bit hashes,
 * 32 bits of the second kept), never by their bytes. Why: with 10M mentions
 * every probe misses the caches, and comparing the strings on a hit cost a
 * second miss per lookup into a 250 MB string buffer; the chance that two of
 * 20M distinct keys share 96 bits is about 3e-15. The strings are still kept,
 * in index order, only to print them.
 *
 * Why batches: the CPU cannot overlap the misses of one lookup per CSV row
 * (a row's parsing fills the out-of-order window), so st_get_batch hashes a
 * batch of keys and prefetches their slots before probing any of them. The
 * probe itself is the plain serial one, so a key that appears twice in a
 * batch is still added once.
 */
typedef struct slot {
    uint64_t h;
    uint32_t h2;
    uint32_t idx1; /* index + 1; 0 = empty */
} slot;

typedef struct strtab {
    char *buf; /* the strings, NUL-terminated, in index order */
    size_t len, cap;
    size_t *off; /* off[i]: where string i * OFF_STEP starts (sparse: see st_str) */
    uint32_t n, ncap;
    slot *slot;
    uint32_t mask;
} strtab;

#define NONE UINT32_MAX
#define BATCH 32
#define KEY_MAX 128 /* longest reference / id accepted: a reference is at most CPI_REF_MAX bytes */

typedef struct key {
    const char *s;
    uint32_t n;
    uint64_t h;
    uint32_t h2;
} key;

static uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

/* Two 64-bit hashes with different constants, 8 bytes a step, each finished with MurmurHash3's finaliser. */
static void hash_key(key *k)
{
    const char *s = k->s;
    size_t n = k->n;
    uint64_t a = 0x9e3779b97f4a7c15ull ^ n, b = 0x2545f4914f6cdd1dull + n;
    for (; n >= 8; s += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        a = (a ^ w) * 0xbf58476d1ce4e5b9ull;
        a ^= a >> 31;
        b = (b + w) * 0x94d049bb133111ebull;
        b ^= b >> 29;
    }
    uint64_t w = 0;
    for (size_t i = 0; i < n; i++)
        w |= (uint64_t)(unsigned char)s[i] << (8 * i);
    k->h = mix64((a ^ w) * 0x94d049bb133111ebull);
    k->h2 = (uint32_t)(mix64((b + w) * 0xbf58476d1ce4e5b9ull) >> 32);
}

/*
 * String i. Only every OFF_STEP-th string's offset is kept (a full index cost
 * 80 MB at 10M references, and strings are looked up by index only to print
 * a few hundred of them); the rest are found by walking from that one.
 */
#define OFF_STEP 16
static const char *st_str(const strtab *t, uint32_t i)
{
    const char *e = t->buf + t->off[i / OFF_STEP];
    for (uint32_t k = 0; k < i % OFF_STEP; k++)
        e += strlen(e) + 1;
    return e;
}

/* Grow when more than 7/10 of the slots are used: probes stay within a cache line or two. */
static bool st_full(uint64_t n, uint64_t nslots) { return n * 10 > nslots * 7; }

/*
 * Big arrays (tables, strings, per-mention columns) get mappings of their own
 * with transparent huge pages. Measured on the shared VMs we run on: a 4 KiB
 * page fault costs about 15 us and a TLB miss a nested page walk, and 10M
 * mentions touch about 1 GB, so 4 KiB pages alone cost seconds. Memory comes
 * zeroed; the mapping's size sits in a header in front of the block.
 */
#define BIG_HEAD 64

static void *big_realloc(void *p, size_t n)
{
    size_t want = (n + BIG_HEAD + 4095) & ~(size_t)4095;
    char *base;
    if (!p) {
        base = mmap(NULL, want, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    } else {
        base = (char *)p - BIG_HEAD;
        size_t have;
        memcpy(&have, base, sizeof have);
        if (want <= have)
            return p;
        base = mremap(base, have, want, MREMAP_MAYMOVE);
    }
    if (base == MAP_FAILED)
        die(3, "out of memory (%zu bytes)", n);
    if (want >= (2u << 20))
        (void)madvise(base, want, MADV_HUGEPAGE);
    memcpy(base, &want, sizeof want);
    return base + BIG_HEAD;
}

static void big_free(void *p)
{
    if (p) {
        char *base = (char *)p - BIG_HEAD;
        size_t have;
        memcpy(&have, base, sizeof have);
        munmap(base, have);
    }
}

/* A table of nslots (a power of two) slots, refilled from the old slots (no string is read). */
static void st_resize(strtab *t, uint32_t nslots)
{
    slot *ns = big_realloc(NULL, (size_t)nslots * sizeof *ns);
    for (uint64_t i = 0; t->mask && i <= t->mask; i++)
        if (t->slot[i].idx1) {
            uint32_t j = (uint32_t)t->slot[i].h & (nslots - 1);
            while (ns[j].idx1)
                j = (j + 1) & (nslots - 1);
            ns[j] = t->slot[i];
        }
    big_free(t->slot);
    t->slot = ns;
    t->mask = nslots - 1;
}

/* Make room for about n entries without growing. */
static void st_reserve(strtab *t, uint64_t n)
{
    uint64_t want = 1024;
    while (st_full(n, want) && want < (1ull << 31))
        want *= 2;
    if (want > (uint64_t)t->mask + 1)
        st_resize(t, (uint32_t)want);
}

/* Index of k (hashed), adding it if add is set; NONE if absent and not added. */
static uint32_t st_get(strtab *t, const key *k, int add)
{
    for (uint32_t j = (uint32_t)k->h & t->mask;; j = (j + 1) & t->mask) {
        slot *sl = &t->slot[j];
        if (sl->idx1 && sl->h == k->h && sl->h2 == k->h2)
            return sl->idx1 - 1;
        if (sl->idx1)
            continue;
        if (!add)
            return NONE;
        if (t->n == NONE - 1)
            die(3, "more than %u distinct values", NONE - 1);
        if (t->len + k->n + 1 > t->cap) {
            t->cap = (t->len + k->n + 1) * 2;
            t->buf = big_realloc(t->buf, t->cap);
        }
        if (t->n / OFF_STEP == t->ncap) {
            t->ncap = t->ncap ? t->ncap * 2 : 1024;
            t->off = big_realloc(t->off, t->ncap * sizeof *t->off);
        }
        uint32_t idx = t->n++;
        if (idx % OFF_STEP == 0)
            t->off[idx / OFF_STEP] = t->len;
        memcpy(t->buf + t->len, k->s, k->n);
        t->buf[t->len + k->n] = '\0';
        t->len += k->n + 1;
        *sl = (slot){k->h, k->h2, idx + 1};
        if (st_full(t->n, (uint64_t)t->mask + 1))
            st_resize(t, (t->mask + 1) * 2);
        return idx;
    }
}

/* out[i] = st_get(t, &k[i], add) for a batch, with the batch's cache misses overlapped. */
static void st_get_batch(strtab *t, key *k, size_t m, int add, uint32_t *out)
{
    if (!t->mask)
        st_resize(t, 1024);
    for (size_t i = 0; i < m; i++) {
        hash_key(&k[i]);
        __builtin_prefetch(&t->slot[(uint32_t)k[i].h & t->mask]);
    }
    for (size_t i = 0; i < m; i++)
        out[i] = st_get(t, &k[i], add);
}

static void st_free(strtab *t)
{
    big_free(t->buf);
    big_free(t->off);
    big_free(t->slot);
}

/* ---------- the data ---------- */

typedef struct eval {
    const char *truth_path, *entities_path;
    bool no_entity_table; /* no truth_entities.csv beside the truth (a public benchmark's) */
    strtab refs;   /* mention index = reference index */
    strtab trues;  /* true ids */
    strtab ents;   /* entity ids as exported */
    /* per mention */
    uint32_t *truth, *ent;
    uint8_t *kind, *src, *role; /* role: 0, or the weak ROLES slot */
    size_t ncap;
    /* per true id */
    uint8_t *tkind, *tchild;
    uint16_t *tsub; /* index into subtypes, 0 = not in truth_entities.csv */
    uint32_t *tpartner[HARD]; /* the twin / father-son namesake of each true id, or NONE */
    /* small tables */
    char sources[MAX_SOURCES][16];
    unsigned nsources;
    char subtypes[64][32];
    unsigned nsubtypes;
    /* counts */
    uint64_t rejects, export_rows, unknown, missing;
    uint32_t nents_total; /* exported entities + one singleton per missing mention */
} eval;

static int kind_parse(const char *s)
{
    for (int k = 0; k < KINDS; k++)
        if (strcmp(s, kind_names[k]) == 0)
            return k;
    return -1;
}

static unsigned source_index(eval *e, const char *ref, const char *file, uint64_t line)
{
    const char *colon = strchr(ref, ':');
    size_t n = colon ? (size_t)(colon - ref) : 0;
    if (!n || n >= sizeof e->sources[0])
        die(3, "%s: line %llu: reference '%.80s' has no SOURCE: prefix", file, (unsigned long long)line, ref);
    for (unsigned i = 0; i < e->nsources; i++)
        if (strncmp(e->sources[i], ref, n) == 0 && e->sources[i][n] == '\0')
            return i;
    if (e->nsources == MAX_SOURCES)
        die(3, "%s: line %llu: more than %d sources", file, (unsigned long long)line, MAX_SOURCES);
    memcpy(e->sources[e->nsources], ref, n);
    e->sources[e->nsources][n] = '\0';
    return e->nsources++;
}

static cpi_csv *open_csv(const char *path, const char *const *want, int *col, int ncols)
{
    cpi_csv *csv = NULL;
    cpi_error err = {0};
    if (cpi_csv_open(path, NULL, &csv, &err) != CPI_OK)
        die(3, "%s", err.msg);
    for (int i = 0; i < ncols; i++) {
        const char *names[2] = {want[i], NULL};
        col[i] = cpi_csv_column(csv, names);
        if (col[i] < 0) {
            char found[512];
            die(3, "%s: no '%s' column (found: %s)", path, want[i], cpi_csv_header_list(csv, found, sizeof found));
        }
    }
    return csv;
}

/* Next good row, or 0 at end of file; a malformed row is an error (truth files are machine-written). */
static int next_row(cpi_csv *csv, cpi_csv_row *row)
{
    cpi_error err = {0};
    cpi_status s = cpi_csv_next(csv, row, &err);
    if (s == CPI_NOT_FOUND)
        return 0;
    if (s != CPI_OK)
        die(3, "%s", err.msg);
    if (row->reject_reason)
        die(3, "%s: line %llu: malformed row (%s)", cpi_csv_name(csv), (unsigned long long)row->line,
            row->reject_reason);
    return 1;
}

/*
 * Rows are read into batches of BATCH (the csv reader's row is gone at the
 * next call, so the few fields wanted are copied) and looked up a batch at a
 * time (st_get_batch). Fields are short identifiers; a longer one means the
 * wrong file was given.
 */
typedef struct batch {
    size_t m;
    uint64_t line[BATCH];
    char f[BATCH][4][KEY_MAX];
    uint32_t len[BATCH][4];
} batch;

static void batch_add(batch *b, const cpi_csv_row *row, const int *col, const char *const *names, int ncol,
                      const char *path)
{
    for (int c = 0; c < ncol; c++) {
        size_t n = row->len[col[c]];
        if (n >= KEY_MAX)
            die(3, "%s: line %llu: %s longer than %d bytes", path, (unsigned long long)row->line, names[c],
                KEY_MAX - 1);
        memcpy(b->f[b->m][c], row->field[col[c]], n + 1);
        b->len[b->m][c] = (uint32_t)n;
    }
    b->line[b->m++] = row->line;
}

static void batch_keys(const batch *b, int c, key *k)
{
    for (size_t j = 0; j < b->m; j++)
        k[j] = (key){b->f[j][c], b->len[j][c], 0, 0};
}

static void grow_mentions(eval *e, size_t need)
{
    if (need <= e->ncap)
        return;
    while (e->ncap < need)
        e->ncap = e->ncap ? e->ncap * 2 : 4096;
    e->truth = big_realloc(e->truth, e->ncap * sizeof *e->truth);
    e->ent = big_realloc(e->ent, e->ncap * sizeof *e->ent);
    e->kind = big_realloc(e->kind, e->ncap);
    e->src = big_realloc(e->src, e->ncap);
    e->role = big_realloc(e->role, e->ncap);
}

/* truth.csv columns: 0 reference, 1 kind, 2 true_id, 3 role. */
static void truth_batch(eval *e, batch *b, uint32_t *tcap)
{
    key k[BATCH];
    uint32_t ri[BATCH], ti[BATCH];
    uint32_t next = e->refs.n, tbefore = e->trues.n;
    if (!b->m)
        return;
    batch_keys(b, 0, k);
    st_get_batch(&e->refs, k, b->m, 1, ri);
    batch_keys(b, 2, k);
    st_get_batch(&e->trues, k, b->m, 1, ti);
    grow_mentions(e, e->refs.n);
    if (e->trues.n > *tcap) {
        while (*tcap < e->trues.n)
            *tcap = *tcap ? *tcap * 2 : 4096;
        e->tkind = big_realloc(e->tkind, *tcap);
    }
    memset(e->tkind + tbefore, 0xff, e->trues.n - tbefore); /* kind not yet known */
    for (size_t j = 0; j < b->m; j++) {
        const char *ref = b->f[j][0], *kind = b->f[j][1], *role = b->f[j][3];
        /* new references are numbered in row order, so anything else is a repeat */
        if (ri[j] != next++)
            die(3, "%s: line %llu: reference '%s' listed twice", e->truth_path, (unsigned long long)b->line[j], ref);
        int kd = kind_parse(kind);
        if (kd < 0)
            die(3, "%s: line %llu: unknown kind '%.40s'", e->truth_path, (unsigned long long)b->line[j], kind);
        uint32_t t = ti[j], i = ri[j];
        if (e->tkind[t] == 0xff)
            e->tkind[t] = (uint8_t)kd;
        else if (e->tkind[t] != kd)
            die(3, "%s: line %llu: true id %s is a %s here but a %s before", e->truth_path,
                (unsigned long long)b->line[j], b->f[j][2], kind, kind_names[e->tkind[t]]);
        unsigned src = source_index(e, ref, e->truth_path, b->line[j]);
        e->truth[i] = t;
        e->ent[i] = NONE;
        e->kind[i] = (uint8_t)kd;
        e->src[i] = (uint8_t)src;
        e->role[i] = 0;
        for (int r = 1; r < ROLES; r++)
            if (strcmp(role, weak_role[r]) == 0 && strcmp(e->sources[src], weak_source[r]) == 0)
                e->role[i] = (uint8_t)r;
    }
    b->m = 0;
}

static void read_truth(eval *e)
{
    static const char *const want[] = {"reference", "kind", "true_id", "role"};
    int col[4];
    cpi_csv *csv = open_csv(e->truth_path, want, col, 4);
    /* about 42 bytes a row (cpgen writes 40-48): size the reference table once rather than grow it through 10M rows */
    st_reserve(&e->refs, cpi_csv_file_size(csv) / 42);
    batch *b = calloc(1, sizeof *b);
    if (!b)
        die(3, "out of memory");
    cpi_csv_row row;
    uint32_t tcap = 0;
    while (next_row(csv, &row)) {
        if (strcmp(row.field[col[1]], "reject") == 0) {
            e->rejects++;
            continue;
        }
        if (!row.len[col[0]] || !row.len[col[2]])
            die(3, "%s: line %llu: empty reference or true_id", e->truth_path, (unsigned long long)row.line);
        batch_add(b, &row, col, want, 4, e->truth_path);
        if (b->m == BATCH)
            truth_batch(e, b, &tcap);
    }
    truth_batch(e, b, &tcap);
    free(b);
    cpi_csv_close(csv);
    if (e->refs.n == 0)
        die(3, "%s: no mentions (only a header, or only reject rows)", e->truth_path);
}

/* truth_entities.csv columns: 0 true_id, 1 subtype, 2 twin_of, 3 namesake_of. */
static void truth_entities_batch(eval *e, batch *b, const char *path)
{
    key k[BATCH];
    uint32_t ti[BATCH], partner[HARD][BATCH];
    batch_keys(b, 0, k);
    st_get_batch(&e->trues, k, b->m, 0, ti);
    for (int h = 0; h < HARD; h++) { /* a partner no good row mentions is NONE, as is an empty field */
        batch_keys(b, 2 + h, k);
        st_get_batch(&e->trues, k, b->m, 0, partner[h]);
    }
    for (size_t j = 0; j < b->m; j++) {
        uint32_t t = ti[j];
        if (t == NONE)
            continue; /* an entity no good row mentions */
        const char *sub = b->f[j][1];
        unsigned si = 0;
        while (si < e->nsubtypes && strcmp(e->subtypes[si], sub) != 0)
            si++;
        if (si == e->nsubtypes) {
            if (e->nsubtypes == 64 || strlen(sub) >= sizeof e->subtypes[0])
                die(3, "%s: line %llu: too many or too long subtypes", path, (unsigned long long)b->line[j]);
            strcpy(e->subtypes[e->nsubtypes++], sub);
        }
        e->tsub[t] = (uint16_t)si;
        for (int h = 0; h < HARD; h++)
            e->tpartner[h][t] = b->len[j][2 + h] ? partner[h][j] : NONE;
        e->tchild[t] = strcmp(sub, "child") == 0 || strcmp(sub, "looked-after-child") == 0;
    }
    b->m = 0;
}

/* truth_entities.csv beside truth.csv: which true ids are children, and every id's subtype for listings. */
static void read_truth_entities(eval *e)
{
    const char *slash = strrchr(e->truth_path, '/');
    size_t dlen = slash ? (size_t)(slash - e->truth_path) + 1 : 0;
    char *path = xrealloc(NULL, dlen + sizeof "truth_entities.csv");
    memcpy(path, e->truth_path, dlen);
    memcpy(path + dlen, "truth_entities.csv", sizeof "truth_entities.csv");
    static const char *const want[] = {"true_id", "subtype", "twin_of", "namesake_of"};
    int col[4];
    e->tchild = big_realloc(NULL, e->trues.n);
    e->tsub = big_realloc(NULL, (size_t)e->trues.n * sizeof *e->tsub);
    for (int h = 0; h < HARD; h++) {
        e->tpartner[h] = big_realloc(NULL, (size_t)e->trues.n * sizeof *e->tpartner[h]);
        memset(e->tpartner[h], 0xff, (size_t)e->trues.n * sizeof *e->tpartner[h]); /* NONE */
    }
    batch *b = calloc(1, sizeof *b);
    if (!e->tchild || !e->tsub || !b)
        die(3, "out of memory");
    e->nsubtypes = 1;
    strcpy(e->subtypes[0], "?");
    /* A public benchmark's truth has no entity table: no children, subtypes or hard pairs. */
    if (access(path, F_OK) != 0 && errno == ENOENT) {
        e->no_entity_table = true;
        memset(e->tchild, 0, e->trues.n);
        memset(e->tsub, 0, (size_t)e->trues.n * sizeof *e->tsub);
        free(b);
        free(path);
        return;
    }
    cpi_csv *csv = open_csv(path, want, col, 4);
    cpi_csv_row row;
    while (next_row(csv, &row)) {
        batch_add(b, &row, col, want, 4, path);
        if (b->m == BATCH)
            truth_entities_batch(e, b, path);
    }
    truth_entities_batch(e, b, path);
    free(b);
    cpi_csv_close(csv);
    free(path);
}

/* entities.csv columns: 0 reference, 1 entity_id. */
static void entities_batch(eval *e, batch *b, uint32_t max_list, json_t *unknown_refs)
{
    key k[BATCH];
    uint32_t ri[BATCH], ei[BATCH];
    size_t found[BATCH], nf = 0;
    batch_keys(b, 0, k);
    st_get_batch(&e->refs, k, b->m, 0, ri);
    for (size_t j = 0; j < b->m; j++) {
        if (ri[j] == NONE) {
            if (e->unknown++ < max_list)
                json_array_append_new(unknown_refs, json_string(b->f[j][0]));
            continue;
        }
        __builtin_prefetch(&e->ent[ri[j]]);
        k[nf] = (key){b->f[j][1], b->len[j][1], 0, 0};
        found[nf++] = j;
    }
    /* only entities with a known mention are interned, so every cluster counted has a member */
    st_get_batch(&e->ents, k, nf, 1, ei);
    for (size_t f = 0; f < nf; f++) {
        size_t j = found[f];
        if (e->ent[ri[j]] != NONE)
            die(3, "%s: line %llu: reference '%s' exported twice", e->entities_path, (unsigned long long)b->line[j],
                b->f[j][0]);
        e->ent[ri[j]] = ei[f];
    }
    b->m = 0;
}

static void read_entities(eval *e, uint32_t max_list, json_t *unknown_refs)
{
    static const char *const want[] = {"reference", "entity_id"};
    int col[2];
    cpi_csv *csv = open_csv(e->entities_path, want, col, 2);
    st_reserve(&e->ents, e->trues.n); /* a good clustering has about as many entities as the truth */
    batch *b = calloc(1, sizeof *b);
    if (!b)
        die(3, "out of memory");
    cpi_csv_row row;
    while (next_row(csv, &row)) {
        e->export_rows++;
        if (!row.len[col[0]] || !row.len[col[1]])
            die(3, "%s: line %llu: empty reference or entity_id", e->entities_path, (unsigned long long)row.line);
        batch_add(b, &row, col, want, 2, e->entities_path);
        if (b->m == BATCH)
            entities_batch(e, b, max_list, unknown_refs);
    }
    entities_batch(e, b, max_list, unknown_refs);
    free(b);
    cpi_csv_close(csv);
}

/* Each mention the export lacks becomes a cluster of its own. */
static void add_singletons(eval *e, uint32_t max_list, json_t *missing_refs)
{
    uint32_t next = e->ents.n;
    for (uint32_t i = 0; i < e->refs.n; i++)
        if (e->ent[i] == NONE) {
            if (e->missing++ < max_list)
                json_array_append_new(missing_refs, json_string(st_str(&e->refs, i)));
            e->ent[i] = next++;
        }
    e->nents_total = next;
}

/*
 * Stable counting sort of order[0..n) (identity if NULL) by key[]; sizes[k]
 * gets the number of mentions with key k. O(n + nkeys).
 */
static uint32_t *group_by(const uint32_t *order, uint32_t n, const uint32_t *key, uint32_t nkeys, uint32_t *sizes)
{
    uint32_t *pos = big_realloc(NULL, ((size_t)nkeys + 1) * sizeof *pos);
    uint32_t *out = big_realloc(NULL, (size_t)n * sizeof *out);
    for (uint32_t i = 0; i < n; i++)
        pos[key[i] + 1]++;
    for (uint32_t k = 0; k < nkeys; k++) {
        sizes[k] = pos[k + 1];
        pos[k + 1] += pos[k];
    }
    for (uint32_t j = 0; j < n; j++) {
        uint32_t i = order ? order[j] : j;
        out[pos[key[i]]++] = i;
    }
    big_free(pos);
    return out;
}

/* ---------- pair tallies ---------- */

typedef struct tally {
    uint64_t all, kind[KINDS], role[ROLES];
    uint64_t silo[MAX_SOURCES][MAX_SOURCES]; /* [a][b], a <= b */
} tally;

static uint64_t c2(uint64_t n) { return n * (n - 1) / 2; }

/* Add the pairs inside one group: every pair of its mentions shares the group's key. */
static void tally_group(tally *t, const eval *e, const uint32_t *g, uint32_t n)
{
    if (n < 2)
        return;
    uint64_t ck[KINDS] = {0}, cr[ROLES] = {0}, cs[MAX_SOURCES];
    uint64_t present = 0;
    for (uint32_t j = 0; j < n; j++) {
        uint32_t i = g[j];
        ck[e->kind[i]]++;
        if (e->role[i]) {
            cr[0]++;
            cr[e->role[i]]++;
        }
        uint64_t bit = 1ull << e->src[i];
        if (!(present & bit)) {
            present |= bit;
            cs[e->src[i]] = 0;
        }
        cs[e->src[i]]++;
    }
    t->all += c2(n);
    for (int k = 0; k < KINDS; k++)
        t->kind[k] += c2(ck[k]);
    /* pairs with at least one weak mention = all pairs - pairs with none */
    for (int r = 0; r < ROLES; r++)
        t->role[r] += c2(n) - c2(n - cr[r]);
    for (uint64_t pa = present; pa; pa &= pa - 1) {
        unsigned a = (unsigned)__builtin_ctzll(pa);
        t->silo[a][a] += c2(cs[a]);
        for (uint64_t pb = pa & (pa - 1); pb; pb &= pb - 1) {
            unsigned b = (unsigned)__builtin_ctzll(pb);
            t->silo[a][b] += cs[a] * cs[b];
        }
    }
}

/* ---------- clusters and false merges ---------- */

typedef struct merge {
    uint32_t start, len; /* the entity's run in the (entity, true id) order */
    uint32_t entity;
    uint64_t child_pairs; /* wrong pairs with a child in them */
} merge;

typedef struct results {
    tally truth, pred, correct;
    uint64_t true_entities[KINDS], exact[KINDS];
    uint64_t clusters[KINDS], pure[KINDS];
    merge *merges;
    size_t nmerges, merges_cap;
    uint64_t child_merge_pairs;
    /* twins and father/son namesakes: pairs with both mentioned, pairs put in one entity */
    uint64_t hard_pairs[HARD], hard_merged[HARD];
    uint32_t *stamp; /* per true id: 1 + the entity run last seen holding it */
    json_t *hard_listed[HARD];
    uint32_t max_list;
} results;

/* Twin and namesake pairs, each counted once (also when truth_entities.csv lists only one side). */
static void count_hard_pairs(const eval *e, results *r)
{
    for (int h = 0; h < HARD; h++)
        for (uint32_t t = 0; t < e->trues.n; t++) {
            uint32_t p = e->tpartner[h][t];
            if (p != NONE && p != t && (t < p || e->tpartner[h][p] != t))
                r->hard_pairs[h]++;
        }
}

static json_t *hard_json(const eval *e, uint32_t entity, uint32_t t, uint32_t p)
{
    json_t *o = json_object();
    json_object_set_new(o, "entity_id", json_string(st_str(&e->ents, entity)));
    json_object_set_new(o, "true_ids", json_pack("[ss]", st_str(&e->trues, t), st_str(&e->trues, p)));
    return o;
}

/* The twin and namesake pairs inside one entity's run, whose distinct true ids start at each run boundary. */
static void hard_in_entity(const eval *e, const uint32_t *ord, uint32_t s, uint32_t len, results *r)
{
    uint32_t ent = e->ent[ord[s]];
    for (uint32_t a = s; a < s + len; a++)
        r->stamp[e->truth[ord[a]]] = ent + 1;
    for (uint32_t a = s; a < s + len; a++) {
        uint32_t t = e->truth[ord[a]];
        if (a > s && e->truth[ord[a - 1]] == t)
            continue;
        for (int h = 0; h < HARD; h++) {
            uint32_t p = e->tpartner[h][t];
            if (p == NONE || p == t || r->stamp[p] != ent + 1 || !(t < p || e->tpartner[h][p] != t))
                continue;
            r->hard_merged[h]++;
            if (json_array_size(r->hard_listed[h]) < r->max_list)
                json_array_append_new(r->hard_listed[h], hard_json(e, ent, t, p));
        }
    }
}

/*
 * Walk the mentions grouped by entity and, inside each entity, by true id:
 * predicted pairs per entity run, correct pairs per (entity, true id) run,
 * exact / pure clusters, and false merges that involve a child.
 */
static void walk_entities(const eval *e, const uint32_t *ord, const uint32_t *tsize, const uint32_t *esize,
                          results *r)
{
    uint32_t n = e->refs.n;
    for (uint32_t s = 0; s < n;) {
        uint32_t ent = e->ent[ord[s]];
        uint32_t len = esize[ent];
        tally_group(&r->pred, e, ord + s, len);
        r->clusters[e->kind[ord[s]]]++;
        uint32_t distinct = 0;
        uint64_t same_true = 0, same_true_nonchild = 0, nonchild = 0;
        bool child = false;
        for (uint32_t a = s; a < s + len;) {
            uint32_t t = e->truth[ord[a]], b = a;
            while (b < s + len && e->truth[ord[b]] == t)
                b++;
            tally_group(&r->correct, e, ord + a, b - a);
            if (b - a == len && len == tsize[t])
                r->exact[e->tkind[t]]++;
            distinct++;
            same_true += c2(b - a);
            if (e->tchild[t]) {
                child = true;
            } else {
                nonchild += b - a;
                same_true_nonchild += c2(b - a);
            }
            a = b;
        }
        if (distinct > 1)
            hard_in_entity(e, ord, s, len, r);
        if (distinct == 1)
            r->pure[e->kind[ord[s]]]++;
        else if (child) {
            uint64_t wrong = c2(len) - same_true, wrong_nonchild = c2(nonchild) - same_true_nonchild;
            if (CPI_GROW(r->merges, r->merges_cap, (size_t)r->nmerges + 1, 64))
                die(3, "out of memory");
            r->merges[r->nmerges++] = (merge){s, len, ent, wrong - wrong_nonchild};
            r->child_merge_pairs += wrong - wrong_nonchild;
        }
        s += len;
    }
}

static const eval *sort_ctx;
static int merge_cmp(const void *pa, const void *pb)
{
    const merge *a = pa, *b = pb;
    if (a->child_pairs != b->child_pairs)
        return a->child_pairs > b->child_pairs ? -1 : 1;
    if (a->len != b->len)
        return a->len > b->len ? -1 : 1;
    return strcmp(st_str(&sort_ctx->ents, a->entity), st_str(&sort_ctx->ents, b->entity));
}

/* ---------- output ---------- */

typedef struct prf {
    uint64_t t, p, c;
} prf;

static json_t *ratio_json(uint64_t num, uint64_t den) { return den ? json_real((double)num / (double)den) : json_null(); }

static json_t *prf_json(prf x)
{
    json_t *o = json_object();
    json_object_set_new(o, "true_pairs", json_integer((json_int_t)x.t));
    json_object_set_new(o, "predicted_pairs", json_integer((json_int_t)x.p));
    json_object_set_new(o, "correct_pairs", json_integer((json_int_t)x.c));
    json_object_set_new(o, "precision", ratio_json(x.c, x.p));
    json_object_set_new(o, "recall", ratio_json(x.c, x.t));
    /* F1 = 2PR/(P+R) = 2c/(p+t) */
    json_object_set_new(o, "f1", x.p && x.t ? json_real(2.0 * (double)x.c / (double)(x.p + x.t)) : json_null());
    return o;
}

static void pct(char *buf, size_t n, uint64_t num, uint64_t den)
{
    if (den)
        snprintf(buf, n, "%.4f", (double)num / (double)den);
    else
        snprintf(buf, n, "-");
}

static void prf_line(const char *label, prf x)
{
    char p[16], r[16], f[16];
    pct(p, sizeof p, x.c, x.p);
    pct(r, sizeof r, x.c, x.t);
    pct(f, sizeof f, 2 * x.c, x.p && x.t ? x.p + x.t : 0);
    printf("  %-28s %14llu %14llu %14llu  %9s %9s %9s\n", label, (unsigned long long)x.t, (unsigned long long)x.p,
           (unsigned long long)x.c, p, r, f);
}


/* One true entity inside a listed false merge: its mentions are ord[a..b). */
static json_t *member_json(const eval *e, const uint32_t *ord, uint32_t a, uint32_t b)
{
    uint32_t t = e->truth[ord[a]];
    json_t *refs = json_array();
    for (uint32_t j = a; j < b && j - a < REFS_PER_TRUE; j++)
        json_array_append_new(refs, json_string(st_str(&e->refs, ord[j])));
    json_t *o = json_object();
    json_object_set_new(o, "true_id", json_string(st_str(&e->trues, t)));
    json_object_set_new(o, "subtype", json_string(e->subtypes[e->tsub[t]]));
    json_object_set_new(o, "child", json_boolean(e->tchild[t]));
    json_object_set_new(o, "mentions", json_integer(b - a));
    json_object_set_new(o, "references", refs);
    return o;
}

/*
 * One listed false merge: each true entity in it with its subtype and (some
 * of) its references, children first so a big merge still shows them.
 */
static json_t *merge_json(const eval *e, const uint32_t *ord, const merge *m)
{
    json_t *trues = json_array();
    uint32_t ntrue = 0, end = m->start + m->len;
    for (int want_child = 1; want_child >= 0; want_child--) {
        for (uint32_t a = m->start, b; a < end; a = b) {
            uint32_t t = e->truth[ord[a]];
            for (b = a; b < end && e->truth[ord[b]] == t;)
                b++;
            if (e->tchild[t] != want_child)
                continue;
            if (ntrue++ < TRUES_PER_MERGE)
                json_array_append_new(trues, member_json(e, ord, a, b));
        }
    }
    json_t *o = json_object();
    bool exported = m->entity < e->ents.n;
    json_object_set_new(o, "entity_id", exported ? json_string(st_str(&e->ents, m->entity)) : json_null());
    json_object_set_new(o, "mentions", json_integer(m->len));
    json_object_set_new(o, "true_entities", json_integer(ntrue));
    json_object_set_new(o, "wrong_pairs_with_child", json_integer((json_int_t)m->child_pairs));
    json_object_set_new(o, "members", trues);
    return o;
}

static prf prf_of(uint64_t t, uint64_t p, uint64_t c) { return (prf){t, p, c}; }

static json_t *cluster_json(uint64_t num, uint64_t den, const char *num_name, const char *den_name)
{
    json_t *o = json_object();
    json_object_set_new(o, den_name, json_integer((json_int_t)den));
    json_object_set_new(o, num_name, json_integer((json_int_t)num));
    json_object_set_new(o, "fraction", ratio_json(num, den));
    return o;
}

static uint64_t sum4(const uint64_t *v) { return v[0] + v[1] + v[2] + v[3]; }

/* Every figure, once; the text report prints from the same numbers. */
static json_t *report_json(const eval *e, const results *r, json_t *missing, json_t *unknown, json_t *merges)
{
    json_t *pw = json_object();
    json_object_set_new(pw, "all", prf_json(prf_of(r->truth.all, r->pred.all, r->correct.all)));
    for (int k = 0; k < KINDS; k++)
        json_object_set_new(pw, kind_names[k], prf_json(prf_of(r->truth.kind[k], r->pred.kind[k], r->correct.kind[k])));
    json_t *weak = prf_json(prf_of(r->truth.role[0], r->pred.role[0], r->correct.role[0]));
    json_t *by_role = json_object();
    for (int k = 1; k < ROLES; k++) {
        char name[64];
        snprintf(name, sizeof name, "%s/%s", weak_source[k], weak_role[k]);
        json_object_set_new(by_role, name, prf_json(prf_of(r->truth.role[k], r->pred.role[k], r->correct.role[k])));
    }
    json_object_set_new(weak, "by_role", by_role);
    json_object_set_new(pw, "weak", weak);

    json_t *silos = json_array();
    for (unsigned a = 0; a < e->nsources; a++)
        for (unsigned b = a; b < e->nsources; b++) {
            if (!r->truth.silo[a][b] && !r->pred.silo[a][b])
                continue;
            json_t *o = prf_json(prf_of(r->truth.silo[a][b], r->pred.silo[a][b], r->correct.silo[a][b]));
            json_object_set_new(o, "a", json_string(e->sources[a]));
            json_object_set_new(o, "b", json_string(e->sources[b]));
            json_array_append_new(silos, o);
        }

    json_t *cl = json_object();
    json_object_set_new(cl, "exact", cluster_json(sum4(r->exact), sum4(r->true_entities), "exact", "true_entities"));
    json_object_set_new(cl, "pure", cluster_json(sum4(r->pure), sum4(r->clusters), "pure", "clusters"));
    json_t *ck = json_object();
    for (int k = 0; k < KINDS; k++) {
        json_t *o = json_object();
        json_object_set_new(o, "exact", cluster_json(r->exact[k], r->true_entities[k], "exact", "true_entities"));
        json_object_set_new(o, "pure", cluster_json(r->pure[k], r->clusters[k], "pure", "clusters"));
        json_object_set_new(ck, kind_names[k], o);
    }
    json_object_set_new(cl, "by_kind", ck);

    json_t *fm = json_object();
    json_object_set_new(fm, "clusters", json_integer((json_int_t)r->nmerges));
    json_object_set_new(fm, "wrong_pairs_with_child", json_integer((json_int_t)r->child_merge_pairs));
    json_object_set_new(fm, "listed", merges);

    json_t *hp = json_object();
    for (int h = 0; h < HARD; h++) {
        json_t *o = json_object();
        json_object_set_new(o, "pairs", json_integer((json_int_t)r->hard_pairs[h]));
        json_object_set_new(o, "merged", json_integer((json_int_t)r->hard_merged[h]));
        json_object_set_new(o, "listed", json_incref(r->hard_listed[h]));
        json_object_set_new(hp, hard_name[h], o);
    }

    json_t *in = json_object();
    json_object_set_new(in, "truth", json_string(e->truth_path));
    json_object_set_new(in, "truth_entities", json_boolean(!e->no_entity_table));
    json_object_set_new(in, "entities", json_string(e->entities_path));
    json_object_set_new(in, "mentions", json_integer(e->refs.n));
    json_object_set_new(in, "reject_rows_skipped", json_integer((json_int_t)e->rejects));
    json_object_set_new(in, "export_rows", json_integer((json_int_t)e->export_rows));
    json_object_set_new(in, "true_entities", json_integer(e->trues.n));
    json_object_set_new(in, "predicted_clusters", json_integer(e->nents_total));
    json_t *mi = json_object();
    json_object_set_new(mi, "count", json_integer((json_int_t)e->missing));
    json_object_set_new(mi, "references", missing);
    json_object_set_new(in, "missing_from_export", mi);
    json_t *un = json_object();
    json_object_set_new(un, "count", json_integer((json_int_t)e->unknown));
    json_object_set_new(un, "references", unknown);
    json_object_set_new(in, "unknown_in_export", un);

    json_t *o = json_object();
    json_object_set_new(o, "input", in);
    json_object_set_new(o, "pairwise", pw);
    json_object_set_new(o, "silo_pairs", silos);
    json_object_set_new(o, "clusters", cl);
    json_object_set_new(o, "child_false_merges", fm);
    json_object_set_new(o, "hard_pairs", hp);
    return o;
}

static void print_refs(const char *what, uint64_t count, json_t *refs)
{
    if (!count)
        return;
    printf("\n%s: %llu", what, (unsigned long long)count);
    if (json_array_size(refs) < count)
        printf(" (first %zu)", json_array_size(refs));
    printf("\n");
    size_t i;
    json_t *v;
    json_array_foreach(refs, i, v) printf("  %s\n", json_string_value(v));
}

static void print_text(const eval *e, const results *r, json_t *doc)
{
    json_t *in = json_object_get(doc, "input");
    printf("truth:    %s (%u mentions of %u true entities; %llu reject rows skipped)\n", e->truth_path, e->refs.n,
           e->trues.n, (unsigned long long)e->rejects);
    if (e->no_entity_table)
        printf("          no truth_entities.csv beside it: no children, subtypes or twin/namesake pairs to check\n");
    printf("entities: %s (%llu rows; %u predicted clusters counting singletons)\n", e->entities_path,
           (unsigned long long)e->export_rows, e->nents_total);
    if (e->missing)
        printf("          %llu mentions missing from the export, each counted as a singleton\n",
               (unsigned long long)e->missing);
    if (e->unknown)
        printf("          %llu exported references not in truth, ignored\n", (unsigned long long)e->unknown);

    printf("\npairwise %30s %14s %14s  %9s %9s %9s\n", "true pairs", "predicted", "correct", "precision", "recall",
           "F1");
    prf_line("all", prf_of(r->truth.all, r->pred.all, r->correct.all));
    for (int k = 0; k < KINDS; k++)
        prf_line(kind_names[k], prf_of(r->truth.kind[k], r->pred.kind[k], r->correct.kind[k]));
    prf_line("weak (any of the below)", prf_of(r->truth.role[0], r->pred.role[0], r->correct.role[0]));
    for (int k = 1; k < ROLES; k++) {
        char name[64];
        snprintf(name, sizeof name, "  %s %s", weak_source[k], weak_role[k]);
        prf_line(name, prf_of(r->truth.role[k], r->pred.role[k], r->correct.role[k]));
    }

    printf("\nby silo pair\n");
    for (unsigned a = 0; a < e->nsources; a++)
        for (unsigned b = a; b < e->nsources; b++) {
            if (!r->truth.silo[a][b] && !r->pred.silo[a][b])
                continue;
            char name[64];
            snprintf(name, sizeof name, "%s-%s", e->sources[a], e->sources[b]);
            prf_line(name, prf_of(r->truth.silo[a][b], r->pred.silo[a][b], r->correct.silo[a][b]));
        }

    char f1[16], f2[16];
    printf("\nclusters %32s %22s\n", "true entities reproduced", "predicted clusters pure");
    pct(f1, sizeof f1, sum4(r->exact), sum4(r->true_entities));
    pct(f2, sizeof f2, sum4(r->pure), sum4(r->clusters));
    printf("  %-10s %10llu / %-10llu %6s %10llu / %-10llu %6s\n", "all", (unsigned long long)sum4(r->exact),
           (unsigned long long)sum4(r->true_entities), f1, (unsigned long long)sum4(r->pure),
           (unsigned long long)sum4(r->clusters), f2);
    for (int k = 0; k < KINDS; k++) {
        pct(f1, sizeof f1, r->exact[k], r->true_entities[k]);
        pct(f2, sizeof f2, r->pure[k], r->clusters[k]);
        printf("  %-10s %10llu / %-10llu %6s %10llu / %-10llu %6s\n", kind_names[k], (unsigned long long)r->exact[k],
               (unsigned long long)r->true_entities[k], f1, (unsigned long long)r->pure[k],
               (unsigned long long)r->clusters[k], f2);
    }

    printf("\nhard pairs put in one entity (must be 0)\n");
    for (int h = 0; h < HARD; h++) {
        printf("  %-28s %llu of %llu\n", hard_text[h], (unsigned long long)r->hard_merged[h],
               (unsigned long long)r->hard_pairs[h]);
        size_t i;
        json_t *m;
        json_array_foreach(r->hard_listed[h], i, m) {
            json_t *ids = json_object_get(m, "true_ids");
            printf("    entity %s: %s and %s\n", json_string_value(json_object_get(m, "entity_id")),
                   json_string_value(json_array_get(ids, 0)), json_string_value(json_array_get(ids, 1)));
        }
    }

    json_t *listed = json_object_get(json_object_get(doc, "child_false_merges"), "listed");
    printf("\nfalse merges involving a child: %zu clusters, %llu wrong pairs with a child", r->nmerges,
           (unsigned long long)r->child_merge_pairs);
    if (json_array_size(listed) < r->nmerges)
        printf(" (the worst %zu listed)", json_array_size(listed));
    printf("\n");
    size_t i, j;
    json_t *m, *t;
    json_array_foreach(listed, i, m) {
        json_t *id = json_object_get(m, "entity_id");
        printf("  entity %s: %lld mentions of %lld true entities, %lld wrong pairs with a child\n",
               json_is_string(id) ? json_string_value(id) : "(singleton)",
               (long long)json_integer_value(json_object_get(m, "mentions")),
               (long long)json_integer_value(json_object_get(m, "true_entities")),
               (long long)json_integer_value(json_object_get(m, "wrong_pairs_with_child")));
        json_array_foreach(json_object_get(m, "members"), j, t) {
            json_t *refs = json_object_get(t, "references");
            long long nm = json_integer_value(json_object_get(t, "mentions"));
            printf("    %s %-20s", json_string_value(json_object_get(t, "true_id")),
                   json_string_value(json_object_get(t, "subtype")));
            size_t k;
            json_t *ref;
            json_array_foreach(refs, k, ref) printf(" %s", json_string_value(ref));
            if ((size_t)nm > json_array_size(refs))
                printf(" (+%lld more)", nm - (long long)json_array_size(refs));
            printf("\n");
        }
        long long nt = json_integer_value(json_object_get(m, "true_entities"));
        if ((size_t)nt > json_array_size(json_object_get(m, "members")))
            printf("    (+%lld more true entities)\n", nt - (long long)json_array_size(json_object_get(m, "members")));
    }
    print_refs("missing from the export (counted as singletons)",
               e->missing, json_object_get(json_object_get(in, "missing_from_export"), "references"));
    print_refs("exported references not in truth (ignored)", e->unknown,
               json_object_get(json_object_get(in, "unknown_in_export"), "references"));
}

static uint32_t parse_count(const char *s)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (!*s || *end || errno || v > 1000000 || *s == '-')
        die(2, "--max-list: '%s' is not a whole number from 0 to 1000000", s);
    return (uint32_t)v;
}

int main(int argc, char **argv)
{
    eval e = {0};
    bool json = false;
    uint32_t max_list = 20;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        } else if (strcmp(a, "--json") == 0) {
            json = true;
        } else if (i + 1 < argc && strcmp(a, "--truth") == 0) {
            e.truth_path = argv[++i];
        } else if (i + 1 < argc && strcmp(a, "--entities") == 0) {
            e.entities_path = argv[++i];
        } else if (i + 1 < argc && strcmp(a, "--max-list") == 0) {
            max_list = parse_count(argv[++i]);
        } else {
            fprintf(stderr, "cpi-eval: unexpected argument '%s'\n%s", a, usage);
            return 2;
        }
    }
    if (!e.truth_path || !e.entities_path) {
        fprintf(stderr, "cpi-eval: --truth and --entities are both required\n%s", usage);
        return 2;
    }

    json_t *missing = json_array(), *unknown = json_array(), *listed = json_array();
    read_truth(&e);
    read_truth_entities(&e);
    read_entities(&e, max_list, unknown);
    add_singletons(&e, max_list, missing);

    uint32_t n = e.refs.n;
    uint32_t *tsize = big_realloc(NULL, (size_t)e.trues.n * sizeof *tsize);
    uint32_t *esize = big_realloc(NULL, (size_t)e.nents_total * sizeof *esize);
    uint32_t *by_true = group_by(NULL, n, e.truth, e.trues.n, tsize);
    uint32_t *by_ent = group_by(by_true, n, e.ent, e.nents_total, esize);

    results *r = calloc(1, sizeof *r);
    if (!r)
        die(3, "out of memory");
    r->stamp = big_realloc(NULL, (size_t)e.trues.n * sizeof *r->stamp);
    memset(r->stamp, 0, (size_t)e.trues.n * sizeof *r->stamp);
    r->max_list = max_list;
    for (int h = 0; h < HARD; h++)
        r->hard_listed[h] = json_array();
    count_hard_pairs(&e, r);
    for (uint32_t s = 0; s < n; s += tsize[e.truth[by_true[s]]]) {
        uint32_t t = e.truth[by_true[s]];
        tally_group(&r->truth, &e, by_true + s, tsize[t]);
        r->true_entities[e.tkind[t]]++;
    }
    big_free(by_true);
    walk_entities(&e, by_ent, tsize, esize, r);
    sort_ctx = &e;
    if (r->nmerges)
        qsort(r->merges, r->nmerges, sizeof *r->merges, merge_cmp);
    for (size_t i = 0; i < r->nmerges && i < max_list; i++)
        json_array_append_new(listed, merge_json(&e, by_ent, &r->merges[i]));

    json_t *doc = report_json(&e, r, missing, unknown, listed);
    if (json) {
        json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fputc('\n', stdout);
    } else {
        print_text(&e, r, doc);
    }
    int rc = fflush(stdout) == 0 && !ferror(stdout) ? 0 : 3;
    if (rc)
        fprintf(stderr, "cpi-eval: could not write the report: %s\n", strerror(errno));
    json_decref(doc);
    free(r->merges);
    for (int h = 0; h < HARD; h++) {
        json_decref(r->hard_listed[h]);
        big_free(e.tpartner[h]);
    }
    big_free(r->stamp);
    free(r);
    big_free(by_ent);
    big_free(tsize);
    big_free(esize);
    st_free(&e.refs);
    st_free(&e.trues);
    st_free(&e.ents);
    big_free(e.truth);
    big_free(e.ent);
    big_free(e.kind);
    big_free(e.src);
    big_free(e.role);
    big_free(e.tkind);
    big_free(e.tchild);
    big_free(e.tsub);
    return rc;
}
