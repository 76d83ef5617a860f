/* history.c — see include/history.h for the contract. */
#include "history.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sbuf.h"

#define HISTORY_MAGIC "c7nfs-history 1"
#define HISTORY_HASH_LEN 16

struct history {
	pthread_mutex_t lock;
	char *root;
	char server_dir[PATH_MAX];
	struct history_limits lim;
	int64_t last_stamp;        /* ns of the newest put, kept strictly growing */
	/* Bytes of entry files under root as of the last scan plus our puts since,
	 * so a put scans the whole tree only when that passes the cap or the last
	 * scan is older than lim.rescan_ms (other processes' puts are seen then). */
	size_t total;
	bool total_known;
	int64_t scanned_ms;
};

/* An entry file met while scanning for eviction. */
struct history_file {
	char *path;
	struct timespec mtime;
	size_t size;
};

struct history_files {
	struct history_file *v;
	size_t n, alloc;
};

static const struct history_limits history_default_limits = {
	.per_instance = HISTORY_PER_INSTANCE,
	.total_max = HISTORY_TOTAL_MAX,
	.rescan_ms = HISTORY_RESCAN_MS,
};

static int64_t history_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* FNV-1a: not for secrecy, only to keep server strings out of paths. */
static void history_hash(const char *s, char out[HISTORY_HASH_LEN + 1])
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ull;
	}
	snprintf(out, HISTORY_HASH_LEN + 1, "%016" PRIx64, h);
}

static bool history_is_hash(const char *name)
{
	size_t i;

	for (i = 0; i < HISTORY_HASH_LEN; i++)
		if (!name[i] || !strchr("0123456789abcdef", name[i]))
			return false;
	return name[i] == '\0';
}

static int history_path(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int history_path(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int history_default_root(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");

	if (xdg && xdg[0] == '/')
		return history_path(buf, len, "%s/c7nfs/history", xdg);
	if (home && home[0] == '/')
		return history_path(buf, len, "%s/.cache/c7nfs/history", home);
	return -ENOENT;
}

static int history_mkdir(const char *path)
{
	if (mkdir(path, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

/* mkdir -p with 0700 for every directory it creates. */
static int history_mkdirs(const char *path)
{
	char buf[PATH_MAX];
	char *p;
	int ret;

	ret = history_path(buf, sizeof(buf), "%s", path);
	if (ret)
		return ret;
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		ret = history_mkdir(buf);
		*p = '/';
		if (ret)
			return ret;
	}
	return history_mkdir(buf);
}

int history_open(const char *root, const char *server,
		 const struct history_limits *lim, struct history **out)
{
	struct history *h;
	char hash[HISTORY_HASH_LEN + 1];
	int ret;

	*out = NULL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->lim = lim ? *lim : history_default_limits;
	history_hash(server, hash);
	ret = history_path(h->server_dir, sizeof(h->server_dir), "%s/%s", root, hash);
	if (!ret)
		ret = history_mkdirs(h->server_dir);
	if (!ret && !(h->root = strdup(root)))
		ret = -ENOMEM;
	if (!ret && pthread_mutex_init(&h->lock, NULL))
		ret = -ENOMEM;
	if (ret) {
		free(h->root);
		free(h);
		return ret;
	}
	*out = h;
	return 0;
}

void history_close(struct history *h)
{
	if (!h)
		return;
	pthread_mutex_destroy(&h->lock);
	free(h->root);
	free(h);
}

static int history_entry_path(const struct history *h, const char *instance_id,
			      const char *command_id, char *dir, char *file)
{
	char ih[HISTORY_HASH_LEN + 1], ch[HISTORY_HASH_LEN + 1];
	int ret;

	history_hash(instance_id, ih);
	history_hash(command_id, ch);
	ret = history_path(dir, PATH_MAX, "%s/%s", h->server_dir, ih);
	if (!ret)
		ret = history_path(file, PATH_MAX, "%s/%s", dir, ch);
	return ret;
}

/* ---- scanning and eviction ------------------------------------------------ */

static int history_files_add(struct history_files *fs, const char *path,
			     const struct stat *st)
{
	struct history_file *v;
	size_t n;

	if (fs->n == fs->alloc) {
		n = fs->alloc ? fs->alloc * 2 : 32;
		v = realloc(fs->v, n * sizeof(*v));
		if (!v)
			return -ENOMEM;
		fs->v = v;
		fs->alloc = n;
	}
	fs->v[fs->n].path = strdup(path);
	if (!fs->v[fs->n].path)
		return -ENOMEM;
	fs->v[fs->n].mtime = st->st_mtim;
	fs->v[fs->n].size = (size_t)st->st_size;
	fs->n++;
	return 0;
}

static void history_files_free(struct history_files *fs)
{
	size_t i;

	for (i = 0; i < fs->n; i++)
		free(fs->v[i].path);
	free(fs->v);
	memset(fs, 0, sizeof(*fs));
}

/*
 * Collects the entry files `depth` levels below dir (1 = dir holds entries).
 * Only hash-named entries are followed, so nothing else in the cache directory
 * is ever touched.
 */
static int history_scan(const char *dir, int depth, struct history_files *fs)
{
	char path[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d = opendir(dir);
	int ret = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while (!ret && (de = readdir(d))) {
		if (!history_is_hash(de->d_name))
			continue;
		ret = history_path(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (ret || lstat(path, &st))
			continue;
		if (depth > 1 && S_ISDIR(st.st_mode))
			ret = history_scan(path, depth - 1, fs);
		else if (depth == 1 && S_ISREG(st.st_mode))
			ret = history_files_add(fs, path, &st);
	}
	closedir(d);
	return ret;
}

static int history_cmp_age(const void *a, const void *b)
{
	const struct history_file *x = a, *y = b;

	if (x->mtime.tv_sec != y->mtime.tv_sec)
		return x->mtime.tv_sec < y->mtime.tv_sec ? -1 : 1;
	if (x->mtime.tv_nsec != y->mtime.tv_nsec)
		return x->mtime.tv_nsec < y->mtime.tv_nsec ? -1 : 1;
	return strcmp(x->path, y->path);
}

/* Removes the oldest entries under dir until at most max_n files of at most
 * max_bytes in all remain; *removed and *left (either may be NULL) get the
 * bytes removed and the bytes that remain. */
static int history_trim(const char *dir, int depth, size_t max_n, size_t max_bytes,
			size_t *removed, size_t *left)
{
	struct history_files fs = { 0 };
	size_t i, bytes = 0, gone = 0;
	int ret;

	ret = history_scan(dir, depth, &fs);
	if (ret)
		goto out;
	qsort(fs.v, fs.n, sizeof(*fs.v), history_cmp_age);
	for (i = 0; i < fs.n; i++)
		bytes += fs.v[i].size;
	for (i = 0; i < fs.n && (fs.n - i > max_n || bytes > max_bytes); i++) {
		if (unlink(fs.v[i].path) && errno != ENOENT) {
			ret = -errno;
			goto out;
		}
		bytes -= fs.v[i].size;
		gone += fs.v[i].size;
	}
out:
	if (removed)
		*removed = gone;
	if (left)
		*left = bytes;
	history_files_free(&fs);
	return ret;
}

/* Keeps the instance's and the whole history's bounds after a put that
 * replaced old bytes by new ones. Caller holds h->lock. */
static int history_bound(struct history *h, const char *dir, size_t old, size_t new)
{
	size_t removed = 0;
	int ret;

	ret = history_trim(dir, 1, h->lim.per_instance, SIZE_MAX, &removed, NULL);
	if (ret)
		return ret;
	h->total = h->total + new - old;
	h->total = h->total > removed ? h->total - removed : 0;
	if (h->total_known && h->total <= h->lim.total_max &&
	    history_now_ms() - h->scanned_ms < h->lim.rescan_ms)
		return 0;
	ret = history_trim(h->root, 3, SIZE_MAX, h->lim.total_max, NULL, &h->total);
	h->total_known = !ret;
	h->scanned_ms = history_now_ms();
	return ret;
}

/* ---- put / get ------------------------------------------------------------ */

static int history_write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A put's time, strictly after the previous put's, so eviction order is the
 * order of puts even within one clock tick of the filesystem. */
static struct timespec history_stamp(struct history *h)
{
	struct timespec ts;
	int64_t ns;

	clock_gettime(CLOCK_REALTIME, &ts);
	ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	if (ns <= h->last_stamp)
		ns = h->last_stamp + 1;
	h->last_stamp = ns;
	ts.tv_sec = (time_t)(ns / 1000000000);
	ts.tv_nsec = (long)(ns % 1000000000);
	return ts;
}

/* Writes the entry to tmp, stamps it, renames it to file. */
static int history_write_file(struct history *h, const char *tmp,
			      const char *file, const struct sbuf *entry)
{
	struct timespec times[2];
	int fd, ret;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	ret = history_write_all(fd, entry->buf, entry->len);
	times[0] = times[1] = history_stamp(h);
	if (!ret && futimens(fd, times))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, file))
		ret = -errno;
	if (ret)
		unlink(tmp);
	return ret;
}

static void history_encode(struct sbuf *entry, const char *instance_id,
			   const char *command_id, const char *text, size_t len)
{
	sbuf_printf(entry, HISTORY_MAGIC " %zu %zu %zu\n", strlen(instance_id),
		    strlen(command_id), len);
	sbuf_adds(entry, instance_id);
	sbuf_adds(entry, command_id);
	sbuf_add(entry, text, len);
}

int history_put(struct history *h, const char *instance_id,
		const char *command_id, const char *text, size_t len)
{
	char dir[PATH_MAX], file[PATH_MAX], tmp[PATH_MAX];
	struct sbuf entry;
	struct stat st;
	size_t old;
	int ret;

	if (!*instance_id || !*command_id)
		return -EINVAL;
	sbuf_init(&entry, h->lim.total_max);
	history_encode(&entry, instance_id, command_id, text, len);
	ret = sbuf_error(&entry);
	if (ret)
		goto out;
	ret = history_entry_path(h, instance_id, command_id, dir, file);
	if (!ret)
		ret = history_path(tmp, sizeof(tmp), "%s.tmp", file);
	if (ret)
		goto out;
	pthread_mutex_lock(&h->lock);
	old = stat(file, &st) == 0 && S_ISREG(st.st_mode) ? (size_t)st.st_size : 0;
	ret = history_mkdir(dir);
	if (!ret)
		ret = history_write_file(h, tmp, file, &entry);
	if (!ret)
		ret = history_bound(h, dir, old, entry.len);
	pthread_mutex_unlock(&h->lock);
out:
	sbuf_free(&entry);
	return ret;
}

/* Appends the file's bytes to out (its cap bounds what is read). */
static int history_read_file(const char *file, struct sbuf *out)
{
	char buf[8192];
	ssize_t n;
	int fd, ret = 0;

	fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			break;
		}
		sbuf_add(out, buf, (size_t)n);
	}
	close(fd);
	return ret ? ret : sbuf_error(out);
}

/* Checks the header names these ids; *text points into entry. */
static int history_decode(const struct sbuf *entry, const char *instance_id,
			  const char *command_id, const char **text, size_t *len)
{
	size_t il, cl, tl;
	const char *nl = memchr(entry->buf, '\n', entry->len);
	const char *p;

	if (!nl || sscanf(entry->buf, HISTORY_MAGIC " %zu %zu %zu", &il, &cl, &tl) != 3)
		return -ENOENT;
	p = nl + 1;
	if ((size_t)(entry->buf + entry->len - p) != il + cl + tl ||
	    il != strlen(instance_id) || cl != strlen(command_id) ||
	    memcmp(p, instance_id, il) || memcmp(p + il, command_id, cl))
		return -ENOENT;
	*text = p + il + cl;
	*len = tl;
	return 0;
}

int history_get(struct history *h, const char *instance_id,
		const char *command_id, char **text, size_t *len)
{
	char dir[PATH_MAX], file[PATH_MAX];
	struct sbuf entry;
	const char *t;
	int ret;

	*text = NULL;
	*len = 0;
	sbuf_init(&entry, h->lim.total_max);
	ret = history_entry_path(h, instance_id, command_id, dir, file);
	if (ret)
		goto out;
	pthread_mutex_lock(&h->lock);
	ret = history_read_file(file, &entry);
	pthread_mutex_unlock(&h->lock);
	if (ret == -EFBIG)
		ret = -ENOENT;
	if (!ret)
		ret = history_decode(&entry, instance_id, command_id, &t, len);
	if (ret)
		goto out;
	*text = malloc(*len + 1);
	if (!*text) {
		*len = 0;
		ret = -ENOMEM;
		goto out;
	}
	memcpy(*text, t, *len);
	(*text)[*len] = '\0';
out:
	sbuf_free(&entry);
	return ret;
}
