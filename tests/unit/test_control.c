/* test_control.c — the control verb parser, its write buffering, and the
 * upgrade target. */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "control.h"

#define INST "demo-api-7f3k2"
#define USAGE "stop, start, redeploy, upgrade [VERSION], delete INSTANCE"

static char why[CONTROL_WHY_MAX];
static struct control_cmd cmd;

static int parse(const char *line)
{
	return control_parse_line(line, strlen(line), INST, &cmd, why, sizeof(why));
}

static void test_parse_verbs(void)
{
	CHECK_INT(parse("stop"), 0);
	CHECK_INT(cmd.verb, C7_VERB_STOP);
	CHECK_STR(cmd.arg, "");
	CHECK_STR(why, "");
	CHECK_INT(parse("start"), 0);
	CHECK_INT(cmd.verb, C7_VERB_START);
	CHECK_INT(parse("restart"), 0);
	CHECK_INT(cmd.verb, C7_VERB_START);
	CHECK_INT(parse("redeploy"), 0);
	CHECK_INT(cmd.verb, C7_VERB_REDEPLOY);
	CHECK_INT(parse("upgrade"), 0);
	CHECK_INT(cmd.verb, C7_VERB_UPGRADE);
	CHECK_STR(cmd.arg, "");
	CHECK_INT(parse("upgrade 0.3.0"), 0);
	CHECK_INT(cmd.verb, C7_VERB_UPGRADE);
	CHECK_STR(cmd.arg, "0.3.0");
	CHECK_INT(parse("delete " INST), 0);
	CHECK_INT(cmd.verb, C7_VERB_DELETE);
	CHECK_STR(cmd.arg, INST);
	/* whitespace around and between words, CR from Windows editors */
	CHECK_INT(parse("  \t upgrade \t 2024.1-rc.2  \r"), 0);
	CHECK_INT(cmd.verb, C7_VERB_UPGRADE);
	CHECK_STR(cmd.arg, "2024.1-rc.2");
	/* blank: nothing to run, no error */
	CHECK_INT(parse(""), 0);
	CHECK_INT(cmd.verb, 0);
	CHECK_INT(parse(" \t\r"), 0);
	CHECK_INT(cmd.verb, 0);
	/* len bounds the line, not the NUL */
	CHECK_INT(control_parse_line("stopper", 4, INST, &cmd, why, sizeof(why)), 0);
	CHECK_INT(cmd.verb, C7_VERB_STOP);
}

static void test_parse_errors(void)
{
	char longarg[CONTROL_ARG_MAX + 16];

	CHECK_INT(parse("frobnicate"), -EINVAL);
	CHECK_INT(cmd.verb, 0);
	CHECK_STR(why, "unknown verb 'frobnicate'; try: " USAGE);
	CHECK_INT(parse("STOP"), -EINVAL);
	CHECK_STR(why, "unknown verb 'STOP'; try: " USAGE);
	CHECK_INT(parse("stopp now"), -EINVAL);
	CHECK_STR(why, "unknown verb 'stopp'; try: " USAGE);
	CHECK_INT(parse("stop now"), -EINVAL);
	CHECK_STR(why, "too many arguments for 'stop'; usage: stop");
	CHECK_INT(parse("restart x"), -EINVAL);
	CHECK_STR(why, "too many arguments for 'restart'; usage: restart");
	CHECK_INT(parse("redeploy x"), -EINVAL);
	CHECK_STR(why, "too many arguments for 'redeploy'; usage: redeploy");
	CHECK_INT(parse("upgrade 0.3.0 0.2.0"), -EINVAL);
	CHECK_STR(why, "too many arguments for 'upgrade'; usage: upgrade [VERSION]");
	CHECK_INT(parse("delete"), -EINVAL);
	CHECK_STR(why, "'delete' needs this instance's code: delete " INST);
	CHECK_INT(parse("delete other-inst"), -EINVAL);
	CHECK_INT(cmd.verb, 0);
	CHECK_STR(why, "'delete' needs this instance's own code '" INST "', not 'other-inst'");
	CHECK_INT(parse("delete demo-api-7f3k"), -EINVAL);   /* a prefix is not enough */
	CHECK_INT(parse("delete " INST "x"), -EINVAL);
	CHECK_INT(parse("delete " INST " " INST), -EINVAL);
	CHECK_STR(why, "too many arguments for 'delete'; usage: delete INSTANCE");
	CHECK_INT(parse("delete *"), -EINVAL);

	memset(longarg, 'v', sizeof(longarg));
	memcpy(longarg, "upgrade ", 8);
	longarg[sizeof(longarg) - 1] = '\0';
	CHECK_INT(parse(longarg), -EINVAL);
	CHECK_STR(why, "argument of 'upgrade' is too long");
	/* an absurd verb is quoted only in part */
	memset(longarg, 'x', sizeof(longarg));
	longarg[sizeof(longarg) - 1] = '\0';
	CHECK_INT(parse(longarg), -EINVAL);
	CHECK_INT(strlen(why), strlen("unknown verb ''; try: " USAGE) + 64);
}

static int feed(struct control_buf *cb, const char *data)
{
	return control_feed(cb, data, strlen(data), INST, &cmd, why, sizeof(why));
}

static void test_feed(void)
{
	struct control_buf cb;
	char big[CONTROL_LINE_MAX + 3];

	control_buf_init(&cb);
	/* echo stop > control */
	CHECK_INT(feed(&cb, "stop\n"), 0);
	CHECK_INT(cmd.verb, C7_VERB_STOP);
	CHECK_INT(cb.pending.len, 0);
	/* printf 'sta' then 'rt\n': buffered until the newline */
	CHECK_INT(feed(&cb, "sta"), 0);
	CHECK_INT(cmd.verb, 0);
	CHECK_INT(feed(&cb, "rt\n"), 0);
	CHECK_INT(cmd.verb, C7_VERB_START);
	/* blank lines around one command */
	CHECK_INT(feed(&cb, "\n\n  redeploy  \n\n"), 0);
	CHECK_INT(cmd.verb, C7_VERB_REDEPLOY);
	CHECK_INT(feed(&cb, "\n \n"), 0);
	CHECK_INT(cmd.verb, 0);
	/* two commands in one write: refused, neither runs */
	CHECK_INT(feed(&cb, "stop\nstart\n"), -EINVAL);
	CHECK_INT(cmd.verb, 0);
	CHECK_STR(why, "one command per write, please");
	CHECK_INT(cb.pending.len, 0);
	/* a bad line drops everything pending */
	CHECK_INT(feed(&cb, "frob\nsta"), -EINVAL);
	CHECK_STR(why, "unknown verb 'frob'; try: " USAGE);
	CHECK_INT(cb.pending.len, 0);
	CHECK_INT(feed(&cb, "upgrade 0.3.0\n"), 0);
	CHECK_STR(cmd.arg, "0.3.0");
	/* a complete command plus the start of the next */
	CHECK_INT(feed(&cb, "stop\nup"), 0);
	CHECK_INT(cmd.verb, C7_VERB_STOP);
	CHECK_INT(feed(&cb, "grade\n"), 0);
	CHECK_INT(cmd.verb, C7_VERB_UPGRADE);

	/* printf stop > control: no newline, runs at flush (close) */
	CHECK_INT(feed(&cb, "  stop  "), 0);
	CHECK_INT(cmd.verb, 0);
	CHECK_INT(control_flush(&cb, INST, &cmd, why, sizeof(why)), 0);
	CHECK_INT(cmd.verb, C7_VERB_STOP);
	CHECK_INT(cb.pending.len, 0);
	CHECK_INT(control_flush(&cb, INST, &cmd, why, sizeof(why)), 0);
	CHECK_INT(cmd.verb, 0);
	CHECK_INT(feed(&cb, "delete nope"), 0);
	CHECK_INT(control_flush(&cb, INST, &cmd, why, sizeof(why)), -EINVAL);
	CHECK_STR(why, "'delete' needs this instance's own code '" INST "', not 'nope'");

	/* an endless line */
	memset(big, 'a', sizeof(big));
	big[sizeof(big) - 1] = '\0';
	CHECK_INT(feed(&cb, big), -EINVAL);
	CHECK_STR(why, "command longer than 1024 bytes");
	CHECK_INT(cb.pending.len, 0);
	big[sizeof(big) - 2] = '\n';
	CHECK_INT(feed(&cb, big), -EINVAL);
	CHECK_STR(why, "command longer than 1024 bytes");
	/* usable afterwards */
	CHECK_INT(feed(&cb, "stop\n"), 0);
	CHECK_INT(cmd.verb, C7_VERB_STOP);
	control_buf_free(&cb);
}

static void test_feed_huge_write(void)
{
	static char huge[(64u << 10) + 10];
	struct control_buf cb;

	control_buf_init(&cb);
	memset(huge, '\n', sizeof(huge));
	huge[sizeof(huge) - 1] = '\0';
	CHECK_INT(feed(&cb, huge), -EINVAL);
	CHECK_STR(why, "command longer than 1024 bytes");
	CHECK_INT(feed(&cb, "redeploy\n"), 0);
	CHECK_INT(cmd.verb, C7_VERB_REDEPLOY);
	control_buf_free(&cb);
}

static void test_upgrade_target(void)
{
	struct api_version v[] = {
		{ .id = "v3", .version = "0.3.0" },
		{ .id = "v2", .version = "0.2.1" },
		{ .id = "v1", .version = "0.1.0" },
	};
	struct api_version_list list = { 3, v };
	struct api_version_list empty = { 0, NULL };
	const struct api_version *out;

	CHECK_INT(control_upgrade_target(&list, "0.2.1", NULL, &out, why, sizeof(why)), 0);
	CHECK(out == &v[0]);
	CHECK_STR(why, "");
	CHECK_INT(control_upgrade_target(&list, "0.2.1", "", &out, why, sizeof(why)), 0);
	CHECK(out == &v[0]);
	CHECK_INT(control_upgrade_target(&list, "0.2.1", "0.1.0", &out, why, sizeof(why)), 0);
	CHECK(out == &v[2]);
	CHECK_STR(out->id, "v1");
	/* deployed version no longer listed: the newest is still a target */
	CHECK_INT(control_upgrade_target(&list, "0.0.9", NULL, &out, why, sizeof(why)), 0);
	CHECK(out == &v[0]);

	CHECK_INT(control_upgrade_target(&list, "0.3.0", NULL, &out, why, sizeof(why)),
		  -ENOENT);
	CHECK(out == NULL);
	CHECK_STR(why, "already at the latest version '0.3.0'");
	CHECK_INT(control_upgrade_target(&list, "0.2.1", "9.9.9", &out, why, sizeof(why)),
		  -EINVAL);
	CHECK(out == NULL);
	CHECK_STR(why, "unknown version '9.9.9'");
	CHECK_INT(control_upgrade_target(&list, "0.2.1", "0.2", &out, why, sizeof(why)),
		  -EINVAL);
	CHECK_STR(why, "unknown version '0.2'");
	CHECK_INT(control_upgrade_target(&list, "0.2.1", "0.2.1", &out, why, sizeof(why)),
		  -EINVAL);
	CHECK_STR(why, "already at version '0.2.1'");
	CHECK_INT(control_upgrade_target(&empty, "0.2.1", NULL, &out, why, sizeof(why)),
		  -ENOENT);
	CHECK_STR(why, "no versions of the app service");
	CHECK_INT(control_upgrade_target(&empty, "0.2.1", "0.3.0", &out, why, sizeof(why)),
		  -EINVAL);
	/* why may be omitted */
	CHECK_INT(control_upgrade_target(&list, "0.3.0", NULL, &out, NULL, 0), -ENOENT);
}

/* Which verb a refused line meant, for last_error. */
static void test_verb_named(void)
{
	CHECK_INT(control_verb_named("delete wrong-code\n", 18), C7_VERB_DELETE);
	CHECK_INT(control_verb_named("  upgrade 9.9.9", 15), C7_VERB_UPGRADE);
	CHECK_INT(control_verb_named("restart", 7), C7_VERB_START);
	CHECK_INT(control_verb_named("frobnicate\nstop\n", 16), 0);
	CHECK_INT(control_verb_named("\n", 1), 0);
	CHECK_INT(control_verb_named("", 0), 0);
}

int main(void)
{
	test_verb_named();
	test_parse_verbs();
	test_parse_errors();
	test_feed();
	test_feed_huge_write();
	test_upgrade_target();
	return CHECK_DONE();
}
