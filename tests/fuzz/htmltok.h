/* A strict tokenizer of the HTML that the module writes, for the fuzz
 * targets (htmltok.c).
 *
 * It reads what a browser would read (tags, attributes, text, character
 * references, the raw text of <script> and <style>, the escapable raw text
 * of <title> and <textarea>, whose first newline a browser drops), and it
 * refuses what the module never has to write: a "<" that starts no tag, an
 * "&" that starts no known reference, an attribute value not in double
 * quotes or with a raw "<", the same attribute twice in one tag.  Text and
 * attribute values come out decoded, so that a value put through
 * moi_html_escape() reads back as it was.  Everything is malloc'd and freed
 * by ht_free().
 */
#ifndef MOI_FUZZ_HTMLTOK_H
#define MOI_FUZZ_HTMLTOK_H

#include <stddef.h>

typedef enum { HT_START, HT_END, HT_TEXT, HT_RAW, HT_COMMENT, HT_DOCTYPE } ht_kind;

typedef struct {
    char *name; /* lower case */
    char *value; /* decoded; "" for an attribute without a value */
} ht_attr;

typedef struct {
    ht_kind kind;
    char *name;   /* HT_START, HT_END: the tag name in lower case */
    char *text;   /* HT_TEXT: decoded text; HT_RAW, HT_COMMENT, HT_DOCTYPE: as written */
    ht_attr *attrs;
    int nattrs;
} ht_token;

typedef struct ht_doc {
    ht_token *tok;
    int n, cap;
    const char *error; /* why the HTML was refused */
    size_t error_at;   /* and where */
} ht_doc;

/* Tokenizes html into doc; 0, or -1 with doc->error.  ht_free() in both cases. */
int ht_parse(const char *html, ht_doc *doc);
void ht_free(ht_doc *doc);

/* The decoded value of an attribute of a start tag, or NULL. */
const char *ht_attr_get(const ht_token *t, const char *name);

/* The index of the first token at or after from that is a start tag named
 * name (and, when attr is not NULL, whose attribute attr is value), or -1. */
int ht_find(const ht_doc *doc, int from, const char *name, const char *attr, const char *value);

/* The decoded text between the start tag at index i and its end tag (same
 * name, nesting counted), tags left out; malloc'd. */
char *ht_inner_text(const ht_doc *doc, int i);

/* s with the five characters that HTML escaping touches (& < > " ') made
 * into letters that nothing escapes (X Y Z Q W); malloc'd. */
char *ht_defang(const char *s);

#endif
