/*
 * log.h — the mount's human-readable log: stderr in the foreground, syslog when
 * daemonised, and always the in-memory journal served as MOUNT/.c7nfs/log.
 *
 * Messages follow git's style: lower-case start, no final full stop, the subject
 * in single quotes ("cannot stop 'demo-api-7f3k2': instance is stopping (停止中)").
 * Each journal line is "YYYY-MM-DD HH:MM:SS LEVEL message\n". The journal is
 * append-only: its size only grows (capped at cap bytes; past the cap one line
 * "log full" is written and further lines go only to stderr/syslog).
 * Thread-safe. Never pass secrets.
 */
#ifndef C7NFS_LOG_H
#define C7NFS_LOG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

enum c7_log_level { C7_LOG_DEBUG, C7_LOG_INFO, C7_LOG_WARN, C7_LOG_ERROR };

/* foreground: stderr, else syslog. debug: DEBUG lines are emitted too.
 * cap 0 = 16 MiB. Safe to call log functions before init (stderr only). */
void c7_log_init(bool foreground, bool debug, size_t cap);
void c7_log_shutdown(void);
void c7_log(enum c7_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Formats a reason into why (nothing when why is NULL or whylen 0), always
 * NUL-terminated and cut to fit: how modules fill their `why` out-parameters. */
void c7_why(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void c7_vwhy(char *why, size_t whylen, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* Bytes in the journal so far (= size of .c7nfs/log). */
size_t c7_log_size(void);
/* Copies up to len bytes from offset off; returns the count (0 at the end). */
size_t c7_log_read(uint64_t off, char *buf, size_t len);
/* Wall-clock time (seconds) of the last append, for mtime; 0 if none. */
int64_t c7_log_mtime_s(void);

/*
 * Added with the log implementation: the append-only, capped text behind both
 * .c7nfs/log and every events.log (journal.h), so the two share one notion of
 * "line", "cap" and "full". Not locked: the owner serialises access.
 */
#include <time.h>

#include "sbuf.h"

struct c7_applog {
	struct sbuf text;
	size_t cap;         /* bytes, the final "full" line included */
	bool full;
	time_t mtime;       /* wall clock of the last append; 0 if none */
};

/* cap 0 = 1 MiB. */
void c7_applog_init(struct c7_applog *a, size_t cap);
void c7_applog_free(struct c7_applog *a);
/*
 * Appends "<when> <what>\n" (when: "YYYY-MM-DD HH:MM:SS"; control characters
 * of what become spaces) and sets mtime to now. A line that would leave no room
 * for "<when> <full_what>\n" is replaced by that line, once; from then on every
 * append is dropped. Returns 0, -EFBIG once full, or -ENOMEM.
 */
int c7_applog_add(struct c7_applog *a, const char *when, time_t now,
		  const char *what, const char *full_what);
/* Copies up to len bytes from offset off; returns the count (0 at the end). */
size_t c7_applog_read(const struct c7_applog *a, uint64_t off, char *buf, size_t len);

#define C7_TIME_LEN 20   /* "YYYY-MM-DD HH:MM:SS" and its NUL */
/* Local time of t as "YYYY-MM-DD HH:MM:SS". */
void c7_format_time(time_t t, char buf[C7_TIME_LEN]);

#endif
