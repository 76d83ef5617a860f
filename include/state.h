/*
 * state.h — the 13 user-visible instance states and the verbs each allows.
 *
 * Pure functions, no I/O. The state is the latest command type × command status
 * (choerodon-api.md §4.5); the allowed verbs follow design.md §4's seed table,
 * intersected with what the server itself enforces (stop ⇐ status running,
 * start ⇐ status stopped), the environment connection and the deploy permission.
 */
#ifndef C7NFS_STATE_H
#define C7NFS_STATE_H

#include <stdbool.h>
#include <stddef.h>

enum c7_state {
	C7_STATE_UNKNOWN = 0,
	C7_STATE_CREATING,        /* 创建中 */
	C7_STATE_CREATED,         /* 创建成功 */
	C7_STATE_CREATE_FAILED,   /* 创建失败 */
	C7_STATE_UPDATING,        /* 更新中 */
	C7_STATE_UPDATED,         /* 更新完成 */
	C7_STATE_UPDATE_FAILED,   /* 更新失败 */
	C7_STATE_STOPPING,        /* 停止中 */
	C7_STATE_STOPPED,         /* 停止完成 */
	C7_STATE_STOP_FAILED,     /* 停止失败 */
	C7_STATE_RESTARTING,      /* 重启中 */
	C7_STATE_RESTARTED,       /* 重启完成 */
	C7_STATE_RESTART_FAILED,  /* 重启失败 */
	C7_STATE_DELETING,        /* 删除中 */
	C7_STATE_COUNT
};

/* Verb bits. */
enum c7_verb {
	C7_VERB_EDIT     = 1 << 0,   /* write values.yaml */
	C7_VERB_REDEPLOY = 1 << 1,
	C7_VERB_START    = 1 << 2,
	C7_VERB_STOP     = 1 << 3,
	C7_VERB_DELETE   = 1 << 4,
	C7_VERB_UPGRADE  = 1 << 5,
};

/* command_type: create|update|stop|restart|delete|sync (sync counts as update);
 * command_status: operating|success|failed (0.x "doing" = operating).
 * Unknown or empty → C7_STATE_UNKNOWN. */
enum c7_state state_from_command(const char *command_type, const char *command_status);

const char *state_name_zh(enum c7_state s);   /* "更新完成" */
const char *state_gloss_en(enum c7_state s);  /* "update succeeded" */
bool state_is_operating(enum c7_state s);

struct state_input {
	enum c7_state state;
	const char *instance_status;   /* running|failed|stopped|operating|… */
	bool env_connected;
	bool may_deploy;
	bool newer_version;            /* a version newer than the deployed one exists */
};

/* Bit set of enum c7_verb allowed now. */
unsigned state_allowed_verbs(const struct state_input *in);

/*
 * Why a verb is refused: 0 if allowed, else a negative errno
 * (-ENOTCONN disconnected, -EACCES no permission, -EBUSY state forbids it,
 * -ENOENT upgrade without a newer version) and a short reason in why
 * (e.g. "instance is stopping (停止中)", "environment is disconnected").
 */
int state_check_verb(const struct state_input *in, enum c7_verb verb,
		     char *why, size_t whylen);

/* "edit redeploy stop delete upgrade" (fixed order: edit redeploy start stop
 * delete upgrade); "" for none. Writes at most len bytes, NUL-terminated. */
void state_verbs_string(unsigned verbs, char *buf, size_t len);
const char *state_verb_name(enum c7_verb v);

#endif
