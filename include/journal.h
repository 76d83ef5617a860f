/*
 * journal.h — events.log: an append-only journal of one instance's operations
 * and events, built by diffing successive observations of the instance (I1/I3)
 * and its event list (I8). The text only grows (tail -f, grep); offsets are
 * stable. Each line: "YYYY-MM-DD HH:MM:SS <what>\n" where the time is the
 * server's time of the event when known (createTime), else the observation time.
 *
 * Lines written (examples):
 *   2026-12-04 10:31:07 command 0007 update 0.2.1 operating by admin
 *   2026-12-04 10:31:09 command 0007 update 0.2.1 success
 *   2026-12-04 10:31:09 command 0007 failed: <commandError>
 *   2026-12-04 10:31:08 event demo-api-init-db: Created pod demo-api-init-db
 *   2026-12-04 10:31:10 state 更新中 (updating) -> 更新完成 (update succeeded)
 *   2026-12-04 10:31:10 status operating -> running
 *   2026-12-04 10:31:10 pods 1/2 -> 2/2
 * The first observation writes the current state and the known commands (oldest
 * first) so a fresh `cat events.log` is never empty for an instance with history.
 *
 * Command numbering (SEQ, also used for events/SEQ-TYPE-VERSION directories):
 * every command id gets a stable number the first time it is seen, oldest first,
 * starting at 1. Thread-safe; cap bytes (0 = 1 MiB) after which it stops growing
 * and one "journal full" line is written.
 */
#ifndef C7NFS_JOURNAL_H
#define C7NFS_JOURNAL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "api.h"

struct journal;

int journal_new(size_t cap, struct journal **out);
void journal_free(struct journal *j);

/* now: the observation time (wall clock). */
void journal_observe_instance(struct journal *j, const struct api_instance *inst, time_t now);
void journal_observe_events(struct journal *j, const struct api_event_list *l, time_t now);
/* A line the mount itself adds (e.g. "control: stop by c7nfs"). */
void journal_note(struct journal *j, time_t now, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Stable SEQ of a command id (assigns one if new: next number). 0 if id is "". */
unsigned journal_command_seq(struct journal *j, const char *command_id);

size_t journal_size(struct journal *j);
size_t journal_read(struct journal *j, uint64_t off, char *buf, size_t len);
/* Wall-clock time of the last append (0 if never). */
time_t journal_mtime(struct journal *j);

#endif
