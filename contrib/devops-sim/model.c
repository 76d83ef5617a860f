/* model.c — the emulator's data model: loading the data file (YAML), the --generate builder,
 * lookups and the permission predicates of choerodon-api.md §2.3. */
#include "sim.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *const cmd_type_names[] = {"create", "update", "stop", "restart", "delete"};
const char *const cmd_status_names[] = {"operating", "success", "failed"};
const char *const inst_status_names[] = {"operating", "running", "failed", "stopped", "deleted"};

#define PUSH(arr, n, item)                                                  \
	do {                                                                \
		(arr) = xrealloc((arr), ((n) + 1) * sizeof(*(arr)));        \
		(arr)[(n)++] = (item);                                      \
	} while (0)

uint64_t model_next_seq(model_t *m)
{
	return ++m->next_seq;
}

/* -------------------------------------------------------------- lookups */

user_t *model_user_by_login(model_t *m, const char *login)
{
	for (size_t i = 0; login && i < m->nusers; i++)
		if (strcmp(m->users[i]->login, login) == 0)
			return m->users[i];
	return NULL;
}

user_t *model_user_by_token(model_t *m, const char *token)
{
	for (size_t i = 0; token && i < m->nusers; i++)
		if (m->users[i]->token && strcmp(m->users[i]->token, token) == 0)
			return m->users[i];
	return NULL;
}

project_t *model_project(model_t *m, int64_t id)
{
	for (size_t i = 0; i < m->nprojects; i++)
		if (m->projects[i]->id == id)
			return m->projects[i];
	return NULL;
}

env_t *model_env(model_t *m, const char *id)
{
	return smap_get(&m->env_by_id, id);
}

app_t *model_app(model_t *m, const char *id)
{
	return smap_get(&m->app_by_id, id);
}

version_t *model_version(model_t *m, const char *id)
{
	return smap_get(&m->ver_by_id, id);
}

instance_t *model_instance(model_t *m, const char *id)
{
	return smap_get(&m->inst_by_id, id);
}

version_t *app_version_by_name(app_t *a, const char *name)
{
	for (size_t i = 0; name && i < a->nversions; i++)
		if (strcmp(a->versions[i]->version, name) == 0)
			return a->versions[i];
	return NULL;
}

bool project_is_member(const project_t *p, const user_t *u)
{
	for (size_t i = 0; u && i < p->nmembers; i++)
		if (p->members[i].user == u)
			return true;
	return u && u->admin;
}

bool project_is_owner(const project_t *p, const user_t *u)
{
	for (size_t i = 0; u && i < p->nmembers; i++)
		if (p->members[i].user == u && p->members[i].owner)
			return true;
	return u && u->admin;
}

const grant_t *env_grant(const env_t *e, const user_t *u)
{
	for (size_t i = 0; u && i < e->ngrants; i++)
		if (e->grants[i].user == u)
			return &e->grants[i];
	return NULL;
}

bool env_visible(const env_t *e, const user_t *u)
{
	return project_is_owner(e->project, u) || e->skip_check || env_grant(e, u) != NULL;
}

bool env_may_deploy(const env_t *e, const user_t *u)
{
	const grant_t *g = env_grant(e, u);
	return project_is_owner(e->project, u) || e->skip_check || (g && g->deploy);
}

command_t *inst_last_cmd(const instance_t *i)
{
	return i->ncmds ? i->cmds[i->ncmds - 1] : NULL;
}

const char *inst_values(const instance_t *i)
{
	command_t *c = inst_last_cmd(i);
	if (c && c->values)
		return c->values;
	return i->version ? i->version->values : "";
}

/* ------------------------------------------------------------------ free */

static void user_free(user_t *u)
{
	free(u->id);
	free(u->login);
	free(u->real_name);
	free(u->email);
	free(u->token);
	free(u);
}

void instance_free(instance_t *in)
{
	for (size_t i = 0; i < in->ncmds; i++) {
		command_t *c = in->cmds[i];
		free(c->id);
		free(c->error);
		free(c->values);
		free(c->forced_error);
		free(c->job_name);
		for (size_t k = 0; k < c->npods; k++)
			free(c->pods[k]);
		free(c->pods);
		free(c->pod_status);
		free(c->image);
		free(c->node);
		free(c);
	}
	free(in->cmds);
	json_decref(in->snap.values);
	free(in->id);
	free(in->appcenter_id);
	free(in->code);
	free(in->name);
	free(in);
}

void model_free(model_t *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->ninsts; i++)
		instance_free(m->insts[i]);
	free(m->insts);
	for (size_t i = 0; i < m->napps; i++) {
		app_t *a = m->apps[i];
		for (size_t k = 0; k < a->nversions; k++) {
			version_t *v = a->versions[k];
			free(v->id);
			free(v->version);
			free(v->values);
			free(v->commit);
			json_decref(v->values_json);
			free(v);
		}
		free(a->versions);
		free(a->id);
		free(a->code);
		free(a->name);
		free(a->type);
		free(a->image);
		free(a);
	}
	free(m->apps);
	for (size_t i = 0; i < m->nenvs; i++) {
		env_t *e = m->envs[i];
		free(e->id);
		free(e->code);
		free(e->name);
		free(e->description);
		free(e->cluster_id);
		free(e->cluster_name);
		free(e->group_id);
		free(e->saga_id);
		free(e->grants);
		free(e);
	}
	free(m->envs);
	for (size_t i = 0; i < m->nprojects; i++) {
		project_t *p = m->projects[i];
		free(p->code);
		free(p->name);
		free(p->description);
		free(p->category);
		free(p->members);
		free(p);
	}
	free(m->projects);
	for (size_t i = 0; i < m->nusers; i++)
		user_free(m->users[i]);
	free(m->users);
	free(m->org_code);
	free(m->org_name);
	smap_free(&m->env_by_id);
	smap_free(&m->app_by_id);
	smap_free(&m->ver_by_id);
	smap_free(&m->inst_by_id);
	smap_free(&m->user_by_id);
	free(m);
}

void model_remove_instance(model_t *m, instance_t *in)
{
	for (size_t i = 0; i < m->ninsts; i++) {
		if (m->insts[i] == in) {
			memmove(&m->insts[i], &m->insts[i + 1], (m->ninsts - i - 1) * sizeof(*m->insts));
			m->ninsts--;
			break;
		}
	}
	for (size_t k = 0; k < in->ncmds; k++)
		if (in->cmds[k]->pending) {
			in->cmds[k]->pending = false;
			m->npending--;
		}
	smap_del(&m->inst_by_id, in->id);
	instance_free(in);
}

/* --------------------------------------------------------------- builders */

static model_t *model_new(void)
{
	model_t *m = xcalloc(1, sizeof *m);
	smap_init(&m->env_by_id);
	smap_init(&m->app_by_id);
	smap_init(&m->ver_by_id);
	smap_init(&m->inst_by_id);
	smap_init(&m->user_by_id);
	m->next_seq = 1000;
	return m;
}

static user_t *add_user(model_t *m, const char *login, const char *real, const char *email,
			const char *token, bool admin)
{
	user_t *u = xcalloc(1, sizeof *u);
	u->num = (int64_t)m->nusers + 1;
	u->id = make_id(ID_USER, (uint64_t)u->num);
	u->login = xstrdup(login);
	u->real_name = xstrdup(real ? real : login);
	u->email = email ? xstrdup(email) : xasprintf("%s@c7n.example.com", login);
	u->token = token ? xstrdup(token) : NULL;
	u->admin = admin;
	PUSH(m->users, m->nusers, u);
	smap_put(&m->user_by_id, u->id, u);
	return u;
}

static void add_member(project_t *p, user_t *u, bool owner)
{
	for (size_t i = 0; i < p->nmembers; i++)
		if (p->members[i].user == u) {
			p->members[i].owner |= owner;
			return;
		}
	member_t mb = {u, owner};
	PUSH(p->members, p->nmembers, mb);
}

static env_t *add_env(model_t *m, project_t *p, const char *code, const char *name,
		      const char *desc, const char *cluster, int64_t created)
{
	env_t *e = xcalloc(1, sizeof *e);
	e->seq = model_next_seq(m);
	e->id = make_id(ID_ENV, e->seq);
	e->project = p;
	e->code = xstrdup(code);
	e->name = xstrdup(name ? name : code);
	e->description = desc ? xstrdup(desc) : NULL;
	e->connected = e->active = e->synchro = true;
	e->cluster_name = xstrdup(cluster ? cluster : "c7n-cluster");
	e->cluster_id = make_id(ID_CLUSTER, hash_str(e->cluster_name) & 0xffffff);
	e->group_id = NULL;
	e->saga_id = make_id(ID_SAGA, e->seq);
	e->gitlab_project_id = 2000 + (int64_t)m->nenvs * 7 + 3;
	e->created_ms = created;
	e->ovn = 1;
	PUSH(m->envs, m->nenvs, e);
	smap_put(&m->env_by_id, e->id, e);
	return e;
}

static app_t *add_app(model_t *m, project_t *p, const char *code, const char *name,
		      const char *type, const char *image)
{
	app_t *a = xcalloc(1, sizeof *a);
	a->seq = model_next_seq(m);
	a->id = make_id(ID_APP, a->seq);
	a->project = p;
	a->code = xstrdup(code);
	a->name = xstrdup(name ? name : code);
	a->type = xstrdup(type ? type : "normal_service");
	a->image = image ? xstrdup(image)
			 : xasprintf("registry.c7n.example.com/%s/%s", p->code, code);
	a->active = true;
	PUSH(m->apps, m->napps, a);
	smap_put(&m->app_by_id, a->id, a);
	return a;
}

static version_t *add_version(model_t *m, app_t *a, const char *ver, const char *values,
			      const char *commit, int64_t created, char **err)
{
	int line = 0, col = 0;
	char *msg = NULL;
	json_t *j = yaml_to_json(values, strlen(values), &line, &col, &msg);
	if (!j) {
		*err = xasprintf("app %s version %s: values: %s", a->code, ver, msg);
		free(msg);
		return NULL;
	}
	version_t *v = xcalloc(1, sizeof *v);
	v->seq = model_next_seq(m);
	v->id = make_id(ID_VERSION, v->seq);
	v->app = a;
	v->version = xstrdup(ver);
	v->values = xstrdup(values);
	v->values_json = j;
	if (commit) {
		v->commit = xstrdup(commit);
	} else {
		uint64_t h = hash_str(ver) ^ hash_str(a->code);
		v->commit = xasprintf("%016llx%016llx%08x", (unsigned long long)h,
				      (unsigned long long)mix64(h), (unsigned)(mix64(h + 1) & 0xffffffff));
	}
	v->created_ms = created;
	PUSH(a->versions, a->nversions, v);
	smap_put(&m->ver_by_id, v->id, v);
	return v;
}

static instance_t *add_instance(model_t *m, env_t *e, app_t *a, const char *code,
				const char *name, int64_t created)
{
	instance_t *in = xcalloc(1, sizeof *in);
	in->seq = model_next_seq(m);
	in->id = make_id(ID_INSTANCE, in->seq);
	in->appcenter_id = make_id(ID_APPCENTER, in->seq);
	in->env = e;
	in->app = a;
	in->code = xstrdup(code);
	in->name = xstrdup(name ? name : code);
	in->status = IS_OPERATING;
	in->created_ms = in->updated_ms = created;
	in->ovn = 1;
	PUSH(m->insts, m->ninsts, in);
	smap_put(&m->inst_by_id, in->id, in);
	return in;
}

/* ------------------------------------------------------------ time specs */

/* "-3d", "-2h30m", "-90s", "-1d4h", "+10m", "now" (relative to base) or
 * "yyyy-MM-dd HH:mm:ss" (local time). */
static bool parse_when(const char *s, int64_t base, int64_t *out)
{
	if (!s || !*s || strcmp(s, "now") == 0) {
		*out = base;
		return true;
	}
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	const char *end = strptime(s, "%Y-%m-%d %H:%M:%S", &tm);
	if (end && !*end) {
		tm.tm_isdst = -1;
		*out = (int64_t)mktime(&tm) * 1000;
		return true;
	}
	int sign = 1;
	const char *p = s;
	if (*p == '-')
		sign = -1, p++;
	else if (*p == '+')
		p++;
	int64_t total = 0;
	bool any = false;
	while (*p) {
		if (!isdigit((unsigned char)*p))
			return false;
		int64_t n = 0;
		while (isdigit((unsigned char)*p))
			n = n * 10 + (*p++ - '0');
		int64_t unit;
		if (p[0] == 'm' && p[1] == 's')
			unit = 1, p += 2;
		else if (*p == 'd')
			unit = 86400000, p++;
		else if (*p == 'h')
			unit = 3600000, p++;
		else if (*p == 'm')
			unit = 60000, p++;
		else if (*p == 's')
			unit = 1000, p++;
		else
			return false;
		total += n * unit;
		any = true;
	}
	if (!any)
		return false;
	*out = base + sign * total;
	return true;
}

static const char *jstr(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* A scalar as a string (numbers in the data file like "version: 1.0" stay text). */
static char *jtext(json_t *o, const char *k)
{
	return json_scalar_text(json_object_get(o, k));
}

static bool jbool(json_t *o, const char *k, bool dflt)
{
	json_t *v = json_object_get(o, k);
	return json_is_boolean(v) ? json_is_true(v) : dflt;
}

/* ----------------------------------------------------------- history replay */

/* Values text of an upgrade from the instance's latest values to version newv:
 * the user's changes against the old version's defaults merged onto newv's defaults. */
char *upgrade_values_text(instance_t *in, version_t *newv)
{
	command_t *last = inst_last_cmd(in);
	if (!last)
		return xstrdup(newv->values);
	version_t *oldv = last->version;
	if (oldv == newv)
		return xstrdup(last->values);
	json_t *user = yaml_to_json(last->values, strlen(last->values), NULL, NULL, NULL);
	json_t *delta = json_delta(user, oldv ? oldv->values_json : NULL);
	json_decref(user);
	if (!delta)
		return xstrdup(newv->values);
	json_t *merged = json_deep_merge(newv->values_json, delta);
	char *text = json_to_yaml(merged);
	json_decref(merged);
	json_decref(delta);
	return text;
}

static bool replay_history(model_t *m, instance_t *in, json_t *hist, int64_t base, char **err)
{
	size_t i;
	json_t *h;
	json_array_foreach(hist, i, h) {
		const char *type = jstr(h, "type");
		int t = -1;
		for (int k = 0; k < 5; k++)
			if (type && strcmp(type, cmd_type_names[k]) == 0)
				t = k;
		if (t < 0 || (i == 0 && t != CMD_CREATE) || (i > 0 && t == CMD_CREATE)) {
			*err = xasprintf("instance %s: history[%zu]: type must be create first, then "
					 "update|stop|restart|delete", in->code, i);
			return false;
		}
		int64_t at;
		if (!parse_when(jstr(h, "at"), base, &at)) {
			*err = xasprintf("instance %s: history[%zu]: bad time 'at'", in->code, i);
			return false;
		}
		command_t *last = inst_last_cmd(in);
		version_t *v = last ? last->version : NULL;
		char *vname = jtext(h, "version");
		if (vname) {
			v = app_version_by_name(in->app, vname);
			if (!v) {
				*err = xasprintf("instance %s: unknown version %s of %s", in->code, vname,
						 in->app->code);
				free(vname);
				return false;
			}
			free(vname);
		}
		if (!v)
			v = in->app->versions[in->app->nversions - 1];
		char *values = NULL;
		if (jstr(h, "values")) {
			values = xstrdup(jstr(h, "values"));
		} else if (t == CMD_CREATE) {
			values = xstrdup(v->values);
		} else if (t == CMD_UPDATE) {
			values = upgrade_values_text(in, v);
		} else {
			values = xstrdup(inst_values(in));
		}
		json_t *set = json_object_get(h, "set");
		if (json_is_object(set)) {
			json_t *cur = yaml_to_json(values, strlen(values), NULL, NULL, NULL);
			json_t *merged = json_deep_merge(json_is_object(cur) ? cur : NULL, set);
			free(values);
			values = json_to_yaml(merged);
			json_decref(merged);
			json_decref(cur);
		}
		user_t *u = model_user_by_login(m, jstr(h, "user") ? jstr(h, "user") : "admin");
		if (!u)
			u = m->users[0];
		if (t == CMD_CREATE)
			in->created_ms = at;
		command_t *c = ops_new_command(m, in, (enum cmd_type)t, v, values, u, at);
		free(values);
		const char *result = jstr(h, "result");
		if (result && strcmp(result, "operating") == 0) {
			int64_t due = INT64_MAX;
			const char *din = jstr(h, "due_in");
			if (din && !parse_when(din, now_ms(), &due)) {
				*err = xasprintf("instance %s: bad due_in", in->code);
				return false;
			}
			c->due_ms = due;
			continue;
		}
		if (result && strcmp(result, "failed") == 0)
			c->forced = FORCE_FAIL;
		else if (result && strcmp(result, "success") == 0)
			c->forced = FORCE_SUCCESS;
		if (jstr(h, "error"))
			c->forced_error = xstrdup(jstr(h, "error"));
		int64_t took = 42000 + (int64_t)(hash_str(in->code) % 60000);
		bool deleted = t == CMD_DELETE && c->forced != FORCE_FAIL;
		ops_complete(m, c, at + took);
		if (deleted)
			return true; /* instance is gone */
	}
	return true;
}

/* ------------------------------------------------------------- data file */

static bool load_grants(model_t *m, env_t *e, json_t *grants, char **err)
{
	const char *login;
	json_t *g;
	json_object_foreach(grants, login, g) {
		user_t *u = model_user_by_login(m, login);
		if (!u) {
			*err = xasprintf("env %s: grant for unknown user %s", e->code, login);
			return false;
		}
		const char *kind = json_is_string(g) ? json_string_value(g) : NULL;
		grant_t gr = {u, kind ? strcmp(kind, "deploy") == 0 : json_is_true(g)};
		PUSH(e->grants, e->ngrants, gr);
	}
	return true;
}

static bool load_project(model_t *m, json_t *pj, int64_t base, char **err)
{
	json_t *idj = json_object_get(pj, "id");
	const char *code = jstr(pj, "code");
	if (!json_is_integer(idj) || !code) {
		*err = xstrdup("project needs an integer id and a code");
		return false;
	}
	project_t *p = xcalloc(1, sizeof *p);
	p->id = json_integer_value(idj);
	p->code = xstrdup(code);
	p->name = xstrdup(jstr(pj, "name") ? jstr(pj, "name") : code);
	p->description = jstr(pj, "description") ? xstrdup(jstr(pj, "description")) : NULL;
	p->category = xstrdup(jstr(pj, "category") ? jstr(pj, "category") : "N_DEVOPS");
	if (!parse_when(jstr(pj, "created") ? jstr(pj, "created") : "-400d", base, &p->created_ms))
		p->created_ms = base;
	PUSH(m->projects, m->nprojects, p);

	const char *roles[2] = {"owners", "members"};
	for (int r = 0; r < 2; r++) {
		size_t i;
		json_t *x;
		json_array_foreach(json_object_get(pj, roles[r]), i, x) {
			user_t *u = model_user_by_login(m, json_string_value(x));
			if (!u) {
				*err = xasprintf("project %s: unknown user in %s", code, roles[r]);
				return false;
			}
			add_member(p, u, r == 0);
		}
	}

	size_t i;
	json_t *ej;
	json_array_foreach(json_object_get(pj, "envs"), i, ej) {
		const char *ecode = jstr(ej, "code");
		if (!ecode) {
			*err = xasprintf("project %s: env without code", code);
			return false;
		}
		int64_t created;
		if (!parse_when(jstr(ej, "created") ? jstr(ej, "created") : "-300d", base, &created))
			created = base;
		env_t *e = add_env(m, p, ecode, jstr(ej, "name"), jstr(ej, "description"),
				   jstr(ej, "cluster"), created);
		e->connected = jbool(ej, "connected", true);
		e->active = jbool(ej, "active", true);
		e->synchro = jbool(ej, "synchro", true);
		e->failed = jbool(ej, "failed", false);
		e->skip_check = jbool(ej, "skip_check_permission", false);
		if (json_is_object(json_object_get(ej, "grants")) &&
		    !load_grants(m, e, json_object_get(ej, "grants"), err))
			return false;
	}

	json_t *aj;
	json_array_foreach(json_object_get(pj, "apps"), i, aj) {
		const char *acode = jstr(aj, "code");
		if (!acode) {
			*err = xasprintf("project %s: app without code", code);
			return false;
		}
		app_t *a = add_app(m, p, acode, jstr(aj, "name"), jstr(aj, "type"), jstr(aj, "image"));
		a->active = jbool(aj, "active", true);
		size_t k;
		json_t *vj;
		json_array_foreach(json_object_get(aj, "versions"), k, vj) {
			char *ver = jtext(vj, "version");
			const char *values = jstr(vj, "values");
			int64_t created;
			if (!ver) {
				*err = xasprintf("app %s: version without a name", acode);
				return false;
			}
			if (!parse_when(jstr(vj, "created"), base, &created))
				created = base;
			version_t *v = add_version(m, a, ver, values ? values : "{}\n", jstr(vj, "commit"),
						   created, err);
			free(ver);
			if (!v)
				return false;
		}
		if (!a->nversions) {
			*err = xasprintf("app %s has no versions", acode);
			return false;
		}
	}

	json_t *ij;
	json_array_foreach(json_object_get(pj, "instances"), i, ij) {
		const char *icode = jstr(ij, "code"), *ecode = jstr(ij, "env"), *acode = jstr(ij, "app");
		env_t *e = NULL;
		app_t *a = NULL;
		for (size_t k = 0; k < m->nenvs && ecode; k++)
			if (m->envs[k]->project == p && strcmp(m->envs[k]->code, ecode) == 0)
				e = m->envs[k];
		for (size_t k = 0; k < m->napps && acode; k++)
			if (m->apps[k]->project == p && strcmp(m->apps[k]->code, acode) == 0)
				a = m->apps[k];
		if (!icode || !e || !a) {
			*err = xasprintf("project %s: instance %s needs code and a known env and app",
					 code, icode ? icode : "?");
			return false;
		}
		json_t *hist = json_object_get(ij, "history");
		if (!json_is_array(hist) || !json_array_size(hist)) {
			*err = xasprintf("instance %s: history (starting with create) is required", icode);
			return false;
		}
		instance_t *in = add_instance(m, e, a, icode, jstr(ij, "name"), base);
		if (!replay_history(m, in, hist, base, err))
			return false;
	}
	return true;
}

model_t *model_load(const char *text, size_t len, char **err)
{
	int line = 0, col = 0;
	char *msg = NULL;
	json_t *root = yaml_to_json(text, len, &line, &col, &msg);
	if (!root) {
		*err = xasprintf("data file: %s", msg);
		free(msg);
		return NULL;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		*err = xstrdup("data file: top level must be a mapping");
		return NULL;
	}
	int64_t base = now_ms();
	model_t *m = model_new();
	json_t *org = json_object_get(root, "organization");
	m->org_id = json_integer_value(json_object_get(org, "id"));
	if (!m->org_id)
		m->org_id = 1;
	m->org_code = xstrdup(jstr(org, "code") ? jstr(org, "code") : "c7n-demo");
	m->org_name = xstrdup(jstr(org, "name") ? jstr(org, "name") : m->org_code);

	size_t i;
	json_t *uj;
	json_array_foreach(json_object_get(root, "users"), i, uj) {
		const char *login = jstr(uj, "login");
		if (!login) {
			*err = xstrdup("data file: user without login");
			goto fail;
		}
		add_user(m, login, jstr(uj, "name"), jstr(uj, "email"), jstr(uj, "token"),
			 jbool(uj, "admin", false));
	}
	if (!m->nusers) {
		*err = xstrdup("data file: no users");
		goto fail;
	}
	json_t *pj;
	json_array_foreach(json_object_get(root, "projects"), i, pj) {
		if (!load_project(m, pj, base, err))
			goto fail;
	}
	json_decref(root);
	return m;
fail:
	json_decref(root);
	model_free(m);
	return NULL;
}

/* -------------------------------------------------------------- generator */

static const struct {
	const char *code, *name;
	int port;
	bool web;
} gen_apps[] = {
	{"api-gateway", "API 网关 API Gateway", 8080, false},
	{"order-service", "订单服务 Order Service", 8090, false},
	{"user-service", "用户服务 User Service", 8070, false},
	{"web-portal", "门户前端 Web Portal", 80, true},
};

static char *gen_values(const char *image, int port, bool web, int minor, int replicas)
{
	strbuf b;
	sb_init(&b);
	sb_addf(&b, "replicaCount: %d\n", replicas);
	sb_addf(&b, "image:\n  repository: %s\n  pullPolicy: IfNotPresent\n", image);
	if (web) {
		sb_addf(&b, "env:\n  open:\n    API_BASE: /api\n    FEATURE_FLAGS: \"v%d\"\n", minor);
	} else {
		sb_addf(&b, "env:\n  open:\n    SPRING_PROFILES_ACTIVE: default\n"
			    "    JAVA_OPTS: -Xms256m -Xmx%dm\n", 512 + 128 * minor);
		sb_addf(&b, "deployment:\n  managementPort: %d\n", port + 1);
	}
	sb_addf(&b, "service:\n  enabled: true\n  type: ClusterIP\n  port: %d\n", port);
	sb_addf(&b, "readinessProbe:\n  httpGet:\n    path: %s\n    port: %d\n"
		    "  initialDelaySeconds: 10\n  periodSeconds: 10\n",
		web ? "/" : "/actuator/health", web ? port : port + 1);
	sb_addf(&b, "resources:\n  limits:\n    cpu: 500m\n    memory: %dMi\n"
		    "  requests:\n    cpu: 100m\n    memory: 256Mi\n", web ? 256 : 1024);
	return sb_steal(&b);
}

model_t *model_generate(int np, int ne, int ni)
{
	int64_t base = now_ms();
	model_t *m = model_new();
	m->org_id = 1;
	m->org_code = xstrdup("bench-org");
	m->org_name = xstrdup("Benchmark Organization");
	user_t *admin = add_user(m, "admin", "管理员 Admin", "admin@c7n.example.com", "c7n-demo-admin", false);
	user_t *dev = add_user(m, "dev", "开发 Dev", "dev@c7n.example.com", "c7n-demo-dev", false);
	user_t *viewer = add_user(m, "viewer", "访客 Viewer", "viewer@c7n.example.com", "c7n-demo-viewer", false);
	for (int p = 0; p < np; p++) {
		project_t *pr = xcalloc(1, sizeof *pr);
		pr->id = 201 + p;
		pr->code = xasprintf("bench-%02d", p + 1);
		pr->name = xasprintf("Benchmark Project %02d", p + 1);
		pr->description = xstrdup("synthetic project (--generate)");
		pr->category = xstrdup("N_DEVOPS");
		pr->created_ms = base - 200LL * 86400000;
		PUSH(m->projects, m->nprojects, pr);
		add_member(pr, admin, true);
		add_member(pr, dev, false);
		add_member(pr, viewer, false);
		app_t *apps[4];
		for (int a = 0; a < 4; a++) {
			apps[a] = add_app(m, pr, gen_apps[a].code, gen_apps[a].name, NULL, NULL);
			for (int v = 0; v < 3; v++) {
				char *ver = xasprintf("1.%d.%d", v, v == 2 ? 1 : 0);
				char *vals = gen_values(apps[a]->image, gen_apps[a].port, gen_apps[a].web, v, 1);
				char *err = NULL;
				add_version(m, apps[a], ver, vals, NULL, base - (int64_t)(30 - 10 * v) * 86400000, &err);
				free(err);
				free(ver);
				free(vals);
			}
		}
		for (int e = 0; e < ne; e++) {
			char *code = np > 1 ? xasprintf("p%02d-env-%02d", p + 1, e + 1) : xasprintf("env-%02d", e + 1);
			char *name = xasprintf("环境 Environment %02d", e + 1);
			env_t *en = add_env(m, pr, code, name, NULL, "bench-cluster", base - 150LL * 86400000);
			free(code);
			free(name);
			if (e % 2 == 0) {
				grant_t g = {dev, true};
				PUSH(en->grants, en->ngrants, g);
			}
			if (e == 0) {
				grant_t g = {viewer, false};
				PUSH(en->grants, en->ngrants, g);
			}
			for (int i = 0; i < ni; i++) {
				int ai = i % 4;
				char sfx[8];
				k8s_suffix(mix64(((uint64_t)p << 40) ^ ((uint64_t)e << 20) ^ (uint64_t)i), sfx, 5);
				char *icode = xasprintf("%s-%s", gen_apps[ai].code, sfx);
				int64_t t0 = base - (int64_t)(1 + (i * 7 + e) % 20) * 86400000;
				instance_t *in = add_instance(m, en, apps[ai], icode, NULL, t0);
				free(icode);
				version_t *v0 = apps[ai]->versions[i % 2];
				command_t *c = ops_new_command(m, in, CMD_CREATE, v0, v0->values, admin, t0);
				if (i % 13 == 5)
					c->forced = FORCE_FAIL;
				ops_complete(m, c, t0 + 45000);
				if (i % 13 == 5)
					continue;
				if (i % 3 == 0) {
					version_t *v2 = apps[ai]->versions[2];
					char *vals = upgrade_values_text(in, v2);
					c = ops_new_command(m, in, CMD_UPDATE, v2, vals, dev, t0 + 3600000);
					free(vals);
					ops_complete(m, c, t0 + 3650000);
				}
				if (i % 10 == 7) {
					c = ops_new_command(m, in, CMD_STOP, NULL, NULL, admin, t0 + 7200000);
					ops_complete(m, c, t0 + 7210000);
				}
			}
		}
	}
	return m;
}
