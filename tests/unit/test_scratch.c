/* test_scratch.c — the in-memory scratch files of instance directories. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "scratch.h"

#define D1 "p/e/inst-a"
#define D2 "p/e/inst-b"

static struct scratch_store *store(size_t file_max, size_t dir_files,
				   size_t total_max, size_t total_files)
{
	struct scratch_limits lim = { file_max, dir_files, total_max, total_files };
	struct scratch_store *s;

	CHECK_INT(scratch_new(&lim, 1ull << 40, &s), 0);
	return s;
}

static const char *cat_id(struct scratch_store *s, uint64_t id)
{
	static char buf[256];
	size_t got = 0;

	buf[0] = '\0';
	if (scratch_read(s, id, 0, buf, sizeof(buf) - 1, &got))
		return "(error)";
	buf[got] = '\0';
	return buf;
}

static const char *ls(struct scratch_store *s, const char *dir)
{
	static char buf[1024];
	struct scratch_dirent *list;
	size_t n, i;

	buf[0] = '\0';
	if (scratch_list(s, dir, &list, &n))
		return "(error)";
	for (i = 0; i < n; i++) {
		strcat(buf, i ? " " : "");
		strcat(buf, list[i].name);
	}
	scratch_list_free(list);
	return buf;
}

static void test_create_lookup(void)
{
	struct scratch_store *s;
	struct scratch_stat st, st2;

	CHECK_INT(scratch_new(NULL, 500, &s), 0);
	CHECK_INT(scratch_create(s, D1, ".values.yaml.swp", 0600, 1000, 100, true, &st), 0);
	CHECK_INT(st.id, 500);
	CHECK_INT(st.mode, S_IFREG | 0600);
	CHECK_INT(st.uid, 1000);
	CHECK_INT(st.gid, 100);
	CHECK_INT(st.size, 0);
	CHECK(st.mtime.tv_sec > 0);
	/* O_EXCL on an existing name; without it the same file is opened */
	CHECK_INT(scratch_create(s, D1, ".values.yaml.swp", 0600, 1000, 100, true, &st2),
		  -EEXIST);
	CHECK_INT(scratch_create(s, D1, ".values.yaml.swp", 0644, 0, 0, false, &st2), 0);
	CHECK_INT(st2.id, 500);
	CHECK_INT(st2.mode, S_IFREG | 0600);
	/* the same name in another directory is another file */
	CHECK_INT(scratch_create(s, D2, ".values.yaml.swp", 0600, 1000, 100, true, &st2), 0);
	CHECK_INT(st2.id, 501);
	/* type bits in the requested mode are not the caller's to choose */
	CHECK_INT(scratch_create(s, D1, "4913", S_IFDIR | 04755, 0, 0, true, &st2), 0);
	CHECK_INT(st2.mode, S_IFREG | 04755);

	CHECK_INT(scratch_lookup(s, D1, ".values.yaml.swp", &st2), 0);
	CHECK_INT(st2.id, 500);
	CHECK_INT(scratch_lookup(s, D1, "nope", &st2), -ENOENT);
	CHECK_INT(scratch_lookup(s, "p/e/other", ".values.yaml.swp", NULL), -ENOENT);
	CHECK_INT(scratch_lookup(s, D1, "4913", NULL), 0);

	CHECK_INT(scratch_create(s, D1, "", 0600, 0, 0, true, NULL), -EINVAL);
	CHECK_INT(scratch_create(s, D1, ".", 0600, 0, 0, true, NULL), -EINVAL);
	CHECK_INT(scratch_create(s, D1, "..", 0600, 0, 0, true, NULL), -EINVAL);
	CHECK_INT(scratch_create(s, D1, "a/b", 0600, 0, 0, true, NULL), -EINVAL);
	{
		char name[SCRATCH_NAME_MAX + 2];

		memset(name, 'n', sizeof(name));
		name[SCRATCH_NAME_MAX + 1] = '\0';
		CHECK_INT(scratch_create(s, D1, name, 0600, 0, 0, true, NULL),
			  -ENAMETOOLONG);
		name[SCRATCH_NAME_MAX] = '\0';
		CHECK_INT(scratch_create(s, D1, name, 0600, 0, 0, true, &st2), 0);
		CHECK_INT(scratch_unlink(s, D1, name), 0);
	}
	CHECK_STR(ls(s, D1), ".values.yaml.swp 4913");
	CHECK_STR(ls(s, D2), ".values.yaml.swp");
	CHECK_STR(ls(s, "p/e/empty"), "");
	scratch_free(s);
}

static void test_read_write_truncate(void)
{
	struct scratch_store *s = store(64, 8, 1024, 100);
	struct scratch_attr a = { .set = SCRATCH_SET_SIZE };
	struct scratch_stat st;
	char buf[16];
	size_t got;

	CHECK_INT(scratch_create(s, D1, "sedX1", 0600, 0, 0, true, &st), 0);
	CHECK_INT(scratch_write(s, st.id, 0, "hello world", 11), 0);
	CHECK_STR(cat_id(s, st.id), "hello world");
	CHECK_INT(scratch_write(s, st.id, 6, "WORLD!", 6), 0);
	CHECK_STR(cat_id(s, st.id), "hello WORLD!");
	CHECK_INT(scratch_read(s, st.id, 6, buf, 3, &got), 0);
	CHECK_INT(got, 3);
	CHECK(memcmp(buf, "WOR", 3) == 0);
	CHECK_INT(scratch_read(s, st.id, 12, buf, 3, &got), 0);
	CHECK_INT(got, 0);
	CHECK_INT(scratch_read(s, st.id, 1000, buf, 3, &got), 0);
	CHECK_INT(got, 0);
	/* a hole reads as zeroes */
	CHECK_INT(scratch_write(s, st.id, 14, "!", 1), 0);
	CHECK_INT(scratch_read(s, st.id, 11, buf, 8, &got), 0);
	CHECK_INT(got, 4);
	CHECK(memcmp(buf, "!\0\0!", 4) == 0);
	/* a zero-length write does not extend */
	CHECK_INT(scratch_write(s, st.id, 40, "", 0), 0);
	CHECK_INT(scratch_stat(s, st.id, &st), 0);
	CHECK_INT(st.size, 15);
	/* truncate down and up */
	a.size = 5;
	CHECK_INT(scratch_setattr(s, st.id, &a, &st), 0);
	CHECK_INT(st.size, 5);
	CHECK_STR(cat_id(s, st.id), "hello");
	a.size = 7;
	CHECK_INT(scratch_setattr(s, st.id, &a, &st), 0);
	CHECK_INT(scratch_read(s, st.id, 0, buf, 16, &got), 0);
	CHECK_INT(got, 7);
	CHECK(memcmp(buf, "hello\0\0", 7) == 0);
	/* the per-file cap */
	CHECK_INT(scratch_write(s, st.id, 60, "12345", 5), -EFBIG);
	CHECK_INT(scratch_write(s, st.id, (uint64_t)1 << 62, "1", 1), -EFBIG);
	CHECK_INT(scratch_write(s, st.id, 59, "12345", 5), 0);
	CHECK_INT(scratch_stat(s, st.id, &st), 0);
	CHECK_INT(st.size, 64);
	a.size = 65;
	CHECK_INT(scratch_setattr(s, st.id, &a, NULL), -EFBIG);
	CHECK_INT(scratch_stat(s, st.id, &st), 0);
	CHECK_INT(st.size, 64);
	/* unknown ids */
	CHECK_INT(scratch_write(s, 12345, 0, "x", 1), -ENOENT);
	CHECK_INT(scratch_read(s, 12345, 0, buf, 1, &got), -ENOENT);
	CHECK_INT(scratch_stat(s, 12345, &st), -ENOENT);
	CHECK_INT(scratch_setattr(s, 12345, &a, NULL), -ENOENT);
	scratch_free(s);
}

static void test_attributes_echo(void)
{
	struct scratch_store *s;
	struct scratch_stat st, st2;
	struct scratch_attr a = {
		.set = SCRATCH_SET_MODE | SCRATCH_SET_UID | SCRATCH_SET_GID |
		       SCRATCH_SET_ATIME | SCRATCH_SET_MTIME,
		.mode = 0755, .uid = 4242, .gid = 2424,
		.atime = { 1000000000, 5 }, .mtime = { 1100000000, 7 },
	};
	struct scratch_attr size_too_big = {
		.set = SCRATCH_SET_SIZE | SCRATCH_SET_MODE, .size = 1u << 30,
		.mode = 0600,
	};
	struct scratch_attr now = { .set = SCRATCH_SET_MTIME_NOW | SCRATCH_SET_ATIME_NOW };

	CHECK_INT(scratch_new(NULL, 1, &s), 0);
	CHECK_INT(scratch_create(s, D1, "4913", 0644, 1000, 1000, true, &st), 0);
	CHECK_INT(scratch_setattr(s, st.id, &a, &st2), 0);
	CHECK_INT(st2.mode, S_IFREG | 0755);
	CHECK_INT(st2.uid, 4242);
	CHECK_INT(st2.gid, 2424);
	CHECK_INT(st2.atime.tv_sec, 1000000000);
	CHECK_INT(st2.atime.tv_nsec, 5);
	CHECK_INT(st2.mtime.tv_sec, 1100000000);
	CHECK_INT(st2.mtime.tv_nsec, 7);
	CHECK(st2.ctime.tv_sec >= st.ctime.tv_sec);
	CHECK_INT(scratch_lookup(s, D1, "4913", &st2), 0);
	CHECK_INT(st2.uid, 4242);
	CHECK_INT(st2.mode, S_IFREG | 0755);
	/* all or nothing: a refused size leaves the mode alone */
	CHECK_INT(scratch_setattr(s, st.id, &size_too_big, NULL), -EFBIG);
	CHECK_INT(scratch_stat(s, st.id, &st2), 0);
	CHECK_INT(st2.mode, S_IFREG | 0755);
	/* utimens(UTIME_NOW) */
	CHECK_INT(scratch_setattr(s, st.id, &now, &st2), 0);
	CHECK(st2.mtime.tv_sec > 1100000000);
	CHECK(st2.atime.tv_sec > 1000000000);
	/* a write moves mtime */
	CHECK_INT(scratch_setattr(s, st.id, &a, NULL), 0);
	CHECK_INT(scratch_write(s, st.id, 0, "x", 1), 0);
	CHECK_INT(scratch_stat(s, st.id, &st2), 0);
	CHECK(st2.mtime.tv_sec > 1100000000);
	scratch_free(s);
}

static void test_symlink(void)
{
	struct scratch_store *s;
	struct scratch_stat st;
	struct scratch_attr a = { .set = SCRATCH_SET_SIZE, .size = 0 };
	char target[64], small[5], longt[5000];
	char *text;
	size_t len, got;

	CHECK_INT(scratch_new(NULL, 1, &s), 0);
	CHECK_INT(scratch_symlink(s, D1, ".#values.yaml", "root@vm.4242:1700000000",
				  0, 0, &st), 0);
	CHECK_INT(st.mode, S_IFLNK | 0777);
	CHECK_INT(st.size, strlen("root@vm.4242:1700000000"));
	CHECK_INT(scratch_readlink(s, st.id, target, sizeof(target)), 0);
	CHECK_STR(target, "root@vm.4242:1700000000");
	CHECK_INT(scratch_readlink(s, st.id, small, sizeof(small)), 0);
	CHECK_STR(small, "root");
	CHECK_INT(scratch_symlink(s, D1, ".#values.yaml", "x", 0, 0, NULL), -EEXIST);
	CHECK_INT(scratch_create(s, D1, ".#values.yaml", 0600, 0, 0, false, NULL), -EEXIST);
	CHECK_INT(scratch_write(s, st.id, 0, "x", 1), -EINVAL);
	CHECK_INT(scratch_read(s, st.id, 0, target, 1, &got), -EINVAL);
	CHECK_INT(scratch_setattr(s, st.id, &a, NULL), -EINVAL);
	CHECK_INT(scratch_take(s, D1, ".#values.yaml", &text, &len), -EINVAL);
	CHECK(text == NULL);
	memset(longt, 't', sizeof(longt));
	longt[sizeof(longt) - 1] = '\0';
	CHECK_INT(scratch_symlink(s, D1, "long", longt, 0, 0, NULL), -ENAMETOOLONG);
	CHECK_INT(scratch_unlink(s, D1, ".#values.yaml"), 0);
	CHECK_INT(scratch_readlink(s, st.id, target, sizeof(target)), -ENOENT);
	CHECK_INT(scratch_create(s, D1, "f", 0600, 0, 0, true, &st), 0);
	CHECK_INT(scratch_readlink(s, st.id, target, sizeof(target)), -EINVAL);
	scratch_free(s);
}

static void test_rename_unlink_orphans(void)
{
	struct scratch_store *s;
	struct scratch_stat a, b, st;
	struct scratch_dirent *list;
	size_t n;

	CHECK_INT(scratch_new(NULL, 1, &s), 0);
	CHECK_INT(scratch_create(s, D1, "a", 0600, 0, 0, true, &a), 0);
	CHECK_INT(scratch_write(s, a.id, 0, "AAA", 3), 0);
	CHECK_INT(scratch_create(s, D1, "b", 0600, 0, 0, true, &b), 0);
	CHECK_INT(scratch_write(s, b.id, 0, "BB", 2), 0);
	CHECK_INT(scratch_close(s, a.id), 0);

	/* a → c: same file, new name */
	CHECK_INT(scratch_rename(s, D1, "a", "c"), 0);
	CHECK_INT(scratch_lookup(s, D1, "a", NULL), -ENOENT);
	CHECK_INT(scratch_lookup(s, D1, "c", &st), 0);
	CHECK_INT(st.id, a.id);
	CHECK_INT(scratch_rename(s, D1, "c", "c"), 0);
	CHECK_INT(scratch_rename(s, D1, "nope", "d"), -ENOENT);
	CHECK_INT(scratch_rename(s, D1, "c", "x/y"), -EINVAL);
	/* b (still open) is replaced by c: b lives on by id */
	CHECK_INT(scratch_rename(s, D1, "c", "b"), 0);
	CHECK_INT(scratch_lookup(s, D1, "b", &st), 0);
	CHECK_INT(st.id, a.id);
	CHECK_STR(cat_id(s, st.id), "AAA");
	CHECK_STR(ls(s, D1), "b");
	CHECK_STR(cat_id(s, b.id), "BB");
	CHECK_INT(scratch_write(s, b.id, 2, "B", 1), 0);
	CHECK_STR(cat_id(s, b.id), "BBB");
	CHECK_INT(scratch_close(s, b.id), 0);
	CHECK_INT(scratch_stat(s, b.id, &st), -ENOENT);
	CHECK_INT(scratch_close(s, b.id), -ENOENT);
	/* closing a file that is not open is the caller's bug */
	CHECK_INT(scratch_lookup(s, D1, "b", &st), 0);
	CHECK_INT(scratch_close(s, st.id), -EINVAL);
	/* open by id, unlink while open (vim's swap dance), close frees it */
	CHECK_INT(scratch_open(s, st.id), 0);
	CHECK_INT(scratch_unlink(s, D1, "b"), 0);
	CHECK_INT(scratch_unlink(s, D1, "b"), -ENOENT);
	CHECK_STR(ls(s, D1), "");
	CHECK_INT(scratch_list(s, D1, &list, &n), 0);
	CHECK(list == NULL);
	CHECK_INT(n, 0);
	CHECK_STR(cat_id(s, st.id), "AAA");
	/* a new file may take the name meanwhile; ids never repeat */
	CHECK_INT(scratch_create(s, D1, "b", 0600, 0, 0, true, &b), 0);
	CHECK(b.id > st.id);
	CHECK_INT(scratch_close(s, st.id), 0);
	CHECK_INT(scratch_stat(s, st.id, NULL), -ENOENT);
	CHECK_INT(scratch_lookup(s, D1, "b", &st), 0);
	CHECK_INT(st.id, b.id);
	CHECK_INT(scratch_open(s, 999999), -ENOENT);
	scratch_free(s);    /* frees open files too */
}

static void test_take_copy_in(void)
{
	struct scratch_store *s = store(16, 3, 40, 100);
	struct scratch_stat st, st2;
	char *text;
	size_t len;

	CHECK_INT(scratch_create(s, D1, "sedAbC", 0600, 0, 0, true, &st), 0);
	CHECK_INT(scratch_write(s, st.id, 0, "a: 2\n", 5), 0);
	CHECK_INT(scratch_take(s, D1, "sedAbC", &text, &len), 0);
	CHECK_STR(text, "a: 2\n");
	CHECK_INT(len, 5);
	free(text);
	CHECK_INT(scratch_lookup(s, D1, "sedAbC", NULL), 0);   /* the source stays */
	CHECK_INT(scratch_take(s, D1, "nope", &text, &len), -ENOENT);
	CHECK(text == NULL);
	CHECK_INT(len, 0);
	CHECK_INT(scratch_create(s, D1, "empty", 0600, 0, 0, true, NULL), 0);
	CHECK_INT(scratch_take(s, D1, "empty", &text, &len), 0);
	CHECK_STR(text, "");
	CHECK_INT(len, 0);
	free(text);
	CHECK_INT(scratch_unlink(s, D1, "empty"), 0);

	/* rename(values.yaml → values.yaml~): a copy, not left open */
	CHECK_INT(scratch_copy_in(s, D1, "values.yaml~", "a: 1\n", 5, 0644, 7, 8, &st2), 0);
	CHECK_INT(st2.mode, S_IFREG | 0644);
	CHECK_INT(st2.uid, 7);
	CHECK_INT(st2.size, 5);
	CHECK_STR(cat_id(s, st2.id), "a: 1\n");
	/* again: replaces the old backup with a new file */
	CHECK_INT(scratch_copy_in(s, D1, "values.yaml~", "a: 9\n", 5, 0644, 7, 8, &st), 0);
	CHECK(st.id != st2.id);
	CHECK_INT(scratch_stat(s, st2.id, NULL), -ENOENT);
	CHECK_STR(cat_id(s, st.id), "a: 9\n");
	CHECK_STR(ls(s, D1), "sedAbC values.yaml~");
	/* replacing counts the old name once: 3 names fit */
	CHECK_INT(scratch_copy_in(s, D1, "third", "x", 1, 0644, 0, 0, NULL), 0);
	CHECK_INT(scratch_copy_in(s, D1, "values.yaml~", "b: 1\n", 5, 0644, 0, 0, NULL), 0);
	CHECK_INT(scratch_copy_in(s, D1, "fourth", "x", 1, 0644, 0, 0, NULL), -ENOSPC);
	CHECK_INT(scratch_copy_in(s, D1, "values.yaml~", "0123456789abcdefg", 17, 0644,
				  0, 0, NULL), -EFBIG);
	CHECK_INT(scratch_copy_in(s, D1, "a/b", "x", 1, 0644, 0, 0, NULL), -EINVAL);
	CHECK_STR(ls(s, D1), "sedAbC third values.yaml~");
	scratch_free(s);
}

static void test_caps(void)
{
	struct scratch_store *s = store(10, 2, 25, 3);
	struct scratch_stat a, b, c;
	struct scratch_attr grow = { .set = SCRATCH_SET_SIZE, .size = 10 };

	CHECK_INT(scratch_create(s, D1, "a", 0600, 0, 0, true, &a), 0);
	CHECK_INT(scratch_create(s, D1, "b", 0600, 0, 0, true, &b), 0);
	CHECK_INT(scratch_create(s, D1, "c", 0600, 0, 0, true, NULL), -ENOSPC);
	CHECK_INT(scratch_symlink(s, D1, "c", "t", 0, 0, NULL), -ENOSPC);
	CHECK_INT(scratch_create(s, D2, "c", 0600, 0, 0, true, &c), 0);
	/* total files: 3 */
	CHECK_INT(scratch_create(s, D2, "d", 0600, 0, 0, true, NULL), -ENOSPC);
	/* total bytes: 25 */
	CHECK_INT(scratch_write(s, a.id, 0, "0123456789", 10), 0);
	CHECK_INT(scratch_write(s, b.id, 0, "0123456789", 10), 0);
	CHECK_INT(scratch_setattr(s, c.id, &grow, NULL), -ENOSPC);
	CHECK_INT(scratch_write(s, c.id, 0, "0123456", 7), -ENOSPC);
	CHECK_INT(scratch_write(s, c.id, 0, "01234", 5), 0);
	CHECK_INT(scratch_write(s, c.id, 5, "5", 1), -ENOSPC);
	/* overwriting in place costs nothing */
	CHECK_INT(scratch_write(s, a.id, 0, "abcdefghij", 10), 0);
	/* an open orphan still counts; its last close gives the room back */
	CHECK_INT(scratch_unlink(s, D1, "a"), 0);
	CHECK_INT(scratch_write(s, c.id, 5, "5", 1), -ENOSPC);
	CHECK_INT(scratch_close(s, a.id), 0);
	CHECK_INT(scratch_write(s, c.id, 5, "56789", 5), 0);
	CHECK_INT(scratch_create(s, D1, "a2", 0600, 0, 0, true, NULL), 0);
	scratch_free(s);
}

static void test_expire_drop(void)
{
	struct scratch_store *s;
	struct scratch_stat a, b, c;
	struct scratch_attr old = { .set = SCRATCH_SET_MTIME, .mtime = { 1, 0 } };

	CHECK_INT(scratch_new(NULL, 1, &s), 0);
	CHECK_INT(scratch_create(s, D1, "open", 0600, 0, 0, true, &a), 0);
	CHECK_INT(scratch_create(s, D1, "closed", 0600, 0, 0, true, &b), 0);
	CHECK_INT(scratch_close(s, b.id), 0);
	CHECK_INT(scratch_create(s, D2, "other", 0600, 0, 0, true, &c), 0);
	CHECK_INT(scratch_close(s, c.id), 0);
	/* mtime set back does not make a file idle: ctime moved */
	CHECK_INT(scratch_setattr(s, b.id, &old, NULL), 0);
	CHECK_INT(scratch_expire(s, 1000), 0);
	CHECK_STR(ls(s, D1), "open closed");
	/* everything is older than the far future, but open files stay */
	CHECK_INT(scratch_expire(s, a.ctime.tv_sec + 3600), 2);
	CHECK_STR(ls(s, D1), "open");
	CHECK_STR(ls(s, D2), "");
	CHECK_INT(scratch_create(s, D2, "x", 0600, 0, 0, true, NULL), 0);
	scratch_drop_dir(s, D1);
	CHECK_STR(ls(s, D1), "");
	CHECK_STR(ls(s, D2), "x");
	CHECK_INT(scratch_write(s, a.id, 0, "still", 5), 0);
	CHECK_STR(cat_id(s, a.id), "still");
	CHECK_INT(scratch_close(s, a.id), 0);
	CHECK_INT(scratch_stat(s, a.id, NULL), -ENOENT);
	scratch_free(s);
}

/* ---- threads -------------------------------------------------------------- */

#define THREADS 4
#define ROUNDS 200

struct worker {
	struct scratch_store *s;
	int n;
	int failures;
	int exclusive_wins;
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	struct scratch_stat st;
	char name[32], buf[64];
	size_t got;
	int i;

	for (i = 0; i < ROUNDS; i++) {
		snprintf(name, sizeof(name), "t%d-%d", w->n, i % 5);
		if (scratch_create(w->s, D1, name, 0600, 0, 0, false, &st) ||
		    scratch_write(w->s, st.id, 0, name, strlen(name)) ||
		    scratch_read(w->s, st.id, 0, buf, sizeof(buf), &got) ||
		    got != strlen(name) || memcmp(buf, name, got) ||
		    scratch_close(w->s, st.id) ||
		    scratch_rename(w->s, D1, name, "shared"))
			w->failures++;
		/* everyone races for one O_EXCL name */
		if (!scratch_create(w->s, D1, "lock", 0600, 0, 0, true, &st)) {
			w->exclusive_wins++;
			scratch_close(w->s, st.id);
			scratch_unlink(w->s, D1, "lock");
		}
	}
	return NULL;
}

static void test_threads(void)
{
	struct scratch_store *s;
	struct worker w[THREADS];
	pthread_t t[THREADS];
	struct scratch_dirent *list;
	size_t n;
	int i, wins = 0;

	CHECK_INT(scratch_new(NULL, 1, &s), 0);
	for (i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ .s = s, .n = i };
		CHECK_INT(pthread_create(&t[i], NULL, worker_run, &w[i]), 0);
	}
	for (i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		CHECK_INT(w[i].failures, 0);
		wins += w[i].exclusive_wins;
	}
	CHECK(wins > 0);
	CHECK_INT(scratch_list(s, D1, &list, &n), 0);
	CHECK_INT(n, 1);
	CHECK_STR(list[0].name, "shared");
	CHECK_INT(list[0].st.size, 4);    /* "tN-M" */
	scratch_list_free(list);
	scratch_free(s);
}

int main(void)
{
	test_create_lookup();
	test_read_write_truncate();
	test_attributes_echo();
	test_symlink();
	test_rename_unlink_orphans();
	test_take_copy_in();
	test_caps();
	test_expire_drop();
	test_threads();
	return CHECK_DONE();
}
