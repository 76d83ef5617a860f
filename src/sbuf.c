/* sbuf.c — see include/sbuf.h for the contract. */
#include "sbuf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char sbuf_empty[1];

void sbuf_init(struct sbuf *sb, size_t cap)
{
	sb->buf = sbuf_empty;
	sb->len = 0;
	sb->alloc = 0;
	sb->cap = cap ? cap : SBUF_DEFAULT_CAP;
	sb->err = 0;
}

void sbuf_free(struct sbuf *sb)
{
	size_t cap = sb->cap;

	if (sb->alloc)
		free(sb->buf);
	sbuf_init(sb, cap);
}

int sbuf_error(const struct sbuf *sb)
{
	return sb->err;
}

void sbuf_set_error(struct sbuf *sb, int err)
{
	if (!sb->err)
		sb->err = err;
}

/* Makes room for `extra` more bytes plus the terminating NUL. */
static int sbuf_grow(struct sbuf *sb, size_t extra)
{
	size_t want, n;
	char *p;

	if (sb->err)
		return sb->err;
	if (extra > sb->cap || sb->len > sb->cap - extra) {
		sb->err = -EFBIG;
		return sb->err;
	}
	want = sb->len + extra + 1;
	if (want <= sb->alloc)
		return 0;
	n = sb->alloc ? sb->alloc : 64;
	while (n < want)
		n *= 2;
	p = realloc(sb->alloc ? sb->buf : NULL, n);
	if (!p) {
		sb->err = -ENOMEM;
		return sb->err;
	}
	if (!sb->alloc)
		p[0] = '\0';
	sb->buf = p;
	sb->alloc = n;
	return 0;
}

void sbuf_add(struct sbuf *sb, const void *data, size_t len)
{
	if (!len || sbuf_grow(sb, len))
		return;
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

void sbuf_adds(struct sbuf *sb, const char *s)
{
	sbuf_add(sb, s, strlen(s));
}

void sbuf_addch(struct sbuf *sb, char c)
{
	sbuf_add(sb, &c, 1);
}

void sbuf_vprintf(struct sbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0) {
		if (!sb->err)
			sb->err = -EINVAL;
		return;
	}
	if (sbuf_grow(sb, (size_t)n))
		return;
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
}

void sbuf_printf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sbuf_vprintf(sb, fmt, ap);
	va_end(ap);
}

void sbuf_setlen(struct sbuf *sb, size_t len)
{
	if (len <= sb->len) {
		if (sb->alloc) {
			sb->len = len;
			sb->buf[len] = '\0';
		}
		return;
	}
	if (sbuf_grow(sb, len - sb->len))
		return;
	memset(sb->buf + sb->len, 0, len - sb->len);
	sb->len = len;
	sb->buf[len] = '\0';
}

void sbuf_write_at(struct sbuf *sb, size_t off, const void *data, size_t len)
{
	if (off > sb->cap || len > sb->cap - off) {
		if (!sb->err)
			sb->err = -EFBIG;
		return;
	}
	if (off + len > sb->len)
		sbuf_setlen(sb, off + len);
	if (sb->err || !len)
		return;
	memcpy(sb->buf + off, data, len);
}

size_t sbuf_read_at(const struct sbuf *sb, uint64_t off, void *buf, size_t len)
{
	size_t n;

	if (off >= sb->len)
		return 0;
	n = sb->len - (size_t)off;
	if (n > len)
		n = len;
	memcpy(buf, sb->buf + off, n);
	return n;
}

char *sbuf_detach(struct sbuf *sb, size_t *len)
{
	char *p;
	size_t l = sb->len;

	if (sb->alloc) {
		p = sb->buf;
	} else {
		p = strdup("");
		l = 0;
	}
	if (len)
		*len = p ? l : 0;
	sbuf_init(sb, sb->cap);
	return p;
}
