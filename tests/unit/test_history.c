/* test_history.c — the on-disk values history, in a temporary directory. */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "history.h"

static char tmp[256];
static char root[PATH_MAX];

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void rm_rf(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Fresh root for each test. */
static void fresh_root(void)
{
	rm_rf(root);
	snprintf(root, sizeof(root), "%s/cache/c7nfs/history", tmp);
}

/* Counts regular files, checks every mode and that every path component
 * below root is 16 hex digits. */
struct tree {
	int files;
	int dirs;
	bool modes_ok;
	bool names_ok;
	size_t bytes;
};

static struct tree tree_seen;

static bool hex16(const char *s)
{
	return strlen(s) == 16 && strspn(s, "0123456789abcdef") == 16;
}

static int tree_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)flag;
	if (ftw->level == 0)
		return 0;
	if (!hex16(path + ftw->base))
		tree_seen.names_ok = false;
	if (S_ISDIR(st->st_mode)) {
		tree_seen.dirs++;
		if ((st->st_mode & 07777) != 0700)
			tree_seen.modes_ok = false;
	} else {
		tree_seen.files++;
		tree_seen.bytes += (size_t)st->st_size;
		if ((st->st_mode & 07777) != 0600 || !S_ISREG(st->st_mode))
			tree_seen.modes_ok = false;
	}
	return 0;
}

static struct tree tree(void)
{
	tree_seen = (struct tree){ 0, 0, true, true, 0 };
	nftw(root, tree_one, 16, FTW_PHYS);
	return tree_seen;
}

static const char *get(struct history *h, const char *inst, const char *cmd)
{
	static char buf[4096];
	char *text;
	size_t len;
	int ret = history_get(h, inst, cmd, &text, &len);

	if (ret) {
		snprintf(buf, sizeof(buf), "(%s)", ret == -ENOENT ? "ENOENT" : "error");
		return buf;
	}
	snprintf(buf, sizeof(buf), "%s", text);
	if (strlen(text) != len)
		snprintf(buf, sizeof(buf), "(len)");
	free(text);
	return buf;
}

static void test_default_root(void)
{
	char buf[PATH_MAX], small[8];
	char *home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
	char *xdg = getenv("XDG_CACHE_HOME") ? strdup(getenv("XDG_CACHE_HOME")) : NULL;

	setenv("XDG_CACHE_HOME", "/x/cache", 1);
	setenv("HOME", "/home/u", 1);
	CHECK_INT(history_default_root(buf, sizeof(buf)), 0);
	CHECK_STR(buf, "/x/cache/c7nfs/history");
	setenv("XDG_CACHE_HOME", "relative", 1);
	CHECK_INT(history_default_root(buf, sizeof(buf)), 0);
	CHECK_STR(buf, "/home/u/.cache/c7nfs/history");
	unsetenv("XDG_CACHE_HOME");
	CHECK_INT(history_default_root(buf, sizeof(buf)), 0);
	CHECK_STR(buf, "/home/u/.cache/c7nfs/history");
	CHECK_INT(history_default_root(small, sizeof(small)), -ENAMETOOLONG);
	unsetenv("HOME");
	CHECK_INT(history_default_root(buf, sizeof(buf)), -ENOENT);
	if (home)
		setenv("HOME", home, 1);
	if (xdg)
		setenv("XDG_CACHE_HOME", xdg, 1);
	free(home);
	free(xdg);
}

static void test_put_get(void)
{
	struct history *h;
	struct tree t;
	struct stat st;
	char *text;
	size_t len;
	char path[PATH_MAX + 64];

	fresh_root();
	CHECK_INT(history_open(root, "http://127.0.0.1:8080", NULL, &h), 0);
	CHECK_INT(stat(root, &st), 0);
	CHECK_INT(st.st_mode & 07777, 0700);
	snprintf(path, sizeof(path), "%s/cache", tmp);
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT(st.st_mode & 07777, 0700);

	CHECK_STR(get(h, "inst-1", "cmd-1"), "(ENOENT)");
	CHECK_INT(history_put(h, "inst-1", "cmd-1", "a: 1\n", 5), 0);
	CHECK_STR(get(h, "inst-1", "cmd-1"), "a: 1\n");
	CHECK_STR(get(h, "inst-1", "cmd-2"), "(ENOENT)");
	CHECK_STR(get(h, "inst-2", "cmd-1"), "(ENOENT)");
	/* replace */
	CHECK_INT(history_put(h, "inst-1", "cmd-1", "a: 2\n", 5), 0);
	CHECK_STR(get(h, "inst-1", "cmd-1"), "a: 2\n");
	/* any bytes, and empty text */
	CHECK_INT(history_put(h, "inst-1", "cmd-bin", "x\0y\n", 4), 0);
	CHECK_INT(history_get(h, "inst-1", "cmd-bin", &text, &len), 0);
	CHECK_INT(len, 4);
	CHECK(memcmp(text, "x\0y\n", 5) == 0);
	free(text);
	CHECK_INT(history_put(h, "inst-1", "cmd-empty", "", 0), 0);
	CHECK_STR(get(h, "inst-1", "cmd-empty"), "");
	/* server strings never become paths */
	CHECK_INT(history_put(h, "../../../etc", "/passwd\n", "evil: 1\n", 8), 0);
	CHECK_STR(get(h, "../../../etc", "/passwd\n"), "evil: 1\n");
	CHECK_INT(history_put(h, "", "c", "a", 1), -EINVAL);
	CHECK_INT(history_put(h, "i", "", "a", 1), -EINVAL);

	t = tree();
	CHECK_INT(t.files, 4);
	CHECK_INT(t.dirs, 3);          /* server, inst-1, ../../../etc */
	CHECK(t.modes_ok);
	CHECK(t.names_ok);
	history_close(h);

	/* a second open of the same server sees the same entries */
	CHECK_INT(history_open(root, "http://127.0.0.1:8080", NULL, &h), 0);
	CHECK_STR(get(h, "inst-1", "cmd-1"), "a: 2\n");
	history_close(h);
	CHECK_INT(history_open(root, "http://other:8080", NULL, &h), 0);
	CHECK_STR(get(h, "inst-1", "cmd-1"), "(ENOENT)");
	history_close(h);
}

/* The entry files below root, in the order nftw meets them. */
static char entries[8][PATH_MAX];
static int nentries;

static int find_entry(const char *path, const struct stat *st, int flag,
		      struct FTW *ftw)
{
	(void)flag;
	if (ftw->level == 3 && S_ISREG(st->st_mode) && nentries < 8)
		snprintf(entries[nentries++], PATH_MAX, "%s", path);
	return 0;
}

static void find_entries(void)
{
	nentries = 0;
	nftw(root, find_entry, 16, FTW_PHYS);
}

static void write_file(const char *path, const char *data)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	if (!f)
		return;
	fputs(data, f);
	fclose(f);
}

static void test_invalid_files(void)
{
	struct history *h;
	char a[PATH_MAX], b[PATH_MAX];

	fresh_root();
	CHECK_INT(history_open(root, "srv", NULL, &h), 0);
	CHECK_INT(history_put(h, "inst", "cmd-a", "a: 1\n", 5), 0);
	find_entries();
	CHECK_INT(nentries, 1);
	snprintf(a, sizeof(a), "%s", entries[0]);
	CHECK_INT(history_put(h, "inst", "cmd-b", "b: 1\n", 5), 0);
	find_entries();
	CHECK_INT(nentries, 2);
	snprintf(b, sizeof(b), "%s", strcmp(entries[0], a) ? entries[0] : entries[1]);
	CHECK(strcmp(a, b) != 0);

	/* the documented format, written by hand */
	write_file(a, "c7nfs-history 1 4 5 5\ninstcmd-aa: 9\n");
	CHECK_STR(get(h, "inst", "cmd-a"), "a: 9\n");
	/* a hash collision: cmd-b's file holds cmd-a's entry */
	write_file(b, "c7nfs-history 1 4 5 5\ninstcmd-aa: 9\n");
	CHECK_STR(get(h, "inst", "cmd-b"), "(ENOENT)");
	/* garbage, lengths that do not add up, a missing header line */
	write_file(a, "garbage");
	CHECK_STR(get(h, "inst", "cmd-a"), "(ENOENT)");
	write_file(a, "c7nfs-history 1 4 5 100\ninstcmd-aa: 9\n");
	CHECK_STR(get(h, "inst", "cmd-a"), "(ENOENT)");
	write_file(a, "c7nfs-history 1 4 5 5");
	CHECK_STR(get(h, "inst", "cmd-a"), "(ENOENT)");
	write_file(a, "c7nfs-history 2 4 5 5\ninstcmd-aa: 9\n");
	CHECK_STR(get(h, "inst", "cmd-a"), "(ENOENT)");
	/* a put repairs it */
	CHECK_INT(history_put(h, "inst", "cmd-a", "a: 2\n", 5), 0);
	CHECK_STR(get(h, "inst", "cmd-a"), "a: 2\n");
	history_close(h);
}

static void test_per_instance_limit(void)
{
	struct history_limits lim = { .per_instance = 3, .total_max = 1 << 20 };
	struct history *h;
	char cmd[32];
	int i;

	fresh_root();
	CHECK_INT(history_open(root, "srv", &lim, &h), 0);
	for (i = 1; i <= 5; i++) {
		snprintf(cmd, sizeof(cmd), "c%d", i);
		CHECK_INT(history_put(h, "inst-a", cmd, cmd, strlen(cmd)), 0);
	}
	CHECK_INT(history_put(h, "inst-b", "c1", "b1", 2), 0);
	CHECK_STR(get(h, "inst-a", "c1"), "(ENOENT)");
	CHECK_STR(get(h, "inst-a", "c2"), "(ENOENT)");
	CHECK_STR(get(h, "inst-a", "c3"), "c3");
	CHECK_STR(get(h, "inst-a", "c4"), "c4");
	CHECK_STR(get(h, "inst-a", "c5"), "c5");
	CHECK_STR(get(h, "inst-b", "c1"), "b1");
	/* a re-put makes an entry the newest */
	CHECK_INT(history_put(h, "inst-a", "c3", "c3 again", 8), 0);
	CHECK_INT(history_put(h, "inst-a", "c6", "c6", 2), 0);
	CHECK_STR(get(h, "inst-a", "c4"), "(ENOENT)");
	CHECK_STR(get(h, "inst-a", "c3"), "c3 again");
	CHECK_STR(get(h, "inst-a", "c5"), "c5");
	CHECK_STR(get(h, "inst-a", "c6"), "c6");
	CHECK_INT(tree().files, 4);
	history_close(h);
}

static void test_total_limit(void)
{
	/* entries are a header line plus ids plus text: about 30 + 100 bytes */
	struct history_limits lim = { .per_instance = 100, .total_max = 700 };
	struct history *a, *b;
	char text[101], cmd[32], keep[PATH_MAX + 16];
	struct tree t;
	int i;

	fresh_root();
	memset(text, 'x', 100);
	text[100] = '\0';
	CHECK_INT(history_open(root, "server-a", &lim, &a), 0);
	CHECK_INT(history_open(root, "server-b", &lim, &b), 0);
	/* files that are not entries are never touched */
	snprintf(keep, sizeof(keep), "%s/keep.txt", root);
	write_file(keep, "mine");
	for (i = 0; i < 4; i++) {
		snprintf(cmd, sizeof(cmd), "c%d", i);
		CHECK_INT(history_put(a, "i1", cmd, text, 100), 0);
		CHECK_INT(history_put(b, "i2", cmd, text, 100), 0);
	}
	t = tree();
	CHECK(t.bytes <= 700);
	CHECK_INT(t.files, 6);      /* keep.txt counts too: 5 entries fit */
	/* the oldest two were a/c0 and b/c0; a/c1 went next */
	CHECK_STR(get(a, "i1", "c0"), "(ENOENT)");
	CHECK_STR(get(b, "i2", "c0"), "(ENOENT)");
	CHECK_STR(get(a, "i1", "c1"), "(ENOENT)");
	CHECK_STR(get(b, "i2", "c1"), text);
	CHECK_STR(get(a, "i1", "c3"), text);
	CHECK_STR(get(b, "i2", "c3"), text);
	CHECK_INT(access(keep, F_OK), 0);
	/* one entry larger than everything allowed */
	{
		static char big[800];

		memset(big, 'y', sizeof(big));
		CHECK_INT(history_put(a, "i1", "huge", big, sizeof(big)), -EFBIG);
		CHECK_STR(get(a, "i1", "huge"), "(ENOENT)");
		CHECK_STR(get(b, "i2", "c3"), text);
	}
	history_close(a);
	history_close(b);
}

/* Without rescans (a long rescan_ms) the cap still holds: a handle counts
 * its own puts, so it trims exactly when they pass the cap. */
static void test_total_limit_counted(void)
{
	struct history_limits lim = { .per_instance = 100, .total_max = 700,
				      .rescan_ms = 3600 * 1000 };
	struct history *a;
	char text[101], cmd[32];
	struct tree t;
	int i;

	fresh_root();
	memset(text, 'y', 100);
	text[100] = '\0';
	CHECK_INT(history_open(root, "server-a", &lim, &a), 0);
	for (i = 0; i < 12; i++) {
		snprintf(cmd, sizeof(cmd), "c%d", i);
		CHECK_INT(history_put(a, "i1", cmd, text, 100), 0);
		t = tree();
		CHECK(t.bytes <= 700);
	}
	CHECK_STR(get(a, "i1", "c0"), "(ENOENT)");
	CHECK_STR(get(a, "i1", "c11"), text);
	/* replacing an entry does not count it twice */
	for (i = 0; i < 5; i++)
		CHECK_INT(history_put(a, "i1", "c11", text, 100), 0);
	CHECK_STR(get(a, "i1", "c10"), text);
	history_close(a);
}

static void test_open_errors(void)
{
	struct history *h = (struct history *)1;
	char file[PATH_MAX + 16];

	snprintf(file, sizeof(file), "%s/plainfile", tmp);
	write_file(file, "x");
	CHECK_INT(history_open(file, "srv", NULL, &h), -ENOTDIR);
	CHECK(h == NULL);
	history_close(NULL);
}

#define THREADS 4
#define PUTS 25

static struct history *shared;

static void *put_many(void *arg)
{
	long n = (long)arg;
	char inst[32], cmd[32];
	long i, failures = 0;

	snprintf(inst, sizeof(inst), "inst-%ld", n);
	for (i = 0; i < PUTS; i++) {
		snprintf(cmd, sizeof(cmd), "cmd-%ld", i);
		if (history_put(shared, inst, cmd, cmd, strlen(cmd)))
			failures++;
	}
	return (void *)failures;
}

static void test_threads(void)
{
	pthread_t t[THREADS];
	void *failures;
	long i;

	fresh_root();
	CHECK_INT(history_open(root, "srv", NULL, &shared), 0);
	for (i = 0; i < THREADS; i++)
		CHECK_INT(pthread_create(&t[i], NULL, put_many, (void *)i), 0);
	for (i = 0; i < THREADS; i++) {
		pthread_join(t[i], &failures);
		CHECK(failures == NULL);
	}
	CHECK_INT(tree().files, THREADS * HISTORY_PER_INSTANCE);
	CHECK_STR(get(shared, "inst-2", "cmd-24"), "cmd-24");
	CHECK_STR(get(shared, "inst-2", "cmd-5"), "cmd-5");
	CHECK_STR(get(shared, "inst-2", "cmd-4"), "(ENOENT)");
	history_close(shared);
}

int main(void)
{
	const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";

	umask(022);
	snprintf(tmp, sizeof(tmp), "%s/test_history.XXXXXX", base);
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}
	test_default_root();
	test_put_get();
	test_invalid_files();
	test_per_instance_limit();
	test_total_limit();
	test_total_limit_counted();
	test_open_errors();
	test_threads();
	rm_rf(tmp);
	return CHECK_DONE();
}
