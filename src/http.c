/* http.c — see include/http.h for the contract. */
#include "http.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "sbuf.h"

#define DEFAULT_CONNECT_TIMEOUT_MS 3000L
#define DEFAULT_TIMEOUT_MS 10000L
#define DEFAULT_WRITE_TIMEOUT_MS 30000L
#define DEFAULT_OFFLINE_AFTER 2
#define DEFAULT_PROBE_INTERVAL_MS 1000L
#define DEFAULT_MAX_BODY (64u << 20)

struct http_transport {
	struct http_options opts;
	pthread_mutex_t lock;   /* guards everything below */
	struct http_stats stats;
	int consecutive_failures;
	bool probing;           /* the one request allowed through while offline */
	int64_t last_probe_ms;
};

/* How a finished exchange counts for the circuit breaker. */
enum outcome { OUTCOME_REACHED, OUTCOME_FAILED, OUTCOME_NEUTRAL };

/* Everything one request needs while curl runs it. */
struct exchange {
	struct sbuf body;
	char curl_err[CURL_ERROR_SIZE];
	long status;
};

static pthread_key_t handle_key;
static pthread_once_t handle_once = PTHREAD_ONCE_INIT;
static int handle_key_err;

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- one easy handle per thread ------------------------------------------ */

static void handle_destroy(void *h)
{
	curl_easy_cleanup(h);
}

static void handle_key_create(void)
{
	handle_key_err = pthread_key_create(&handle_key, handle_destroy);
}

/* The calling thread's handle, reset to defaults but keeping its connection
 * cache, so consecutive requests of a thread reuse the same connection. */
static CURL *thread_handle(void)
{
	CURL *h;

	if (pthread_once(&handle_once, handle_key_create) || handle_key_err)
		return NULL;
	h = pthread_getspecific(handle_key);
	if (h) {
		curl_easy_reset(h);
		return h;
	}
	h = curl_easy_init();
	if (h && pthread_setspecific(handle_key, h)) {
		curl_easy_cleanup(h);
		h = NULL;
	}
	return h;
}

int http_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) ? -EIO : 0;
}

void http_global_cleanup(void)
{
	CURL *h;

	/* Key destructors do not run for the main thread: release its handle here. */
	if (!handle_key_err && pthread_once(&handle_once, handle_key_create) == 0) {
		h = pthread_getspecific(handle_key);
		if (h) {
			pthread_setspecific(handle_key, NULL);
			curl_easy_cleanup(h);
		}
	}
	curl_global_cleanup();
}

/* ---- transport ------------------------------------------------------------ */

static void apply_defaults(struct http_options *o)
{
	if (o->connect_timeout_ms <= 0)
		o->connect_timeout_ms = DEFAULT_CONNECT_TIMEOUT_MS;
	if (o->timeout_ms <= 0)
		o->timeout_ms = DEFAULT_TIMEOUT_MS;
	if (o->write_timeout_ms <= 0)
		o->write_timeout_ms = DEFAULT_WRITE_TIMEOUT_MS;
	if (o->offline_after <= 0)
		o->offline_after = DEFAULT_OFFLINE_AFTER;
	if (o->probe_interval_ms <= 0)
		o->probe_interval_ms = DEFAULT_PROBE_INTERVAL_MS;
	if (!o->max_body)
		o->max_body = DEFAULT_MAX_BODY;
}

int http_transport_new(const struct http_options *opts, struct http_transport **out)
{
	struct http_transport *t;

	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	if (opts)
		t->opts = *opts;
	apply_defaults(&t->opts);
	if (pthread_mutex_init(&t->lock, NULL)) {
		free(t);
		return -ENOMEM;
	}
	t->stats.online = true;
	*out = t;
	return 0;
}

void http_transport_free(struct http_transport *t)
{
	if (!t)
		return;
	pthread_mutex_destroy(&t->lock);
	free(t);
}

/* ---- circuit breaker --------------------------------------------------------- */

/* Lets a request go on the wire, or refuses it at once while offline (except
 * for one probe per probe interval). */
static int breaker_admit(struct http_transport *t, char *errbuf, size_t errlen)
{
	int64_t now = now_ms();
	int ret = 0;

	pthread_mutex_lock(&t->lock);
	if (!t->stats.online) {
		if (!t->probing && now - t->last_probe_ms >= t->opts.probe_interval_ms) {
			t->probing = true;
			t->last_probe_ms = now;
		} else {
			t->stats.fast_failures++;
			c7_why(errbuf, errlen, "server offline (%s)",
				t->stats.last_error);
			ret = -ENOTCONN;
		}
	}
	if (!ret)
		t->stats.requests++;
	pthread_mutex_unlock(&t->lock);
	return ret;
}

void http_probe_next(struct http_transport *t)
{
	pthread_mutex_lock(&t->lock);
	if (!t->probing)
		t->last_probe_ms = 0;
	pthread_mutex_unlock(&t->lock);
}

static void breaker_record(struct http_transport *t, enum outcome oc, const char *why)
{
	bool went_offline = false, came_back = false;

	pthread_mutex_lock(&t->lock);
	t->probing = false;
	if (oc == OUTCOME_FAILED) {
		t->stats.failures++;
		snprintf(t->stats.last_error, sizeof(t->stats.last_error), "%s", why);
		t->consecutive_failures++;
		/* a failed probe restarts the wait for the next one */
		t->last_probe_ms = now_ms();
		if (t->stats.online && t->consecutive_failures >= t->opts.offline_after) {
			t->stats.online = false;
			went_offline = true;
		}
	} else if (oc == OUTCOME_REACHED) {
		t->consecutive_failures = 0;
		came_back = !t->stats.online;
		t->stats.online = true;
	}
	pthread_mutex_unlock(&t->lock);
	if (went_offline)
		c7_log(C7_LOG_WARN, "server unreachable, going offline: %s", why);
	if (came_back)
		c7_log(C7_LOG_INFO, "server reachable again, back online");
}

/* ---- one exchange ----------------------------------------------------------- */

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
	struct sbuf *sb = ud;

	sbuf_add(sb, data, size * n);
	/* a short count makes curl abort with CURLE_WRITE_ERROR */
	return sbuf_error(sb) ? 0 : size * n;
}

static struct curl_slist *build_headers(const struct http_request *req)
{
	struct curl_slist *h = NULL, *n;
	char *ctype = NULL, *auth = NULL;
	const char *lines[4];
	bool ok;
	size_t i;

	/* an empty "Content-Type:" stops curl adding its form-encoded default */
	ok = asprintf(&ctype, "Content-Type: %s",
		      req->content_type ? req->content_type : "") >= 0;
	if (!ok)
		ctype = NULL;
	if (ok && req->authorization &&
	    asprintf(&auth, "Authorization: %s", req->authorization) < 0) {
		auth = NULL;
		ok = false;
	}
	lines[0] = "Accept: application/json";
	/* "Expect: 100-continue" would add a round trip to every larger body */
	lines[1] = "Expect:";
	lines[2] = ctype;
	lines[3] = auth;
	for (i = 0; ok && i < 4 && lines[i]; i++) {
		n = curl_slist_append(h, lines[i]);
		ok = n != NULL;
		h = n ? n : h;
	}
	free(ctype);
	if (auth)
		explicit_bzero(auth, strlen(auth));
	free(auth);
	if (!ok) {
		curl_slist_free_all(h);
		h = NULL;
	}
	return h;
}

static void set_method(CURL *h, const struct http_request *req)
{
	bool post = strcmp(req->method, "POST") == 0;
	bool put = strcmp(req->method, "PUT") == 0;

	if (post)
		curl_easy_setopt(h, CURLOPT_POST, 1L);
	else if (strcmp(req->method, "GET") != 0)
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
	/* PUT and POST always carry a body, if only "Content-Length: 0" */
	if (req->body || post || put) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body ? req->body : "");
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)(req->body ? req->body_len : 0));
	}
}

static void set_options(CURL *h, const struct http_transport *t,
			const struct http_request *req, struct curl_slist *headers,
			struct exchange *x)
{
	const struct http_options *o = &t->opts;

	curl_easy_setopt(h, CURLOPT_URL, req->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
			 req->is_operation ? o->write_timeout_ms : o->timeout_ms);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPIDLE, 30L);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPINTVL, 10L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, o->insecure ? 0L : 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, o->insecure ? 0L : 2L);
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_body);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, x->curl_err);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &x->body);
	set_method(h, req);
}

/* Maps curl's verdict to the header's errno set. */
static int classify(CURLcode rc, const struct exchange *x)
{
	switch (rc) {
	case CURLE_OK:
		return 0;
	case CURLE_OPERATION_TIMEDOUT:
		return -ETIMEDOUT;
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:     /* the server closed the connection unanswered */
		return -ENOTCONN;
	case CURLE_FILESIZE_EXCEEDED:
		return -EFBIG;
	case CURLE_OUT_OF_MEMORY:
		return -ENOMEM;
	case CURLE_WRITE_ERROR:
		return sbuf_error(&x->body) ? sbuf_error(&x->body) : -EIO;
	default:
		return -EPROTO;
	}
}

static enum outcome outcome_of(int ret, long status)
{
	if (ret == -ENOMEM)
		return OUTCOME_NEUTRAL;
	/* an oversized answer still proves the server is there */
	if (ret == -EFBIG)
		return OUTCOME_REACHED;
	if (ret || status >= 500)
		return OUTCOME_FAILED;
	return OUTCOME_REACHED;
}

/* The only way a request is printed: method and URL, never the headers (the
 * Authorization value) nor the body (it may hold a password). */
static void http_redact(const struct http_request *req, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s", req->method, req->url);
}

static void describe_failure(const struct http_request *req, int ret,
			     const struct exchange *x, char *buf, size_t len)
{
	size_t n;

	http_redact(req, buf, len);
	n = strlen(buf);
	if (ret == -EFBIG)
		snprintf(buf + n, len - n, ": answer larger than the limit");
	else if (ret)
		snprintf(buf + n, len - n, ": %s",
			 x->curl_err[0] ? x->curl_err : strerror(-ret));
	else
		snprintf(buf + n, len - n, ": HTTP %ld", x->status);
}

static int perform(struct http_transport *t, const struct http_request *req,
		   struct exchange *x)
{
	struct curl_slist *headers = NULL;
	CURL *h;
	int ret = -ENOMEM;

	h = thread_handle();
	if (!h)
		goto out;
	headers = build_headers(req);
	if (!headers)
		goto out;
	set_options(h, t, req, headers, x);
	ret = classify(curl_easy_perform(h), x);
	if (!ret)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &x->status);
	/* the handle outlives this call: drop pointers into our stack and heap */
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
out:
	curl_slist_free_all(headers);
	return ret;
}

static void log_exchange(const struct http_transport *t, const struct http_request *req,
			 int ret, const struct exchange *x, int64_t ms, const char *why)
{
	char line[512];

	if (!t->opts.debug)
		return;
	http_redact(req, line, sizeof(line));
	if (ret)
		c7_log(C7_LOG_DEBUG, "http %s failed after %lld ms: %s", line,
		       (long long)ms, why);
	else
		c7_log(C7_LOG_DEBUG, "http %s -> %ld in %lld ms, %zu bytes", line,
		       x->status, (long long)ms, x->body.len);
}

int http_do(struct http_transport *t, const struct http_request *req,
	    struct http_response *resp, char *errbuf, size_t errlen)
{
	struct exchange x = { .status = 0 };
	char why[1024], *body;
	int64_t start;
	size_t len;
	int ret;

	ret = breaker_admit(t, errbuf, errlen);
	if (ret)
		return ret;
	sbuf_init(&x.body, t->opts.max_body);
	start = now_ms();
	ret = perform(t, req, &x);
	describe_failure(req, ret, &x, why, sizeof(why));
	breaker_record(t, outcome_of(ret, x.status), why);
	log_exchange(t, req, ret, &x, now_ms() - start, why);
	if (ret) {
		c7_why(errbuf, errlen, "%s", why);
		goto out;
	}
	body = sbuf_detach(&x.body, &len);
	if (!body) {
		ret = -ENOMEM;
		goto out;
	}
	resp->status = x.status;
	resp->body = body;
	resp->len = len;
out:
	sbuf_free(&x.body);
	return ret;
}

void http_response_free(struct http_response *resp)
{
	free(resp->body);
	resp->body = NULL;
	resp->len = 0;
	resp->status = 0;
}

void http_get_stats(struct http_transport *t, struct http_stats *out)
{
	pthread_mutex_lock(&t->lock);
	*out = t->stats;
	pthread_mutex_unlock(&t->lock);
}

bool http_is_online(struct http_transport *t)
{
	bool online;

	pthread_mutex_lock(&t->lock);
	online = t->stats.online;
	pthread_mutex_unlock(&t->lock);
	return online;
}

static bool is_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~';
}

char *http_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;
	char *out, *o;

	out = malloc(strlen(s) * 3 + 1);
	if (!out)
		return NULL;
	o = out;
	for (p = (const unsigned char *)s; *p; p++) {
		if (is_unreserved(*p)) {
			*o++ = (char)*p;
			continue;
		}
		*o++ = '%';
		*o++ = hex[*p >> 4];
		*o++ = hex[*p & 15];
	}
	*o = '\0';
	return out;
}
