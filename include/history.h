/*
 * history.h — the on-disk history of deployed values (design.md §5).
 *
 * Choerodon 2.x serves only the current values, so c7nfs remembers the values
 * of each command it committed or observed, keyed by (instance id, command id),
 * for events/SEQ-…/values.yaml. Layout under root (history_default_root()):
 *
 *	ROOT/<hash(server)>/<hash(instance id)>/<hash(command id)>
 *
 * Hashes are 16 hex digits, so no string from the server ever becomes a path
 * component. Each file starts with a header holding the full ids, so a hash
 * collision reads as "not found" rather than as someone else's values.
 * Directories are created 0700 and files 0600; files are written to a temp name
 * and renamed, so a crash never leaves a torn entry.
 *
 * Bounded: at most per_instance entries per instance and total_max bytes in
 * the whole root (every server); a put evicts the oldest entries (by the time
 * they were put) until both hold. A put of an existing key replaces it and
 * makes it the newest.
 *
 * Thread-safe. Every function returns 0 or a negative errno.
 */
#ifndef C7NFS_HISTORY_H
#define C7NFS_HISTORY_H

#include <stddef.h>

struct history;

struct history_limits {
	size_t per_instance;   /* entries per instance */
	size_t total_max;      /* bytes of entry files under root */
	/* How old the last count of the whole tree may be before a put counts it
	 * again (0 = every put). Between counts the tree is known from our own
	 * puts, so other processes sharing root may pass total_max by what they
	 * put within this time. */
	long rescan_ms;
};

#define HISTORY_PER_INSTANCE 20
#define HISTORY_TOTAL_MAX (16u << 20)
#define HISTORY_RESCAN_MS 1000

/* "$XDG_CACHE_HOME/c7nfs/history", else "$HOME/.cache/c7nfs/history".
 * -ENOENT when neither variable is set to an absolute path, -ENAMETOOLONG. */
int history_default_root(char *buf, size_t len);

/*
 * Opens the history of one server (its base URL) under root, creating missing
 * directories 0700. lim NULL = the defaults above. *out owned by the caller:
 * history_close().
 */
int history_open(const char *root, const char *server,
		 const struct history_limits *lim, struct history **out);
void history_close(struct history *h);

/* Stores text (may contain any bytes) for the key, then evicts. -EFBIG when
 * one entry alone would pass total_max; -EINVAL for an empty id. */
int history_put(struct history *h, const char *instance_id,
		const char *command_id, const char *text, size_t len);

/* *text: malloc'd, NUL-terminated, owned by the caller; *len its length.
 * -ENOENT when there is no entry (or the file is not a valid entry). */
int history_get(struct history *h, const char *instance_id,
		const char *command_id, char **text, size_t *len);

#endif
