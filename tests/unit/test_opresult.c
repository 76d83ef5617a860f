/* test_opresult.c — last_error records and git-style messages. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "opresult.h"

static void test_errno_names(void)
{
	static const struct {
		int err;
		const char *name;
	} want[] = {
		{ EBUSY, "EBUSY" }, { EACCES, "EACCES" }, { ESTALE, "ESTALE" },
		{ ENOTCONN, "ENOTCONN" }, { EINVAL, "EINVAL" }, { ENOENT, "ENOENT" },
		{ ETIMEDOUT, "ETIMEDOUT" }, { EAGAIN, "EAGAIN" }, { EIO, "EIO" },
		{ EPERM, "EPERM" }, { ENOSPC, "ENOSPC" }, { EFBIG, "EFBIG" },
		{ EHOSTDOWN, "EHOSTDOWN" }, { EHOSTUNREACH, "EHOSTUNREACH" },
		{ ENOMEM, "ENOMEM" }, { EPROTO, "EPROTO" },
	};
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		CHECK_STR(errno_name(want[i].err), want[i].name);
		CHECK_STR(errno_name(-want[i].err), want[i].name);
	}
	CHECK(errno_name(0) == NULL);
	CHECK(errno_name(EXDEV) == NULL);
	CHECK(errno_name(100000) == NULL);
}

static void test_summary(void)
{
	char buf[256], small[16];

	opresult_summary(C7_VERB_STOP, "demo-api-7f3k2", EBUSY,
			 "instance is stopping (停止中)", buf, sizeof(buf));
	CHECK_STR(buf, "cannot stop 'demo-api-7f3k2': instance is stopping (停止中)");
	opresult_summary(C7_VERB_EDIT, "x", EINVAL,
			 "yaml: line 3, column 5: did not find expected key", buf, sizeof(buf));
	CHECK_STR(buf, "cannot save 'values.yaml' of 'x': yaml: line 3, column 5: "
		  "did not find expected key");
	opresult_summary(C7_VERB_START, "i", EACCES, "no deploy permission", buf, sizeof(buf));
	CHECK_STR(buf, "cannot start 'i': no deploy permission");
	opresult_summary(C7_VERB_REDEPLOY, "i", ENOTCONN, "environment is disconnected",
			 buf, sizeof(buf));
	CHECK_STR(buf, "cannot redeploy 'i': environment is disconnected");
	opresult_summary(C7_VERB_UPGRADE, "i", ENOENT, "already at the latest version '0.3.0'",
			 buf, sizeof(buf));
	CHECK_STR(buf, "cannot upgrade 'i': already at the latest version '0.3.0'");
	opresult_summary(C7_VERB_DELETE, "i", EPERM, "", buf, sizeof(buf));
	CHECK_STR(buf, "cannot delete 'i': operation not permitted");
	/* no reason: the errno's text, lower-cased like git */
	opresult_summary(C7_VERB_STOP, "i", -ETIMEDOUT, NULL, buf, sizeof(buf));
	CHECK_STR(buf, "cannot stop 'i': connection timed out");
	opresult_summary(C7_VERB_STOP, "demo-api-7f3k2", EBUSY, "x", small, sizeof(small));
	CHECK_STR(small, "cannot stop 'de");
}

static void test_render(void)
{
	struct opresult r;
	struct sbuf out;
	/* 2026-12-04 10:31:07 UTC */
	time_t when = 1796380267;

	setenv("TZ", "UTC", 1);
	tzset();
	sbuf_init(&out, 0);
	opresult_clear(&r);
	CHECK_INT(opresult_render(&r, &out), 0);
	CHECK_STR(out.buf, "");

	opresult_set(&r, when, C7_VERB_STOP, "demo-api-7f3k2", -EBUSY,
		     "error.instance.not.running", "实例未运行",
		     "instance is stopping (停止中)");
	CHECK_INT(r.err, EBUSY);
	CHECK_STR(r.summary, "cannot stop 'demo-api-7f3k2': instance is stopping (停止中)");
	CHECK_INT(opresult_render(&r, &out), 0);
	CHECK_STR(out.buf,
		  "time: 2026-12-04 10:31:07\n"
		  "verb: stop\n"
		  "errno: EBUSY (Device or resource busy)\n"
		  "code: error.instance.not.running\n"
		  "message: 实例未运行\n"
		  "cannot stop 'demo-api-7f3k2': instance is stopping (停止中)\n");
	sbuf_free(&out);

	/* no server answer; line breaks in server text stay on their line,
	 * with no trailing white space */
	opresult_set(&r, when, C7_VERB_EDIT, "x", EINVAL, NULL, "bad\nvalues\r",
		     "yaml: line 3, column 5: did not find expected key");
	CHECK_INT(opresult_render(&r, &out), 0);
	CHECK_STR(out.buf,
		  "time: 2026-12-04 10:31:07\n"
		  "verb: edit\n"
		  "errno: EINVAL (Invalid argument)\n"
		  "code:\n"
		  "message: bad values\n"
		  "cannot save 'values.yaml' of 'x': yaml: line 3, column 5: did not find expected key\n");
	sbuf_free(&out);

	/* an errno without a name */
	opresult_set(&r, when, C7_VERB_DELETE, "i", EXDEV, "c", "m", "r");
	CHECK_INT(opresult_render(&r, &out), 0);
	CHECK_STR(out.buf,
		  "time: 2026-12-04 10:31:07\n"
		  "verb: delete\n"
		  "errno: 18 (Invalid cross-device link)\n"
		  "code: c\n"
		  "message: m\n"
		  "cannot delete 'i': r\n");
	sbuf_free(&out);

	opresult_clear(&r);
	CHECK_INT(r.err, 0);
	CHECK_INT(opresult_render(&r, &out), 0);
	CHECK_INT(out.len, 0);
	sbuf_free(&out);
}

int main(void)
{
	test_errno_names();
	test_summary();
	test_render();
	return CHECK_DONE();
}
