/* util.c — strings, hashing, opaque ids, time formatting, a string hash map. */
#include "sim.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p) {
		fputs("c7n-devops-sim: out of memory\n", stderr);
		abort();
	}
	return p;
}

void *xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);
	if (!p) {
		fputs("c7n-devops-sim: out of memory\n", stderr);
		abort();
	}
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q) {
		fputs("c7n-devops-sim: out of memory\n", stderr);
		abort();
	}
	return q;
}

char *xstrdup(const char *s)
{
	return s ? xstrndup(s, strlen(s)) : NULL;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char tmp[256];
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n < sizeof tmp)
		return xstrndup(tmp, (size_t)n);
	char *p = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

/* ---------------------------------------------------------------- strbuf */

void sb_init(strbuf *b)
{
	b->s = NULL;
	b->len = b->cap = 0;
}

static void sb_grow(strbuf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + extra + 1)
		cap *= 2;
	b->s = xrealloc(b->s, cap);
	b->cap = cap;
}

void sb_addn(strbuf *b, const char *s, size_t n)
{
	sb_grow(b, n);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = 0;
}

void sb_add(strbuf *b, const char *s)
{
	sb_addn(b, s, strlen(s));
}

void sb_addc(strbuf *b, char c)
{
	sb_addn(b, &c, 1);
}

void sb_addf(strbuf *b, const char *fmt, ...)
{
	va_list ap;
	char tmp[256];
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof tmp) {
		sb_addn(b, tmp, (size_t)n);
		return;
	}
	sb_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *sb_steal(strbuf *b)
{
	char *s = b->s ? b->s : xstrdup("");
	sb_init(b);
	return s;
}

void sb_free(strbuf *b)
{
	free(b->s);
	sb_init(b);
}

/* ------------------------------------------------------------------ time */

int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void fmt_date(int64_t ms, char out[32])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%d %H:%M:%S", &tm);
}

void fmt_iso_ms(int64_t ms, char out[40])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	char tmp[32];
	strftime(tmp, sizeof tmp, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, 40, "%s.%03dZ", tmp, (int)(ms % 1000));
}

void fmt_iso_k8s(int64_t ms, char out[40])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 40, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* --------------------------------------------------------------- hashing */

uint64_t mix64(uint64_t x)
{
	/* splitmix64 finalizer: a bijection on 64-bit values */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

uint64_t hash_bytes(const void *p, size_t n, uint64_t seed)
{
	const unsigned char *s = p;
	uint64_t h = 0xcbf29ce484222325ULL ^ seed;
	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return mix64(h);
}

uint64_t hash_str(const char *s)
{
	return hash_bytes(s, strlen(s), 0);
}

void k8s_suffix(uint64_t h, char *out, int n)
{
	static const char alpha[] = "bcdfghjklmnpqrstvwxz2456789";
	for (int i = 0; i < n; i++) {
		out[i] = alpha[h % 27];
		h /= 27;
		if (h == 0)
			h = mix64((uint64_t)i + 0x9e3779b97f4a7c15ULL);
	}
	out[n] = 0;
}

char *make_id(enum id_kind kind, uint64_t seq)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned char raw[16];
	uint64_t a = mix64(((uint64_t)kind << 48) ^ seq ^ 0x5a17c7e0000000ULL);
	uint64_t b = mix64(a ^ 0x6a09e667f3bcc908ULL);
	for (int i = 0; i < 8; i++) {
		raw[i] = (unsigned char)(a >> (8 * i));
		raw[8 + i] = (unsigned char)(b >> (8 * i));
	}
	char out[32];
	size_t o = 0;
	out[o++] = '=';
	for (int i = 0; i < 16; i += 3) {
		uint32_t v = (uint32_t)raw[i] << 16;
		if (i + 1 < 16)
			v |= (uint32_t)raw[i + 1] << 8;
		if (i + 2 < 16)
			v |= raw[i + 2];
		out[o++] = b64[(v >> 18) & 63];
		out[o++] = b64[(v >> 12) & 63];
		if (i + 1 < 16)
			out[o++] = b64[(v >> 6) & 63];
		if (i + 2 < 16)
			out[o++] = b64[v & 63];
	}
	out[o++] = '=';
	out[o] = 0;
	return xstrdup(out);
}

bool icontains(const char *hay, const char *needle)
{
	if (!needle || !*needle)
		return true;
	if (!hay)
		return false;
	size_t n = strlen(needle);
	for (const char *p = hay; *p; p++) {
		if (strncasecmp(p, needle, n) == 0)
			return true;
	}
	return false;
}

/* ------------------------------------------------------------------ smap */

static char TOMB;

void smap_init(smap *m)
{
	m->keys = NULL;
	m->vals = NULL;
	m->cap = m->count = m->used = 0;
}

void smap_free(smap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->keys[i] && m->keys[i] != &TOMB)
			free(m->keys[i]);
	free(m->keys);
	free(m->vals);
	smap_init(m);
}

static void smap_rehash(smap *m, size_t ncap)
{
	char **ok = m->keys;
	void **ov = m->vals;
	size_t ocap = m->cap;
	m->keys = xcalloc(ncap, sizeof(char *));
	m->vals = xcalloc(ncap, sizeof(void *));
	m->cap = ncap;
	m->count = m->used = 0;
	for (size_t i = 0; i < ocap; i++) {
		if (ok[i] && ok[i] != &TOMB) {
			size_t j = hash_str(ok[i]) & (ncap - 1);
			while (m->keys[j])
				j = (j + 1) & (ncap - 1);
			m->keys[j] = ok[i];
			m->vals[j] = ov[i];
			m->count++;
			m->used++;
		}
	}
	free(ok);
	free(ov);
}

void smap_put(smap *m, const char *key, void *val)
{
	if ((m->used + 1) * 10 >= m->cap * 7)
		smap_rehash(m, m->cap ? (m->count * 10 >= m->cap * 4 ? m->cap * 2 : m->cap) : 16);
	size_t j = hash_str(key) & (m->cap - 1);
	size_t tomb = (size_t)-1;
	while (m->keys[j]) {
		if (m->keys[j] == &TOMB) {
			if (tomb == (size_t)-1)
				tomb = j;
		} else if (strcmp(m->keys[j], key) == 0) {
			m->vals[j] = val;
			return;
		}
		j = (j + 1) & (m->cap - 1);
	}
	if (tomb != (size_t)-1) {
		j = tomb;
	} else {
		m->used++;
	}
	m->keys[j] = xstrdup(key);
	m->vals[j] = val;
	m->count++;
}

void *smap_get(const smap *m, const char *key)
{
	if (!m->cap || !key)
		return NULL;
	size_t j = hash_str(key) & (m->cap - 1);
	while (m->keys[j]) {
		if (m->keys[j] != &TOMB && strcmp(m->keys[j], key) == 0)
			return m->vals[j];
		j = (j + 1) & (m->cap - 1);
	}
	return NULL;
}

void smap_del(smap *m, const char *key)
{
	if (!m->cap)
		return;
	size_t j = hash_str(key) & (m->cap - 1);
	while (m->keys[j]) {
		if (m->keys[j] != &TOMB && strcmp(m->keys[j], key) == 0) {
			free(m->keys[j]);
			m->keys[j] = &TOMB;
			m->vals[j] = NULL;
			m->count--;
			return;
		}
		j = (j + 1) & (m->cap - 1);
	}
}
