/* ops.c — commands and the instance state machine (choerodon-api.md §4.4, §4.5).
 *
 * Every operation records a command {type, status operating} and sets the instance operating.
 * A command is completed lazily — at the start of every request (and by /_sim/advance) — once
 * its due time (created + --transition-ms) has passed; the outcome is taken from the data:
 *   create/update  fail when the values contain c7nsim: {fail: true}
 *   stop           fails with c7nsim: {fail_stop: true}
 *   restart(start) fails with c7nsim: {fail_start: true}
 * and applied as in the agent-reply table of §4.4. */
#include "sim.h"

#include <stdlib.h>
#include <string.h>

command_t *ops_new_command(model_t *m, instance_t *in, enum cmd_type type, version_t *v,
			   const char *values, user_t *u, int64_t now)
{
	command_t *last = inst_last_cmd(in);
	command_t *c = xcalloc(1, sizeof *c);
	c->seq = model_next_seq(m);
	c->id = make_id(ID_COMMAND, c->seq);
	c->inst = in;
	c->type = type;
	c->status = CS_OPERATING;
	c->version = v ? v : (last ? last->version : in->version);
	c->values = xstrdup(values ? values : inst_values(in));
	c->user = u;
	c->created_ms = now;
	c->pending = true;
	c->due_ms = now + (g_cfg.transition_ms > 0 ? g_cfg.transition_ms : 0);
	if (type == CMD_CREATE || type == CMD_UPDATE) {
		char sfx[8];
		k8s_suffix(hash_str(c->id), sfx, 5);
		c->job_name = xasprintf("%s-init-db-%s", in->code, sfx);
	}
	in->cmds = xrealloc(in->cmds, (in->ncmds + 1) * sizeof *in->cmds);
	in->cmds[in->ncmds++] = c;
	if (type == CMD_CREATE && !in->version)
		in->version = c->version;
	in->status = IS_OPERATING;
	in->updated_ms = now;
	in->ovn++;
	m->npending++;
	return c;
}

static uint64_t template_hash(const version_t *v, const json_t *values)
{
	char *dump = json_dumps(values, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	uint64_t h = hash_str(dump ? dump : "") ^ mix64(v ? v->seq : 0);
	free(dump);
	return h;
}

void ops_complete(model_t *m, command_t *c, int64_t now)
{
	instance_t *in = c->inst;
	if (!c->pending)
		return;
	c->pending = false;
	m->npending--;
	c->done_ms = now;
	json_t *vals = yaml_to_json(c->values, strlen(c->values), NULL, NULL, NULL);
	if (!vals)
		vals = json_object();
	bool fail = c->forced == FORCE_FAIL;
	switch (c->type) {
	case CMD_CREATE:
	case CMD_UPDATE:
		if (c->forced == FORCE_NONE)
			fail = values_flag(vals, "fail");
		if (!fail) {
			snapshot_t *s = &in->snap;
			uint64_t h = template_hash(c->version, vals);
			if (!s->exists) {
				s->exists = true;
				s->created_ms = s->rs_ms = s->pods_ms = now;
				s->gen = 1;
			} else if (h != s->tmpl_hash) {
				s->rs_ms = s->pods_ms = now;
				s->gen++;
			} else if (!s->running) {
				s->pods_ms = now;
				s->gen++;
			}
			s->running = true;
			s->version = c->version;
			json_decref(s->values);
			s->values = json_incref(vals);
			s->tmpl_hash = h;
			s->updated_ms = now;
			c->status = CS_SUCCESS;
			in->status = IS_RUNNING;
			in->version = c->version;
			in->effect = c;
		} else {
			c->status = CS_FAILED;
			in->status = c->type == CMD_CREATE ? IS_FAILED : IS_RUNNING;
		}
		k8s_fill_deploy(c, now);
		break;
	case CMD_STOP:
		if (c->forced == FORCE_NONE)
			fail = values_flag(vals, "fail_stop");
		if (!fail) {
			in->snap.running = false;
			in->snap.updated_ms = now;
			c->status = CS_SUCCESS;
			in->status = IS_STOPPED;
		} else {
			c->status = CS_FAILED;
			in->status = IS_RUNNING;
		}
		break;
	case CMD_RESTART:
		if (c->forced == FORCE_NONE)
			fail = values_flag(vals, "fail_start");
		if (!fail) {
			if (in->snap.exists && !in->snap.running) {
				in->snap.running = true;
				in->snap.gen++;
				in->snap.pods_ms = now;
			}
			in->snap.updated_ms = now;
			c->status = CS_SUCCESS;
			in->status = IS_RUNNING;
		} else {
			c->status = CS_FAILED;
			in->status = IS_STOPPED;
		}
		break;
	case CMD_DELETE:
		if (!fail) {
			json_decref(vals);
			model_remove_instance(m, in);
			return;
		}
		c->status = CS_FAILED;
		in->status = IS_DELETED;
		break;
	}
	if (c->status == CS_FAILED)
		c->error = c->forced_error ? xstrdup(c->forced_error) : deploy_error_text(c);
	in->updated_ms = now;
	in->ovn++;
	json_decref(vals);
}

int ops_process_due(model_t *m, int64_t now, bool force_all)
{
	int done = 0;
	while (m->npending > 0) {
		command_t *best = NULL;
		for (size_t i = 0; i < m->ninsts; i++) {
			instance_t *in = m->insts[i];
			for (size_t k = 0; k < in->ncmds; k++) {
				command_t *c = in->cmds[k];
				if (!c->pending || (!force_all && c->due_ms > now))
					continue;
				if (!best || (!force_all && c->due_ms < best->due_ms) ||
				    ((force_all || c->due_ms == best->due_ms) && c->seq < best->seq))
					best = c;
			}
		}
		if (!best)
			break;
		/* completes at its due time (or now when forced/overdue from a held command) */
		int64_t at = force_all ? now : (best->due_ms < now ? best->due_ms : now);
		if (at < best->created_ms)
			at = best->created_ms;
		ops_complete(m, best, at);
		done++;
	}
	return done;
}
