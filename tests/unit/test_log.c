/* test_log.c — the mount log: sinks, journal lines, offsets, cap, threads. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "log.h"

/* stderr goes to a file so the tests can see what reached it; everything is
 * echoed to the real stderr, so failed checks still show. */
static FILE *err_file;
static long err_seen;
static int real_stderr = -1;

static void capture_stderr(void)
{
	err_file = tmpfile();
	real_stderr = dup(STDERR_FILENO);
	if (!err_file || real_stderr < 0 || dup2(fileno(err_file), STDERR_FILENO) < 0) {
		perror("capture stderr");
		exit(2);
	}
}

/* What stderr received since the last call (static buffer). */
static const char *stderr_new(void)
{
	static char buf[4096];
	size_t n;

	fflush(stderr);
	fseek(err_file, err_seen, SEEK_SET);
	n = fread(buf, 1, sizeof(buf) - 1, err_file);
	buf[n] = '\0';
	err_seen += (long)n;
	if (write(real_stderr, buf, n) < 0)
		perror("echo stderr");
	return buf;
}

static char *journal_all(void)
{
	size_t n = c7_log_size();
	char *p = malloc(n + 1);

	if (!p)
		exit(2);
	CHECK_INT(c7_log_read(0, p, n + 1), n);
	p[n] = '\0';
	return p;
}

/* "YYYY-MM-DD HH:MM:SS " at the start of line, and the time it names (UTC). */
static time_t line_time(const char *line)
{
	struct tm tm = { 0 };
	const char *end = strptime(line, "%Y-%m-%d %H:%M:%S ", &tm);

	return end == line + 20 ? timegm(&tm) : (time_t)-1;
}

static void test_before_init(void)
{
	char buf[8];

	c7_log(C7_LOG_INFO, "starting '%s'", "demo");
	c7_log(C7_LOG_DEBUG, "not shown");
	CHECK_STR(stderr_new() + 20, "INFO starting 'demo'\n");
	CHECK_INT(c7_log_size(), 0);
	CHECK_INT(c7_log_read(0, buf, sizeof(buf)), 0);
	CHECK_INT(c7_log_mtime_s(), 0);
}

static void test_lines(void)
{
	const char *first = "ERROR cannot stop 'demo-api-7f3k2': "
			    "instance is stopping (停止中)\n";
	time_t t0 = time(NULL), t1;
	char *all, part[16];
	size_t size;

	c7_log_init(true, false, 0);
	CHECK_INT(c7_log_size(), 0);
	c7_log(C7_LOG_ERROR, "cannot stop '%s': %s", "demo-api-7f3k2",
	       "instance is stopping (停止中)");
	c7_log(C7_LOG_DEBUG, "hidden %d", 1);
	c7_log(C7_LOG_WARN, "two\nlines\tand a tab");
	c7_log(C7_LOG_INFO, "%s", "");
	t1 = time(NULL);

	all = journal_all();
	size = strlen(all);
	CHECK(line_time(all) >= t0 && line_time(all) <= t1);
	CHECK_INT(strncmp(all + 20, first, strlen(first)), 0);
	CHECK(strchr(all, '\n') != NULL);
	if (strchr(all, '\n')) {
		const char *l2 = strchr(all, '\n') + 1;

		CHECK(line_time(l2) >= t0);
		CHECK_INT(strncmp(l2 + 20, "WARN two lines and a tab\n", 25), 0);
		CHECK_STR(l2 + 20 + 25 + 20, "INFO \n");
	}
	CHECK_INT(size, 3 * 20 + strlen(first) + 25 + 6);
	CHECK(c7_log_mtime_s() >= t0 && c7_log_mtime_s() <= t1);

	/* Foreground: stderr gets the same lines. */
	CHECK_STR(stderr_new(), all);

	/* Reads at offsets, the end, and past it. */
	CHECK_INT(c7_log_read(20, part, 5), 5);
	CHECK_INT(memcmp(part, "ERROR", 5), 0);
	CHECK_INT(c7_log_read(size - 3, part, sizeof(part)), 3);
	CHECK_INT(memcmp(part, "O \n", 3), 0);
	CHECK_INT(c7_log_read(size, part, sizeof(part)), 0);
	CHECK_INT(c7_log_read(size + 100, part, sizeof(part)), 0);
	free(all);

	/* Debug on: DEBUG lines are kept. */
	c7_log_init(true, true, 0);
	CHECK_INT(c7_log_size(), 0);
	c7_log(C7_LOG_DEBUG, "GET %s", "/devops/v1/projects");
	all = journal_all();
	CHECK_STR(all + 20, "DEBUG GET /devops/v1/projects\n");
	free(all);
	stderr_new();
	c7_log_shutdown();
}

static void test_syslog_mode(void)
{
	char *all;

	c7_log_init(false, false, 0);
	c7_log(C7_LOG_INFO, "mounted '%s'", "/mnt/c7n");
	CHECK_STR(stderr_new(), "");
	all = journal_all();
	CHECK_STR(all + 20, "INFO mounted '/mnt/c7n'\n");
	free(all);
	c7_log_shutdown();
	CHECK_INT(c7_log_size(), 0);
	c7_log(C7_LOG_WARN, "after shutdown");
	CHECK_STR(stderr_new() + 20, "WARN after shutdown\n");
	CHECK_INT(c7_log_size(), 0);
}

static void test_cap(void)
{
	size_t prev = 0, size;
	const char *full;
	char *all;
	int i, grew_after_full = 0, shrank = 0;

	c7_log_init(true, false, 200);
	for (i = 0; i < 20; i++) {
		c7_log(C7_LOG_INFO, "line %02d", i);   /* 33 bytes each */
		size = c7_log_size();
		shrank += size < prev;
		prev = size;
	}
	CHECK_INT(shrank, 0);
	all = journal_all();
	/* 5 lines (165) leave no room for a 6th plus the 34-byte full line. */
	CHECK_INT(strlen(all), 5 * 33 + 34);
	full = strstr(all, "WARN log full\n");
	CHECK(full != NULL && full == all + 5 * 33 + 20);
	CHECK(strstr(all, "line 04\n") != NULL && strstr(all, "line 05") == NULL);
	free(all);
	for (i = 0; i < 5; i++) {
		c7_log(C7_LOG_ERROR, "x");
		grew_after_full += c7_log_size() != prev;
	}
	CHECK_INT(grew_after_full, 0);
	stderr_new();
	c7_log_shutdown();
}

/* ---- the shared applog directly: a cap too small even for the full line ---- */

static void test_applog(void)
{
	struct c7_applog a;
	char buf[64];

	c7_applog_init(&a, 0);
	CHECK_INT(a.cap, 1u << 20);
	CHECK_INT(c7_applog_add(&a, "2026-12-04 10:31:07", 1234, "a\r\x7f" "b", "full"), 0);
	CHECK_INT(c7_applog_read(&a, 0, buf, sizeof(buf)), 25);
	CHECK_INT(memcmp(buf, "2026-12-04 10:31:07 a  b\n", 25), 0);
	CHECK_INT(a.mtime, 1234);
	c7_applog_free(&a);

	c7_applog_init(&a, 10);
	CHECK_INT(c7_applog_add(&a, "2026-12-04 10:31:07", 1, "x", "full"), -EFBIG);
	CHECK_INT(a.text.len, 0);
	CHECK_INT(a.mtime, 0);
	c7_applog_free(&a);

	c7_applog_init(&a, 52);   /* room for one line and the full line */
	CHECK_INT(c7_applog_add(&a, "2026-12-04 10:31:07", 1, "abcde", "full"), 0);
	CHECK_INT(c7_applog_add(&a, "2026-12-04 10:31:08", 2, "abcde", "full"), -EFBIG);
	CHECK_INT(a.text.len, 26 + 25);
	CHECK_STR(a.text.buf + 26, "2026-12-04 10:31:08 full\n");
	CHECK_INT(c7_applog_add(&a, "2026-12-04 10:31:09", 3, "", "full"), -EFBIG);
	CHECK_INT(a.mtime, 2);
	c7_applog_free(&a);

	c7_format_time(0, buf);
	CHECK_STR(buf, "1970-01-01 00:00:00");
}

/* ---- threads: lines never interleave, none is lost ---------------------------- */

static void *writer(void *arg)
{
	int i, id = *(int *)arg;

	for (i = 0; i < 250; i++)
		c7_log(C7_LOG_INFO, "writer %d line %03d", id, i);
	return NULL;
}

static void test_threads(void)
{
	enum { T = 4 };
	pthread_t tid[T];
	int ids[T], i, lines = 0, bad = 0;
	char *all, *p, *eol;

	c7_log_init(false, false, 0);
	for (i = 0; i < T; i++) {
		ids[i] = i;
		pthread_create(&tid[i], NULL, writer, &ids[i]);
	}
	for (i = 0; i < T; i++)
		pthread_join(tid[i], NULL);
	all = journal_all();
	CHECK_INT(strlen(all), (size_t)T * 250 * (20 + 5 + 17 + 1));
	for (p = all; (eol = strchr(p, '\n')); p = eol + 1) {
		int w, n;

		lines++;
		if (eol - p != 42 || sscanf(p + 20, "INFO writer %d line %d", &w, &n) != 2)
			bad++;
	}
	CHECK_INT(lines, T * 250);
	CHECK_INT(bad, 0);
	free(all);
	c7_log_shutdown();
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	capture_stderr();
	test_before_init();
	test_lines();
	test_syslog_mode();
	test_cap();
	test_applog();
	test_threads();
	stderr_new();
	return CHECK_DONE();
}
