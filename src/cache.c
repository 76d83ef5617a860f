/*
 * cache.c — see include/cache.h for the contract.
 *
 * One mutex guards the table, the LRU list and every entry; it is never held
 * while fetch() runs. The caller that starts a fetch marks the entry
 * "fetching"; later callers of the same key sleep on the entry's condition
 * variable. The fetcher publishes the outcome (last_err, and the value in
 * e->val) and bumps e->gen, so each waiter knows the fetch it waited for is
 * over even if another fetch has started since. An entry is pinned while
 * callers are inside cache_get for it, so neither eviction nor the removal of
 * an empty entry can free it under a sleeping waiter.
 *
 * Values are refcounted independently of the cache (atomic counts), so a
 * reference stays valid after the entry is replaced, evicted or the whole
 * cache is freed.
 */
#include "cache.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CACHE_MAX_ENTRIES_DEFAULT 20000
#define CACHE_BUCKETS_MIN 256

struct cache_ref {
	atomic_uint refs;
	void *obj;
	cache_free_fn free_obj;
	int64_t fetched_ms;
	time_t fetched_wall;     /* wall clock at the fetch, for ages */
};

struct cache_entry {
	char *key;
	struct cache_entry *hnext;
	struct cache_entry *lru_prev, *lru_next;  /* lru_head: most recent */
	struct cache_ref *val;      /* the cache's own reference, or NULL */
	bool expired;
	bool expire_pending;        /* expired while a fetch was in flight */
	bool fetching;
	unsigned pins;
	uint64_t gen;               /* completed fetches */
	int last_err;               /* outcome of the last completed fetch */
	bool last_stale;
	pthread_cond_t done;
};

struct cache {
	pthread_mutex_t lock;
	struct cache_entry **buckets;
	size_t nbuckets;
	struct cache_entry *lru_head, *lru_tail;
	size_t max_entries;
	struct cache_stats st;      /* st.entries: entries in the table */
};

int64_t cache_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- values -------------------------------------------------------------- */

static struct cache_ref *ref_new(void *obj, cache_free_fn free_obj)
{
	struct cache_ref *r = malloc(sizeof(*r));

	if (!r)
		return NULL;
	atomic_init(&r->refs, 1);
	r->obj = obj;
	r->free_obj = free_obj;
	r->fetched_ms = cache_now_ms();
	r->fetched_wall = time(NULL);
	return r;
}

static struct cache_ref *ref_get(struct cache_ref *r)
{
	atomic_fetch_add_explicit(&r->refs, 1, memory_order_relaxed);
	return r;
}

void cache_ref_put(struct cache_ref *r)
{
	if (!r || atomic_fetch_sub_explicit(&r->refs, 1, memory_order_acq_rel) != 1)
		return;
	if (r->free_obj)
		r->free_obj(r->obj);
	free(r);
}

void *cache_ref_obj(const struct cache_ref *r)
{
	return r->obj;
}

int64_t cache_ref_fetched_ms(const struct cache_ref *r)
{
	return r->fetched_ms;
}

time_t cache_ref_fetched_wall(const struct cache_ref *r)
{
	return r->fetched_wall;
}

/* ---- table and LRU (c->lock held) ---------------------------------------- */

static size_t key_hash(const char *key)
{
	uint64_t h = 1469598103934665603ull;   /* FNV-1a */

	for (; *key; key++)
		h = (h ^ (unsigned char)*key) * 1099511628211ull;
	return (size_t)h;
}

static struct cache_entry **bucket_of(struct cache *c, const char *key)
{
	return &c->buckets[key_hash(key) & (c->nbuckets - 1)];
}

static struct cache_entry *entry_find(struct cache *c, const char *key)
{
	struct cache_entry *e;

	for (e = *bucket_of(c, key); e; e = e->hnext)
		if (strcmp(e->key, key) == 0)
			return e;
	return NULL;
}

/* Keeps chains short; a failed allocation just leaves them longer. */
static void table_grow(struct cache *c)
{
	size_t n = c->nbuckets * 2, i;
	struct cache_entry **nb, *e, *next, **b;

	if (c->st.entries <= c->nbuckets)
		return;
	nb = calloc(n, sizeof(*nb));
	if (!nb)
		return;
	for (i = 0; i < c->nbuckets; i++) {
		for (e = c->buckets[i]; e; e = next) {
			next = e->hnext;
			b = &nb[key_hash(e->key) & (n - 1)];
			e->hnext = *b;
			*b = e;
		}
	}
	free(c->buckets);
	c->buckets = nb;
	c->nbuckets = n;
}

static void lru_unlink(struct cache *c, struct cache_entry *e)
{
	if (e->lru_prev)
		e->lru_prev->lru_next = e->lru_next;
	else
		c->lru_head = e->lru_next;
	if (e->lru_next)
		e->lru_next->lru_prev = e->lru_prev;
	else
		c->lru_tail = e->lru_prev;
	e->lru_prev = e->lru_next = NULL;
}

static void lru_push_head(struct cache *c, struct cache_entry *e)
{
	e->lru_prev = NULL;
	e->lru_next = c->lru_head;
	if (c->lru_head)
		c->lru_head->lru_prev = e;
	else
		c->lru_tail = e;
	c->lru_head = e;
}

static void lru_touch(struct cache *c, struct cache_entry *e)
{
	lru_unlink(c, e);
	lru_push_head(c, e);
}

static int entry_create(struct cache *c, const char *key, struct cache_entry **out)
{
	struct cache_entry *e = calloc(1, sizeof(*e)), **b;

	if (!e)
		return -ENOMEM;
	e->key = strdup(key);
	if (!e->key || pthread_cond_init(&e->done, NULL) != 0) {
		free(e->key);
		free(e);
		return -ENOMEM;
	}
	b = bucket_of(c, key);
	e->hnext = *b;
	*b = e;
	lru_push_head(c, e);
	c->st.entries++;
	table_grow(c);
	*out = e;
	return 0;
}

static void entry_destroy(struct cache_entry *e)
{
	cache_ref_put(e->val);
	pthread_cond_destroy(&e->done);
	free(e->key);
	free(e);
}

static void entry_remove(struct cache *c, struct cache_entry *e)
{
	struct cache_entry **p = bucket_of(c, e->key);

	while (*p != e)
		p = &(*p)->hnext;
	*p = e->hnext;
	lru_unlink(c, e);
	c->st.entries--;
	entry_destroy(e);
}

/* Nobody inside cache_get for it and no reader holds its value. */
static bool entry_evictable(const struct cache_entry *e)
{
	if (e->pins || e->fetching)
		return false;
	return !e->val || atomic_load(&e->val->refs) == 1;
}

static void cache_evict(struct cache *c)
{
	struct cache_entry *e = c->lru_tail, *prev;

	while (c->st.entries > c->max_entries && e) {
		prev = e->lru_prev;
		if (entry_evictable(e))
			entry_remove(c, e);
		e = prev;
	}
}

/* Drops the caller's pin; an entry left without value and users goes away
 * (e.g. after -ENOENT), so failed keys do not pile up. */
static void entry_unpin(struct cache *c, struct cache_entry *e)
{
	e->pins--;
	if (!e->pins && !e->fetching && !e->val)
		entry_remove(c, e);
}

/* ---- get ------------------------------------------------------------------ */

static bool entry_fresh(const struct cache_entry *e, long ttl_ms)
{
	if (!e->val || e->expired || ttl_ms <= 0)
		return false;
	return cache_now_ms() - e->val->fetched_ms < ttl_ms;
}

static bool is_transport_error(int err)
{
	switch (err) {
	case -ENOTCONN:
	case -ETIMEDOUT:
	case -EHOSTDOWN:
	case -EHOSTUNREACH:
	case -EAGAIN:
	case -EIO:
	case -EPROTO:	/* an answer cut or garbled */
		return true;
	default:
		return false;
	}
}

/* Records a finished fetch (nv: its new value when err is 0) and wakes the
 * waiters. */
static void entry_fetch_done(struct cache_entry *e, int err, struct cache_ref *nv)
{
	e->last_stale = false;
	if (!err) {
		cache_ref_put(e->val);
		e->val = nv;
		e->expired = e->expire_pending;
	} else if (e->val && is_transport_error(err)) {
		e->last_stale = true;
		err = 0;
	} else if (err == -ENOENT) {
		cache_ref_put(e->val);
		e->val = NULL;
	}
	e->last_err = err;
	e->fetching = false;
	e->expire_pending = false;
	e->gen++;
	pthread_cond_broadcast(&e->done);
}

static void entry_fetch(struct cache *c, struct cache_entry *e,
			cache_fetch_fn fetch, void *ctx, cache_free_fn free_obj)
{
	struct cache_ref *nv = NULL;
	void *obj = NULL;
	int err;

	e->fetching = true;
	c->st.misses++;
	pthread_mutex_unlock(&c->lock);

	err = fetch(ctx, &obj);
	if (!err) {
		nv = ref_new(obj, free_obj);
		if (!nv) {
			if (free_obj)
				free_obj(obj);
			err = -ENOMEM;
		}
	}

	pthread_mutex_lock(&c->lock);
	entry_fetch_done(e, err, nv);
}

static void entry_wait(struct cache *c, struct cache_entry *e)
{
	uint64_t gen = e->gen;

	c->st.coalesced++;
	while (e->gen == gen)
		pthread_cond_wait(&e->done, &c->lock);
}

/* Hands the outcome of the last fetch to one caller. */
static int entry_take(struct cache *c, struct cache_entry *e,
		      struct cache_ref **out, bool *stale)
{
	if (e->last_err)
		return e->last_err;
	*out = ref_get(e->val);
	if (e->last_stale) {
		*stale = true;
		c->st.stale_served++;
	}
	return 0;
}

static _Thread_local bool peek_only;

void cache_set_peek_only(bool on)
{
	peek_only = on;
}

int cache_get(struct cache *c, const char *key, long ttl_ms,
	      cache_fetch_fn fetch, void *ctx, cache_free_fn free_obj,
	      struct cache_ref **out, bool *stale)
{
	struct cache_entry *e;
	bool ignored;
	int ret;

	if (!stale)
		stale = &ignored;
	*stale = false;
	*out = NULL;

	pthread_mutex_lock(&c->lock);
	e = entry_find(c, key);
	if (!e) {
		ret = entry_create(c, key, &e);
		if (ret)
			goto out_unlock;
	}
	e->pins++;
	lru_touch(c, e);
	if (entry_fresh(e, ttl_ms)) {
		c->st.hits++;
		*out = ref_get(e->val);
		ret = 0;
		goto out_unpin;
	}
	if (peek_only) {
		ret = -EWOULDBLOCK;
		goto out_unpin;
	}
	if (e->fetching)
		entry_wait(c, e);
	else
		entry_fetch(c, e, fetch, ctx, free_obj);
	ret = entry_take(c, e, out, stale);
out_unpin:
	entry_unpin(c, e);
	cache_evict(c);
out_unlock:
	pthread_mutex_unlock(&c->lock);
	return ret;
}

struct cache_ref *cache_peek(struct cache *c, const char *key)
{
	struct cache_entry *e;
	struct cache_ref *r = NULL;

	pthread_mutex_lock(&c->lock);
	e = entry_find(c, key);
	if (e && e->val) {
		lru_touch(c, e);
		r = ref_get(e->val);
	}
	pthread_mutex_unlock(&c->lock);
	return r;
}

/* ---- expiry, stats, lifetime --------------------------------------------- */

static void entry_expire(struct cache_entry *e)
{
	e->expired = true;
	/* A fetch in flight may carry an answer older than this call. */
	if (e->fetching)
		e->expire_pending = true;
}

void cache_expire(struct cache *c, const char *key)
{
	struct cache_entry *e;

	pthread_mutex_lock(&c->lock);
	e = entry_find(c, key);
	if (e)
		entry_expire(e);
	pthread_mutex_unlock(&c->lock);
}

void cache_expire_prefix(struct cache *c, const char *prefix)
{
	size_t n = strlen(prefix);
	struct cache_entry *e;

	pthread_mutex_lock(&c->lock);
	for (e = c->lru_head; e; e = e->lru_next)
		if (strncmp(e->key, prefix, n) == 0)
			entry_expire(e);
	pthread_mutex_unlock(&c->lock);
}

void cache_expire_all(struct cache *c)
{
	cache_expire_prefix(c, "");
}

void cache_get_stats(struct cache *c, struct cache_stats *out)
{
	pthread_mutex_lock(&c->lock);
	*out = c->st;
	pthread_mutex_unlock(&c->lock);
}

void cache_set_max_entries(struct cache *c, size_t max)
{
	pthread_mutex_lock(&c->lock);
	c->max_entries = max ? max : CACHE_MAX_ENTRIES_DEFAULT;
	cache_evict(c);
	pthread_mutex_unlock(&c->lock);
}

int cache_new(struct cache **out)
{
	struct cache *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->nbuckets = CACHE_BUCKETS_MIN;
	c->buckets = calloc(c->nbuckets, sizeof(*c->buckets));
	if (!c->buckets || pthread_mutex_init(&c->lock, NULL) != 0) {
		free(c->buckets);
		free(c);
		return -ENOMEM;
	}
	c->max_entries = CACHE_MAX_ENTRIES_DEFAULT;
	*out = c;
	return 0;
}

void cache_free(struct cache *c)
{
	struct cache_entry *e, *next;

	if (!c)
		return;
	for (e = c->lru_head; e; e = next) {
		next = e->lru_next;
		entry_destroy(e);
	}
	pthread_mutex_destroy(&c->lock);
	free(c->buckets);
	free(c);
}
