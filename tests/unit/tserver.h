/*
 * tserver.h — a tiny loopback HTTP/1.1 server for the unit tests of the HTTP
 * transport and the API client. One thread accepts; each connection gets its
 * own thread that reads requests and answers them with what a handler writes,
 * keeping the connection alive unless told otherwise. Connections and requests
 * are counted, so tests can check connection reuse and request costs.
 */
#ifndef C7NFS_TEST_TSERVER_H
#define C7NFS_TEST_TSERVER_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sbuf.h"

#define TSERVER_MAX_CONNS 64

struct treq {
	char method[16];
	char target[2048];
	char headers[8192];     /* the raw header lines */
	char *body;             /* NUL-terminated */
	size_t body_len;
};

enum treply {
	T_SEND,                 /* send out, keep the connection */
	T_SEND_CLOSE,           /* send out, then close */
	T_HANG,                 /* never answer */
};

typedef enum treply (*tserver_fn)(void *ctx, const struct treq *rq, struct sbuf *out);

struct tserver {
	int fd;
	int port;
	tserver_fn fn;
	void *ctx;
	pthread_t acceptor;
	pthread_mutex_t lock;   /* guards conns and the counters */
	pthread_t conns[TSERVER_MAX_CONNS];
	int n_conns;
	int connections;
	int requests;
	atomic_int stop;
};

struct tconn {
	struct tserver *s;
	int fd;
	struct sbuf in;
};

static inline int64_t tnow_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A loopback TCP socket bound to a free port, not yet listening: connecting to
 * it is refused until tserver_start_on() listens on it. */
static inline int tserver_bind(int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(fd, (struct sockaddr *)&a, &len)) {
		close(fd);
		return -errno;
	}
	*port = ntohs(a.sin_port);
	return fd;
}

/* Waits until fd is readable or the server stops; 1 readable, 0 stopping. */
static inline int twait(struct tserver *s, int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	while (!atomic_load(&s->stop))
		if (poll(&p, 1, 20) > 0)
			return 1;
	return 0;
}

static inline const char *tfind_header(const char *headers, const char *name)
{
	size_t n = strlen(name);
	const char *p = headers;

	while (p && *p) {
		if (strncasecmp(p, name, n) == 0 && p[n] == ':')
			return p + n + 1 + strspn(p + n + 1, " ");
		p = strstr(p, "\r\n");
		p = p ? p + 2 : NULL;
	}
	return NULL;
}

/* Copies the value of header `name` of rq into buf ("" when absent);
 * returns whether it was present. */
static inline bool theader(const struct treq *rq, const char *name, char *buf, size_t len)
{
	const char *v = tfind_header(rq->headers, name);

	snprintf(buf, len, "%.*s", v ? (int)strcspn(v, "\r\n") : 0, v ? v : "");
	return v != NULL;
}

/* Reads one request; 1 when rq is filled, 0 at the end of the connection. */
static inline int tread_request(struct tconn *c, struct treq *rq)
{
	char buf[4096], *end, *cl;
	size_t head, want;
	ssize_t n;

	for (;;) {
		end = c->in.len ? strstr(c->in.buf, "\r\n\r\n") : NULL;
		if (end) {
			head = (size_t)(end - c->in.buf) + 4;
			cl = (char *)tfind_header(strstr(c->in.buf, "\r\n") + 2, "Content-Length");
			want = head + (cl && cl < end ? strtoul(cl, NULL, 10) : 0);
			if (c->in.len >= want)
				break;
		}
		if (!twait(c->s, c->fd))
			return 0;
		n = recv(c->fd, buf, sizeof(buf), 0);
		if (n <= 0)
			return 0;
		sbuf_add(&c->in, buf, (size_t)n);
	}
	memset(rq, 0, sizeof(*rq));
	sscanf(c->in.buf, "%15s %2047s", rq->method, rq->target);
	snprintf(rq->headers, sizeof(rq->headers), "%.*s",
		 (int)(head - (size_t)(strstr(c->in.buf, "\r\n") + 2 - c->in.buf)),
		 strstr(c->in.buf, "\r\n") + 2);
	rq->body_len = want - head;
	rq->body = strndup(c->in.buf + head, rq->body_len);
	memmove(c->in.buf, c->in.buf + want, c->in.len - want);
	sbuf_setlen(&c->in, c->in.len - want);
	return 1;
}

static inline void tsend_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len && (n = send(fd, p, len, MSG_NOSIGNAL)) > 0) {
		p += n;
		len -= (size_t)n;
	}
}

static inline void *tconn_main(void *arg)
{
	struct tconn *c = arg;
	enum treply r = T_SEND;
	struct sbuf out;
	struct treq rq;

	sbuf_init(&out, 0);
	while (r == T_SEND && tread_request(c, &rq)) {
		pthread_mutex_lock(&c->s->lock);
		c->s->requests++;
		pthread_mutex_unlock(&c->s->lock);
		sbuf_setlen(&out, 0);
		r = c->s->fn(c->s->ctx, &rq, &out);
		free(rq.body);
		if (r == T_HANG) {
			/* hold the connection open and silent until the peer gives up */
			while (twait(c->s, c->fd) && recv(c->fd, &rq.method, 1, 0) > 0)
				;
			break;
		}
		tsend_all(c->fd, out.buf, out.len);
	}
	sbuf_free(&out);
	sbuf_free(&c->in);
	close(c->fd);
	free(c);
	return NULL;
}

static inline void *tserver_main(void *arg)
{
	struct tserver *s = arg;
	struct tconn *c;
	int fd;

	while (twait(s, s->fd)) {
		fd = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		c = calloc(1, sizeof(*c));
		c->s = s;
		c->fd = fd;
		sbuf_init(&c->in, 0);
		pthread_mutex_lock(&s->lock);
		s->connections++;
		if (s->n_conns < TSERVER_MAX_CONNS &&
		    !pthread_create(&s->conns[s->n_conns], NULL, tconn_main, c))
			s->n_conns++;
		else
			close(fd), free(c);
		pthread_mutex_unlock(&s->lock);
	}
	return NULL;
}

/* Starts serving on fd, a socket from tserver_bind (listens on it). */
static inline int tserver_start_on(struct tserver *s, int fd, int port, tserver_fn fn,
				   void *ctx)
{
	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->port = port;
	s->fn = fn;
	s->ctx = ctx;
	pthread_mutex_init(&s->lock, NULL);
	if (listen(fd, 64))
		return -errno;
	return -pthread_create(&s->acceptor, NULL, tserver_main, s);
}

static inline int tserver_start(struct tserver *s, tserver_fn fn, void *ctx)
{
	int port, fd = tserver_bind(&port);

	if (fd < 0)
		return fd;
	return tserver_start_on(s, fd, port, fn, ctx);
}

static inline void tserver_stop(struct tserver *s)
{
	int i;

	atomic_store(&s->stop, 1);
	pthread_join(s->acceptor, NULL);
	for (i = 0; i < s->n_conns; i++)
		pthread_join(s->conns[i], NULL);
	close(s->fd);
	pthread_mutex_destroy(&s->lock);
}

static inline int tserver_count(struct tserver *s, const int *counter)
{
	int n;

	pthread_mutex_lock(&s->lock);
	n = *counter;
	pthread_mutex_unlock(&s->lock);
	return n;
}

static inline void tserver_url(const struct tserver *s, const char *path, char *buf,
			       size_t len)
{
	snprintf(buf, len, "http://127.0.0.1:%d%s", s->port, path);
}

/* A complete answer with a body and its Content-Length. */
static inline void treply(struct sbuf *out, int status, const char *body)
{
	sbuf_printf(out, "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n"
		    "Content-Length: %zu\r\n\r\n%s", status, strlen(body), body);
}

#endif
