/*
 * sbuf.h — growable, capped, always NUL-terminated string buffer.
 *
 * Invariants: after sbuf_init, buf is never NULL (it points at "" until the first
 * append), len < cap, buf[len] == '\0'. A buffer that would grow past its cap, or
 * fails to allocate, enters the error state: later appends are ignored and
 * sbuf_error() returns the negative errno (-EFBIG or -ENOMEM) so callers can check
 * once at the end instead of after every append.
 */
#ifndef C7NFS_SBUF_H
#define C7NFS_SBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct sbuf {
	char *buf;
	size_t len;
	size_t alloc;
	size_t cap;     /* hard limit on len */
	int err;        /* 0 or negative errno */
};

#define SBUF_DEFAULT_CAP (64u << 20)

void sbuf_init(struct sbuf *sb, size_t cap);   /* cap 0 = SBUF_DEFAULT_CAP */
void sbuf_free(struct sbuf *sb);               /* leaves sb re-initialised, empty */
int sbuf_error(const struct sbuf *sb);
/* Puts sb in the error state err (negative errno) unless it already is. */
void sbuf_set_error(struct sbuf *sb, int err);
void sbuf_add(struct sbuf *sb, const void *data, size_t len);
void sbuf_adds(struct sbuf *sb, const char *s);
void sbuf_addch(struct sbuf *sb, char c);
void sbuf_printf(struct sbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sbuf_vprintf(struct sbuf *sb, const char *fmt, va_list ap);
/* Sets len (shrinks, or grows with zero bytes). */
void sbuf_setlen(struct sbuf *sb, size_t len);
/* Writes data at offset off, growing with zero bytes as needed (file semantics). */
void sbuf_write_at(struct sbuf *sb, size_t off, const void *data, size_t len);
/* Copies up to len bytes from offset off into buf (file read semantics);
 * returns the count, 0 at or past the end. */
size_t sbuf_read_at(const struct sbuf *sb, uint64_t off, void *buf, size_t len);
/* Hands the malloc'd string to the caller (never NULL unless ENOMEM) and
 * re-initialises sb. *len (may be NULL) receives its length. */
char *sbuf_detach(struct sbuf *sb, size_t *len);

#endif
