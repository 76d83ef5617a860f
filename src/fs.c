/*
 * fs.c — FUSE low-level operations (see include/fs.h).
 *
 * Generated files are rendered at open() into a per-handle snapshot and opened
 * with direct_io, so every `cat` sees one consistent answer and `watch cat`
 * never shows a torn table; fstat on that handle reports the snapshot's size.
 * Live files (events.log, .c7nfs/log) are read at offsets from their journal
 * so `tail -f` follows them. Errors surface at the syscall that caused them.
 */
#include "fs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "control.h"
#include "log.h"
#include "notify.h"
#include "sbuf.h"
#include "scratch.h"
#include "values.h"
#include "writes.h"

#define SCRATCH_IDLE_S 3600

enum fh_type { FH_SNAPSHOT, FH_LIVE, FH_CTL, FH_DIR, FH_VALUES, FH_CONTROL, FH_SCRATCH };

struct dir_entry {
	char *name;
	struct stat st;
	bool attrs;          /* st is complete (else only st_ino and type) */
};

struct fh {
	struct fh *prev, *next;      /* every open handle, for destroy */
	enum fh_type type;
	struct sbuf buf;             /* snapshot text, or bytes written to ctl */
	struct dir_entry *entries;   /* directory listing taken at the first readdir */
	size_t n_entries, alloc_entries;
	struct values_handle values; /* FH_VALUES */
	bool append;                 /* O_APPEND: every write goes to the end */
	bool truncated;              /* opened with O_TRUNC … */
	bool changed;                /* … and written or truncated since */
	bool flushed;                /* a flush ran (release never commits) */
	struct control_buf control;  /* FH_CONTROL */
	char code[256];              /* the instance code, for "delete CODE" */
	uint64_t scratch_id;         /* FH_SCRATCH */
	struct scratch_store *scratch;
};

static struct fs *fs_of(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

/* Open handles. The kernel may still have releases queued when the session
 * ends; destroy frees what is left so nothing leaks. */
static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fh *open_handles;

static struct fh *fh_new(enum fh_type type)
{
	struct fh *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->type = type;
	sbuf_init(&h->buf, 0);
	pthread_mutex_lock(&open_lock);
	h->next = open_handles;
	if (open_handles)
		open_handles->prev = h;
	open_handles = h;
	pthread_mutex_unlock(&open_lock);
	return h;
}

static void fh_free(struct fh *h)
{
	size_t i;

	if (!h)
		return;
	pthread_mutex_lock(&open_lock);
	if (h->prev)
		h->prev->next = h->next;
	else
		open_handles = h->next;
	if (h->next)
		h->next->prev = h->prev;
	pthread_mutex_unlock(&open_lock);
	if (h->type == FH_VALUES)
		values_handle_free(&h->values);
	if (h->type == FH_CONTROL)
		control_buf_free(&h->control);
	if (h->type == FH_SCRATCH)
		scratch_close(h->scratch, h->scratch_id);
	for (i = 0; i < h->n_entries; i++)
		free(h->entries[i].name);
	free(h->entries);
	sbuf_free(&h->buf);
	free(h);
}

static struct fh *fh_of(struct fuse_file_info *fi)
{
	return (struct fh *)(uintptr_t)fi->fh;
}

static bool is_scratch_ino(fuse_ino_t ino)
{
	return ino >= FS_SCRATCH_FIRST_ID;
}

/*
 * Renames across the managed/scratch boundary leave the kernel holding an
 * inode under a name that is now another file's: after rename(scratch →
 * values.yaml) "values.yaml" points at the scratch inode, after rename(
 * values.yaml → values.yaml~) "values.yaml~" points at values.yaml's old inode.
 * The alias table makes such an inode act as the file its name now means.
 */
static fuse_ino_t alias_of(struct fs *fs, fuse_ino_t ino)
{
	fuse_ino_t to = 0;
	size_t i;

	pthread_mutex_lock(&fs->alias_lock);
	for (i = 0; i < FS_ALIASES; i++)
		if (fs->alias_from[i] == ino)
			to = fs->alias_to[i];
	pthread_mutex_unlock(&fs->alias_lock);
	return to ? to : ino;
}

static void alias_add(struct fs *fs, fuse_ino_t from, fuse_ino_t to)
{
	pthread_mutex_lock(&fs->alias_lock);
	fs->alias_from[fs->alias_next] = from;
	fs->alias_to[fs->alias_next] = to;
	fs->alias_next = (fs->alias_next + 1) % FS_ALIASES;
	pthread_mutex_unlock(&fs->alias_lock);
}

/*
 * Files whose size changes on their own (counters, live journals) are never
 * cached by the kernel: fstat then always asks, and reports the size of what
 * the open handle reads.
 */
static double attr_timeout(struct fs *fs, fuse_ino_t ino)
{
	if (is_scratch_ino(ino))
		return fs->timeout;
	switch (tree_kind_of(fs->tree, ino)) {
	case TK_META_STATUS:
	case TK_META_LOG:
	case TK_INST_EVENTS_LOG:
		return 0;
	default:
		return fs->timeout;
	}
}

static void fill_entry(struct fs *fs, const struct stat *st, struct fuse_entry_param *e)
{
	memset(e, 0, sizeof(*e));
	e->ino = st->st_ino;
	e->attr = *st;
	e->attr_timeout = attr_timeout(fs, st->st_ino);
	e->entry_timeout = fs->timeout;
}

static void reply_entry(fuse_req_t req, const struct stat *st)
{
	struct fuse_entry_param e;

	fill_entry(fs_of(req), st, &e);
	fuse_reply_entry(req, &e);
}

static void fs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct stat st;
	int rc = tree_lookup(fs_of(req)->tree, parent, name, &st);

	if (rc)
		fuse_reply_err(req, -rc);
	else
		reply_entry(req, &st);
}

static void fs_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	if (!is_scratch_ino(ino))
		tree_forget(fs_of(req)->tree, ino, nlookup);
	fuse_reply_none(req);
}

static void fs_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *list)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (!is_scratch_ino(list[i].ino))
			tree_forget(fs_of(req)->tree, list[i].ino, list[i].nlookup);
	fuse_reply_none(req);
}

/* Attributes of any inode: a scratch file, or a node of the tree. */
static int ino_stat(struct fs *fs, fuse_ino_t ino, struct stat *st)
{
	struct scratch_stat ss;
	fuse_ino_t real = alias_of(fs, ino);
	int rc;

	if (is_scratch_ino(real)) {
		rc = scratch_stat(fs->scratch, real, &ss);
		if (!rc)
			tree_scratch_stat(&ss, st);
	} else {
		rc = tree_getattr(fs->tree, real, st);
	}
	st->st_ino = ino;   /* the number the kernel knows it by */
	return rc;
}

/* Bytes an open snapshot or values.yaml write handle holds. */
static size_t handle_size(const struct fh *h)
{
	size_t len = h->buf.len;

	if (h->type == FH_VALUES)
		values_handle_text(&h->values, &len);
	return len;
}

static void fs_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fh *h = fi ? fh_of(fi) : NULL;
	struct stat st;
	int rc = ino_stat(fs_of(req), ino, &st);

	/* fstat of an open handle describes what that handle reads: the snapshot,
	 * or the text being edited, even if the node has gone since. */
	if (h && (h->type == FH_SNAPSHOT || h->type == FH_VALUES)) {
		if (rc) {
			memset(&st, 0, sizeof(st));
			st.st_ino = ino;
			st.st_mode = S_IFREG | 0444;
			st.st_nlink = 1;
			rc = 0;
		}
		st.st_size = (off_t)handle_size(h);
		st.st_blocks = (st.st_size + 511) / 512;
	}
	if (rc)
		fuse_reply_err(req, -rc);
	else
		fuse_reply_attr(req, &st, attr_timeout(fs_of(req), ino));
}

static int scratch_setattr_from(struct fs *fs, fuse_ino_t ino, const struct stat *attr,
				int to_set)
{
	struct scratch_attr a = {
		.mode = attr->st_mode, .uid = attr->st_uid, .gid = attr->st_gid,
		.size = (uint64_t)attr->st_size, .atime = attr->st_atim, .mtime = attr->st_mtim,
	};

	a.set |= (to_set & FUSE_SET_ATTR_MODE) ? SCRATCH_SET_MODE : 0;
	a.set |= (to_set & FUSE_SET_ATTR_UID) ? SCRATCH_SET_UID : 0;
	a.set |= (to_set & FUSE_SET_ATTR_GID) ? SCRATCH_SET_GID : 0;
	a.set |= (to_set & FUSE_SET_ATTR_SIZE) ? SCRATCH_SET_SIZE : 0;
	a.set |= (to_set & FUSE_SET_ATTR_ATIME) ? SCRATCH_SET_ATIME : 0;
	a.set |= (to_set & FUSE_SET_ATTR_MTIME) ? SCRATCH_SET_MTIME : 0;
	a.set |= (to_set & FUSE_SET_ATTR_ATIME_NOW) ? SCRATCH_SET_ATIME_NOW : 0;
	a.set |= (to_set & FUSE_SET_ATTR_MTIME_NOW) ? SCRATCH_SET_MTIME_NOW : 0;
	return scratch_setattr(fs->scratch, ino, &a, NULL);
}

/*
 * truncate of values.yaml works on an open write handle (vim: open without
 * O_TRUNC, then ftruncate). chmod/chown/utimes of values.yaml and control
 * succeed without effect and read back as asked, so editors that copy the
 * original's mode keep their normal save strategy.
 */
static void fs_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
		       struct fuse_file_info *fi)
{
	struct fs *fs = fs_of(req);
	struct fh *h = fi ? fh_of(fi) : NULL;
	fuse_ino_t real = alias_of(fs, ino);
	enum tree_kind kind = is_scratch_ino(real) ? TK_NONE : tree_kind_of(fs->tree, real);
	struct stat st;
	int rc = 0;

	if (is_scratch_ino(real)) {
		rc = scratch_setattr_from(fs, real, attr, to_set);
	} else if (to_set & FUSE_SET_ATTR_SIZE) {
		if (h && h->type == FH_VALUES) {
			rc = values_handle_truncate(&h->values, (uint64_t)attr->st_size);
			h->changed = true;
		}
		else if (!(h && h->type == FH_CONTROL))
			rc = -EPERM;
	} else if (kind != TK_INST_VALUES && kind != TK_INST_CONTROL) {
		rc = -EPERM;
	}
	if (!rc)
		rc = ino_stat(fs, ino, &st);
	if (rc) {
		fuse_reply_err(req, -rc);
		return;
	}
	if (!is_scratch_ino(real)) {
		if (to_set & FUSE_SET_ATTR_MODE)
			st.st_mode = (st.st_mode & S_IFMT) | (attr->st_mode & 07777);
		if (to_set & FUSE_SET_ATTR_UID)
			st.st_uid = attr->st_uid;
		if (to_set & FUSE_SET_ATTR_GID)
			st.st_gid = attr->st_gid;
		if (h && h->type == FH_VALUES)
			st.st_size = (off_t)handle_size(h);
	}
	fuse_reply_attr(req, &st, attr_timeout(fs, ino));
}

static int open_values(struct fs *fs, fuse_ino_t ino, int flags, struct fh **out)
{
	struct fh *h = fh_new(FH_VALUES);
	int rc;

	if (!h)
		return -ENOMEM;
	rc = writes_values_open(fs->tree, ino, flags & O_TRUNC, &h->values);
	h->append = flags & O_APPEND;
	h->truncated = flags & O_TRUNC;
	/* O_TRUNC alone is not a save: `cat > values.yaml` opens, dup2()s and
	 * closes the first descriptor before anything is written. */
	h->values.dirty = false;
	if (rc) {
		fh_free(h);
		return rc;
	}
	*out = h;
	return 0;
}

static int open_control(struct fs *fs, fuse_ino_t ino, struct fh **out)
{
	struct fh *h = fh_new(FH_CONTROL);
	int rc;

	if (!h)
		return -ENOMEM;
	control_buf_init(&h->control);
	rc = writes_control_open(fs->tree, ino, h->code, sizeof(h->code));
	if (rc) {
		fh_free(h);
		return rc;
	}
	*out = h;
	return 0;
}

static int open_scratch(struct fs *fs, fuse_ino_t ino, int flags, struct fh **out)
{
	struct scratch_attr a = { .set = SCRATCH_SET_SIZE, .size = 0 };
	struct fh *h;
	int rc;

	rc = scratch_open(fs->scratch, ino);
	if (rc)
		return rc;
	h = fh_new(FH_SCRATCH);
	if (!h) {
		scratch_close(fs->scratch, ino);
		return -ENOMEM;
	}
	h->scratch = fs->scratch;
	h->scratch_id = ino;
	h->append = flags & O_APPEND;
	if (flags & O_TRUNC)
		rc = scratch_setattr(fs->scratch, ino, &a, NULL);
	if (rc) {
		fh_free(h);
		return rc;
	}
	*out = h;
	return 0;
}

static int open_read(struct fs *fs, fuse_ino_t ino, struct fh **out)
{
	struct stat st;
	struct fh *h;
	int rc;

	h = fh_new(tree_is_live(fs->tree, ino) ? FH_LIVE : FH_SNAPSHOT);
	if (!h)
		return -ENOMEM;
	if (h->type == FH_SNAPSHOT)
		rc = tree_render(fs->tree, ino, &h->buf);
	else
		rc = tree_getattr(fs->tree, ino, &st);
	if (rc < 0) {
		fh_free(h);
		return rc;
	}
	/* The bytes changed since the kernel last asked: its size is stale. */
	if (rc > 0)
		notifier_inval_attr(fs->notify, ino);
	*out = h;
	return 0;
}

static int open_any(struct fs *fs, fuse_ino_t ino, int flags, struct fh **out)
{
	bool writing = (flags & O_ACCMODE) != O_RDONLY;
	enum tree_kind kind;

	ino = alias_of(fs, ino);
	if (is_scratch_ino(ino))
		return open_scratch(fs, ino, flags, out);
	kind = tree_kind_of(fs->tree, ino);
	if (writing && kind == TK_META_CTL) {
		*out = fh_new(FH_CTL);
		return *out ? 0 : -ENOMEM;
	}
	if (writing && kind == TK_INST_VALUES)
		return open_values(fs, ino, flags, out);
	if (writing && kind == TK_INST_CONTROL)
		return open_control(fs, ino, out);
	if (writing)
		return -EACCES;
	return open_read(fs, ino, out);
}

static void fs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fh *h = NULL;
	int rc = open_any(fs_of(req), ino, fi->flags, &h);

	if (rc) {
		fuse_reply_err(req, -rc);
		return;
	}
	fi->fh = (uintptr_t)h;
	fi->direct_io = 1;
	fi->keep_cache = 0;
	fi->noflush = h->type == FH_SNAPSHOT || h->type == FH_LIVE;
	if (fuse_reply_open(req, fi) == -ENOENT)
		fh_free(h);   /* the opener was interrupted */
}

/*
 * Replies from a buffer owned by this call: the handle may be released on
 * another thread as soon as the kernel has the data, while writev's caller
 * (and ASan's check of it) still looks at the iovec.
 */
static void fs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	struct fh *h = fh_of(fi);
	char *buf;
	size_t n = 0;
	int rc = 0;

	buf = malloc(size ? size : 1);
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	switch (h->type) {
	case FH_SNAPSHOT:
		n = sbuf_read_at(&h->buf, (uint64_t)off, buf, size);
		break;
	case FH_VALUES:
		n = values_handle_read(&h->values, (uint64_t)off, buf, size);
		break;
	case FH_SCRATCH:
		rc = scratch_read(h->scratch, h->scratch_id, (uint64_t)off, buf, size, &n);
		break;
	case FH_LIVE:
		rc = tree_read_live(fs_of(req)->tree, ino, (uint64_t)off, buf, size, &n);
		break;
	default:
		break;      /* write-only handles (ctl, control) read as empty */
	}
	if (rc)
		fuse_reply_err(req, -rc);
	else
		fuse_reply_buf(req, buf, n);
	free(buf);
}

/* .c7nfs/ctl: one command per line, run when its newline arrives. */
static int write_ctl(struct fs *fs, struct fh *h, const char *data, size_t size)
{
	char *nl;
	int rc = 0;

	sbuf_add(&h->buf, data, size);
	while (!rc && (nl = memchr(h->buf.buf, '\n', h->buf.len))) {
		size_t line = (size_t)(nl - h->buf.buf);

		if (line)
			rc = tree_meta_ctl(fs->tree, h->buf.buf, line);
		memmove(h->buf.buf, nl + 1, h->buf.len - line - 1);
		sbuf_setlen(&h->buf, h->buf.len - line - 1);
	}
	return rc;
}

/* control: the verb runs inside write(2); its error is that write's error. */
static int write_control(struct fs *fs, fuse_ino_t ino, struct fh *h, const char *data,
			 size_t size)
{
	struct control_cmd cmd;
	char why[CONTROL_WHY_MAX] = "";
	int rc;

	rc = control_feed(&h->control, data, size, h->code, &cmd, why, sizeof(why));
	if (rc) {
		writes_control_refused(fs->tree, ino, control_verb_named(data, size), rc, why);
		return rc;
	}
	return cmd.verb ? writes_control_run(fs->tree, ino, &cmd) : 0;
}

static void fs_write(fuse_req_t req, fuse_ino_t ino, const char *data, size_t size,
		     off_t off, struct fuse_file_info *fi)
{
	struct fs *fs = fs_of(req);
	struct fh *h = fh_of(fi);
	size_t end;
	int rc;

	switch (h->type) {
	case FH_CTL:
		rc = write_ctl(fs, h, data, size);
		break;
	case FH_CONTROL:
		rc = write_control(fs, alias_of(fs, ino), h, data, size);
		break;
	case FH_VALUES:
		if (h->append)
			values_handle_text(&h->values, &end);
		rc = values_handle_write(&h->values, h->append ? end : (uint64_t)off, data,
					 size);
		h->changed = true;
		break;
	case FH_SCRATCH:
		rc = scratch_write(h->scratch, h->scratch_id, (uint64_t)off, data, size);
		break;
	default:
		rc = -EBADF;
	}
	if (rc)
		fuse_reply_err(req, -rc);
	else
		fuse_reply_write(req, size);
}

/* After a commit attempt: values.yaml's size and values.yaml.rejected (which
 * appears or goes away) change behind the kernel's caches. */
static void after_commit(struct fs *fs, fuse_ino_t dir_ino)
{
	struct stat st;

	notifier_inval_entry(fs->notify, dir_ino, "values.yaml.rejected");
	if (tree_lookup(fs->tree, dir_ino, "values.yaml", &st) == 0) {
		notifier_inval_attr(fs->notify, st.st_ino);
		tree_forget(fs->tree, st.st_ino, 1);
	}
}

/*
 * close(2): commits a dirty values.yaml handle and runs a control command
 * written without its newline; the result is close's result. flush may run
 * several times per open (dup, fork): only a dirty handle commits.
 */
static void fs_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs *fs = fs_of(req);
	struct fh *h = fh_of(fi);
	struct control_cmd cmd;
	char why[CONTROL_WHY_MAX] = "";
	const char *text;
	size_t len;
	int rc = 0;

	ino = alias_of(fs, ino);
	h->flushed = true;
	if (h->type == FH_CTL && h->buf.len) {
		rc = tree_meta_ctl(fs->tree, h->buf.buf, h->buf.len);
		sbuf_setlen(&h->buf, 0);
	} else if (h->type == FH_CONTROL) {
		rc = control_flush(&h->control, h->code, &cmd, why, sizeof(why));
		if (rc)
			writes_control_refused(fs->tree, ino, 0, rc, why);
		else if (cmd.verb)
			rc = writes_control_run(fs->tree, ino, &cmd);
	} else if (h->type == FH_VALUES && h->values.dirty) {
		text = values_handle_text(&h->values, &len);
		rc = writes_values_commit(fs->tree, ino, text, len, h->values.base,
					  h->values.base_len);
		values_handle_settle(&h->values, rc);
		after_commit(fs, tree_parent_of(fs->tree, ino));
	}
	fuse_reply_err(req, -rc);
}

static void fs_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fh *h = fh_of(fi);

	(void)ino;
	/* release cannot report errors, so it never commits. */
	if (h->type == FH_VALUES && h->values.dirty)
		c7_log(C7_LOG_WARN, "values.yaml closed without flush: %s",
		       h->flushed ? "changed after the last close" : "nothing was sent");
	else if (h->type == FH_VALUES && h->truncated && !h->changed)
		c7_log(C7_LOG_INFO, "values.yaml opened with O_TRUNC and closed without "
		       "writing: nothing was sent");
	fh_free(h);
	fuse_reply_err(req, 0);
}

static void fs_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	(void)ino;
	(void)datasync;
	(void)fi;
	/* The commit happens at close: fsync succeeding keeps vim and nano quiet. */
	fuse_reply_err(req, 0);
}

static void fs_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fh *h;

	(void)ino;
	h = fh_new(FH_DIR);
	if (!h) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	fi->fh = (uintptr_t)h;
	if (fuse_reply_open(req, fi) == -ENOENT)
		fh_free(h);
}

static int collect_entry(void *ctx, const char *name, const struct stat *st, bool attrs)
{
	struct fh *h = ctx;
	struct dir_entry *grown;

	if (h->n_entries == h->alloc_entries) {
		size_t n = h->alloc_entries ? h->alloc_entries * 2 : 32;

		grown = realloc(h->entries, n * sizeof(*grown));
		if (!grown)
			return 1;
		h->entries = grown;
		h->alloc_entries = n;
	}
	h->entries[h->n_entries].name = strdup(name);
	if (!h->entries[h->n_entries].name)
		return 1;
	h->entries[h->n_entries].st = *st;
	h->entries[h->n_entries].attrs = attrs;
	h->n_entries++;
	return 0;
}

/* Entries 0 and 1 are "." and ".."; entry i >= 2 is h->entries[i - 2]. The
 * listing is taken once, at offset 0, so a long listing read in several calls
 * is one consistent answer. */
static void fs_do_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			  struct fuse_file_info *fi, bool plus)
{
	struct fs *fs = fs_of(req);
	struct fh *h = fh_of(fi);
	struct fuse_entry_param e;
	const char *name;
	char *buf, *p;
	size_t rem = size, i, n, total;
	int rc;

	if (off == 0) {
		for (i = 0; i < h->n_entries; i++)
			free(h->entries[i].name);
		h->n_entries = 0;
		rc = tree_readdir(fs->tree, ino, collect_entry, h);
		if (rc) {
			fuse_reply_err(req, -rc);
			return;
		}
	}
	buf = malloc(size);
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	p = buf;
	total = h->n_entries + 2;
	for (i = (size_t)off; i < total; i++) {
		memset(&e, 0, sizeof(e));
		if (i < 2) {
			e.attr.st_ino = ino;
			e.attr.st_mode = S_IFDIR;
			name = i == 0 ? "." : "..";
		} else if (h->entries[i - 2].attrs) {
			fill_entry(fs, &h->entries[i - 2].st, &e);
			name = h->entries[i - 2].name;
		} else {
			/* ino 0: a name without attributes; the kernel looks it up */
			e.attr = h->entries[i - 2].st;
			name = h->entries[i - 2].name;
		}
		if (plus)
			n = fuse_add_direntry_plus(req, p, rem, name, &e, (off_t)(i + 1));
		else
			n = fuse_add_direntry(req, p, rem, name, &e.attr, (off_t)(i + 1));
		if (n > rem)
			break;
		if (plus && e.ino && !is_scratch_ino(e.ino))
			tree_ref(fs->tree, e.ino);
		p += n;
		rem -= n;
	}
	fuse_reply_buf(req, buf, size - rem);
	free(buf);
}

static void fs_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	fs_do_readdir(req, ino, size, off, fi, false);
}

static void fs_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			   struct fuse_file_info *fi)
{
	fs_do_readdir(req, ino, size, off, fi, true);
}

static void fs_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino;
	fh_free(fh_of(fi));
	fuse_reply_err(req, 0);
}

static void fs_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct statvfs sv;

	(void)ino;
	memset(&sv, 0, sizeof(sv));
	sv.f_bsize = 4096;
	sv.f_frsize = 4096;
	sv.f_namemax = 255;
	fuse_reply_statfs(req, &sv);
}

/* Is name a managed entry of parent (values.yaml, status, …)? */
static bool is_managed(struct fs *fs, fuse_ino_t parent, const char *name)
{
	struct stat st;
	int rc = tree_lookup(fs->tree, parent, name, &st);

	if (rc == 0 && !is_scratch_ino(st.st_ino)) {
		tree_forget(fs->tree, st.st_ino, 1);
		return true;
	}
	return !strcmp(name, "values.yaml.rejected");
}

/* Nothing managed is ever removed by a file operation: deleting an instance
 * is only the explicit control verb (design.md §3). */
static void fs_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fs *fs = fs_of(req);
	char dir[256];
	int rc;

	rc = tree_scratch_dir(fs->tree, parent, dir, sizeof(dir));
	if (!rc)
		rc = scratch_unlink(fs->scratch, dir, name);
	if (rc == -ENOENT || rc == -EACCES)
		rc = is_managed(fs, parent, name) ? -EPERM : rc;
	fuse_reply_err(req, -rc);
}

static void fs_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	(void)parent;
	(void)name;
	fuse_reply_err(req, EPERM);
}

static void fs_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	(void)parent;
	(void)name;
	(void)mode;
	fuse_reply_err(req, EPERM);
}

/* rename(scratch → values.yaml): commit the scratch file's text (sed -i,
 * Python's os.replace, GIO). The scratch file stays when the commit fails. */
static int rename_onto_values(struct fs *fs, fuse_ino_t dir_ino, const char *dir,
			      const char *name)
{
	struct scratch_stat ss;
	char *text = NULL;
	size_t len = 0;
	struct stat st;
	int rc;

	rc = scratch_lookup(fs->scratch, dir, name, &ss);
	if (!rc)
		rc = scratch_take(fs->scratch, dir, name, &text, &len);
	if (!rc)
		rc = writes_values_commit(fs->tree, dir_ino, text, len, NULL, 0);
	free(text);
	if (rc)
		return rc;
	scratch_unlink(fs->scratch, dir, name);
	if (tree_lookup(fs->tree, dir_ino, "values.yaml", &st) == 0) {
		alias_add(fs, ss.id, st.st_ino);
		tree_forget(fs->tree, st.st_ino, 1);
	}
	after_commit(fs, dir_ino);
	return 0;
}

/*
 * rename(values.yaml → backup): a "virtual backup" — the backup name becomes a
 * scratch copy of the current text and values.yaml stays (vim, emacs).
 * The kernel now knows values.yaml's inode under the backup name, so that
 * inode becomes the copy, and values.yaml gets a new inode: emacs's restoring
 * rename (backup → values.yaml, after a refused save) then reaches us instead
 * of being a same-inode no-op.
 */
static int rename_values_away(struct fs *fs, fuse_ino_t dir_ino, const char *dir,
			      const char *to)
{
	struct scratch_stat ss;
	struct sbuf text;
	struct stat st;
	int rc;

	sbuf_init(&text, 0);
	rc = tree_lookup(fs->tree, dir_ino, "values.yaml", &st);
	if (rc)
		return rc;
	rc = tree_render(fs->tree, st.st_ino, &text);
	if (rc >= 0)
		rc = scratch_copy_in(fs->scratch, dir, to, text.buf, text.len, 0644, getuid(),
				     getgid(), &ss);
	if (!rc && tree_retire(fs->tree, st.st_ino) == 0)
		alias_add(fs, st.st_ino, ss.id);
	tree_forget(fs->tree, st.st_ino, 1);
	sbuf_free(&text);
	return rc;
}

static void fs_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
		      fuse_ino_t newparent, const char *newname, unsigned int flags)
{
	struct fs *fs = fs_of(req);
	char dir[256];
	int rc;

	rc = tree_scratch_dir(fs->tree, parent, dir, sizeof(dir));
	if (!rc && (parent != newparent || (flags & RENAME_EXCHANGE)))
		rc = -EPERM;
	if (rc)
		goto out;
	if (!strcmp(newname, "values.yaml"))
		rc = rename_onto_values(fs, parent, dir, name);
	else if (!strcmp(name, "values.yaml") && !is_managed(fs, parent, newname))
		rc = rename_values_away(fs, parent, dir, newname);
	else if (is_managed(fs, parent, name) || is_managed(fs, parent, newname))
		rc = -EPERM;
	else if ((flags & RENAME_NOREPLACE) && !scratch_lookup(fs->scratch, dir, newname, NULL))
		rc = -EEXIST;
	else
		rc = scratch_rename(fs->scratch, dir, name, newname);
	/* The kernel moved values.yaml's inode to the new name: make it look the
	 * name up again, to find the scratch copy there. */
	if (!rc && !strcmp(name, "values.yaml"))
		notifier_inval_entry(fs->notify, parent, newname);
out:
	fuse_reply_err(req, -rc);
}

static void reply_create(fuse_req_t req, const struct stat *st, struct fuse_file_info *fi,
			 struct fh *h)
{
	struct fuse_entry_param e;

	fill_entry(fs_of(req), st, &e);
	fi->fh = (uintptr_t)h;
	fi->direct_io = 1;
	if (fuse_reply_create(req, &e, fi) == -ENOENT)
		fh_free(h);
}

/* open(O_CREAT) of a name that does not exist: a scratch file (swap files,
 * probes, temp files), or values.yaml itself when the kernel had it as
 * renamed away (vim's and emacs's backup step). */
static void fs_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		      struct fuse_file_info *fi)
{
	struct fs *fs = fs_of(req);
	struct scratch_stat ss;
	struct fh *h = NULL;
	struct stat st;
	char dir[256];
	int rc;

	rc = tree_scratch_dir(fs->tree, parent, dir, sizeof(dir));
	if (!rc && tree_lookup(fs->tree, parent, name, &st) == 0) {
		if (fi->flags & O_EXCL)
			rc = -EEXIST;
		else if (is_scratch_ino(st.st_ino))
			rc = open_scratch(fs, st.st_ino, fi->flags, &h);
		else
			rc = open_any(fs, st.st_ino, fi->flags, &h);
		if (rc && !is_scratch_ino(st.st_ino))
			tree_forget(fs->tree, st.st_ino, 1);
		goto out;
	}
	if (!rc && !strcmp(name, "values.yaml.rejected"))
		rc = -EPERM;
	/* Leftovers of editors that died (swap files, temp files) go before they
	 * fill the caps: nothing is kept that nobody touched for an hour. */
	if (!rc)
		scratch_expire(fs->scratch, time(NULL) - SCRATCH_IDLE_S);
	if (!rc)
		rc = scratch_create(fs->scratch, dir, name, mode, getuid(), getgid(),
				    fi->flags & O_EXCL, &ss);
	if (!rc) {
		h = fh_new(FH_SCRATCH);
		if (!h) {
			scratch_close(fs->scratch, ss.id);
			rc = -ENOMEM;
		} else {
			h->scratch = fs->scratch;
			h->scratch_id = ss.id;
			tree_scratch_stat(&ss, &st);
		}
	}
out:
	if (rc)
		fuse_reply_err(req, -rc);
	else
		reply_create(req, &st, fi, h);
}

static void fs_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name)
{
	struct fs *fs = fs_of(req);
	struct scratch_stat ss;
	struct stat st;
	char dir[256];
	int rc;

	rc = tree_scratch_dir(fs->tree, parent, dir, sizeof(dir));
	if (!rc)
		rc = is_managed(fs, parent, name) ? -EEXIST : 0;
	if (!rc)
		rc = scratch_symlink(fs->scratch, dir, name, link, getuid(), getgid(), &ss);
	if (rc) {
		fuse_reply_err(req, -rc);
		return;
	}
	tree_scratch_stat(&ss, &st);
	reply_entry(req, &st);
}

static void fs_readlink(fuse_req_t req, fuse_ino_t ino)
{
	char target[4096];
	int rc = is_scratch_ino(ino) ?
		scratch_readlink(fs_of(req)->scratch, ino, target, sizeof(target)) : -EINVAL;

	if (rc)
		fuse_reply_err(req, -rc);
	else
		fuse_reply_readlink(req, target);
}

static void fs_destroy(void *userdata)
{
	(void)userdata;
	while (open_handles)
		fh_free(open_handles);
}

static void fs_init(void *userdata, struct fuse_conn_info *conn)
{
	(void)userdata;
	/* Commits must see every byte in order: no kernel write-back cache. */
	conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
	if (conn->capable & FUSE_CAP_READDIRPLUS)
		conn->want |= FUSE_CAP_READDIRPLUS;
	/* Without _AUTO the kernel always asks readdirplus: `ls -l` costs no
	 * per-entry getattr. */
	conn->want &= ~FUSE_CAP_READDIRPLUS_AUTO;
	if (conn->capable & FUSE_CAP_PARALLEL_DIROPS)
		conn->want |= FUSE_CAP_PARALLEL_DIROPS;
	if (conn->capable & FUSE_CAP_ATOMIC_O_TRUNC)
		conn->want |= FUSE_CAP_ATOMIC_O_TRUNC;
}

const struct fuse_lowlevel_ops fs_ops = {
	.init = fs_init,
	.destroy = fs_destroy,
	.lookup = fs_lookup,
	.forget = fs_forget,
	.forget_multi = fs_forget_multi,
	.getattr = fs_getattr,
	.setattr = fs_setattr,
	.readlink = fs_readlink,
	.open = fs_open,
	.read = fs_read,
	.write = fs_write,
	.flush = fs_flush,
	.release = fs_release,
	.fsync = fs_fsync,
	.opendir = fs_opendir,
	.readdir = fs_readdir,
	.readdirplus = fs_readdirplus,
	.releasedir = fs_releasedir,
	.statfs = fs_statfs,
	.unlink = fs_unlink,
	.rmdir = fs_rmdir,
	.mkdir = fs_mkdir,
	.rename = fs_rename,
	.create = fs_create,
	.symlink = fs_symlink,
};
