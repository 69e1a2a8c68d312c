/* screen.c - lines and the line-budget fit of the one-screen answers (see screen.h). */
#include "render/screen.h"

#include <stdlib.h>
#include <string.h>

int cpi_scr_columns(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Bytes of s that hold at most cols columns (never ending inside a character). */
static size_t prefix_bytes(const char *s, int cols)
{
    const char *p = s;
    int c = 0;
    while (*p) {
        if (((unsigned char)*p & 0xC0) != 0x80) {
            if (c == cols)
                break;
            c++;
        }
        p++;
    }
    return (size_t)(p - s);
}

void cpi_scr_line(FILE *f, int width, const char *lead, const char *text)
{
    int room = width - cpi_scr_columns(lead);
    fputs(lead, f);
    if (room <= 0) {
        fputc('\n', f);
        return;
    }
    if (cpi_scr_columns(text) <= room) {
        fprintf(f, "%s\n", text);
        return;
    }
    fwrite(text, 1, prefix_bytes(text, room > 3 ? room - 3 : room), f);
    fprintf(f, "%s\n", room > 3 ? "..." : "");
}

int cpi_scr_wrap(FILE *f, int width, const char *lead, int indent, const char *text, int maxlines)
{
    int needed = 0;
    const char *p = text;
    while (*p == ' ')
        p++;
    do {
        int room = needed ? width - indent : width - cpi_scr_columns(lead);
        if (room < 4)
            room = 4;
        const char *end = p + prefix_bytes(p, room); /* as much as fits */
        if (*end) {                                  /* more to come: end at the last space that fits */
            const char *sp = end;
            while (sp > p && *sp != ' ')
                sp--;
            if (sp > p)
                end = sp;
        }
        needed++;
        if (f && needed <= maxlines) {
            if (needed == 1)
                fputs(lead, f);
            else
                fprintf(f, "%*s", indent, "");
            if (needed == maxlines && *end) { /* the last line allowed: cut here */
                fwrite(p, 1, prefix_bytes(p, room - 3), f);
                fputs("...\n", f);
            } else {
                fwrite(p, 1, (size_t)(end - p), f);
                fputc('\n', f);
            }
        }
        p = end;
        while (*p == ' ')
            p++;
    } while (*p);
    return needed;
}

int cpi_scr_total(const uint32_t *alloc, const uint32_t *n, const uint8_t *mode, int nlists, int fixed)
{
    int t = fixed;
    int also = 0;
    for (int s = 0; s < nlists; s++) {
        bool always = mode[s] == CPI_SCR_ALWAYS;
        if (!alloc[s] && (always || !n[s]))
            t += always;
        else if (!alloc[s])
            also = 1;
        else
            t += 1 + (int)alloc[s] + (alloc[s] < n[s]);
    }
    return t + also;
}

int cpi_scr_allocate(const uint32_t *n, const uint8_t *mode, int nlists, int fixed, int lines,
                     const cpi_scr_step *steps, size_t nsteps, uint32_t *alloc)
{
    memset(alloc, 0, sizeof *alloc * (size_t)nlists);
    for (size_t k = 0; k < nsteps; k++) {
        int sec = steps[k].list;
        uint32_t target = steps[k].target < n[sec] ? steps[k].target : n[sec];
        while (alloc[sec] < target) {
            alloc[sec]++;
            if (cpi_scr_total(alloc, n, mode, nlists, fixed) > lines) {
                alloc[sec]--;
                break;
            }
        }
    }
    return lines - cpi_scr_total(alloc, n, mode, nlists, fixed);
}

int cpi_scr_footer(FILE *f, int width, const char *label, const char *cmd)
{
    char line[320];
    snprintf(line, sizeof line, "%s %s", label, cmd);
    if (cpi_scr_columns(line) <= width) {
        if (f)
            fprintf(f, "%s\n", line);
        return 1;
    }
    if (f) {
        cpi_scr_line(f, width, "", label);
        cpi_scr_line(f, width, " ", cmd);
    }
    return 2;
}

int cpi_scr_lines_of(void (*render)(FILE *f, int width, const void *arg), const void *arg, int width, int fallback)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m)
        return fallback; /* an overestimate keeps the budget */
    render(m, width, arg);
    fclose(m);
    int n = 0;
    for (size_t i = 0; i < len; i++)
        n += buf[i] == '\n';
    free(buf);
    return n;
}
