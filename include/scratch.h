/*
 * scratch.h — in-memory scratch files of writable (instance) directories.
 *
 * Editors and tools create files beside values.yaml while saving: vim's swap
 * files (.values.yaml.swp/.swx) and 4913 probes, backups (values.yaml~), temp
 * files (sedXXXXXX, tmpXXXXXXXX, .goutputstream-XXXXXX), emacs's lock symlink
 * .#values.yaml (fuse-notes.md §2.1). Any name that is not a managed file of the
 * directory lives here: in memory only, capped, never sent to the server.
 *
 * Directories are named by an opaque string key chosen by the caller (e.g. the
 * instance's path in the mount). Name operations take (dir, name); file
 * operations take the file's id, so an open file keeps working after a rename.
 * Ids are unique for the life of the store and never reused: use them as inode
 * numbers (they count up from first_id; give the store a range of its own).
 *
 * Like a local filesystem, an unlinked (or replaced) file that is still open
 * stays readable and writable by id until its last scratch_close(); its bytes
 * count against the caps until then.
 *
 * Attributes echo back what was set (chmod, chown, utimens succeed as asked) so
 * that vim's and GIO's ownership probes pick their normal save strategy.
 *
 * Every function is thread-safe and returns 0 or a negative errno. Structs
 * returned to the caller are copies, owned by the caller.
 */
#ifndef C7NFS_SCRATCH_H
#define C7NFS_SCRATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

struct scratch_store;

struct scratch_limits {
	size_t file_max;    /* bytes per file: write/truncate past it → -EFBIG */
	size_t dir_files;   /* names per directory: → -ENOSPC */
	size_t total_max;   /* bytes in the store, open orphans included → -ENOSPC */
	size_t total_files; /* files in the store, open orphans included → -ENOSPC */
};

#define SCRATCH_FILE_MAX   (4u << 20)
#define SCRATCH_DIR_FILES  64
#define SCRATCH_TOTAL_MAX  (64u << 20)
#define SCRATCH_TOTAL_FILES 4096
#define SCRATCH_NAME_MAX   255

struct scratch_stat {
	uint64_t id;
	mode_t mode;               /* S_IFREG or S_IFLNK | permission bits as set */
	uid_t uid;
	gid_t gid;
	uint64_t size;             /* bytes, or the symlink target's length */
	struct timespec atime, mtime, ctime;
};

/* lim NULL = the defaults above. *out owned by the caller: scratch_free(). */
int scratch_new(const struct scratch_limits *lim, uint64_t first_id,
		struct scratch_store **out);
void scratch_free(struct scratch_store *s);

/* ---- by name --------------------------------------------------------------- */

/*
 * creat/open(O_CREAT): creates an empty regular file with permission bits
 * mode & 07777. An existing name is -EEXIST with excl (O_EXCL), else it is
 * opened as is (callers truncate for O_TRUNC). -EINVAL for "", ".", ".." or a
 * name with '/', -ENAMETOOLONG past SCRATCH_NAME_MAX, -ENOSPC at a cap.
 * The file is open once on success: scratch_close(id) when done.
 */
int scratch_create(struct scratch_store *s, const char *dir, const char *name,
		   mode_t mode, uid_t uid, gid_t gid, bool excl,
		   struct scratch_stat *st);
/* symlink(2): mode 0777, size = strlen(target). -EEXIST if name exists,
 * -ENAMETOOLONG for a target longer than 4095 bytes. */
int scratch_symlink(struct scratch_store *s, const char *dir, const char *name,
		    const char *target, uid_t uid, gid_t gid,
		    struct scratch_stat *st);
/* -ENOENT if there is no such scratch file. st may be NULL. */
int scratch_lookup(struct scratch_store *s, const char *dir, const char *name,
		   struct scratch_stat *st);
/* unlink(2) of a file or symlink. -ENOENT. */
int scratch_unlink(struct scratch_store *s, const char *dir, const char *name);
/* rename(2) within one directory, replacing an existing target (which is
 * unlinked). from == to is a no-op. -ENOENT when from does not exist. */
int scratch_rename(struct scratch_store *s, const char *dir, const char *from,
		   const char *to);
/*
 * The whole content of a regular scratch file, for rename(name → values.yaml):
 * *text is a NUL-terminated malloc'd copy owned by the caller; the file itself
 * stays (unlink it after a successful commit, so a refused rename leaves its
 * source, as rename(2) must). -EINVAL for a symlink, -ENOENT, -ENOMEM.
 */
int scratch_take(struct scratch_store *s, const char *dir, const char *name,
		 char **text, size_t *len);
/*
 * "Virtual backup" for rename(values.yaml → name): creates name as a new
 * regular file holding a copy of text (replacing an existing scratch name),
 * while values.yaml itself stays. Caps as scratch_create; not left open.
 */
int scratch_copy_in(struct scratch_store *s, const char *dir, const char *name,
		    const char *text, size_t len, mode_t mode, uid_t uid,
		    gid_t gid, struct scratch_stat *st);

/* readdir: the directory's names, oldest first. *out is a malloc'd array of
 * *n entries (NULL when 0), release with scratch_list_free(). */
struct scratch_dirent {
	char name[SCRATCH_NAME_MAX + 1];
	struct scratch_stat st;
};
int scratch_list(struct scratch_store *s, const char *dir,
		 struct scratch_dirent **out, size_t *n);
void scratch_list_free(struct scratch_dirent *list);

/* Drops the files of dir not open now, e.g. when its instance disappears. */
void scratch_drop_dir(struct scratch_store *s, const char *dir);
/* Unlinks files that are not open and unchanged since before `before`
 * (leftovers of crashed editors). Returns how many went. */
size_t scratch_expire(struct scratch_store *s, time_t before);

/* ---- by id ----------------------------------------------------------------- */

/* open(2) of an existing file (lookup gave the id) / its release. -ENOENT. */
int scratch_open(struct scratch_store *s, uint64_t id);
int scratch_close(struct scratch_store *s, uint64_t id);

int scratch_stat(struct scratch_store *s, uint64_t id, struct scratch_stat *st);
/* Reads up to len bytes at off into buf; *got = bytes read (0 at the end).
 * -EINVAL for a symlink. */
int scratch_read(struct scratch_store *s, uint64_t id, uint64_t off, void *buf,
		 size_t len, size_t *got);
/* Writes at off, growing with zero bytes. -EFBIG past file_max, -ENOSPC past
 * total_max (nothing written then). -EINVAL for a symlink. */
int scratch_write(struct scratch_store *s, uint64_t id, uint64_t off,
		  const void *data, size_t len);
/* readlink(2): copies the target, NUL-terminated and truncated, into buf.
 * -EINVAL for a regular file. */
int scratch_readlink(struct scratch_store *s, uint64_t id, char *buf, size_t len);

/* setattr(2): set the fields named in `set`, echoed back by scratch_stat. */
enum {
	SCRATCH_SET_MODE      = 1 << 0,
	SCRATCH_SET_UID       = 1 << 1,
	SCRATCH_SET_GID       = 1 << 2,
	SCRATCH_SET_SIZE      = 1 << 3,   /* truncate; -EINVAL for a symlink */
	SCRATCH_SET_ATIME     = 1 << 4,
	SCRATCH_SET_MTIME     = 1 << 5,
	SCRATCH_SET_ATIME_NOW = 1 << 6,
	SCRATCH_SET_MTIME_NOW = 1 << 7,
};
struct scratch_attr {
	unsigned set;
	mode_t mode;
	uid_t uid;
	gid_t gid;
	uint64_t size;
	struct timespec atime, mtime;
};
/* Applies every field or none (size checked first). st (may be NULL) gets the
 * new attributes. */
int scratch_setattr(struct scratch_store *s, uint64_t id,
		    const struct scratch_attr *attr, struct scratch_stat *st);

#endif
