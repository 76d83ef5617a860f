/* scratch.c — see include/scratch.h for the contract. */
#include "scratch.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sbuf.h"

#define SCRATCH_TARGET_MAX 4095

struct scratch_file {
	struct scratch_file *next;
	char *dir;                 /* NULL once unlinked (an open orphan) */
	char name[SCRATCH_NAME_MAX + 1];
	unsigned nopen;
	struct sbuf data;          /* content, or the symlink target */
	struct scratch_stat st;    /* size is data.len, filled on the way out */
};

struct scratch_store {
	pthread_mutex_t lock;
	struct scratch_limits lim;
	struct scratch_file *files;   /* oldest first */
	uint64_t next_id;
	size_t bytes;                 /* sum of data.len */
	size_t count;
};

static const struct scratch_limits scratch_default_limits = {
	.file_max = SCRATCH_FILE_MAX,
	.dir_files = SCRATCH_DIR_FILES,
	.total_max = SCRATCH_TOTAL_MAX,
	.total_files = SCRATCH_TOTAL_FILES,
};

int scratch_new(const struct scratch_limits *lim, uint64_t first_id,
		struct scratch_store **out)
{
	struct scratch_store *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (!s)
		return -ENOMEM;
	if (pthread_mutex_init(&s->lock, NULL)) {
		free(s);
		return -ENOMEM;
	}
	s->lim = lim ? *lim : scratch_default_limits;
	s->next_id = first_id;
	*out = s;
	return 0;
}

static void scratch_file_free(struct scratch_file *f)
{
	sbuf_free(&f->data);
	free(f->dir);
	free(f);
}

void scratch_free(struct scratch_store *s)
{
	struct scratch_file *f, *next;

	if (!s)
		return;
	for (f = s->files; f; f = next) {
		next = f->next;
		scratch_file_free(f);
	}
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/* ---- helpers (lock held) -------------------------------------------------- */

static struct timespec scratch_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts;
}

static int scratch_check_name(const char *name)
{
	size_t n = strlen(name);

	if (!n || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return -EINVAL;
	if (n > SCRATCH_NAME_MAX)
		return -ENAMETOOLONG;
	return 0;
}

static struct scratch_file *scratch_by_name(struct scratch_store *s,
					    const char *dir, const char *name)
{
	struct scratch_file *f;

	for (f = s->files; f; f = f->next)
		if (f->dir && !strcmp(f->dir, dir) && !strcmp(f->name, name))
			return f;
	return NULL;
}

static struct scratch_file *scratch_by_id(struct scratch_store *s, uint64_t id)
{
	struct scratch_file *f;

	for (f = s->files; f; f = f->next)
		if (f->st.id == id)
			return f;
	return NULL;
}

static size_t scratch_dir_count(struct scratch_store *s, const char *dir)
{
	struct scratch_file *f;
	size_t n = 0;

	for (f = s->files; f; f = f->next)
		if (f->dir && !strcmp(f->dir, dir))
			n++;
	return n;
}

/* Room for one more file of nbytes in dir, where `replacing` (may be NULL)
 * gives up its name. Its bytes still count: it may stay open. */
static int scratch_check_room(struct scratch_store *s, const char *dir,
			      const struct scratch_file *replacing, size_t nbytes)
{
	size_t in_dir = scratch_dir_count(s, dir) - (replacing ? 1 : 0);

	if (nbytes > s->lim.file_max)
		return -EFBIG;
	if (in_dir >= s->lim.dir_files || s->count >= s->lim.total_files ||
	    nbytes > s->lim.total_max - s->bytes)
		return -ENOSPC;
	return 0;
}

static void scratch_fill_stat(const struct scratch_file *f,
			      struct scratch_stat *st)
{
	if (!st)
		return;
	*st = f->st;
	st->size = f->data.len;
}

/* Makes a file named dir/name (not yet in the list). NULL on ENOMEM. */
static struct scratch_file *scratch_file_new(struct scratch_store *s,
					     const char *dir, const char *name,
					     mode_t mode, uid_t uid, gid_t gid)
{
	struct scratch_file *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->dir = strdup(dir);
	if (!f->dir) {
		free(f);
		return NULL;
	}
	strcpy(f->name, name);
	sbuf_init(&f->data, s->lim.file_max);
	f->st.mode = mode;
	f->st.uid = uid;
	f->st.gid = gid;
	f->st.atime = f->st.mtime = f->st.ctime = scratch_now();
	return f;
}

/* Appends f, giving it the next id (ids grow, so the list stays oldest first). */
static void scratch_link(struct scratch_store *s, struct scratch_file *f)
{
	struct scratch_file **p = &s->files;

	while (*p)
		p = &(*p)->next;
	*p = f;
	f->st.id = s->next_id++;
	s->bytes += f->data.len;
	s->count++;
}

static void scratch_destroy(struct scratch_store *s, struct scratch_file *f)
{
	struct scratch_file **p = &s->files;

	while (*p != f)
		p = &(*p)->next;
	*p = f->next;
	s->bytes -= f->data.len;
	s->count--;
	scratch_file_free(f);
}

/* Removes f's name; an open file lives on by id until its last close. */
static void scratch_unlink_file(struct scratch_store *s, struct scratch_file *f)
{
	if (!f->nopen) {
		scratch_destroy(s, f);
		return;
	}
	free(f->dir);
	f->dir = NULL;
}

/* Sets f's length to len (new bytes are zero) after checking the caps. */
static int scratch_resize(struct scratch_store *s, struct scratch_file *f,
			  uint64_t len)
{
	size_t old = f->data.len;

	if (len > s->lim.file_max)
		return -EFBIG;
	if (len > old && len - old > s->lim.total_max - s->bytes)
		return -ENOSPC;
	sbuf_setlen(&f->data, (size_t)len);
	s->bytes = s->bytes - old + f->data.len;
	return sbuf_error(&f->data);
}

/* ---- by name --------------------------------------------------------------- */

static int scratch_add(struct scratch_store *s, const char *dir, const char *name,
		       mode_t mode, uid_t uid, gid_t gid, const char *data,
		       size_t len, struct scratch_file **out)
{
	struct scratch_file *old = scratch_by_name(s, dir, name);
	struct scratch_file *f;
	int ret;

	ret = scratch_check_room(s, dir, old, len);
	if (ret)
		return ret;
	f = scratch_file_new(s, dir, name, mode, uid, gid);
	if (!f)
		return -ENOMEM;
	sbuf_add(&f->data, data, len);
	if (sbuf_error(&f->data)) {
		scratch_file_free(f);
		return -ENOMEM;
	}
	if (old)
		scratch_unlink_file(s, old);
	scratch_link(s, f);
	*out = f;
	return 0;
}

int scratch_create(struct scratch_store *s, const char *dir, const char *name,
		   mode_t mode, uid_t uid, gid_t gid, bool excl,
		   struct scratch_stat *st)
{
	struct scratch_file *f;
	int ret = scratch_check_name(name);

	if (ret)
		return ret;
	pthread_mutex_lock(&s->lock);
	f = scratch_by_name(s, dir, name);
	if (f && (excl || S_ISLNK(f->st.mode))) {
		ret = -EEXIST;
		goto out;
	}
	if (!f)
		ret = scratch_add(s, dir, name, S_IFREG | (mode & 07777), uid, gid,
				  "", 0, &f);
	if (ret)
		goto out;
	f->nopen++;
	scratch_fill_stat(f, st);
out:
	pthread_mutex_unlock(&s->lock);
	return ret;
}

int scratch_symlink(struct scratch_store *s, const char *dir, const char *name,
		    const char *target, uid_t uid, gid_t gid,
		    struct scratch_stat *st)
{
	struct scratch_file *f;
	size_t n = strlen(target);
	int ret = scratch_check_name(name);

	if (ret)
		return ret;
	if (n > SCRATCH_TARGET_MAX)
		return -ENAMETOOLONG;
	pthread_mutex_lock(&s->lock);
	if (scratch_by_name(s, dir, name)) {
		ret = -EEXIST;
		goto out;
	}
	ret = scratch_add(s, dir, name, S_IFLNK | 0777, uid, gid, target, n, &f);
	if (!ret)
		scratch_fill_stat(f, st);
out:
	pthread_mutex_unlock(&s->lock);
	return ret;
}

int scratch_lookup(struct scratch_store *s, const char *dir, const char *name,
		   struct scratch_stat *st)
{
	struct scratch_file *f;
	int ret = 0;

	pthread_mutex_lock(&s->lock);
	f = scratch_by_name(s, dir, name);
	if (f)
		scratch_fill_stat(f, st);
	else
		ret = -ENOENT;
	pthread_mutex_unlock(&s->lock);
	return ret;
}

int scratch_unlink(struct scratch_store *s, const char *dir, const char *name)
{
	struct scratch_file *f;
	int ret = 0;

	pthread_mutex_lock(&s->lock);
	f = scratch_by_name(s, dir, name);
	if (f)
		scratch_unlink_file(s, f);
	else
		ret = -ENOENT;
	pthread_mutex_unlock(&s->lock);
	return ret;
}

int scratch_rename(struct scratch_store *s, const char *dir, const char *from,
		   const char *to)
{
	struct scratch_file *f, *old;
	int ret = scratch_check_name(to);

	if (ret)
		return ret;
	pthread_mutex_lock(&s->lock);
	f = scratch_by_name(s, dir, from);
	if (!f) {
		ret = -ENOENT;
		goto out;
	}
	old = scratch_by_name(s, dir, to);
	if (old == f)
		goto out;
	if (old)
		scratch_unlink_file(s, old);
	strcpy(f->name, to);
	f->st.ctime = scratch_now();
out:
	pthread_mutex_unlock(&s->lock);
	return ret;
}

int scratch_take(struct scratch_store *s, const char *dir, const char *name,
		 char **text, size_t *len)
{
	struct scratch_file *f;
	int ret = 0;

	*text = NULL;
	*len = 0;
	pthread_mutex_lock(&s->lock);
	f = scratch_by_name(s, dir, name);
	if (!f) {
		ret = -ENOENT;
		goto out;
	}
	if (S_ISLNK(f->st.mode)) {
		ret = -EINVAL;
		goto out;
	}
	*text = malloc(f->data.len + 1);
	if (!*text) {
		ret = -ENOMEM;
		goto out;
	}
	memcpy(*text, f->data.buf, f->data.len + 1);
	*len = f->data.len;
out:
	pthread_mutex_unlock(&s->lock);
	return ret;
}

int scratch_copy_in(struct scratch_store *s, const char *dir, const char *name,
		    const char *text, size_t len, mode_t mode, uid_t uid,
		    gid_t gid, struct scratch_stat *st)
{
	struct scratch_file *f;
	int ret = scratch_check_name(name);

	if (ret)
		return ret;
	pthread_mutex_lock(&s->lock);
	ret = scratch_add(s, dir, name, S_IFREG | (mode & 07777), uid, gid, text,
			  len, &f);
	if (!ret)
		scratch_fill_stat(f, st);
	pthread_mutex_unlock(&s->lock);
	return ret;
}

int scratch_list(struct scratch_store *s, const char *dir,
		 struct scratch_dirent **out, size_t *n)
{
	struct scratch_file *f;
	size_t i = 0;
	int ret = 0;

	*out = NULL;
	*n = 0;
	pthread_mutex_lock(&s->lock);
	*n = scratch_dir_count(s, dir);
	if (!*n)
		goto out;
	*out = calloc(*n, sizeof(**out));
	if (!*out) {
		*n = 0;
		ret = -ENOMEM;
		goto out;
	}
	for (f = s->files; f; f = f->next) {
		if (!f->dir || strcmp(f->dir, dir))
			continue;
		strcpy((*out)[i].name, f->name);
		scratch_fill_stat(f, &(*out)[i].st);
		i++;
	}
out:
	pthread_mutex_unlock(&s->lock);
	return ret;
}

void scratch_list_free(struct scratch_dirent *list)
{
	free(list);
}

void scratch_drop_dir(struct scratch_store *s, const char *dir)
{
	struct scratch_file *f, *next;

	pthread_mutex_lock(&s->lock);
	for (f = s->files; f; f = next) {
		next = f->next;
		if (f->dir && !strcmp(f->dir, dir))
			scratch_unlink_file(s, f);
	}
	pthread_mutex_unlock(&s->lock);
}

size_t scratch_expire(struct scratch_store *s, time_t before)
{
	struct scratch_file *f, *next;
	size_t n = 0;

	pthread_mutex_lock(&s->lock);
	for (f = s->files; f; f = next) {
		next = f->next;
		if (f->dir && !f->nopen && f->st.ctime.tv_sec < before) {
			scratch_destroy(s, f);
			n++;
		}
	}
	pthread_mutex_unlock(&s->lock);
	return n;
}

/* ---- by id ----------------------------------------------------------------- */

int scratch_open(struct scratch_store *s, uint64_t id)
{
	struct scratch_file *f;
	int ret = 0;

	pthread_mutex_lock(&s->lock);
	f = scratch_by_id(s, id);
	if (f)
		f->nopen++;
	else
		ret = -ENOENT;
	pthread_mutex_unlock(&s->lock);
	return ret;
}

int scratch_close(struct scratch_store *s, uint64_t id)
{
	struct scratch_file *f;
	int ret = 0;

	pthread_mutex_lock(&s->lock);
	f = scratch_by_id(s, id);
	if (!f) {
		ret = -ENOENT;
		goto out;
	}
	if (!f->nopen) {
		ret = -EINVAL;
		goto out;
	}
	if (!--f->nopen && !f->dir)
		scratch_destroy(s, f);
out:
	pthread_mutex_unlock(&s->lock);
	return ret;
}

int scratch_stat(struct scratch_store *s, uint64_t id, struct scratch_stat *st)
{
	struct scratch_file *f;
	int ret = 0;

	pthread_mutex_lock(&s->lock);
	f = scratch_by_id(s, id);
	if (f)
		scratch_fill_stat(f, st);
	else
		ret = -ENOENT;
	pthread_mutex_unlock(&s->lock);
	return ret;
}

/* The regular file with this id, locked; NULL with *ret set otherwise (and
 * the lock released). */
static struct scratch_file *scratch_lock_regular(struct scratch_store *s,
						 uint64_t id, int *ret)
{
	struct scratch_file *f;

	pthread_mutex_lock(&s->lock);
	f = scratch_by_id(s, id);
	*ret = !f ? -ENOENT : S_ISLNK(f->st.mode) ? -EINVAL : 0;
	if (*ret) {
		pthread_mutex_unlock(&s->lock);
		return NULL;
	}
	return f;
}

int scratch_read(struct scratch_store *s, uint64_t id, uint64_t off, void *buf,
		 size_t len, size_t *got)
{
	struct scratch_file *f;
	size_t n = 0;
	int ret;

	*got = 0;
	f = scratch_lock_regular(s, id, &ret);
	if (!f)
		return ret;
	if (off < f->data.len) {
		n = f->data.len - (size_t)off;
		if (n > len)
			n = len;
		memcpy(buf, f->data.buf + off, n);
	}
	f->st.atime = scratch_now();
	*got = n;
	pthread_mutex_unlock(&s->lock);
	return 0;
}

int scratch_write(struct scratch_store *s, uint64_t id, uint64_t off,
		  const void *data, size_t len)
{
	struct scratch_file *f;
	int ret;

	f = scratch_lock_regular(s, id, &ret);
	if (!f)
		return ret;
	if (off > s->lim.file_max || len > s->lim.file_max - off) {
		ret = -EFBIG;
		goto out;
	}
	if (len && off + len > f->data.len)
		ret = scratch_resize(s, f, off + len);
	if (ret)
		goto out;
	if (len)
		memcpy(f->data.buf + off, data, len);
	f->st.mtime = f->st.ctime = scratch_now();
out:
	pthread_mutex_unlock(&s->lock);
	return ret;
}

int scratch_readlink(struct scratch_store *s, uint64_t id, char *buf, size_t len)
{
	struct scratch_file *f;
	int ret = 0;

	pthread_mutex_lock(&s->lock);
	f = scratch_by_id(s, id);
	if (!f)
		ret = -ENOENT;
	else if (!S_ISLNK(f->st.mode))
		ret = -EINVAL;
	else if (len)
		snprintf(buf, len, "%s", f->data.buf);
	pthread_mutex_unlock(&s->lock);
	return ret;
}

static void scratch_apply_attr(struct scratch_file *f,
			       const struct scratch_attr *a, struct timespec now)
{
	if (a->set & SCRATCH_SET_MODE)
		f->st.mode = (f->st.mode & S_IFMT) | (a->mode & 07777);
	if (a->set & SCRATCH_SET_UID)
		f->st.uid = a->uid;
	if (a->set & SCRATCH_SET_GID)
		f->st.gid = a->gid;
	if (a->set & SCRATCH_SET_ATIME)
		f->st.atime = a->atime;
	if (a->set & SCRATCH_SET_ATIME_NOW)
		f->st.atime = now;
	if (a->set & SCRATCH_SET_MTIME)
		f->st.mtime = a->mtime;
	if (a->set & SCRATCH_SET_MTIME_NOW)
		f->st.mtime = now;
	f->st.ctime = now;
}

int scratch_setattr(struct scratch_store *s, uint64_t id,
		    const struct scratch_attr *attr, struct scratch_stat *st)
{
	struct scratch_file *f;
	struct timespec now = scratch_now();
	int ret = 0;

	pthread_mutex_lock(&s->lock);
	f = scratch_by_id(s, id);
	if (!f) {
		ret = -ENOENT;
		goto out;
	}
	if (attr->set & SCRATCH_SET_SIZE) {
		ret = S_ISLNK(f->st.mode) ? -EINVAL : scratch_resize(s, f, attr->size);
		if (ret)
			goto out;
		f->st.mtime = now;
	}
	scratch_apply_attr(f, attr, now);
	scratch_fill_stat(f, st);
out:
	pthread_mutex_unlock(&s->lock);
	return ret;
}
