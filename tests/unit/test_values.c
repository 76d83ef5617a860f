/*
 * test_values.c — values.yaml validation, write handle, commit decision and the
 * rejected store; then every editor save sequence of fuse-notes.md §2.1
 * replayed against a model of the instance directory built from scratch.h and
 * values.h the way the FUSE layer uses them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "scratch.h"
#include "values.h"

static const char *yaml_why(const char *text)
{
	static char buf[300];
	struct values_error e;

	if (values_validate(text, strlen(text), &e) == 0)
		return "ok";
	values_error_format(&e, buf, sizeof(buf));
	return buf;
}

static void test_validate(void)
{
	struct values_error e;

	CHECK_STR(yaml_why("replicaCount: 1\nimage:\n  tag: v1\n"), "ok");
	CHECK_STR(yaml_why("{}"), "ok");
	CHECK_STR(yaml_why("---\na: 1\n...\n"), "ok");
	CHECK_STR(yaml_why("base: &b {x: 1}\nother: *b\n"), "ok");
	CHECK_STR(yaml_why("a:\n  b: 1\n c: 2\n"),
		  "yaml: line 3, column 2: did not find expected key");
	CHECK_STR(yaml_why("image:\n  tag: v1\n   x: 2\n"),
		  "yaml: line 3, column 5: mapping values are not allowed in this context");
	CHECK_STR(yaml_why("key: [1, 2\n"),
		  "yaml: line 2, column 1: did not find expected ',' or ']'");
	CHECK_STR(yaml_why("a: 1\n\tb: 2\n"),
		  "yaml: line 2, column 1: found a tab character that violates indentation");
	CHECK_STR(yaml_why("a: \"unterminated\n"),
		  "yaml: line 2, column 1: found unexpected end of stream");
	CHECK_STR(yaml_why("a: 1\nb: *nope\n"),
		  "yaml: line 2, column 4: found undefined alias 'nope'");
	CHECK_STR(yaml_why("- a\n- b\n"),
		  "yaml: line 1, column 1: values must be a mapping (key: value lines)");
	CHECK_STR(yaml_why("just text\n"),
		  "yaml: line 1, column 1: values must be a mapping (key: value lines)");
	CHECK_STR(yaml_why("---\n"),
		  "yaml: line 2, column 1: values must be a mapping (key: value lines)");
	CHECK_STR(yaml_why("a: 1\n---\nb: 2\n"),
		  "yaml: line 2, column 1: values must be a single document");
	CHECK_STR(yaml_why(""), "yaml: values are empty");
	CHECK_STR(yaml_why("  \n# only a comment\n"), "yaml: values are empty");
	CHECK_STR(yaml_why("a: 1\n\x01\n"),
		  "yaml: line 2, column 1: control characters are not allowed");

	/* embedded NUL (ftruncate grew the file with zeroes) and bad UTF-8:
	 * reader errors, positioned from their byte offset */
	CHECK_INT(values_validate("a: 1\n\0b", 8, &e), -EINVAL);
	CHECK_INT(e.line, 2);
	CHECK_INT(e.column, 1);
	CHECK_STR(e.problem, "control characters are not allowed");
	CHECK_INT(values_validate("a: é\n\xff", 7, &e), -EINVAL);
	CHECK_INT(e.line, 2);
	CHECK_STR(e.problem, "invalid leading UTF-8 octet");
	/* len, not the NUL, bounds the text */
	CHECK_INT(values_validate("a: 1\nb: [", 4, NULL), 0);
	CHECK_INT(values_validate(NULL, 0, NULL), -EINVAL);
}

static void test_error_format(void)
{
	struct values_error e = { 3, 5, "did not find expected key" };
	char small[12];

	values_error_format(&e, small, sizeof(small));
	CHECK_STR(small, "yaml: line ");
}

static void test_handle(void)
{
	struct values_handle h;
	const char *dep = "a: 1\nb: 2\n";
	char buf[64];
	size_t len;

	CHECK_INT(values_handle_init(&h, dep, strlen(dep), false), 0);
	CHECK_STR(values_handle_text(&h, &len), dep);
	CHECK_INT(len, strlen(dep));
	CHECK(!h.dirty);
	CHECK_STR(h.base, dep);

	/* vim: ftruncate(0) then write */
	CHECK_INT(values_handle_truncate(&h, 0), 0);
	CHECK(h.dirty);
	CHECK_STR(values_handle_text(&h, NULL), "");
	CHECK_INT(values_handle_write(&h, 0, "a: 3\n", 5), 0);
	CHECK_STR(values_handle_text(&h, NULL), "a: 3\n");
	/* overwrite in the middle, then past the end: a hole of zero bytes */
	CHECK_INT(values_handle_write(&h, 3, "4", 1), 0);
	CHECK_INT(values_handle_write(&h, 7, "x", 1), 0);
	values_handle_text(&h, &len);
	CHECK_INT(len, 8);
	CHECK(memcmp(values_handle_text(&h, NULL), "a: 4\n\0\0x", 8) == 0);
	CHECK_INT(values_handle_read(&h, 2, buf, 3), 3);
	CHECK(memcmp(buf, " 4\n", 3) == 0);
	CHECK_INT(values_handle_read(&h, 8, buf, 3), 0);
	CHECK_INT(values_handle_read(&h, 100, buf, 3), 0);
	/* grow by truncate, shrink again */
	CHECK_INT(values_handle_truncate(&h, 10), 0);
	values_handle_text(&h, &len);
	CHECK_INT(len, 10);
	CHECK_INT(values_handle_truncate(&h, 5), 0);
	CHECK_STR(values_handle_text(&h, NULL), "a: 4\n");
	/* a zero-length write far out does not extend the file */
	CHECK_INT(values_handle_write(&h, 500, "", 0), 0);
	values_handle_text(&h, &len);
	CHECK_INT(len, 5);

	/* the 1 MiB cap: refused alone, the handle stays usable */
	CHECK_INT(values_handle_write(&h, VALUES_MAX_SIZE, "x", 1), -EFBIG);
	CHECK_INT(values_handle_write(&h, (uint64_t)1 << 40, "x", 1), -EFBIG);
	CHECK_INT(values_handle_truncate(&h, VALUES_MAX_SIZE + 1), -EFBIG);
	CHECK_INT(values_handle_write(&h, VALUES_MAX_SIZE - 1, "y", 1), 0);
	values_handle_text(&h, &len);
	CHECK_INT(len, VALUES_MAX_SIZE);
	CHECK_INT(values_handle_truncate(&h, 5), 0);
	CHECK_INT(values_handle_write(&h, 5, "c: 5\n", 5), 0);
	CHECK_STR(values_handle_text(&h, NULL), "a: 4\nc: 5\n");

	/* settle: failure keeps the base, success moves it */
	CHECK_INT(values_handle_settle(&h, -EINVAL), 0);
	CHECK(!h.dirty);
	CHECK_STR(h.base, dep);
	CHECK_INT(values_handle_write(&h, 0, "a", 1), 0);
	CHECK(h.dirty);
	CHECK_INT(values_handle_settle(&h, 0), 0);
	CHECK(!h.dirty);
	CHECK_STR(h.base, "a: 4\nc: 5\n");
	CHECK_INT(h.base_len, 10);
	values_handle_free(&h);
	CHECK(h.base == NULL);

	/* O_TRUNC: empty and dirty, base still the deployed text */
	CHECK_INT(values_handle_init(&h, dep, strlen(dep), true), 0);
	CHECK(h.dirty);
	CHECK_STR(values_handle_text(&h, &len), "");
	CHECK_STR(h.base, dep);
	values_handle_free(&h);

	/* deployed text past the cap cannot be opened for writing */
	CHECK_INT(values_handle_init(&h, dep, VALUES_MAX_SIZE + 1, false), -EFBIG);
	values_handle_free(&h);
	/* no deployed text (NULL, 0) */
	CHECK_INT(values_handle_init(&h, NULL, 0, false), 0);
	CHECK_STR(values_handle_text(&h, NULL), "");
	CHECK_STR(h.base, "");
	values_handle_free(&h);
}

static int decide(const char *text, const char *deployed, const char *base,
		  int state_err, const char *state_why, struct values_decision *d)
{
	struct values_commit c = {
		.text = text, .len = strlen(text),
		.deployed = deployed, .deployed_len = strlen(deployed),
		.base = base, .base_len = base ? strlen(base) : 0,
		.state_err = state_err, .state_why = state_why,
	};

	return values_decide(&c, d);
}

static void test_decide(void)
{
	struct values_decision d;
	struct values_commit big = { 0 };
	const char *v1 = "a: 1\n", *v2 = "a: 2\n", *v3 = "a: 3\n";

	/* the ordinary edit */
	CHECK_INT(decide(v2, v1, v1, 0, NULL, &d), 0);
	CHECK(d.send);
	CHECK_STR(d.why, "");
	/* unchanged: no request, even with an unknown base */
	CHECK_INT(decide(v1, v1, v1, 0, NULL, &d), 0);
	CHECK(!d.send);
	CHECK_INT(decide(v1, v1, NULL, 0, NULL, &d), 0);
	CHECK(!d.send);
	/* parse errors come first, before state and staleness */
	CHECK_INT(decide("a: [\n", v1, v3, -EBUSY, "instance is stopping (停止中)", &d),
		  -EINVAL);
	CHECK(!d.send);
	CHECK_STR(d.why, "yaml: line 2, column 1: did not find expected node content");
	CHECK_INT(d.yaml.line, 2);
	CHECK_INT(d.yaml.column, 1);
	/* the state refusal, with its reason */
	CHECK_INT(decide(v2, v1, v1, -EBUSY, "instance is stopping (停止中)", &d), -EBUSY);
	CHECK_STR(d.why, "instance is stopping (停止中)");
	CHECK_INT(decide(v2, v1, v1, -EACCES, "no deploy permission in this environment", &d),
		  -EACCES);
	CHECK_STR(d.why, "no deploy permission in this environment");
	CHECK_INT(decide(v2, v1, v1, -ENOTCONN, NULL, &d), -ENOTCONN);
	CHECK_STR(d.why, "");
	/* state refusal wins over "unchanged" (design order) */
	CHECK_INT(decide(v1, v1, v1, -EBUSY, "x", &d), -EBUSY);
	/* lost update: the server moved from v1 to v3 while the handle was open */
	CHECK_INT(decide(v2, v3, v1, 0, NULL, &d), -ESTALE);
	CHECK(!d.send);
	CHECK_STR(d.why, "the deployed values changed on the server since 'values.yaml' "
		  "was opened; read them again and redo the edit");
	/* …unless the user saved exactly what the server has now */
	CHECK_INT(decide(v3, v3, v1, 0, NULL, &d), 0);
	CHECK(!d.send);
	/* unknown base (scratch rename): no lost-update check */
	CHECK_INT(decide(v2, v3, NULL, 0, NULL, &d), 0);
	CHECK(d.send);
	/* too large */
	big.text = "a: 1\n";
	big.len = VALUES_MAX_SIZE + 1;
	CHECK_INT(values_decide(&big, &d), -EFBIG);
	CHECK_STR(d.why, "values are larger than 1048576 bytes");
}

static void test_rejected(void)
{
	struct values_rejected r;

	values_rejected_init(&r);
	CHECK(!r.present);
	CHECK_INT(values_rejected_keep(&r, "a: [\n", 5, 100), 0);
	CHECK(r.present);
	CHECK_STR(r.text, "a: [\n");
	CHECK_INT(r.len, 5);
	CHECK_INT(r.when, 100);
	CHECK_INT(values_rejected_keep(&r, "b: {\n", 5, 200), 0);
	CHECK_STR(r.text, "b: {\n");
	CHECK_INT(r.when, 200);
	CHECK_INT(values_rejected_keep(&r, NULL, 0, 300), 0);
	CHECK_STR(r.text, "");
	CHECK(r.present);
	values_rejected_clear(&r);
	CHECK(!r.present);
	CHECK(r.text == NULL);
	CHECK_INT(r.len, 0);
	values_rejected_clear(&r);
}

/* ---- the instance directory, as the FUSE layer will drive these modules ---- */

#define DIR_KEY "proj/staging/demo-api-7f3k2"
#define UID 1000
#define GID 1000
#define NFDS 8

enum fd_kind { FD_FREE, FD_VALUES, FD_SCRATCH };

struct fd {
	enum fd_kind kind;
	bool append;
	struct values_handle vh;
	uint64_t id;
};

struct model {
	struct scratch_store *scratch;
	struct values_rejected rejected;
	char deployed[4096];       /* the emulated server */
	int updates;
	int server_err;            /* what the PUT answers */
	int state_err;
	struct fd fds[NFDS];
};

static const char *V_OLD = "replicaCount: 1\nimage:\n  tag: v1\n";
static const char *V_NEW = "replicaCount: 2\nimage:\n  tag: v1\n";
static const char *V_BAD = "replicaCount: 2\nimage:\n  tag: v1\n   x: [\n";

static void model_init(struct model *m)
{
	memset(m, 0, sizeof(*m));
	CHECK_INT(scratch_new(NULL, 1000, &m->scratch), 0);
	values_rejected_init(&m->rejected);
	strcpy(m->deployed, V_OLD);
}

static void model_free(struct model *m)
{
	int i;

	for (i = 0; i < NFDS; i++)
		if (m->fds[i].kind == FD_VALUES)
			values_handle_free(&m->fds[i].vh);
	scratch_free(m->scratch);
	values_rejected_clear(&m->rejected);
}

/* The commit steps of design.md §3; base NULL for a scratch rename. */
static int model_commit(struct model *m, const char *text, size_t len,
			const char *base)
{
	struct values_decision d;
	struct values_commit c = {
		.text = text, .len = len,
		.deployed = m->deployed, .deployed_len = strlen(m->deployed),
		.base = base, .base_len = base ? strlen(base) : 0,
		.state_err = m->state_err,
		.state_why = m->state_err ? "instance is stopping (停止中)" : NULL,
	};
	int ret = values_decide(&c, &d);

	if (!ret && d.send) {
		ret = m->server_err;
		if (!ret) {
			memcpy(m->deployed, text, len);
			m->deployed[len] = '\0';
			m->updates++;
		}
	}
	if (ret)
		values_rejected_keep(&m->rejected, text, len, 1);
	else if (d.send)
		values_rejected_clear(&m->rejected);
	return ret;
}

static int model_newfd(struct model *m)
{
	int i;

	for (i = 0; i < NFDS; i++)
		if (m->fds[i].kind == FD_FREE)
			return i;
	return -EMFILE;
}

static bool is_values(const char *name)
{
	return strcmp(name, "values.yaml") == 0;
}

static int model_open(struct model *m, const char *name, int flags, mode_t mode)
{
	struct scratch_stat st;
	struct scratch_attr trunc = { .set = SCRATCH_SET_SIZE, .size = 0 };
	int fd = model_newfd(m), ret;
	struct fd *f;

	if (fd < 0)
		return fd;
	f = &m->fds[fd];
	f->append = flags & O_APPEND;
	if (is_values(name)) {
		if ((flags & O_CREAT) && (flags & O_EXCL))
			return -EEXIST;
		ret = values_handle_init(&f->vh, m->deployed, strlen(m->deployed),
					 flags & O_TRUNC);
		f->kind = FD_VALUES;
		return ret ? ret : fd;
	}
	if (flags & O_CREAT)
		ret = scratch_create(m->scratch, DIR_KEY, name, mode, UID, GID,
				     flags & O_EXCL, &st);
	else if (!(ret = scratch_lookup(m->scratch, DIR_KEY, name, &st)))
		ret = scratch_open(m->scratch, st.id);
	if (!ret && (flags & O_TRUNC))
		ret = scratch_setattr(m->scratch, st.id, &trunc, NULL);
	if (ret)
		return ret;
	f->kind = FD_SCRATCH;
	f->id = st.id;
	return fd;
}

static int model_pwrite(struct model *m, int fd, uint64_t off, const char *data)
{
	struct fd *f = &m->fds[fd];
	struct scratch_stat st;
	size_t len;

	if (f->kind == FD_VALUES) {
		values_handle_text(&f->vh, &len);
		if (f->append)
			off = len;
		return values_handle_write(&f->vh, off, data, strlen(data));
	}
	if (f->append && !scratch_stat(m->scratch, f->id, &st))
		off = st.size;
	return scratch_write(m->scratch, f->id, off, data, strlen(data));
}

static int model_ftruncate(struct model *m, int fd, uint64_t size)
{
	struct fd *f = &m->fds[fd];
	struct scratch_attr a = { .set = SCRATCH_SET_SIZE, .size = size };

	if (f->kind == FD_VALUES)
		return values_handle_truncate(&f->vh, size);
	return scratch_setattr(m->scratch, f->id, &a, NULL);
}

/* fchmod/fchown: managed files ignore them, scratch files echo them back. */
static int model_fsetattr(struct model *m, int fd, const struct scratch_attr *a)
{
	struct fd *f = &m->fds[fd];

	if (f->kind == FD_VALUES)
		return 0;
	return scratch_setattr(m->scratch, f->id, a, NULL);
}

/* flush + release: the commit of a dirty values handle is close's result. */
static int model_close(struct model *m, int fd)
{
	struct fd *f = &m->fds[fd];
	const char *text;
	size_t len;
	int ret = 0;

	if (f->kind == FD_VALUES) {
		if (f->vh.dirty) {
			text = values_handle_text(&f->vh, &len);
			ret = model_commit(m, text, len, f->vh.base);
			values_handle_settle(&f->vh, ret);
		}
		values_handle_free(&f->vh);
	} else {
		ret = scratch_close(m->scratch, f->id);
	}
	f->kind = FD_FREE;
	return ret;
}

static int model_rename(struct model *m, const char *from, const char *to)
{
	char *text;
	size_t len;
	int ret;

	if (is_values(from))      /* virtual backup: values.yaml stays */
		return scratch_copy_in(m->scratch, DIR_KEY, to, m->deployed,
				       strlen(m->deployed), 0644, UID, GID, NULL);
	if (!is_values(to))
		return scratch_rename(m->scratch, DIR_KEY, from, to);
	ret = scratch_take(m->scratch, DIR_KEY, from, &text, &len);
	if (ret)
		return ret;
	ret = model_commit(m, text, len, NULL);
	if (!ret)
		ret = scratch_unlink(m->scratch, DIR_KEY, from);
	free(text);
	return ret;
}

static int model_unlink(struct model *m, const char *name)
{
	if (is_values(name))
		return -EPERM;
	return scratch_unlink(m->scratch, DIR_KEY, name);
}

/* "name name …" of the scratch files, oldest first. */
static const char *model_ls(struct model *m)
{
	static char buf[512];
	struct scratch_dirent *list;
	size_t n, i;

	buf[0] = '\0';
	if (scratch_list(m->scratch, DIR_KEY, &list, &n))
		return "(error)";
	for (i = 0; i < n; i++) {
		strcat(buf, i ? " " : "");
		strcat(buf, list[i].name);
	}
	scratch_list_free(list);
	return buf;
}

static const char *model_cat(struct model *m, const char *name)
{
	static char buf[4096];
	struct scratch_stat st;
	size_t got = 0;

	buf[0] = '\0';
	if (!scratch_lookup(m->scratch, DIR_KEY, name, &st))
		scratch_read(m->scratch, st.id, 0, buf, sizeof(buf) - 1, &got);
	buf[got] = '\0';
	return buf;
}

/* The swap file vim keeps while editing: create, probe .swx, recreate. */
static int vim_swap(struct model *m)
{
	int swp, swx;

	swp = model_open(m, ".values.yaml.swp", O_RDWR | O_CREAT | O_EXCL, 0600);
	CHECK(swp >= 0);
	swx = model_open(m, ".values.yaml.swx", O_RDWR | O_CREAT | O_EXCL, 0600);
	CHECK(swx >= 0);
	CHECK_INT(model_close(m, swx), 0);
	CHECK_INT(model_unlink(m, ".values.yaml.swx"), 0);
	CHECK_INT(model_close(m, swp), 0);
	CHECK_INT(model_unlink(m, ".values.yaml.swp"), 0);
	swp = model_open(m, ".values.yaml.swp", O_RDWR | O_CREAT | O_EXCL, 0600);
	CHECK(swp >= 0);
	CHECK_INT(model_pwrite(m, swp, 0, "b0VIM 9.0\n"), 0);
	CHECK_INT(model_pwrite(m, swp, 4096, "U3210"), 0);
	return swp;
}

static void vim_swap_end(struct model *m, int swp)
{
	CHECK_INT(model_close(m, swp), 0);
	CHECK_INT(model_unlink(m, ".values.yaml.swp"), 0);
}

/* vim's 'backupcopy' auto probe: the owner and mode must read back as set,
 * or vim switches to copy mode. */
static void vim_probe_4913(struct model *m)
{
	struct scratch_attr own = { .set = SCRATCH_SET_UID | SCRATCH_SET_GID,
				    .uid = 1234, .gid = 5678 };
	struct scratch_stat st;
	int fd;

	fd = model_open(m, "4913", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0644);
	CHECK(fd >= 0);
	CHECK_INT(model_fsetattr(m, fd, &own), 0);
	CHECK_INT(scratch_lookup(m->scratch, DIR_KEY, "4913", &st), 0);
	CHECK_INT(st.uid, 1234);
	CHECK_INT(st.gid, 5678);
	CHECK_INT(st.mode, S_IFREG | 0644);
	CHECK_INT(model_close(m, fd), 0);
	CHECK_INT(model_unlink(m, "4913"), 0);
}

/* Each sequence saves text and returns what the saving call returned. */

static int seq_vim_auto(struct model *m, const char *text)
{
	struct scratch_attr chmod = { .set = SCRATCH_SET_MODE, .mode = 0644 };
	int swp = vim_swap(m), fd, ret;

	vim_probe_4913(m);
	CHECK_INT(model_rename(m, "values.yaml", "values.yaml~"), 0);
	CHECK_STR(model_cat(m, "values.yaml~"), V_OLD);
	fd = model_open(m, "values.yaml", O_WRONLY | O_CREAT, 0644);
	CHECK(fd >= 0);
	CHECK_INT(model_ftruncate(m, fd, 0), 0);
	CHECK_INT(model_pwrite(m, fd, 0, text), 0);
	CHECK_INT(model_fsetattr(m, fd, &chmod), 0);     /* fsync: 0, then fchmod */
	ret = model_close(m, fd);
	if (ret)
		return ret;
	CHECK_INT(model_unlink(m, "values.yaml~"), 0);
	vim_swap_end(m, swp);
	return 0;
}

static int seq_vim_backupcopy(struct model *m, const char *text)
{
	int swp = vim_swap(m), bak, fd, ret;

	bak = model_open(m, "values.yaml~", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(bak >= 0);
	CHECK_INT(model_pwrite(m, bak, 0, V_OLD), 0);
	CHECK_INT(model_close(m, bak), 0);
	fd = model_open(m, "values.yaml", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	CHECK_INT(model_pwrite(m, fd, 0, text), 0);
	ret = model_close(m, fd);
	if (ret)
		return ret;
	CHECK_INT(model_unlink(m, "values.yaml~"), 0);
	vim_swap_end(m, swp);
	return 0;
}

static int seq_vim_nobackup(struct model *m, const char *text)
{
	int swp = vim_swap(m), fd, ret;

	fd = model_open(m, "values.yaml", O_WRONLY | O_CREAT, 0644);
	CHECK(fd >= 0);
	CHECK_INT(model_ftruncate(m, fd, 0), 0);
	CHECK_INT(model_pwrite(m, fd, 0, text), 0);
	ret = model_close(m, fd);
	if (ret)
		return ret;
	vim_swap_end(m, swp);
	return 0;
}

static int seq_nano(struct model *m, const char *text)
{
	int lock, fd, ret;

	lock = model_open(m, ".values.yaml.swp", O_WRONLY | O_CREAT | O_EXCL, 0644);
	CHECK(lock >= 0);
	CHECK_INT(model_pwrite(m, lock, 0, "b0nano 7.2"), 0);
	CHECK_INT(model_close(m, lock), 0);
	fd = model_open(m, "values.yaml", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	CHECK_INT(model_pwrite(m, fd, 0, text), 0);
	ret = model_close(m, fd);
	if (ret)
		return ret;
	CHECK_INT(model_unlink(m, ".values.yaml.swp"), 0);
	return 0;
}

static int seq_emacs(struct model *m, const char *text)
{
	struct scratch_stat st;
	char target[64];
	int fd, ret;

	CHECK_INT(scratch_symlink(m->scratch, DIR_KEY, ".#values.yaml",
				  "root@vm.4242:1700000000", UID, GID, &st), 0);
	CHECK_INT(scratch_readlink(m->scratch, st.id, target, sizeof(target)), 0);
	CHECK_STR(target, "root@vm.4242:1700000000");
	CHECK_INT(model_rename(m, "values.yaml", "values.yaml~"), 0);
	fd = model_open(m, "values.yaml", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	CHECK_INT(model_pwrite(m, fd, 0, text), 0);
	ret = model_close(m, fd);
	if (ret)
		return ret;
	CHECK_INT(model_unlink(m, ".#values.yaml"), 0);
	return 0;
}

/* sed -i and Python's tempfile + os.replace: a temp file renamed over. */
static int seq_temp_rename(struct model *m, const char *tmp, const char *text)
{
	struct scratch_attr own = { .set = SCRATCH_SET_UID | SCRATCH_SET_GID,
				    .uid = UID, .gid = GID };
	int in, fd;

	in = model_open(m, "values.yaml", O_RDONLY, 0);
	CHECK(in >= 0);
	fd = model_open(m, tmp, O_RDWR | O_CREAT | O_EXCL, 0600);
	CHECK(fd >= 0);
	CHECK_INT(model_fsetattr(m, fd, &own), 0);
	CHECK_INT(model_pwrite(m, fd, 0, text), 0);
	CHECK_INT(model_close(m, fd), 0);
	CHECK_INT(model_close(m, in), 0);
	return model_rename(m, tmp, "values.yaml");
}

static int seq_sed(struct model *m, const char *text)
{
	return seq_temp_rename(m, "sedMNLZLt", text);
}

static int seq_python(struct model *m, const char *text)
{
	return seq_temp_rename(m, "tmpk3_x9q2b", text);
}

/* GIO: rename(tmp, original) before close(fd). */
static int seq_gio(struct model *m, const char *text)
{
	struct scratch_attr chmod = { .set = SCRATCH_SET_MODE, .mode = 0644 };
	int fd, ret;

	fd = model_open(m, ".goutputstream-Q1W2E3", O_RDWR | O_CREAT | O_EXCL, 0600);
	CHECK(fd >= 0);
	CHECK_INT(model_fsetattr(m, fd, &chmod), 0);
	CHECK_INT(model_pwrite(m, fd, 0, text), 0);
	ret = model_rename(m, ".goutputstream-Q1W2E3", "values.yaml");
	CHECK_INT(model_close(m, fd), 0);
	return ret;
}

/* VS Code: O_TRUNC, writes in chunks, fdatasync (0), close. */
static int seq_vscode(struct model *m, const char *text)
{
	char first[8];
	int fd;

	fd = model_open(m, "values.yaml", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	snprintf(first, sizeof(first), "%.7s", text);
	CHECK_INT(model_pwrite(m, fd, 0, first), 0);
	CHECK_INT(model_pwrite(m, fd, strlen(first), text + strlen(first)), 0);
	return model_close(m, fd);
}

struct sequence {
	const char *name;
	int (*save)(struct model *m, const char *text);
	const char *leftover;    /* scratch names left after a good save */
};

static const struct sequence sequences[] = {
	{ "vim auto",                 seq_vim_auto,       "" },
	{ "vim backupcopy=yes",       seq_vim_backupcopy, "" },
	{ "vim nobackup nowritebackup", seq_vim_nobackup, "" },
	{ "nano",                     seq_nano,           "" },
	{ "emacs",                    seq_emacs,          "values.yaml~" },
	{ "sed -i",                   seq_sed,            "" },
	{ "python os.replace",        seq_python,         "" },
	{ "gio rename before close",  seq_gio,            "" },
	{ "vs code",                  seq_vscode,         "" },
};

static void test_editors(void)
{
	struct model m;
	size_t i;

	for (i = 0; i < sizeof(sequences) / sizeof(sequences[0]); i++) {
		fprintf(stderr, "editor: %s\n", sequences[i].name);
		model_init(&m);
		CHECK_INT(sequences[i].save(&m, V_NEW), 0);
		CHECK_INT(m.updates, 1);
		CHECK_STR(m.deployed, V_NEW);
		CHECK(!m.rejected.present);
		CHECK_STR(model_ls(&m), sequences[i].leftover);
		if (*sequences[i].leftover)
			CHECK_STR(model_cat(&m, "values.yaml~"), V_OLD);
		model_free(&m);

		/* invalid YAML: the save fails with EINVAL, nothing is sent,
		 * the text waits in values.yaml.rejected */
		model_init(&m);
		CHECK_INT(sequences[i].save(&m, V_BAD), -EINVAL);
		CHECK_INT(m.updates, 0);
		CHECK_STR(m.deployed, V_OLD);
		CHECK(m.rejected.present);
		CHECK_STR(m.rejected.text, V_BAD);
		/* and the next good save goes through and clears it */
		CHECK_INT(seq_vscode(&m, V_NEW), 0);
		CHECK_INT(m.updates, 1);
		CHECK(!m.rejected.present);
		model_free(&m);
	}
}

/* `echo "key: 1" >> values.yaml` and `cat new > values.yaml`. */
static void test_shell_redirections(void)
{
	struct model m;
	int fd;

	model_init(&m);
	fd = model_open(&m, "values.yaml", O_WRONLY | O_CREAT | O_APPEND, 0644);
	CHECK(fd >= 0);
	CHECK_INT(model_pwrite(&m, fd, 0, "key: 1\n"), 0);
	CHECK_INT(model_close(&m, fd), 0);
	CHECK_INT(m.updates, 1);
	CHECK_STR(m.deployed, "replicaCount: 1\nimage:\n  tag: v1\nkey: 1\n");
	model_free(&m);

	/* `: > values.yaml`: empty values are refused, nothing sent */
	model_init(&m);
	fd = model_open(&m, "values.yaml", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK_INT(model_close(&m, fd), -EINVAL);
	CHECK_INT(m.updates, 0);
	CHECK(m.rejected.present);
	CHECK_INT(m.rejected.len, 0);
	model_free(&m);
}

static void test_commit_paths(void)
{
	struct model m;
	int fd, fd2;

	/* unchanged save: close succeeds, no request */
	model_init(&m);
	CHECK_INT(seq_vscode(&m, V_OLD), 0);
	CHECK_INT(m.updates, 0);
	model_free(&m);

	/* lost update: the server changed while the handle was open */
	model_init(&m);
	fd = model_open(&m, "values.yaml", O_WRONLY | O_TRUNC, 0);
	CHECK_INT(model_pwrite(&m, fd, 0, V_NEW), 0);
	strcpy(m.deployed, "replicaCount: 5\n");
	CHECK_INT(model_close(&m, fd), -ESTALE);
	CHECK_INT(m.updates, 0);
	CHECK_STR(m.deployed, "replicaCount: 5\n");
	CHECK_STR(m.rejected.text, V_NEW);
	model_free(&m);

	/* state refuses editing; server down: close fails, text kept */
	model_init(&m);
	m.state_err = -EBUSY;
	CHECK_INT(seq_vscode(&m, V_NEW), -EBUSY);
	m.state_err = 0;
	m.server_err = -ENOTCONN;
	CHECK_INT(seq_sed(&m, V_NEW), -ENOTCONN);
	CHECK_STR(m.rejected.text, V_NEW);
	/* a refused rename leaves its source */
	CHECK_STR(model_ls(&m), "sedMNLZLt");
	CHECK_STR(model_cat(&m, "sedMNLZLt"), V_NEW);
	m.server_err = 0;
	CHECK_INT(model_rename(&m, "sedMNLZLt", "values.yaml"), 0);
	CHECK_INT(m.updates, 1);
	CHECK_STR(model_ls(&m), "");
	model_free(&m);

	/* two handles: the second one's base is stale after the first commits */
	model_init(&m);
	fd = model_open(&m, "values.yaml", O_WRONLY | O_TRUNC, 0);
	fd2 = model_open(&m, "values.yaml", O_WRONLY | O_TRUNC, 0);
	CHECK_INT(model_pwrite(&m, fd, 0, V_NEW), 0);
	CHECK_INT(model_pwrite(&m, fd2, 0, "replicaCount: 3\n"), 0);
	CHECK_INT(model_close(&m, fd), 0);
	CHECK_INT(model_close(&m, fd2), -ESTALE);
	CHECK_INT(m.updates, 1);
	CHECK_STR(m.deployed, V_NEW);

	/* values.yaml is never unlinked */
	CHECK_INT(model_unlink(&m, "values.yaml"), -EPERM);
	model_free(&m);
}

int main(void)
{
	test_validate();
	test_error_format();
	test_handle();
	test_decide();
	test_rejected();
	test_editors();
	test_shell_redirections();
	test_commit_paths();
	return CHECK_DONE();
}
