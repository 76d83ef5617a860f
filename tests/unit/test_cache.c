/* test_cache.c — TTL, coalescing, stale-if-error, expiry, refs, eviction. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache.h"
#include "check.h"

/* A value: which key it was fetched for and the how-many-th fetch it was. */
struct obj {
	char key[32];
	int n;
};

static atomic_int freed;

static void obj_free(void *p)
{
	atomic_fetch_add(&freed, 1);
	free(p);
}

/* What the next fetch does: err != 0 fails with it. */
struct source {
	const char *key;
	atomic_int fetches;
	int err;
	struct cache *expire_in_fetch;   /* calls cache_expire(key) mid-fetch */
};

static int source_fetch(void *ctx, void **out)
{
	struct source *s = ctx;
	int n = atomic_fetch_add(&s->fetches, 1) + 1;
	struct obj *o;

	if (s->expire_in_fetch)
		cache_expire(s->expire_in_fetch, s->key);
	if (s->err)
		return s->err;
	o = calloc(1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	snprintf(o->key, sizeof(o->key), "%s", s->key);
	o->n = n;
	*out = o;
	return 0;
}

static int get(struct cache *c, struct source *s, long ttl, struct cache_ref **r, bool *stale)
{
	return cache_get(c, s->key, ttl, source_fetch, s, obj_free, r, stale);
}

static int obj_n(struct cache_ref *r)
{
	return ((struct obj *)cache_ref_obj(r))->n;
}

static void nap_ms(long ms)
{
	struct timespec ts = { 0, ms * 1000000L };

	nanosleep(&ts, NULL);
}

static struct cache_stats stats(struct cache *c)
{
	struct cache_stats st;

	cache_get_stats(c, &st);
	return st;
}

static void test_ttl(void)
{
	struct source s = { .key = "I3 p i" };
	struct cache_ref *r1, *r2, *r3;
	struct cache *c;
	int64_t t0, deadline;
	bool stale = true;
	int ret;

	CHECK_INT(cache_new(&c), 0);
	t0 = cache_now_ms();
	CHECK_INT(get(c, &s, 100, &r1, &stale), 0);
	CHECK(!stale);
	CHECK_INT(obj_n(r1), 1);
	CHECK_STR(((struct obj *)cache_ref_obj(r1))->key, "I3 p i");
	CHECK(cache_ref_fetched_ms(r1) >= t0 && cache_ref_fetched_ms(r1) <= cache_now_ms());

	/* Within the TTL: the same value, no fetch. */
	CHECK_INT(get(c, &s, 10000, &r2, NULL), 0);
	CHECK(r2 == r1);
	CHECK_INT(atomic_load(&s.fetches), 1);
	CHECK_INT(stats(c).hits, 1);
	CHECK_INT(stats(c).misses, 1);
	cache_ref_put(r2);

	/* Past the TTL: one new fetch; poll, never sleep a fixed time. */
	deadline = cache_now_ms() + 5000;
	do {
		nap_ms(5);
		ret = get(c, &s, 100, &r2, NULL);
		if (!ret && obj_n(r2) == 1)
			cache_ref_put(r2);
		else
			break;
	} while (cache_now_ms() < deadline);
	CHECK_INT(ret, 0);
	CHECK_INT(obj_n(r2), 2);
	CHECK(cache_ref_fetched_ms(r2) - cache_ref_fetched_ms(r1) >= 100);
	CHECK_INT(atomic_load(&s.fetches), 2);

	/* ttl <= 0 always fetches. */
	CHECK_INT(get(c, &s, 0, &r3, NULL), 0);
	CHECK_INT(obj_n(r3), 3);
	cache_ref_put(r3);
	CHECK_INT(get(c, &s, -1, &r3, NULL), 0);
	CHECK_INT(obj_n(r3), 4);
	CHECK_INT(stats(c).entries, 1);

	/* Peek returns whatever is there, without fetching. */
	CHECK(cache_peek(c, "nothing") == NULL);
	cache_ref_put(r2);
	r2 = cache_peek(c, "I3 p i");
	CHECK(r2 == r3);
	CHECK_INT(atomic_load(&s.fetches), 4);

	cache_ref_put(r1);
	cache_ref_put(r2);
	cache_ref_put(r3);
	cache_free(c);
}

/* ---- coalescing: 20 readers, 1 fetch ---------------------------------------- */

static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static bool gate_open;

static int gated_fetch(void *ctx, void **out)
{
	struct timespec until;
	int ret = 0;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 10;
	pthread_mutex_lock(&gate_lock);
	while (!gate_open && ret == 0)
		ret = pthread_cond_timedwait(&gate_cond, &gate_lock, &until);
	pthread_mutex_unlock(&gate_lock);
	return ret ? -ETIMEDOUT : source_fetch(ctx, out);
}

struct reader {
	pthread_t tid;
	struct cache *c;
	struct source *s;
	long ttl;
	int ret;
	struct cache_ref *r;
};

static void *reader_run(void *arg)
{
	struct reader *rd = arg;

	rd->ret = cache_get(rd->c, rd->s->key, rd->ttl, gated_fetch, rd->s, obj_free,
			    &rd->r, NULL);
	return NULL;
}

static void test_coalescing(void)
{
	enum { N = 20 };
	struct source s = { .key = "I1 p e" };
	struct reader rd[N];
	struct cache *c;
	int64_t deadline;
	int i, same = 0, ok = 0;

	CHECK_INT(cache_new(&c), 0);
	gate_open = false;
	for (i = 0; i < N; i++) {
		rd[i] = (struct reader){ .c = c, .s = &s, .ttl = i % 2 ? 10000 : 0 };
		pthread_create(&rd[i].tid, NULL, reader_run, &rd[i]);
	}
	/* All 19 others must be asleep on the one fetch before it may finish. */
	deadline = cache_now_ms() + 10000;
	while (stats(c).coalesced < N - 1 && cache_now_ms() < deadline)
		nap_ms(1);
	CHECK_INT(stats(c).coalesced, N - 1);
	CHECK_INT(stats(c).misses, 1);

	pthread_mutex_lock(&gate_lock);
	gate_open = true;
	pthread_cond_broadcast(&gate_cond);
	pthread_mutex_unlock(&gate_lock);
	for (i = 0; i < N; i++)
		pthread_join(rd[i].tid, NULL);

	for (i = 0; i < N; i++) {
		ok += rd[i].ret == 0;
		same += rd[i].ret == 0 && rd[i].r == rd[0].r;
	}
	CHECK_INT(ok, N);
	CHECK_INT(same, N);
	CHECK_INT(atomic_load(&s.fetches), 1);
	CHECK_INT(obj_n(rd[0].r), 1);

	atomic_store(&freed, 0);
	cache_free(c);
	CHECK_INT(atomic_load(&freed), 0);      /* readers still hold it */
	for (i = 0; i < N; i++)
		cache_ref_put(rd[i].r);
	CHECK_INT(atomic_load(&freed), 1);
}

/* A failed fetch is shared by its waiters too. */
static void test_coalesced_error(void)
{
	enum { N = 5 };
	struct source s = { .key = "I8 p i", .err = -EACCES };
	struct reader rd[N];
	struct cache *c;
	int64_t deadline;
	int i, eacces = 0;

	CHECK_INT(cache_new(&c), 0);
	gate_open = false;
	for (i = 0; i < N; i++) {
		rd[i] = (struct reader){ .c = c, .s = &s, .ttl = 1000 };
		pthread_create(&rd[i].tid, NULL, reader_run, &rd[i]);
	}
	deadline = cache_now_ms() + 10000;
	while (stats(c).coalesced < N - 1 && cache_now_ms() < deadline)
		nap_ms(1);
	pthread_mutex_lock(&gate_lock);
	gate_open = true;
	pthread_cond_broadcast(&gate_cond);
	pthread_mutex_unlock(&gate_lock);
	for (i = 0; i < N; i++) {
		pthread_join(rd[i].tid, NULL);
		eacces += rd[i].ret == -EACCES && rd[i].r == NULL;
	}
	CHECK_INT(eacces, N);
	CHECK_INT(atomic_load(&s.fetches), 1);
	CHECK_INT(stats(c).entries, 0);          /* no value: nothing kept */
	cache_free(c);
}

/* ---- errors ------------------------------------------------------------------ */

static void test_stale_if_error(void)
{
	static const int transport[] = { -ENOTCONN, -ETIMEDOUT, -EHOSTDOWN, -EAGAIN, -EIO };
	struct source s = { .key = "I1 p e" };
	struct cache_ref *r0, *r;
	struct cache *c;
	bool stale;
	size_t i;

	CHECK_INT(cache_new(&c), 0);

	/* Transport error and nothing cached: the error. */
	s.err = -ETIMEDOUT;
	r = (struct cache_ref *)&s;
	CHECK_INT(get(c, &s, 1000, &r, &stale), -ETIMEDOUT);
	CHECK(r == NULL);
	CHECK_INT(stats(c).entries, 0);

	s.err = 0;
	CHECK_INT(get(c, &s, 1000, &r0, NULL), 0);
	cache_expire(c, s.key);
	for (i = 0; i < sizeof(transport) / sizeof(transport[0]); i++) {
		s.err = transport[i];
		stale = false;
		CHECK_INT(get(c, &s, 1000, &r, &stale), 0);
		CHECK(stale);
		CHECK(r == r0);
		cache_ref_put(r);
	}
	CHECK_INT(stats(c).stale_served, 5);

	/* Other errors are returned as is; the value stays for later. */
	s.err = -EACCES;
	stale = true;
	CHECK_INT(get(c, &s, 1000, &r, &stale), -EACCES);
	CHECK(!stale);
	r = cache_peek(c, s.key);
	CHECK(r == r0);
	cache_ref_put(r);

	/* Recovery: the next good fetch replaces the stale value. */
	s.err = 0;
	CHECK_INT(get(c, &s, 1000, &r, &stale), 0);
	CHECK(!stale);
	CHECK_INT(obj_n(r), 9);       /* fetches 1 and 3..8 failed */
	cache_ref_put(r);

	/* -ENOENT drops the value and the entry. */
	cache_expire(c, s.key);
	s.err = -ENOENT;
	CHECK_INT(get(c, &s, 1000, &r, &stale), -ENOENT);
	CHECK(cache_peek(c, s.key) == NULL);
	CHECK_INT(stats(c).entries, 0);
	CHECK_INT(obj_n(r0), 2);                 /* our reference survives */
	cache_ref_put(r0);
	cache_free(c);
}

/* ---- refs and expiry ------------------------------------------------------------- */

static void test_refs_outlive_flush(void)
{
	struct source s = { .key = "V1 p i" };
	struct cache_ref *old, *r;
	struct cache *c;

	CHECK_INT(cache_new(&c), 0);
	atomic_store(&freed, 0);
	CHECK_INT(get(c, &s, 60000, &old, NULL), 0);
	cache_expire_all(c);
	CHECK_INT(get(c, &s, 60000, &r, NULL), 0);
	CHECK(r != old);
	CHECK_INT(obj_n(r), 2);
	CHECK_INT(atomic_load(&freed), 0);       /* replaced, still referenced */
	CHECK_INT(obj_n(old), 1);
	CHECK_STR(((struct obj *)cache_ref_obj(old))->key, "V1 p i");
	cache_ref_put(old);
	CHECK_INT(atomic_load(&freed), 1);
	cache_ref_put(r);
	CHECK_INT(atomic_load(&freed), 1);       /* the cache still holds it */
	cache_free(c);
	CHECK_INT(atomic_load(&freed), 2);
}

static void test_expire_prefix(void)
{
	struct source a = { .key = "I1 p e1" }, b = { .key = "I1 p e2" };
	struct source o = { .key = "I3 p i1" }, x = { .key = "I1 q e1" };
	struct source *all[] = { &a, &b, &o, &x };
	struct cache_ref *r;
	struct cache *c;
	size_t i;

	CHECK_INT(cache_new(&c), 0);
	for (i = 0; i < 4; i++) {
		CHECK_INT(get(c, all[i], 60000, &r, NULL), 0);
		cache_ref_put(r);
	}
	cache_expire_prefix(c, "I1 p ");
	for (i = 0; i < 4; i++) {
		CHECK_INT(get(c, all[i], 60000, &r, NULL), 0);
		cache_ref_put(r);
	}
	CHECK_INT(atomic_load(&a.fetches), 2);
	CHECK_INT(atomic_load(&b.fetches), 2);
	CHECK_INT(atomic_load(&o.fetches), 1);
	CHECK_INT(atomic_load(&x.fetches), 1);

	cache_expire(c, "I3 p i1");
	cache_expire(c, "not there");
	CHECK_INT(get(c, &o, 60000, &r, NULL), 0);
	cache_ref_put(r);
	CHECK_INT(atomic_load(&o.fetches), 2);
	CHECK_INT(atomic_load(&a.fetches), 2);
	cache_free(c);
}

/* An expire that lands while a fetch is in flight (the fetch may carry the
 * answer from before a write) leaves the new value expired. Also shows fetch
 * runs without the cache lock: cache_expire inside it would deadlock. */
static void test_expire_during_fetch(void)
{
	struct source s = { .key = "I3 p i" };
	struct cache_ref *r;
	struct cache *c;

	CHECK_INT(cache_new(&c), 0);
	s.expire_in_fetch = c;
	CHECK_INT(get(c, &s, 60000, &r, NULL), 0);
	cache_ref_put(r);
	s.expire_in_fetch = NULL;
	CHECK_INT(get(c, &s, 60000, &r, NULL), 0);
	CHECK_INT(obj_n(r), 2);
	cache_ref_put(r);
	CHECK_INT(get(c, &s, 60000, &r, NULL), 0);
	CHECK_INT(obj_n(r), 2);
	cache_ref_put(r);
	cache_free(c);
}

/* ---- eviction ---------------------------------------------------------------------- */

static void test_eviction(void)
{
	struct source s[8];
	struct cache_ref *held, *r;
	struct cache *c;
	char keys[8][16];
	int i, present = 0;

	CHECK_INT(cache_new(&c), 0);
	cache_set_max_entries(c, 4);
	for (i = 0; i < 8; i++) {
		snprintf(keys[i], sizeof(keys[i]), "k%d", i);
		s[i] = (struct source){ .key = keys[i] };
	}
	CHECK_INT(get(c, &s[0], 60000, &held, NULL), 0);   /* held: not evictable */
	for (i = 1; i < 4; i++) {
		CHECK_INT(get(c, &s[i], 60000, &r, NULL), 0);
		cache_ref_put(r);
	}
	r = cache_peek(c, "k1");                            /* k1 becomes recent */
	cache_ref_put(r);
	for (i = 4; i < 6; i++) {
		CHECK_INT(get(c, &s[i], 60000, &r, NULL), 0);
		cache_ref_put(r);
	}
	CHECK_INT(stats(c).entries, 4);
	/* LRU order was k0(held) k2 k3 k1 k4 k5: k2 and k3 go. */
	for (i = 0; i < 6; i++) {
		r = cache_peek(c, keys[i]);
		present |= (r != NULL) << i;
		cache_ref_put(r);
	}
	CHECK_INT(present, 0x33);

	/* Released, k0 is just the least recent (peeks ran k0 k1 k4 k5). */
	cache_ref_put(held);
	cache_set_max_entries(c, 2);
	CHECK_INT(stats(c).entries, 2);
	r = cache_peek(c, "k0");
	CHECK(r == NULL);
	cache_ref_put(r);
	r = cache_peek(c, "k5");
	CHECK(r != NULL);
	cache_ref_put(r);
	cache_set_max_entries(c, 0);
	cache_free(c);
}

/* ---- threads: many keys, expiries and evictions at once (for the sanitizers) --- */

struct stress {
	pthread_t tid;
	struct cache *c;
	struct source *src;
	int seed;
	int bad;
};

static void *stress_run(void *arg)
{
	struct stress *st = arg;
	struct cache_ref *r;
	int i, k;

	for (i = 0; i < 3000; i++) {
		k = (st->seed * 7 + i * 13) % 40;
		if (i % 97 == 0)
			cache_expire_all(st->c);
		if (cache_get(st->c, st->src[k].key, i % 3, source_fetch, &st->src[k],
			      obj_free, &r, NULL) != 0) {
			st->bad++;
			continue;
		}
		if (strcmp(((struct obj *)cache_ref_obj(r))->key, st->src[k].key) != 0)
			st->bad++;
		cache_ref_put(r);
	}
	return NULL;
}

static void test_threads(void)
{
	enum { T = 4, K = 40 };
	struct source src[K];
	struct stress st[T];
	char keys[K][16];
	struct cache *c;
	int i, bad = 0;

	CHECK_INT(cache_new(&c), 0);
	cache_set_max_entries(c, 16);
	for (i = 0; i < K; i++) {
		snprintf(keys[i], sizeof(keys[i]), "s%d", i);
		src[i] = (struct source){ .key = keys[i] };
	}
	for (i = 0; i < T; i++) {
		st[i] = (struct stress){ .c = c, .src = src, .seed = i };
		pthread_create(&st[i].tid, NULL, stress_run, &st[i]);
	}
	for (i = 0; i < T; i++) {
		pthread_join(st[i].tid, NULL);
		bad += st[i].bad;
	}
	CHECK_INT(bad, 0);
	CHECK(stats(c).entries <= 16);
	CHECK_INT(stats(c).hits + stats(c).misses + stats(c).coalesced, T * 3000);
	cache_free(c);
}

int main(void)
{
	int64_t a = cache_now_ms(), b = cache_now_ms();

	CHECK(a > 0 && b >= a);
	test_ttl();
	test_coalescing();
	test_coalesced_error();
	test_stale_if_error();
	test_refs_outlive_flush();
	test_expire_prefix();
	test_expire_during_fetch();
	test_eviction();
	test_threads();
	return CHECK_DONE();
}
