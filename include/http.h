/*
 * http.h — HTTP transport over libcurl: bounded, thread-safe, connection-reusing.
 *
 * One easy handle per calling thread (kept in thread-local storage, so the
 * connection to the server is reused across requests of that thread; handles are
 * never shared between threads), CURLOPT_NOSIGNAL, connect and total timeouts on
 * every request, TLS verification on unless explicitly disabled.
 *
 * Offline detection (a circuit breaker): after `offline_after` consecutive
 * transport failures (connect refused, timeout, malformed answer, HTTP 5xx) the
 * transport is offline; while offline, requests fail at once with -ENOTCONN
 * except one probe request per `probe_interval_ms`, whose success brings the
 * transport back online.
 *
 * The Authorization header value is never logged; http_redact() is the one way
 * to print a request line.
 */
#ifndef C7NFS_HTTP_H
#define C7NFS_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct http_options {
	long connect_timeout_ms;   /* default 3000 */
	long timeout_ms;           /* total per request, default 10000 */
	long write_timeout_ms;     /* total for PUT/POST/DELETE operations, default 30000 */
	bool insecure;             /* disable TLS verification (explicit opt-in only) */
	int offline_after;         /* consecutive transport failures, default 2 */
	long probe_interval_ms;    /* default 1000 */
	size_t max_body;           /* response cap in bytes, default 64 MiB */
	bool debug;                /* log method, url, status and timing (never the token) */
};

struct http_request {
	const char *method;        /* "GET", "POST", "PUT", "DELETE" */
	const char *url;           /* absolute URL */
	const char *authorization; /* full header value, e.g. "bearer abc"; NULL for none */
	const char *content_type;  /* e.g. "application/json"; NULL for none */
	const char *body;          /* NULL for none */
	size_t body_len;
	bool is_operation;         /* uses write_timeout_ms instead of timeout_ms */
};

struct http_response {
	long status;               /* HTTP status */
	char *body;                /* malloc'd, NUL-terminated (may be ""), owned by caller */
	size_t len;
};

struct http_stats {
	uint64_t requests;         /* requests sent on the wire */
	uint64_t failures;         /* transport failures */
	uint64_t fast_failures;    /* refused at once while offline */
	bool online;
	char last_error[256];      /* last transport error text */
};

struct http_transport;

/* Call once, before any thread starts (curl_global_init). */
int http_global_init(void);
void http_global_cleanup(void);

/* opts may be NULL for defaults; zero fields take defaults. */
int http_transport_new(const struct http_options *opts, struct http_transport **out);
void http_transport_free(struct http_transport *t);

/*
 * Performs one request. Returns 0 when an HTTP answer arrived (any status; the
 * caller interprets it), or a negative errno with *resp untouched:
 * -ENOTCONN (offline / connection refused), -ETIMEDOUT, -EPROTO (malformed),
 * -EFBIG (body over max_body), -ENOMEM. errbuf (may be NULL, size errlen)
 * receives a human-readable reason on failure.
 */
int http_do(struct http_transport *t, const struct http_request *req,
	    struct http_response *resp, char *errbuf, size_t errlen);
void http_response_free(struct http_response *resp);

void http_get_stats(struct http_transport *t, struct http_stats *out);
/* While offline, lets the next request through as a probe at once (a user's
 * explicit write tries the server rather than failing on old news). */
void http_probe_next(struct http_transport *t);
bool http_is_online(struct http_transport *t);

/* URL-encode s into a malloc'd string (NULL on ENOMEM). */
char *http_escape(const char *s);

#endif
