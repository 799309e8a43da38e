/*
 * partiql_lex: splits a PartiQL statement into tokens for partiql_parse.c.
 *
 * Identifiers are bare (letters, digits, '_', '$') or double-quoted with ""
 * for a quote inside; strings are single-quoted with '' for a quote; numbers
 * are digits with an optional fraction and exponent; backquotes hold an Ion
 * literal (recognised so that it can be refused with DynamoDB's message).
 * Every token records its line, column (1-based) and width, which DynamoDB's
 * messages quote as "at line:column:width". `--` starts a comment to the end
 * of the line.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "ddb/model/partiql.h"

#include "base/alloc.h"

static void toks_push(pq_toks *t, size_t *cap, pq_tok tok)
{
    if (t->n == *cap) {
        *cap = *cap ? *cap * 2 : 32;
        t->v = xrealloc(t->v, *cap * sizeof *t->v);
    }
    t->v[t->n++] = tok;
}

/* The n bytes at p, NUL-terminated. Not xstrndup: a string literal may hold
   U+0000, and the parser reads its text by length (tok.len). */
static char *dup_n(const char *p, size_t n)
{
    char *s = xmalloc(n + 1);
    memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

static bool ident_start(unsigned char c)
{
    return isalpha(c) || c == '_' || c == '$';
}

static bool ident_char(unsigned char c)
{
    return isalnum(c) || c == '_' || c == '$';
}

static bool not_well_formed(const char *text, size_t len, ddb_err *err)
{
    ddb_err_set(err, DDB_E_VALIDATION, "Statement wasn't well formed, can't be processed: %.*s",
                (int)(len > 900 ? 900 : len), text);
    return false;
}

/* A quoted token ending at the first unpaired `q`: its unescaped text. */
static bool lex_quoted(const char *s, size_t len, size_t *i, char q, buf_t *out)
{
    size_t j = *i + 1;
    for (;;) {
        if (j >= len) return false;
        if (s[j] == q) {
            if (j + 1 < len && s[j + 1] == q) {
                buf_putc(out, q);
                j += 2;
                continue;
            }
            break;
        }
        buf_putc(out, s[j]);
        j++;
    }
    *i = j + 1;
    return true;
}

bool pq_lex(const char *text, size_t len, pq_toks *out, ddb_err *err)
{
    static const char *const pairs[] = {"<=", ">=", "<>", "!=", "<<", ">>", "||"};
    memset(out, 0, sizeof *out);
    /* Statements arrive in JSON, so as UTF-8; anything else (only a direct
       caller can pass it) is refused rather than split into names that no
       JSON document could hold. */
    json_t *utf8 = json_stringn(text, len);
    if (!utf8) return not_well_formed(text, 0, err);
    json_decref(utf8);
    size_t cap = 0, i = 0, line_start = 0;
    int line = 1;
    while (i < len) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\n') {
            line++;
            line_start = ++i;
            continue;
        }
        if (isspace(c)) {
            i++;
            continue;
        }
        if (c == '-' && i + 1 < len && text[i + 1] == '-') {
            while (i < len && text[i] != '\n')
                i++;
            continue;
        }
        pq_tok tok = {PQ_T_PUNCT, NULL, 0, line, (int)(i - line_start) + 1, 1};
        size_t start = i;
        if (ident_start(c)) {
            while (i < len && ident_char((unsigned char)text[i]))
                i++;
            tok.type = PQ_T_IDENT;
            tok.text = dup_n(text + start, i - start);
            tok.len = i - start;
        } else if (isdigit(c) || (c == '.' && i + 1 < len && isdigit((unsigned char)text[i + 1]))) {
            while (i < len && isdigit((unsigned char)text[i]))
                i++;
            if (i < len && text[i] == '.') {
                i++;
                while (i < len && isdigit((unsigned char)text[i]))
                    i++;
            }
            if (i < len && (text[i] == 'e' || text[i] == 'E')) {
                size_t j = i + 1;
                if (j < len && (text[j] == '+' || text[j] == '-')) j++;
                if (j < len && isdigit((unsigned char)text[j])) {
                    while (j < len && isdigit((unsigned char)text[j]))
                        j++;
                    i = j;
                }
            }
            /* 12abc is not a number followed by a name. */
            if (i < len && ident_char((unsigned char)text[i])) {
                pq_toks_free(out);
                return not_well_formed(text, len, err);
            }
            tok.type = PQ_T_NUMBER;
            tok.text = dup_n(text + start, i - start);
            tok.len = i - start;
        } else if (c == '\'' || c == '"' || c == '`') {
            buf_t b = BUF_INIT;
            if (!lex_quoted(text, len, &i, (char)c, &b)) {
                buf_free(&b);
                pq_toks_free(out);
                return not_well_formed(text, len, err);
            }
            tok.type = c == '\'' ? PQ_T_STRING : c == '"' ? PQ_T_QIDENT : PQ_T_ION;
            tok.len = b.len;
            tok.text = dup_n(b.data ? (const char *)b.data : "", b.len);
            buf_free(&b);
        } else {
            for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++) {
                if (i + 1 < len && text[i] == pairs[k][0] && text[i + 1] == pairs[k][1]) {
                    tok.type = PQ_T_OP2;
                    tok.text = dup_n(pairs[k], 2);
                    tok.len = 2;
                    i += 2;
                    break;
                }
            }
            if (!tok.text) {
                if (!strchr("()[]{},.:;*?=<>+-/%", c) || c == '\0') {
                    pq_toks_free(out);
                    return not_well_formed(text, len, err);
                }
                tok.text = dup_n(text + i, 1);
                tok.len = 1;
                i++;
            }
        }
        tok.width = (int)(i - start);
        toks_push(out, &cap, tok);
    }
    pq_tok end = {PQ_T_END, dup_n("", 0), 0, line, (int)(i - line_start) + 1, 0};
    toks_push(out, &cap, end);
    return true;
}

void pq_toks_free(pq_toks *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->v[i].text);
    free(t->v);
    t->v = NULL;
    t->n = 0;
}
