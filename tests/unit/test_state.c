/*
 * test_state.c — the 13 states and the state × verb table of design.md §4,
 * every cell, plus the server rules, connection, permission and upgrade.
 */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "state.h"

#define ALL_VERBS (C7_VERB_EDIT | C7_VERB_REDEPLOY | C7_VERB_START | C7_VERB_STOP | \
		   C7_VERB_DELETE | C7_VERB_UPGRADE)

static const enum c7_verb verbs[] = {
	C7_VERB_EDIT, C7_VERB_REDEPLOY, C7_VERB_START, C7_VERB_STOP,
	C7_VERB_DELETE, C7_VERB_UPGRADE,
};
#define NVERBS (sizeof(verbs) / sizeof(verbs[0]))

/*
 * The seed table, written out independently of src/state.c: each state with
 * the instance status the server pairs it with (choerodon-api.md §4.5), the
 * verbs allowed when connected, permitted and a newer version exists, and the
 * reason every other verb gets.
 */
static const struct seed_row {
	enum c7_state state;
	const char *status;
	const char *allowed;
	const char *refusal;
} seed[] = {
	{ C7_STATE_CREATING, "operating", "", "instance is creating (创建中)" },
	{ C7_STATE_UPDATING, "operating", "", "instance is updating (更新中)" },
	{ C7_STATE_STOPPING, "operating", "", "instance is stopping (停止中)" },
	{ C7_STATE_RESTARTING, "operating", "", "instance is restarting (重启中)" },
	{ C7_STATE_DELETING, "operating", "", "instance is deleting (删除中)" },
	{ C7_STATE_CREATED, "running", "edit redeploy stop delete upgrade",
	  "not allowed in state create succeeded (创建成功)" },
	{ C7_STATE_UPDATED, "running", "edit redeploy stop delete upgrade",
	  "not allowed in state update succeeded (更新完成)" },
	{ C7_STATE_UPDATE_FAILED, "running", "edit redeploy stop delete upgrade",
	  "not allowed in state update failed (更新失败)" },
	{ C7_STATE_STOP_FAILED, "running", "edit redeploy stop delete upgrade",
	  "not allowed in state stop failed (停止失败)" },
	{ C7_STATE_RESTARTED, "running", "edit redeploy stop delete upgrade",
	  "not allowed in state restart succeeded (重启完成)" },
	{ C7_STATE_CREATE_FAILED, "failed", "edit redeploy delete upgrade",
	  "not allowed in state create failed (创建失败)" },
	{ C7_STATE_STOPPED, "stopped", "edit start delete upgrade",
	  "not allowed in state stopped (停止完成)" },
	{ C7_STATE_RESTART_FAILED, "stopped", "edit start delete upgrade",
	  "not allowed in state restart failed (重启失败)" },
	{ C7_STATE_UNKNOWN, "running", "", "not allowed in state unknown (未知)" },
};
#define NSEED (sizeof(seed) / sizeof(seed[0]))

static struct state_input input(enum c7_state s, const char *status)
{
	struct state_input in = {
		.state = s, .instance_status = status, .env_connected = true,
		.may_deploy = true, .newer_version = true,
	};
	return in;
}

static bool word_in(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p;

	for (p = list; (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
	return false;
}

static void test_seed_table_every_cell(void)
{
	char why[160], got[80];
	size_t r, v;
	int rc;

	for (r = 0; r < NSEED; r++) {
		struct state_input in = input(seed[r].state, seed[r].status);

		state_verbs_string(state_allowed_verbs(&in), got, sizeof(got));
		CHECK_STR(got, seed[r].allowed);
		for (v = 0; v < NVERBS; v++) {
			strcpy(why, "stale");
			rc = state_check_verb(&in, verbs[v], why, sizeof(why));
			if (word_in(seed[r].allowed, state_verb_name(verbs[v]))) {
				CHECK_INT(rc, 0);
				CHECK_STR(why, "");
			} else {
				CHECK_INT(rc, -EBUSY);
				CHECK_STR(why, seed[r].refusal);
			}
		}
	}
}

static void test_disconnected_and_no_permission(void)
{
	char why[160];
	size_t r, v;

	for (r = 0; r < NSEED; r++) {
		struct state_input off = input(seed[r].state, seed[r].status);
		struct state_input denied = input(seed[r].state, seed[r].status);
		struct state_input both = input(seed[r].state, seed[r].status);

		off.env_connected = false;
		denied.may_deploy = false;
		both.env_connected = false;
		both.may_deploy = false;
		CHECK_INT(state_allowed_verbs(&off), 0);
		CHECK_INT(state_allowed_verbs(&denied), 0);
		for (v = 0; v < NVERBS; v++) {
			CHECK_INT(state_check_verb(&off, verbs[v], why, sizeof(why)), -ENOTCONN);
			CHECK_STR(why, "environment is disconnected");
			CHECK_INT(state_check_verb(&denied, verbs[v], why, sizeof(why)), -EACCES);
			CHECK_STR(why, "no deploy permission in this environment");
			/* the connection is checked first, as the server does */
			CHECK_INT(state_check_verb(&both, verbs[v], why, sizeof(why)), -ENOTCONN);
		}
	}
}

static void test_server_rules(void)
{
	struct state_input in = input(C7_STATE_UPDATED, "failed");
	char why[160];

	/* stop needs status running even where the seed table allows it */
	CHECK_INT(state_check_verb(&in, C7_VERB_STOP, why, sizeof(why)), -EBUSY);
	CHECK_STR(why, "instance is not running (status: failed)");
	CHECK_INT(state_allowed_verbs(&in),
		  C7_VERB_EDIT | C7_VERB_REDEPLOY | C7_VERB_DELETE | C7_VERB_UPGRADE);

	in = input(C7_STATE_STOPPED, "running");
	CHECK_INT(state_check_verb(&in, C7_VERB_START, why, sizeof(why)), -EBUSY);
	CHECK_STR(why, "instance is not stopped (status: running)");

	in = input(C7_STATE_RESTART_FAILED, "");
	CHECK_INT(state_check_verb(&in, C7_VERB_START, why, sizeof(why)), -EBUSY);
	CHECK_STR(why, "instance is not stopped (status: unknown)");
	in.instance_status = NULL;
	CHECK_INT(state_check_verb(&in, C7_VERB_START, why, sizeof(why)), -EBUSY);
	CHECK_STR(why, "instance is not stopped (status: unknown)");

	/* 0.5–0.8 spelling */
	in = input(C7_STATE_STOPPED, "stoped");
	CHECK_INT(state_check_verb(&in, C7_VERB_START, why, sizeof(why)), 0);

	in = input(C7_STATE_CREATED, "stopped");
	CHECK_INT(state_check_verb(&in, C7_VERB_STOP, why, sizeof(why)), -EBUSY);
	CHECK_STR(why, "instance is not running (status: stopped)");
}

static void test_upgrade(void)
{
	struct state_input in = input(C7_STATE_UPDATED, "running");
	char why[160];
	size_t r;

	in.newer_version = false;
	CHECK_INT(state_check_verb(&in, C7_VERB_UPGRADE, why, sizeof(why)), -ENOENT);
	CHECK_STR(why, "no newer version");
	CHECK_INT(state_allowed_verbs(&in),
		  C7_VERB_EDIT | C7_VERB_REDEPLOY | C7_VERB_STOP | C7_VERB_DELETE);

	/* upgrade follows edit in every row */
	for (r = 0; r < NSEED; r++) {
		struct state_input s = input(seed[r].state, seed[r].status);
		unsigned allowed = state_allowed_verbs(&s);

		CHECK_INT(!!(allowed & C7_VERB_UPGRADE), !!(allowed & C7_VERB_EDIT));
		s.newer_version = false;
		CHECK_INT(state_check_verb(&s, C7_VERB_UPGRADE, why, sizeof(why)),
			  (allowed & C7_VERB_EDIT) ? -ENOENT : -EBUSY);
	}

	/* operating beats "no newer version" */
	in = input(C7_STATE_UPDATING, "operating");
	in.newer_version = false;
	CHECK_INT(state_check_verb(&in, C7_VERB_UPGRADE, why, sizeof(why)), -EBUSY);
	CHECK_STR(why, "instance is updating (更新中)");
}

static void test_bad_verbs_and_buffers(void)
{
	struct state_input in = input(C7_STATE_STOPPING, "operating");
	char why[8];

	CHECK_INT(state_check_verb(&in, (enum c7_verb)0, why, sizeof(why)), -EINVAL);
	CHECK_INT(state_check_verb(&in, (enum c7_verb)(C7_VERB_STOP | C7_VERB_START),
				   why, sizeof(why)), -EINVAL);
	CHECK_INT(state_check_verb(&in, (enum c7_verb)(C7_VERB_UPGRADE << 1),
				   why, sizeof(why)), -EINVAL);
	/* why may be absent or short */
	CHECK_INT(state_check_verb(&in, C7_VERB_STOP, NULL, 0), -EBUSY);
	CHECK_INT(state_check_verb(&in, C7_VERB_STOP, why, sizeof(why)), -EBUSY);
	CHECK_STR(why, "instanc");
	/* out-of-range states behave as unknown */
	in.state = C7_STATE_COUNT;
	CHECK_INT(state_allowed_verbs(&in), 0);
	CHECK_STR(state_name_zh(C7_STATE_COUNT), "未知");
}

static void test_from_command(void)
{
	static const struct {
		const char *type, *status;
		enum c7_state want;
	} cases[] = {
		{ "create", "operating", C7_STATE_CREATING },
		{ "create", "success", C7_STATE_CREATED },
		{ "create", "failed", C7_STATE_CREATE_FAILED },
		{ "update", "operating", C7_STATE_UPDATING },
		{ "update", "success", C7_STATE_UPDATED },
		{ "update", "failed", C7_STATE_UPDATE_FAILED },
		{ "sync", "operating", C7_STATE_UPDATING },
		{ "sync", "success", C7_STATE_UPDATED },
		{ "sync", "failed", C7_STATE_UPDATE_FAILED },
		{ "stop", "operating", C7_STATE_STOPPING },
		{ "stop", "success", C7_STATE_STOPPED },
		{ "stop", "failed", C7_STATE_STOP_FAILED },
		{ "restart", "operating", C7_STATE_RESTARTING },
		{ "restart", "success", C7_STATE_RESTARTED },
		{ "restart", "failed", C7_STATE_RESTART_FAILED },
		{ "delete", "operating", C7_STATE_DELETING },
		{ "delete", "success", C7_STATE_UNKNOWN },
		{ "delete", "failed", C7_STATE_UNKNOWN },
		/* 0.5–0.9 */
		{ "create", "doing", C7_STATE_CREATING },
		{ "stop", "doing", C7_STATE_STOPPING },
		{ "delete", "doing", C7_STATE_DELETING },
		{ "", "", C7_STATE_UNKNOWN },
		{ NULL, NULL, C7_STATE_UNKNOWN },
		{ "update", NULL, C7_STATE_UNKNOWN },
		{ NULL, "success", C7_STATE_UNKNOWN },
		{ "scale", "success", C7_STATE_UNKNOWN },
		{ "update", "pending", C7_STATE_UNKNOWN },
		{ "Update", "success", C7_STATE_UNKNOWN },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_INT(state_from_command(cases[i].type, cases[i].status), cases[i].want);
}

static void test_names(void)
{
	static const char *const zh[C7_STATE_COUNT] = {
		"未知", "创建中", "创建成功", "创建失败", "更新中", "更新完成", "更新失败",
		"停止中", "停止完成", "停止失败", "重启中", "重启完成", "重启失败", "删除中",
	};
	static const char *const en[C7_STATE_COUNT] = {
		"unknown", "creating", "create succeeded", "create failed", "updating",
		"update succeeded", "update failed", "stopping", "stopped", "stop failed",
		"restarting", "restart succeeded", "restart failed", "deleting",
	};
	int s;

	for (s = 0; s < C7_STATE_COUNT; s++) {
		CHECK_STR(state_name_zh((enum c7_state)s), zh[s]);
		CHECK_STR(state_gloss_en((enum c7_state)s), en[s]);
		CHECK_INT(state_is_operating((enum c7_state)s),
			  s == C7_STATE_CREATING || s == C7_STATE_UPDATING ||
			  s == C7_STATE_STOPPING || s == C7_STATE_RESTARTING ||
			  s == C7_STATE_DELETING);
	}
}

static void test_verbs_string(void)
{
	char buf[64];

	state_verbs_string(ALL_VERBS, buf, sizeof(buf));
	CHECK_STR(buf, "edit redeploy start stop delete upgrade");
	state_verbs_string(C7_VERB_UPGRADE | C7_VERB_EDIT, buf, sizeof(buf));
	CHECK_STR(buf, "edit upgrade");
	state_verbs_string(0, buf, sizeof(buf));
	CHECK_STR(buf, "");
	/* unknown bits are ignored */
	state_verbs_string(C7_VERB_STOP | (1u << 20), buf, sizeof(buf));
	CHECK_STR(buf, "stop");
	/* truncation keeps whole words */
	state_verbs_string(ALL_VERBS, buf, 14);
	CHECK_STR(buf, "edit redeploy");
	state_verbs_string(ALL_VERBS, buf, 13);
	CHECK_STR(buf, "edit");
	state_verbs_string(ALL_VERBS, buf, 1);
	CHECK_STR(buf, "");
	strcpy(buf, "untouched");
	state_verbs_string(ALL_VERBS, buf, 0);
	CHECK_STR(buf, "untouched");

	CHECK_STR(state_verb_name(C7_VERB_EDIT), "edit");
	CHECK_STR(state_verb_name(C7_VERB_REDEPLOY), "redeploy");
	CHECK_STR(state_verb_name(C7_VERB_START), "start");
	CHECK_STR(state_verb_name(C7_VERB_STOP), "stop");
	CHECK_STR(state_verb_name(C7_VERB_DELETE), "delete");
	CHECK_STR(state_verb_name(C7_VERB_UPGRADE), "upgrade");
	CHECK_STR(state_verb_name((enum c7_verb)0), "");
	CHECK_STR(state_verb_name((enum c7_verb)(C7_VERB_EDIT | C7_VERB_STOP)), "");
}

int main(void)
{
	test_seed_table_every_cell();
	test_disconnected_and_no_permission();
	test_server_rules();
	test_upgrade();
	test_bad_verbs_and_buffers();
	test_from_command();
	test_names();
	test_verbs_string();
	return CHECK_DONE();
}
