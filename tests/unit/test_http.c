/* test_http.c — the transport against a loopback server inside the test. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "http.h"
#include "log.h"
#include "tserver.h"

/* What the server saw last, for the handlers below. */
struct seen {
	pthread_mutex_t lock;
	char method[16];
	char target[2048];
	char accept[64];
	char auth[128];
	char ctype[64];
	char clen[16];
	char body[256];
	bool has_clen;
};

static struct seen seen = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void remember(const struct treq *rq)
{
	pthread_mutex_lock(&seen.lock);
	snprintf(seen.method, sizeof(seen.method), "%s", rq->method);
	snprintf(seen.target, sizeof(seen.target), "%s", rq->target);
	theader(rq, "Accept", seen.accept, sizeof(seen.accept));
	theader(rq, "Authorization", seen.auth, sizeof(seen.auth));
	theader(rq, "Content-Type", seen.ctype, sizeof(seen.ctype));
	seen.has_clen = theader(rq, "Content-Length", seen.clen, sizeof(seen.clen));
	snprintf(seen.body, sizeof(seen.body), "%s", rq->body);
	pthread_mutex_unlock(&seen.lock);
}

/* Routes by path: /big/N and /chunky/N send N bytes (with and without a
 * Content-Length), /status/N answers status N, /garbage is not HTTP,
 * /hang never answers; everything else echoes {"ok":true}. */
static enum treply handler(void *ctx, const struct treq *rq, struct sbuf *out)
{
	char *blob;
	long n;

	(void)ctx;
	remember(rq);
	if (sscanf(rq->target, "/big/%ld", &n) == 1 ||
	    sscanf(rq->target, "/chunky/%ld", &n) == 1) {
		blob = malloc((size_t)n + 1);
		memset(blob, 'x', (size_t)n);
		blob[n] = '\0';
		if (strncmp(rq->target, "/big/", 5) == 0) {
			treply(out, 200, blob);
			free(blob);
			return T_SEND;
		}
		sbuf_printf(out, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n%s", blob);
		free(blob);
		return T_SEND_CLOSE;
	}
	if (sscanf(rq->target, "/status/%ld", &n) == 1) {
		treply(out, (int)n, "{\"failed\":true}");
		return T_SEND;
	}
	if (strcmp(rq->target, "/garbage") == 0) {
		sbuf_adds(out, "this is not http\r\n\r\n");
		return T_SEND_CLOSE;
	}
	if (strcmp(rq->target, "/hang") == 0)
		return T_HANG;
	treply(out, 200, "{\"ok\":true}");
	return T_SEND;
}

static struct http_transport *transport(long timeout_ms, size_t max_body)
{
	struct http_options o = {
		.timeout_ms = timeout_ms,
		.connect_timeout_ms = 1000,
		.max_body = max_body,
		.offline_after = 100,
	};
	struct http_transport *t = NULL;

	CHECK_INT(http_transport_new(&o, &t), 0);
	return t;
}

static int do_req(struct http_transport *t, const char *method, const char *url,
		  const char *body, struct http_response *resp, char *err, size_t errlen)
{
	struct http_request req = {
		.method = method,
		.url = url,
		.authorization = "bearer s3cret",
		.content_type = body ? "application/json" : NULL,
		.body = body,
		.body_len = body ? strlen(body) : 0,
	};

	memset(resp, 0, sizeof(*resp));
	return http_do(t, &req, resp, err, errlen);
}

static void test_get_and_headers(struct tserver *s)
{
	struct http_transport *t = transport(0, 0);
	struct http_response r;
	char url[128], err[256] = "";

	tserver_url(s, "/devops/v1/x?a=1", url, sizeof(url));
	CHECK_INT(do_req(t, "GET", url, NULL, &r, err, sizeof(err)), 0);
	CHECK_INT(r.status, 200);
	CHECK_STR(r.body, "{\"ok\":true}");
	CHECK_INT(r.len, 11);
	CHECK_STR(seen.method, "GET");
	CHECK_STR(seen.target, "/devops/v1/x?a=1");
	CHECK_STR(seen.accept, "application/json");
	CHECK_STR(seen.auth, "bearer s3cret");
	http_response_free(&r);
	CHECK(r.body == NULL);
	http_transport_free(t);
}

static void test_methods_and_bodies(struct tserver *s)
{
	struct http_transport *t = transport(0, 0);
	struct http_response r;
	char url[128];

	tserver_url(s, "/post", url, sizeof(url));
	CHECK_INT(do_req(t, "POST", url, "{\"searchParam\":{},\"params\":[]}", &r, NULL, 0), 0);
	CHECK_STR(seen.method, "POST");
	CHECK_STR(seen.body, "{\"searchParam\":{},\"params\":[]}");
	CHECK_STR(seen.ctype, "application/json");
	http_response_free(&r);

	tserver_url(s, "/put", url, sizeof(url));
	CHECK_INT(do_req(t, "PUT", url, NULL, &r, NULL, 0), 0);
	CHECK_STR(seen.method, "PUT");
	CHECK_STR(seen.clen, "0");
	CHECK_STR(seen.ctype, "");
	CHECK_INT(r.status, 200);
	http_response_free(&r);

	tserver_url(s, "/del", url, sizeof(url));
	CHECK_INT(do_req(t, "DELETE", url, NULL, &r, NULL, 0), 0);
	CHECK_STR(seen.method, "DELETE");
	CHECK_STR(seen.body, "");
	http_response_free(&r);
	http_transport_free(t);
}

static void test_status_passes_through(struct tserver *s)
{
	struct http_transport *t = transport(0, 0);
	struct http_response r;
	struct http_stats st;
	char url[128];

	tserver_url(s, "/status/404", url, sizeof(url));
	CHECK_INT(do_req(t, "GET", url, NULL, &r, NULL, 0), 0);
	CHECK_INT(r.status, 404);
	CHECK_STR(r.body, "{\"failed\":true}");
	http_response_free(&r);
	http_get_stats(t, &st);
	CHECK_INT(st.failures, 0);

	/* a 5xx is an answer for the caller but a failure for the breaker */
	tserver_url(s, "/status/502", url, sizeof(url));
	CHECK_INT(do_req(t, "GET", url, NULL, &r, NULL, 0), 0);
	CHECK_INT(r.status, 502);
	http_response_free(&r);
	http_get_stats(t, &st);
	CHECK_INT(st.requests, 2);
	CHECK_INT(st.failures, 1);
	CHECK(st.online);
	http_transport_free(t);
}

static void test_keepalive_reuse(void)
{
	struct http_transport *t = transport(0, 0);
	struct http_response r;
	struct tserver s;
	char url[128];
	int i;

	CHECK_INT(tserver_start(&s, handler, NULL), 0);
	tserver_url(&s, "/a", url, sizeof(url));
	for (i = 0; i < 4; i++) {
		CHECK_INT(do_req(t, i % 2 ? "POST" : "GET", url, i % 2 ? "{}" : NULL,
				 &r, NULL, 0), 0);
		http_response_free(&r);
	}
	CHECK_INT(tserver_count(&s, &s.requests), 4);
	CHECK_INT(tserver_count(&s, &s.connections), 1);
	tserver_stop(&s);
	http_transport_free(t);
}

struct thread_arg {
	struct http_transport *t;
	const char *url;
	int ok;
};

static void *three_requests(void *p)
{
	struct thread_arg *a = p;
	struct http_response r;
	int i;

	for (i = 0; i < 3; i++) {
		if (do_req(a->t, "GET", a->url, NULL, &r, NULL, 0) == 0 && r.status == 200)
			a->ok++;
		http_response_free(&r);
	}
	return NULL;
}

/* Handles are per thread: two threads, two connections, each reused. */
static void test_handle_per_thread(void)
{
	struct http_transport *t = transport(0, 0);
	struct thread_arg a[2];
	pthread_t th[2];
	struct tserver s;
	char url[128];
	int i;

	CHECK_INT(tserver_start(&s, handler, NULL), 0);
	tserver_url(&s, "/t", url, sizeof(url));
	for (i = 0; i < 2; i++) {
		a[i] = (struct thread_arg){ .t = t, .url = url };
		pthread_create(&th[i], NULL, three_requests, &a[i]);
	}
	for (i = 0; i < 2; i++) {
		pthread_join(th[i], NULL);
		CHECK_INT(a[i].ok, 3);
	}
	CHECK_INT(tserver_count(&s, &s.requests), 6);
	CHECK_INT(tserver_count(&s, &s.connections), 2);
	tserver_stop(&s);
	http_transport_free(t);
}

static void test_timeout(struct tserver *s)
{
	struct http_transport *t = transport(300, 0);
	struct http_response r;
	char url[128], err[256] = "";
	int64_t start, ms;

	tserver_url(s, "/hang", url, sizeof(url));
	start = tnow_ms();
	CHECK_INT(do_req(t, "GET", url, NULL, &r, err, sizeof(err)), -ETIMEDOUT);
	ms = tnow_ms() - start;
	CHECK(ms >= 250 && ms < 1500);
	CHECK(strstr(err, "GET http://127.0.0.1:") != NULL);
	CHECK(strstr(err, "s3cret") == NULL);
	CHECK(r.body == NULL);
	http_transport_free(t);
}

static void test_refused_fast(void)
{
	struct http_transport *t = transport(5000, 0);
	struct http_response r;
	char url[128], err[256] = "";
	int64_t start;
	int fd, port;

	fd = tserver_bind(&port);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/x", port);
	start = tnow_ms();
	CHECK_INT(do_req(t, "GET", url, NULL, &r, err, sizeof(err)), -ENOTCONN);
	CHECK(tnow_ms() - start < 1000);
	CHECK(err[0] != '\0');
	close(fd);
	http_transport_free(t);
}

static void test_offline_breaker(void)
{
	struct http_options o = { .offline_after = 2, .probe_interval_ms = 200 };
	struct http_transport *t = NULL;
	struct http_response r;
	struct http_stats st;
	struct tserver s;
	char url[128], err[256];
	int64_t deadline;
	int fd, port, ret = -1;

	CHECK_INT(http_transport_new(&o, &t), 0);
	fd = tserver_bind(&port);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/x", port);
	CHECK_INT(do_req(t, "GET", url, NULL, &r, NULL, 0), -ENOTCONN);
	CHECK(http_is_online(t));
	CHECK_INT(do_req(t, "GET", url, NULL, &r, NULL, 0), -ENOTCONN);
	CHECK(!http_is_online(t));
	/* offline: refused without touching the wire */
	CHECK_INT(do_req(t, "GET", url, NULL, &r, err, sizeof(err)), -ENOTCONN);
	CHECK(strncmp(err, "server offline", 14) == 0);
	http_get_stats(t, &st);
	CHECK_INT(st.requests, 2);
	CHECK_INT(st.failures, 2);
	CHECK_INT(st.fast_failures, 1);
	CHECK(!st.online);
	CHECK(strstr(st.last_error, url) != NULL);

	/* the server comes back; only a probe per interval reaches it */
	CHECK_INT(tserver_start_on(&s, fd, port, handler, NULL), 0);
	deadline = tnow_ms() + 3000;
	while (ret && tnow_ms() < deadline) {
		ret = do_req(t, "GET", url, NULL, &r, NULL, 0);
		if (!ret)
			http_response_free(&r);
	}
	CHECK_INT(ret, 0);
	CHECK(http_is_online(t));
	CHECK_INT(tserver_count(&s, &s.requests), 1);
	http_get_stats(t, &st);
	CHECK_INT(st.requests, 3);
	CHECK(st.fast_failures > 1);
	tserver_stop(&s);
	http_transport_free(t);
}

static void test_body_cap(struct tserver *s)
{
	struct http_transport *t = transport(0, 1000);
	struct http_response r;
	char url[128], err[256] = "";

	tserver_url(s, "/big/1000", url, sizeof(url));
	CHECK_INT(do_req(t, "GET", url, NULL, &r, NULL, 0), 0);
	CHECK_INT(r.len, 1000);
	CHECK_INT(strlen(r.body), 1000);
	http_response_free(&r);

	tserver_url(s, "/big/1001", url, sizeof(url));
	CHECK_INT(do_req(t, "GET", url, NULL, &r, err, sizeof(err)), -EFBIG);
	CHECK(strstr(err, "larger than the limit") != NULL);
	tserver_url(s, "/chunky/5000", url, sizeof(url));
	CHECK_INT(do_req(t, "GET", url, NULL, &r, NULL, 0), -EFBIG);
	CHECK(r.body == NULL);
	CHECK(http_is_online(t));
	http_transport_free(t);
}

static void test_malformed(struct tserver *s)
{
	struct http_transport *t = transport(0, 0);
	struct http_response r;
	struct http_stats st;
	char url[128];

	tserver_url(s, "/garbage", url, sizeof(url));
	CHECK_INT(do_req(t, "GET", url, NULL, &r, NULL, 0), -EPROTO);
	http_get_stats(t, &st);
	CHECK_INT(st.failures, 1);
	http_transport_free(t);
}

/* Debug logging shows method, URL, status and timing, never the token. */
static void test_debug_log_redacts(struct tserver *s)
{
	struct http_options o = { .debug = true };
	struct http_transport *t = NULL;
	struct http_response r;
	char url[128], want[192], journal[4096];
	size_t n;

	c7_log_init(true, true, 0);
	CHECK_INT(http_transport_new(&o, &t), 0);
	tserver_url(s, "/logged?x=1", url, sizeof(url));
	CHECK_INT(do_req(t, "POST", url, "{\"password\":\"hunter2\"}", &r, NULL, 0), 0);
	http_response_free(&r);
	n = c7_log_read(0, journal, sizeof(journal) - 1);
	journal[n] = '\0';
	snprintf(want, sizeof(want), "DEBUG http POST %s -> 200 in ", url);
	CHECK(strstr(journal, want) != NULL);
	CHECK(strstr(journal, "s3cret") == NULL);
	CHECK(strstr(journal, "hunter2") == NULL);
	http_transport_free(t);
	c7_log_shutdown();
}

static void test_escape(void)
{
	char *e = http_escape("a b/c=d+é~_.-Z9");

	CHECK_STR(e, "a%20b%2Fc%3Dd%2B%C3%A9~_.-Z9");
	free(e);
	e = http_escape("");
	CHECK_STR(e, "");
	free(e);
}

int main(void)
{
	struct tserver s;

	CHECK_INT(http_global_init(), 0);
	CHECK_INT(tserver_start(&s, handler, NULL), 0);
	test_get_and_headers(&s);
	test_methods_and_bodies(&s);
	test_status_passes_through(&s);
	test_timeout(&s);
	test_body_cap(&s);
	test_malformed(&s);
	test_debug_log_redacts(&s);
	tserver_stop(&s);
	test_keepalive_reuse();
	test_handle_per_thread();
	test_refused_fast();
	test_offline_breaker();
	test_escape();
	http_global_cleanup();
	return CHECK_DONE();
}
