/*
 * tree.h — the virtual tree: inode numbers ↔ paths ↔ server objects, and the
 * bytes of every generated file (design.md §1, §2).
 *
 * Inodes are stable for the life of the mount: one per (parent, name) ever
 * looked up, never reused. Existence is re-checked against the cached server
 * lists on every lookup/getattr/open, so a deleted instance disappears (ENOENT)
 * once its environment's list no longer shows it.
 *
 * Sizes: lookup and getattr report the exact length of the current rendering
 * (rendered from cached data, never 0 or 4096 by convention); mtime moves only
 * when the rendered bytes change. Live files (events.log, .c7nfs/log) are
 * append-only and read at offsets instead of being snapshotted.
 *
 * All functions are thread-safe and return 0 or a negative errno.
 */
#ifndef C7NFS_TREE_H
#define C7NFS_TREE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "data.h"
#include "http.h"
#include "sbuf.h"
#include "scratch.h"
#include "history.h"

#define TREE_ROOT_INO 1

enum tree_kind {
	TK_NONE = 0,
	TK_ROOT,
	TK_META_DIR, TK_META_STATUS, TK_META_LOG, TK_META_CTL,
	TK_PROJECT,
	TK_ENV, TK_ENV_FILE, TK_ENV_INSTANCES,
	TK_INST, TK_INST_STATUS, TK_INST_STATUS_JSON, TK_INST_VALUES, TK_INST_CONTROL,
	TK_INST_VERSIONS, TK_INST_LAST_ERROR, TK_INST_EVENTS_LOG, TK_INST_REJECTED,
	TK_RES_DIR, TK_RES_FILE,
	TK_DEPS_DIR, TK_DEP_DIR, TK_DEP_FILE,
	TK_EVENTS_DIR, TK_EVENT_DIR, TK_EVENT_FILE, TK_JOBS_DIR, TK_JOB_LOG,
};

struct tree;

struct tree_options {
	struct data *data;
	struct http_transport *http;
	const char *server;         /* for .c7nfs/status */
	const char *project_code;   /* -o project=CODE, or NULL */
	struct scratch_store *scratch;  /* editors' scratch files in instance dirs */
	struct history *history;    /* values of past operations (may be NULL) */
};

int tree_new(const struct tree_options *opts, struct tree **out);
void tree_free(struct tree *t);

/* Resolves name in directory parent; on success fills *st (st_ino is the child's
 * inode) and counts one kernel lookup of it. */
int tree_lookup(struct tree *t, uint64_t parent, const char *name, struct stat *st);
/* Drops n kernel lookups of ino. */
void tree_forget(struct tree *t, uint64_t ino, uint64_t n);
int tree_getattr(struct tree *t, uint64_t ino, struct stat *st);

/* Calls fill for each entry (".", ".." excluded); stops when fill returns
 * non-zero. attrs: st is a full stat; otherwise only st_ino and the file type
 * are set (getting the rest would cost a request: the caller lets the kernel
 * look the entry up when it needs it). Entries that vanish meanwhile are
 * skipped. */
typedef int (*tree_fill_fn)(void *ctx, const char *name, const struct stat *st,
			    bool attrs);
int tree_readdir(struct tree *t, uint64_t ino, tree_fill_fn fill, void *ctx);
/* Counts one kernel lookup of ino (an entry returned by readdirplus). */
void tree_ref(struct tree *t, uint64_t ino);

/* Generated files: renders the current content into out (appending). Returns
 * 1 when the bytes differ from the previous rendering of ino, 0 when not, or a
 * negative errno. */
int tree_render(struct tree *t, uint64_t ino, struct sbuf *out);
/* Retires ino: its (parent, name) gets a new inode number at the next lookup,
 * and ino itself resolves to nothing any more (the caller aliases it). */
int tree_retire(struct tree *t, uint64_t ino);
/* The directory holding ino (0 if unknown). */
uint64_t tree_parent_of(struct tree *t, uint64_t ino);
/* Live append-only files: true for events.log and .c7nfs/log. */
bool tree_is_live(struct tree *t, uint64_t ino);
/* Reads a live file at off; *n receives the count. Refreshes from the server
 * first (within the TTL) so `tail -f` sees new events. */
int tree_read_live(struct tree *t, uint64_t ino, uint64_t off, char *buf, size_t size,
		   size_t *n);

enum tree_kind tree_kind_of(struct tree *t, uint64_t ino);

/* Scratch files: the scratch directory key of an instance directory (its
 * instance id) into key; -EPERM for any other directory, -EACCES without
 * deploy permission. */
int tree_scratch_dir(struct tree *t, uint64_t dir_ino, char *key, size_t len);
/* A scratch file's attributes as a struct stat (st_ino = its id). */
void tree_scratch_stat(const struct scratch_stat *ss, struct stat *st);

/* .c7nfs/ctl: "flush" drops every cache. Returns -EINVAL for unknown commands. */
int tree_meta_ctl(struct tree *t, const char *cmd, size_t len);

#endif
