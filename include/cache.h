/*
 * cache.h — TTL cache of decoded API answers with request coalescing.
 *
 * Keys are strings (by convention the request they stand for, e.g.
 * "I1 <project> <env>"). A value is an opaque object with a destructor; readers
 * hold a reference (struct cache_ref) and the object lives until the last
 * reference is dropped, even if the cache replaced or flushed it meanwhile.
 *
 * cache_get semantics:
 *  - fresh entry (younger than ttl_ms): returned without calling fetch;
 *  - otherwise exactly one caller runs fetch() while every concurrent caller of
 *    the same key waits for that answer (coalescing: N readers, 1 request);
 *  - if fetch fails with a transport error (-ENOTCONN, -ETIMEDOUT, -EHOSTDOWN,
 *    -EHOSTUNREACH, -EAGAIN, -EIO from a 5xx, -EPROTO for a garbled answer) and
 *    a stale value exists, the stale value is returned (stale-if-error) and
 *    *stale is set; other errors are returned as is and the stale value is
 *    dropped only for -ENOENT.
 *  - ttl_ms <= 0 always fetches (still coalesced with in-flight fetches).
 * Mtimes are not the cache's business: the tree keeps them stable by comparing
 * rendered bytes.
 */
#ifndef C7NFS_CACHE_H
#define C7NFS_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct cache;
struct cache_ref;

/* Fetches a fresh value. On success sets *obj (owned by the cache afterwards)
 * and returns 0; else returns a negative errno and sets nothing. */
typedef int (*cache_fetch_fn)(void *ctx, void **obj);
typedef void (*cache_free_fn)(void *obj);

struct cache_stats {
	uint64_t hits;
	uint64_t misses;      /* fetches started */
	uint64_t coalesced;   /* callers that waited on another caller's fetch */
	uint64_t stale_served;
	uint64_t entries;
};

int cache_new(struct cache **out);
void cache_free(struct cache *c);

/*
 * Returns 0 and a new reference in *out, or a negative errno.
 * free_obj releases objects of this key's kind. stale may be NULL.
 */
int cache_get(struct cache *c, const char *key, long ttl_ms,
	      cache_fetch_fn fetch, void *ctx, cache_free_fn free_obj,
	      struct cache_ref **out, bool *stale);

/* While on, cache_get on the calling thread never fetches: it answers a fresh
 * value or -EWOULDBLOCK. For work that must not cost requests (the attributes
 * a directory listing volunteers). */
void cache_set_peek_only(bool on);

/* Peeks without fetching: a reference to whatever value is present (any age),
 * or NULL. */
struct cache_ref *cache_peek(struct cache *c, const char *key);

void *cache_ref_obj(const struct cache_ref *r);
/* Monotonic time (ms) at which this value was fetched. */
int64_t cache_ref_fetched_ms(const struct cache_ref *r);
/* Wall-clock time (seconds) of the same fetch. */
time_t cache_ref_fetched_wall(const struct cache_ref *r);
void cache_ref_put(struct cache_ref *r);

/* Marks one key (or every key starting with prefix) as expired: the next get
 * fetches, but the old value is still served if that fetch fails. */
void cache_expire(struct cache *c, const char *key);
void cache_expire_prefix(struct cache *c, const char *prefix);
/* Expires everything (.c7nfs/ctl "flush"). */
void cache_expire_all(struct cache *c);

void cache_get_stats(struct cache *c, struct cache_stats *out);

/* Monotonic clock in milliseconds (shared helper). */
int64_t cache_now_ms(void);

/*
 * Added with the cache implementation: the bound on the number of entries
 * (0 = the default, 20000). Past it, the least recently used entries that no
 * caller is fetching or waiting on and whose value no reader holds are evicted.
 */
void cache_set_max_entries(struct cache *c, size_t max);

#endif
