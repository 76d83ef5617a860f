/*
 * log.c — see include/log.h for the contract.
 *
 * One process-wide state behind a statically initialised mutex, so logging is
 * safe from any thread and even before c7_log_init (then it only reaches
 * stderr: there is no mount yet whose .c7nfs/log could show it).
 */
#include "log.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#define LOG_CAP_DEFAULT (16u << 20)
#define LOG_MSG_MAX 8192
#define APPLOG_CAP_DEFAULT (1u << 20)

static struct {
	pthread_mutex_t lock;
	bool ready;         /* c7_log_init ran: the journal exists */
	bool foreground;
	bool debug;
	struct c7_applog journal;
} lg = { .lock = PTHREAD_MUTEX_INITIALIZER };

static const char *const level_names[] = {
	[C7_LOG_DEBUG] = "DEBUG",
	[C7_LOG_INFO] = "INFO",
	[C7_LOG_WARN] = "WARN",
	[C7_LOG_ERROR] = "ERROR",
};

static const int level_prio[] = {
	[C7_LOG_DEBUG] = LOG_DEBUG,
	[C7_LOG_INFO] = LOG_INFO,
	[C7_LOG_WARN] = LOG_WARNING,
	[C7_LOG_ERROR] = LOG_ERR,
};

void c7_format_time(time_t t, char buf[C7_TIME_LEN])
{
	struct tm tm;

	if (!localtime_r(&t, &tm) ||
	    strftime(buf, C7_TIME_LEN, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(buf, C7_TIME_LEN, "%s", "0000-00-00 00:00:00");
}

void c7_applog_init(struct c7_applog *a, size_t cap)
{
	a->cap = cap ? cap : APPLOG_CAP_DEFAULT;
	sbuf_init(&a->text, a->cap);
	a->full = false;
	a->mtime = 0;
}

void c7_applog_free(struct c7_applog *a)
{
	sbuf_free(&a->text);
	a->full = false;
	a->mtime = 0;
}

/* One line per call, whatever the text holds: a newline inside a message would
 * let it forge a line of its own. */
static void blank_controls(char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
			p[i] = ' ';
}

int c7_applog_add(struct c7_applog *a, const char *when, time_t now,
		  const char *what, const char *full_what)
{
	size_t len = a->text.len;
	size_t line = strlen(when) + 1 + strlen(what) + 1;
	size_t full_line = strlen(when) + 1 + strlen(full_what) + 1;

	if (a->full)
		return -EFBIG;
	if (line + full_line > a->cap - len) {
		a->full = true;
		if (full_line > a->cap - len)
			return -EFBIG;
		what = full_what;
	}
	sbuf_printf(&a->text, "%s %s", when, what);
	if (!sbuf_error(&a->text))
		blank_controls(a->text.buf + len, a->text.len - len);
	sbuf_addch(&a->text, '\n');
	if (sbuf_error(&a->text)) {
		/* Keep the text whole: drop the half line, stay usable. */
		a->text.err = 0;
		sbuf_setlen(&a->text, len);
		return -ENOMEM;
	}
	a->mtime = now;
	return a->full ? -EFBIG : 0;
}

size_t c7_applog_read(const struct c7_applog *a, uint64_t off, char *buf, size_t len)
{
	return sbuf_read_at(&a->text, off, buf, len);
}

void c7_log_init(bool foreground, bool debug, size_t cap)
{
	pthread_mutex_lock(&lg.lock);
	if (lg.ready)
		c7_applog_free(&lg.journal);
	c7_applog_init(&lg.journal, cap ? cap : LOG_CAP_DEFAULT);
	lg.foreground = foreground;
	lg.debug = debug;
	if (!foreground)
		openlog("c7nfs", LOG_PID, LOG_DAEMON);
	lg.ready = true;
	pthread_mutex_unlock(&lg.lock);
}

void c7_log_shutdown(void)
{
	pthread_mutex_lock(&lg.lock);
	if (lg.ready) {
		if (!lg.foreground)
			closelog();
		c7_applog_free(&lg.journal);
	}
	lg.ready = false;
	lg.foreground = false;
	lg.debug = false;
	pthread_mutex_unlock(&lg.lock);
}

/* Sends one formatted line to stderr or syslog and the journal; lg.lock held,
 * so concurrent lines never interleave and sizes grow in journal order. */
static void log_emit(enum c7_log_level level, const char *msg)
{
	char when[C7_TIME_LEN];
	struct sbuf what;
	time_t now = time(NULL);

	c7_format_time(now, when);
	sbuf_init(&what, LOG_MSG_MAX + 16);
	sbuf_printf(&what, "%s %s", level_names[level], msg);
	if (!lg.ready || lg.foreground)
		fprintf(stderr, "%s %s\n", when, what.buf);
	else
		syslog(level_prio[level], "%s", msg);
	if (lg.ready)
		c7_applog_add(&lg.journal, when, now, what.buf, "WARN log full");
	sbuf_free(&what);
}

void c7_log(enum c7_log_level level, const char *fmt, ...)
{
	char msg[LOG_MSG_MAX];
	va_list ap;
	int n;

	if (level < C7_LOG_DEBUG || level > C7_LOG_ERROR)
		level = C7_LOG_ERROR;
	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);   /* long messages are cut */
	va_end(ap);
	if (n < 0)
		snprintf(msg, sizeof(msg), "%s", "(unprintable message)");
	/* stderr and syslog get the same single line as the journal. */
	blank_controls(msg, strlen(msg));

	pthread_mutex_lock(&lg.lock);
	if (level != C7_LOG_DEBUG || lg.debug)
		log_emit(level, msg);
	pthread_mutex_unlock(&lg.lock);
}

size_t c7_log_size(void)
{
	size_t n;

	pthread_mutex_lock(&lg.lock);
	n = lg.ready ? lg.journal.text.len : 0;
	pthread_mutex_unlock(&lg.lock);
	return n;
}

size_t c7_log_read(uint64_t off, char *buf, size_t len)
{
	size_t n;

	pthread_mutex_lock(&lg.lock);
	n = lg.ready ? c7_applog_read(&lg.journal, off, buf, len) : 0;
	pthread_mutex_unlock(&lg.lock);
	return n;
}

int64_t c7_log_mtime_s(void)
{
	int64_t t;

	pthread_mutex_lock(&lg.lock);
	t = lg.ready ? (int64_t)lg.journal.mtime : 0;
	pthread_mutex_unlock(&lg.lock);
	return t;
}

void c7_vwhy(char *why, size_t whylen, const char *fmt, va_list ap)
{
	if (why && whylen)
		vsnprintf(why, whylen, fmt, ap);
}

void c7_why(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	c7_vwhy(why, whylen, fmt, ap);
	va_end(ap);
}
