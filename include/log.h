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

/* Bytes in the journal so far (= size of .c7nfs/log). */
size_t c7_log_size(void);
/* Copies up to len bytes from offset off; returns the count (0 at the end). */
size_t c7_log_read(uint64_t off, char *buf, size_t len);
/* Monotonic ms of the last append (for mtime). */
int64_t c7_log_mtime_s(void);

#endif
