/*
 * state.c — see include/state.h. One table holds the names and the seed verbs
 * of every state; state_check_verb is the only place that decides, and
 * state_allowed_verbs just asks it for each verb, so the two cannot disagree.
 */
#include "state.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

/* The rows of design.md §4's seed table (upgrade follows edit, see below). */
#define VERBS_SETTLED (C7_VERB_EDIT | C7_VERB_REDEPLOY | C7_VERB_STOP | C7_VERB_DELETE)
#define VERBS_CREATE_FAILED (C7_VERB_EDIT | C7_VERB_REDEPLOY | C7_VERB_DELETE)
#define VERBS_STOPPED (C7_VERB_EDIT | C7_VERB_START | C7_VERB_DELETE)

struct state_info {
	const char *zh;
	const char *en;
	unsigned verbs;
	bool operating;
};

static const struct state_info state_table[C7_STATE_COUNT] = {
	[C7_STATE_UNKNOWN]        = { "未知",     "unknown",           0,                   false },
	[C7_STATE_CREATING]       = { "创建中",   "creating",          0,                   true },
	[C7_STATE_CREATED]        = { "创建成功", "create succeeded",  VERBS_SETTLED,       false },
	[C7_STATE_CREATE_FAILED]  = { "创建失败", "create failed",     VERBS_CREATE_FAILED, false },
	[C7_STATE_UPDATING]       = { "更新中",   "updating",          0,                   true },
	[C7_STATE_UPDATED]        = { "更新完成", "update succeeded",  VERBS_SETTLED,       false },
	[C7_STATE_UPDATE_FAILED]  = { "更新失败", "update failed",     VERBS_SETTLED,       false },
	[C7_STATE_STOPPING]       = { "停止中",   "stopping",          0,                   true },
	[C7_STATE_STOPPED]        = { "停止完成", "stopped",           VERBS_STOPPED,       false },
	[C7_STATE_STOP_FAILED]    = { "停止失败", "stop failed",       VERBS_SETTLED,       false },
	[C7_STATE_RESTARTING]     = { "重启中",   "restarting",        0,                   true },
	[C7_STATE_RESTARTED]      = { "重启完成", "restart succeeded", VERBS_SETTLED,       false },
	[C7_STATE_RESTART_FAILED] = { "重启失败", "restart failed",    VERBS_STOPPED,       false },
	[C7_STATE_DELETING]       = { "删除中",   "deleting",          0,                   true },
};

/* Indexed by bit number; also the fixed order of state_verbs_string. */
static const char *const verb_names[] = {
	"edit", "redeploy", "start", "stop", "delete", "upgrade",
};
#define VERB_COUNT (sizeof(verb_names) / sizeof(verb_names[0]))

static const struct state_info *state_info(enum c7_state s)
{
	if ((unsigned)s >= C7_STATE_COUNT)
		s = C7_STATE_UNKNOWN;
	return &state_table[s];
}

static bool str_eq(const char *a, const char *b)
{
	return a && strcmp(a, b) == 0;
}

/* Offset of a command status from the type's "operating" state; -1 if unknown. */
static int status_offset(const char *command_status)
{
	/* 0.5–0.9 servers say "doing" (choerodon-api.md §4.3). */
	if (str_eq(command_status, "operating") || str_eq(command_status, "doing"))
		return 0;
	if (str_eq(command_status, "success"))
		return 1;
	if (str_eq(command_status, "failed"))
		return 2;
	return -1;
}

enum c7_state state_from_command(const char *command_type, const char *command_status)
{
	static const struct {
		const char *type;
		enum c7_state first;
	} types[] = {
		{ "create", C7_STATE_CREATING },
		{ "update", C7_STATE_UPDATING },
		{ "sync", C7_STATE_UPDATING },
		{ "stop", C7_STATE_STOPPING },
		{ "restart", C7_STATE_RESTARTING },
	};
	int off = status_offset(command_status);
	size_t i;

	if (off < 0)
		return C7_STATE_UNKNOWN;
	/* A finished delete has no state of its own: the instance is gone. */
	if (str_eq(command_type, "delete"))
		return off == 0 ? C7_STATE_DELETING : C7_STATE_UNKNOWN;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (str_eq(command_type, types[i].type))
			return (enum c7_state)(types[i].first + off);
	return C7_STATE_UNKNOWN;
}

const char *state_name_zh(enum c7_state s)
{
	return state_info(s)->zh;
}

const char *state_gloss_en(enum c7_state s)
{
	return state_info(s)->en;
}

bool state_is_operating(enum c7_state s)
{
	return state_info(s)->operating;
}

static bool status_is(const char *status, const char *want)
{
	return str_eq(status, want);
}

static bool status_is_stopped(const char *status)
{
	/* "stoped" is the 0.5–0.8 spelling (choerodon-api.md §4.1). */
	return status_is(status, "stopped") || status_is(status, "stoped");
}

static const char *status_text(const char *status)
{
	return status && *status ? status : "unknown";
}

static int refuse(char *why, size_t whylen, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int refuse(char *why, size_t whylen, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	c7_vwhy(why, whylen, fmt, ap);
	va_end(ap);
	return err;
}

static int refuse_state(char *why, size_t whylen, const struct state_info *si)
{
	if (si->operating)
		return refuse(why, whylen, -EBUSY, "instance is %s (%s)", si->en, si->zh);
	return refuse(why, whylen, -EBUSY, "not allowed in state %s (%s)", si->en, si->zh);
}

static bool is_single_verb(enum c7_verb verb)
{
	unsigned v = (unsigned)verb;

	return v && !(v & (v - 1)) && v < (1u << VERB_COUNT);
}

int state_check_verb(const struct state_input *in, enum c7_verb verb,
		     char *why, size_t whylen)
{
	const struct state_info *si = state_info(in->state);
	/* upgrade is an edit that also changes the version */
	unsigned seed_bit = verb == C7_VERB_UPGRADE ? C7_VERB_EDIT : (unsigned)verb;

	if (!is_single_verb(verb))
		return refuse(why, whylen, -EINVAL, "unknown verb");
	if (!in->env_connected)
		return refuse(why, whylen, -ENOTCONN, "environment is disconnected");
	if (!in->may_deploy)
		return refuse(why, whylen, -EACCES, "no deploy permission in this environment");
	if (!(si->verbs & seed_bit))
		return refuse_state(why, whylen, si);
	/* The server's own preconditions (choerodon-api.md §3.13). */
	if (verb == C7_VERB_STOP && !status_is(in->instance_status, "running"))
		return refuse(why, whylen, -EBUSY, "instance is not running (status: %s)",
			      status_text(in->instance_status));
	if (verb == C7_VERB_START && !status_is_stopped(in->instance_status))
		return refuse(why, whylen, -EBUSY, "instance is not stopped (status: %s)",
			      status_text(in->instance_status));
	if (verb == C7_VERB_UPGRADE && !in->newer_version)
		return refuse(why, whylen, -ENOENT, "no newer version");
	return refuse(why, whylen, 0, "%s", "");
}

unsigned state_allowed_verbs(const struct state_input *in)
{
	unsigned verbs = 0;
	size_t i;

	for (i = 0; i < VERB_COUNT; i++)
		if (state_check_verb(in, (enum c7_verb)(1u << i), NULL, 0) == 0)
			verbs |= 1u << i;
	return verbs;
}

void state_verbs_string(unsigned verbs, char *buf, size_t len)
{
	size_t pos = 0, i;
	int n;

	if (!len)
		return;
	buf[0] = '\0';
	for (i = 0; i < VERB_COUNT; i++) {
		if (!(verbs & (1u << i)))
			continue;
		n = snprintf(buf + pos, len - pos, "%s%s", pos ? " " : "", verb_names[i]);
		if (n < 0 || (size_t)n >= len - pos) {
			/* drop the partial word rather than print half a verb */
			buf[pos] = '\0';
			return;
		}
		pos += (size_t)n;
	}
}

const char *state_verb_name(enum c7_verb v)
{
	size_t i;

	if (!is_single_verb(v))
		return "";
	for (i = 0; !((unsigned)v & (1u << i)); i++)
		;
	return verb_names[i];
}
