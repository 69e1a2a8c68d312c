/* csvout.c - spreadsheet-safe CSV fields and rows (see csvout.h). */
#include "render/csvout.h"

#include <string.h>
#include <utf8proc.h>

/* Characters that make a spreadsheet read a cell as a formula (OWASP's list). */
static int formula_start(char c) { return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r'; }

int cpi_csv_write_field(FILE *fp, const char *s, size_t n)
{
    fputc('"', fp);
    if (n && formula_start(s[0]))
        fputc('\'', fp);
    for (size_t i = 0; i < n;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t len = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &cp);
        if (len <= 0 || cp == 0) {
            fprintf(fp, "\\x%02X", (unsigned char)s[i]);
            i++;
            continue;
        }
        if (cp == '"')
            fputc('"', fp);
        fwrite(s + i, 1, (size_t)len, fp);
        i += (size_t)len;
    }
    fputc('"', fp);
    return ferror(fp) ? -1 : 0;
}

int cpi_csv_write_row(FILE *fp, const char *const *fields, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (i)
            fputc(',', fp);
        const char *f = fields[i] ? fields[i] : "";
        cpi_csv_write_field(fp, f, strlen(f));
    }
    fputc('\n', fp);
    return ferror(fp) ? -1 : 0;
}
