/*
 * writes.c — values.yaml commits and control verbs (see include/writes.h).
 *
 * One operation per instance at a time (inst_state.lock). Before deciding, the
 * instance's state is re-read from the server (the cached list may be up to a
 * TTL old, and a refusal must reflect the state now); the server's own
 * refusals are still mapped to an errno, recorded and returned.
 *
 *   echo stop > MOUNT/demo/staging/demo-api-7f3k2/control
 *   cat MOUNT/demo/staging/demo-api-7f3k2/last_error
 */
#include "writes.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "opresult.h"
#include "state.h"
#include "tree_internal.h"

/* Caller holds is->lock. */
static void record_failure(struct rctx *c, unsigned verb, int err,
			   const struct api_error *ae, const char *reason)
{
	struct inst_state *is = c->is;

	opresult_set(&is->last_error, time(NULL), verb, c->inst->code, -err,
		     ae ? ae->code : "", ae ? ae->message : "", reason);
	snprintf(is->last_result, sizeof(is->last_result), "%s", is->last_error.summary);
	c7_log(C7_LOG_ERROR, "%s", is->last_error.summary);
	journal_note(is->journal, time(NULL), "%s", is->last_error.summary);
}

/* Caller holds is->lock. */
static void record_success(struct rctx *c, const char *what)
{
	struct inst_state *is = c->is;

	snprintf(is->last_result, sizeof(is->last_result), "%.*s '%s': ok", 300, what,
		 c->inst->code);
	c7_log(C7_LOG_INFO, "%s '%s'", what, c->inst->code);
	journal_note(is->journal, time(NULL), "%s through c7nfs", what);
}

static const char *server_reason(int rc, const struct api_error *ae)
{
	if (ae->message[0])
		return ae->message;
	if (ae->code[0])
		return ae->code;
	return strerror(-rc);
}

/* Re-reads the instance list of c's environment and points c at the fresh
 * copy of the same instance. -ENOENT when it is gone. */
static int refresh_instance(struct tree *t, struct rctx *c)
{
	const char *id = c->inst->id;
	char key[512];
	size_t i;
	int rc;

	snprintf(key, sizeof(key), "I1 %s %s", c->project->id, c->env->id);
	cache_expire(t->o.data->cache, key);
	c->insts = NULL;
	rc = tree_load_instances(t, c);
	if (rc)
		return rc;
	for (i = 0; i < c->insts->list.n; i++) {
		if (!strcmp(c->insts->list.v[i].id, id)) {
			c->inst = &c->insts->list.v[i];
			return 0;
		}
	}
	return -ENOENT;
}

/* The server's values text now (no cache), into out (malloc'd). */
static int deployed_values(struct tree *t, struct rctx *c, char **out,
			   struct api_error *ae)
{
	return api_instance_values(t->o.data->api, c->project->id, c->inst->id, out, ae);
}

static int resolve_instance(struct tree *t, uint64_t ino, struct rctx *c)
{
	int rc = tree_resolve(t, ino, c);

	if (!rc && !c->inst)
		rc = -EPERM;
	return rc;
}

/*
 * Runs one operation on the instance of ino, alone (the instance's lock). A
 * user's explicit write always tries the server, even while the mount believes
 * it offline.
 */
static int run_on_instance(struct tree *t, uint64_t ino,
			   int (*fn)(struct tree *t, struct rctx *c, const void *arg),
			   const void *arg)
{
	struct rctx c;
	int rc;

	rc = resolve_instance(t, ino, &c);
	if (rc)
		goto out;
	http_probe_next(t->o.http);
	pthread_mutex_lock(&c.is->lock);
	rc = fn(t, &c, arg);
	pthread_mutex_unlock(&c.is->lock);
out:
	tree_rctx_done(&c);
	return rc;
}

int writes_values_open(struct tree *t, uint64_t ino, bool trunc, struct values_handle *h)
{
	struct sbuf text;
	struct rctx c;
	int rc;

	memset(h, 0, sizeof(*h));
	sbuf_init(&text, 0);
	rc = resolve_instance(t, ino, &c);
	if (!rc && !tree_may_deploy(&c))
		rc = -EACCES;
	if (!rc)
		rc = tree_render(t, ino, &text);
	if (rc > 0)
		rc = 0;     /* "changed since last time" is no error */
	if (!rc)
		rc = values_handle_init(h, text.buf, text.len, trunc);
	else
		values_handle_init(h, "", 0, trunc);
	sbuf_free(&text);
	tree_rctx_done(&c);
	return rc;
}

/* After an update request succeeded: what the mount shows and remembers. */
static void after_commit(struct tree *t, struct rctx *c, const char *text, size_t len,
			 char *server_before)
{
	struct inst_state *is = c->is;
	struct api_event_list ev = { 0 };
	struct api_error ae = { 0 };

	free(is->committed);
	free(is->committed_base);
	is->committed = strndup(text, len);
	is->committed_len = is->committed ? len : 0;
	is->committed_base = server_before;
	values_rejected_clear(&is->rejected);
	data_expire_instance(t->o.data, c->project->id, c->env->id, c->inst->id);
	/* The new command's id keys the values history (design.md §5). */
	if (t->o.history &&
	    !api_instance_events(t->o.data->api, c->project->id, c->inst->id, &ev, &ae) &&
	    ev.n && !strcmp(ev.v[0].type, "update"))
		history_put(t->o.history, c->inst->id, ev.v[0].command_id, text, len);
	api_event_list_free(&ev);
	record_success(c, "values saved; update started for");
}

static int commit_locked(struct tree *t, struct rctx *c, const char *text, size_t len,
			 const char *base, size_t base_len)
{
	struct values_decision d;
	struct state_input in;
	struct api_error ae = { 0 };
	char why[256] = "", *deployed = NULL;
	int rc, st;

	rc = refresh_instance(t, c);
	if (!rc)
		rc = deployed_values(t, c, &deployed, &ae);
	if (rc) {
		record_failure(c, C7_VERB_EDIT, rc, &ae, server_reason(rc, &ae));
		values_rejected_keep(&c->is->rejected, text, len, time(NULL));
		goto out;
	}
	tree_state_input(t, c, &in);
	st = state_check_verb(&in, C7_VERB_EDIT, why, sizeof(why));
	rc = values_decide(&(struct values_commit){
			.text = text, .len = len, .deployed = deployed,
			.deployed_len = strlen(deployed), .base = base, .base_len = base_len,
			.state_err = st, .state_why = why }, &d);
	if (rc) {
		record_failure(c, C7_VERB_EDIT, rc, NULL, d.why);
		values_rejected_keep(&c->is->rejected, text, len, time(NULL));
		/* values.yaml must now show what the server has, so the user can
		 * redo the edit on top of it. */
		if (rc == -ESTALE)
			data_expire_instance(t->o.data, c->project->id, c->env->id,
					     c->inst->id);
		goto out;
	}
	if (!d.send) {
		c7_log(C7_LOG_INFO, "values of '%s' unchanged: nothing sent", c->inst->code);
		goto out;
	}
	rc = api_instance_update(t->o.data->api, c->project->id, c->inst, c->env->id,
				 c->inst->app_service_version_id, text, &ae);
	if (rc) {
		record_failure(c, C7_VERB_EDIT, rc, &ae, server_reason(rc, &ae));
		values_rejected_keep(&c->is->rejected, text, len, time(NULL));
		goto out;
	}
	after_commit(t, c, text, len, deployed);
	deployed = NULL;
out:
	free(deployed);
	return rc;
}

struct commit_args {
	const char *text, *base;
	size_t len, base_len;
};

static int commit_fn(struct tree *t, struct rctx *c, const void *arg)
{
	const struct commit_args *a = arg;

	return commit_locked(t, c, a->text, a->len, a->base, a->base_len);
}

int writes_values_commit(struct tree *t, uint64_t ino, const char *text, size_t len,
			 const char *base, size_t base_len)
{
	struct commit_args a = { .text = text, .len = len, .base = base,
				 .base_len = base_len };

	return run_on_instance(t, ino, commit_fn, &a);
}

int writes_control_open(struct tree *t, uint64_t ino, char *code, size_t len)
{
	struct rctx c;
	int rc;

	rc = resolve_instance(t, ino, &c);
	if (!rc && !tree_may_deploy(&c))
		rc = -EACCES;
	if (!rc)
		snprintf(code, len, "%s", c.inst->code);
	tree_rctx_done(&c);
	return rc;
}

void writes_control_refused(struct tree *t, uint64_t ino, unsigned verb, int err,
			    const char *why)
{
	struct rctx c;

	if (resolve_instance(t, ino, &c) == 0) {
		pthread_mutex_lock(&c.is->lock);
		record_failure(&c, verb, err, NULL, why);
		pthread_mutex_unlock(&c.is->lock);
	} else {
		c7_log(C7_LOG_ERROR, "control: %s", why);
	}
	tree_rctx_done(&c);
}

/* upgrade [VERSION]: V3 merges the user's values onto the target's defaults. */
static int run_upgrade(struct tree *t, struct rctx *c, const struct control_cmd *cmd,
		       struct api_error *ae, char *why, size_t whylen)
{
	const struct api_version_list *versions = tree_load_versions(t, c);
	const struct api_version *target;
	char *values = NULL;
	int rc;

	if (!versions) {
		snprintf(why, whylen, "cannot list the versions of '%s'", c->inst->app_service_name);
		return -EIO;
	}
	rc = control_upgrade_target(versions, c->inst->version_name, cmd->arg, &target, why,
				    whylen);
	if (rc)
		return rc;
	rc = api_upgrade_values(t->o.data->api, c->project->id, c->inst->id, target->id,
				&values, ae);
	if (!rc)
		rc = api_instance_update(t->o.data->api, c->project->id, c->inst, c->env->id,
					 target->id, values, ae);
	free(values);
	return rc;
}

static int run_verb(struct tree *t, struct rctx *c, const struct control_cmd *cmd,
		    struct api_error *ae, char *why, size_t whylen)
{
	struct api_client *api = t->o.data->api;
	const char *p = c->project->id, *i = c->inst->id;

	switch (cmd->verb) {
	case C7_VERB_STOP:
		return api_instance_stop(api, p, i, ae);
	case C7_VERB_START:
		return api_instance_start(api, p, i, ae);
	case C7_VERB_REDEPLOY:
		return api_instance_redeploy(api, p, i, ae);
	case C7_VERB_DELETE:
		return api_instance_delete(api, p, i, ae);
	case C7_VERB_UPGRADE:
		return run_upgrade(t, c, cmd, ae, why, whylen);
	default:
		snprintf(why, whylen, "unknown verb");
		return -EINVAL;
	}
}

static int control_locked(struct tree *t, struct rctx *c, const struct control_cmd *cmd)
{
	struct state_input in;
	struct api_error ae = { 0 };
	char why[CONTROL_WHY_MAX] = "", what[CONTROL_ARG_MAX + 32];
	unsigned check = cmd->verb;
	int rc;

	rc = refresh_instance(t, c);
	if (rc) {
		record_failure(c, cmd->verb, rc, NULL, strerror(-rc));
		return rc;
	}
	tree_state_input(t, c, &in);
	/* A named version may be any other version: it needs what editing needs. */
	if (cmd->verb == C7_VERB_UPGRADE && cmd->arg[0])
		check = C7_VERB_EDIT;
	rc = state_check_verb(&in, (enum c7_verb)check, why, sizeof(why));
	if (rc) {
		record_failure(c, cmd->verb, rc, NULL, why);
		return rc;
	}
	rc = run_verb(t, c, cmd, &ae, why, sizeof(why));
	if (rc) {
		record_failure(c, cmd->verb, rc, &ae, why[0] ? why : server_reason(rc, &ae));
		return rc;
	}
	data_expire_instance(t->o.data, c->project->id, c->env->id, c->inst->id);
	snprintf(what, sizeof(what), "%s%s%s", state_verb_name((enum c7_verb)cmd->verb),
		 cmd->verb == C7_VERB_UPGRADE && cmd->arg[0] ? " " : "",
		 cmd->verb == C7_VERB_UPGRADE ? cmd->arg : "");
	record_success(c, what);
	return 0;
}

static int control_fn(struct tree *t, struct rctx *c, const void *arg)
{
	return control_locked(t, c, arg);
}

int writes_control_run(struct tree *t, uint64_t ino, const struct control_cmd *cmd)
{
	return run_on_instance(t, ino, control_fn, cmd);
}
