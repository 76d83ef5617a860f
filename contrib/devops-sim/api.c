/* api.c — the Choerodon 2.0.x endpoints, answering in the shapes of choerodon-api.md. */
#include "api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

/* ---------------------------------------------------------------- helpers */

const char *qarg(req_t *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

resp_t resp_json(int status, json_t *j)
{
	resp_t x = {status, j, false};
	return x;
}

resp_t resp_empty(int status)
{
	resp_t x = {status, NULL, true};
	return x;
}

static const struct {
	const char *code, *msg;
} messages[] = {
	{"error.env.user.permission.get", "该用户没有环境权限"},
	{"error.env.disconnect", "不能链接到环境"},
	{"error.app.instance.is.associated.with.pipeline", "该应用已与流水线关联"},
	{"error.operating.resource.in.other.project", "不允许操作其它项目的资源"},
	{"error.app.service.disabled", "应用服务已被停用"},
	{"error.yaml.format.invalid", "Yaml格式错误"},
	{"error.instance.value.get", "获取部署信息失败"},
	{"error.resource.query", "获取部署实例资源对象失败"},
	{"error.app.service.not.exist", "应用服务不存在"},
	{"error.env.id.not.exist", "环境不存在"},
	{NULL, NULL},
};

resp_t resp_fail(const char *code, const char *message)
{
	const char *msg = message;
	for (int k = 0; !msg && messages[k].code; k++)
		if (strcmp(messages[k].code, code) == 0)
			msg = messages[k].msg;
	return resp_json(200, json_pack("{s:b,s:s,s:s}", "failed", 1, "code", code, "message", msg ? msg : code));
}

static json_t *jdate(int64_t ms)
{
	char d[32];
	fmt_date(ms, d);
	return json_string(d);
}

static json_t *jstr_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* Request body as JSON (NULL when absent, "null" or not JSON). */
static json_t *body_json(req_t *r)
{
	if (!r->body || !r->body_len)
		return NULL;
	json_t *j = json_loadb(r->body, r->body_len, JSON_DECODE_ANY, NULL);
	if (j && json_is_null(j)) {
		json_decref(j);
		return NULL;
	}
	return j;
}

typedef struct pagereq {
	int64_t page, size;
} pagereq;

static pagereq get_page(req_t *r)
{
	pagereq p = {0, 20};
	const char *s = qarg(r, "page");
	if (s && *s)
		p.page = atoll(s);
	if (p.page < 0)
		p.page = 0;
	s = qarg(r, "size");
	if (s && *s)
		p.size = atoll(s);
	if (p.size <= 0)
		p.size = 20;
	if (p.size > 1000)
		p.size = 1000;
	return p;
}

/* Page envelope (io.choerodon.core.domain.Page) around already-sliced content. */
static json_t *page_env(json_t *content, pagereq p, size_t total)
{
	json_t *o = json_object();
	json_object_set_new(o, "totalPages", json_integer((json_int_t)((total + (size_t)p.size - 1) / (size_t)p.size)));
	json_object_set_new(o, "totalElements", json_integer((json_int_t)total));
	json_object_set_new(o, "numberOfElements", json_integer((json_int_t)json_array_size(content)));
	json_object_set_new(o, "size", json_integer(p.size));
	json_object_set_new(o, "number", json_integer(p.page));
	json_object_set_new(o, "content", content);
	return o;
}

/* Slices a full array into a page (takes ownership of all). */
static json_t *page_of(json_t *all, pagereq p)
{
	size_t total = json_array_size(all);
	json_t *content = json_array();
	for (size_t k = (size_t)(p.page * p.size); k < total && k < (size_t)((p.page + 1) * p.size); k++)
		json_array_append(content, json_array_get(all, k));
	json_decref(all);
	return page_env(content, p, total);
}

static bool is_true_arg(const char *s, bool dflt)
{
	if (!s || !*s)
		return dflt;
	return strcmp(s, "true") == 0 || strcmp(s, "1") == 0;
}

/* ---------------------------------------------------------------------- IAM */

static json_t *project_dto(model_t *m, const project_t *p)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", json_integer(p->id));
	json_object_set_new(o, "name", json_string(p->name));
	json_object_set_new(o, "code", json_string(p->code));
	json_object_set_new(o, "organizationId", json_integer(m->org_id));
	json_object_set_new(o, "organizationName", json_string(m->org_name));
	json_object_set_new(o, "organizationCode", json_string(m->org_code));
	json_object_set_new(o, "enabled", json_true());
	json_object_set_new(o, "category", json_string(p->category));
	json_object_set_new(o, "categories", json_pack("[{s:I,s:s,s:s}]", "id", (json_int_t)3,
						       "code", p->category, "name", "DevOps流程"));
	json_object_set_new(o, "imageUrl", json_null());
	json_object_set_new(o, "description", jstr_or_null(p->description));
	json_object_set_new(o, "creationDate", jdate(p->created_ms));
	json_object_set_new(o, "createdBy", json_integer(1));
	json_object_set_new(o, "objectVersionNumber", json_integer(1));
	return o;
}

resp_t h_self(req_t *r)
{
	user_t *u = r->user;
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(u->id));
	json_object_set_new(o, "loginName", json_string(u->login));
	json_object_set_new(o, "realName", json_string(u->real_name));
	json_object_set_new(o, "email", json_string(u->email));
	json_object_set_new(o, "phone", json_null());
	json_object_set_new(o, "imageUrl", json_null());
	json_object_set_new(o, "language", json_string("zh_CN"));
	json_object_set_new(o, "timeZone", json_string("GMT+8"));
	json_object_set_new(o, "organizationId", json_integer(r->m->org_id));
	json_object_set_new(o, "organizationName", json_string(r->m->org_name));
	json_object_set_new(o, "organizationCode", json_string(r->m->org_code));
	json_object_set_new(o, "tenantId", json_integer(r->m->org_id));
	json_object_set_new(o, "tenantName", json_string(r->m->org_name));
	json_object_set_new(o, "tenantNum", json_string(r->m->org_code));
	json_object_set_new(o, "enabled", json_true());
	json_object_set_new(o, "locked", json_false());
	json_object_set_new(o, "ldap", json_true());
	json_object_set_new(o, "admin", json_boolean(u->admin));
	json_object_set_new(o, "objectVersionNumber", json_integer(1));
	return resp_json(200, o);
}

resp_t h_tenants(req_t *r)
{
	return resp_json(200, json_pack("[{s:I,s:s,s:s,s:i,s:I}]", "tenantId", (json_int_t)r->m->org_id,
					"tenantName", r->m->org_name, "tenantNum", r->m->org_code,
					"enabledFlag", 1, "objectVersionNumber", (json_int_t)1));
}

static json_t *projects_of(model_t *m, const char *user_id)
{
	json_t *arr = json_array();
	user_t *u = smap_get(&m->user_by_id, user_id);
	for (size_t k = 0; u && k < m->nprojects; k++)
		if (project_is_member(m->projects[k], u))
			json_array_append_new(arr, project_dto(m, m->projects[k]));
	return arr;
}

resp_t h_user_projects(req_t *r)
{
	return resp_json(200, projects_of(r->m, r->user_id));
}

resp_t h_org_user_projects(req_t *r)
{
	if (atoll(r->org_id) != r->m->org_id)
		return resp_json(200, json_array());
	return resp_json(200, projects_of(r->m, r->user_id));
}

resp_t h_org_user_projects_paging(req_t *r)
{
	json_t *all = atoll(r->org_id) == r->m->org_id ? projects_of(r->m, r->user_id) : json_array();
	const char *name = qarg(r, "name"), *code = qarg(r, "code");
	json_t *f = json_array();
	size_t k;
	json_t *x;
	json_array_foreach(all, k, x) {
		if (icontains(json_string_value(json_object_get(x, "name")), name) &&
		    icontains(json_string_value(json_object_get(x, "code")), code))
			json_array_append(f, x);
	}
	json_decref(all);
	return resp_json(200, page_of(f, get_page(r)));
}

/* ------------------------------------------------------------- environments */

static json_t *env_rep(const env_t *e, const user_t *u)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(e->id));
	json_object_set_new(o, "name", json_string(e->name));
	json_object_set_new(o, "code", json_string(e->code));
	json_object_set_new(o, "description", jstr_or_null(e->description));
	json_object_set_new(o, "active", json_boolean(e->active));
	json_object_set_new(o, "connect", json_boolean(e->connected));
	json_object_set_new(o, "connected", json_boolean(e->connected));
	json_object_set_new(o, "synchro", json_boolean(e->synchro));
	json_object_set_new(o, "failed", json_boolean(e->failed));
	json_object_set_new(o, "permission", json_boolean(env_may_deploy(e, u)));
	json_object_set_new(o, "skipCheckPermission", json_boolean(e->skip_check));
	json_object_set_new(o, "clusterId", json_string(e->cluster_id));
	json_object_set_new(o, "clusterName", json_string(e->cluster_name));
	json_object_set_new(o, "devopsEnvGroupId", jstr_or_null(e->group_id));
	json_object_set_new(o, "gitlabEnvProjectId", json_integer(e->gitlab_project_id));
	json_object_set_new(o, "objectVersionNumber", json_integer(e->ovn));
	json_object_set_new(o, "sagaInstanceId", json_string(e->saga_id));
	json_object_set_new(o, "type", json_string("user"));
	return o;
}

resp_t h_env_list(req_t *r)
{
	bool active = is_true_arg(qarg(r, "active"), true);
	json_t *arr = json_array();
	for (size_t k = 0; k < r->m->nenvs; k++) {
		env_t *e = r->m->envs[k];
		if (e->project != r->project || e->failed || e->active != active)
			continue;
		json_array_append_new(arr, env_rep(e, r->user));
	}
	return resp_json(200, arr);
}

static json_t *inst_view(const instance_t *in)
{
	int total, running;
	inst_pod_counts(in, &total, &running);
	return json_pack("{s:s,s:s,s:s,s:s,s:i,s:i,s:s}", "id", in->id, "name", in->name, "appId",
			 in->appcenter_id, "code", in->code, "podCount", total, "podRunningCount", running,
			 "status", inst_status_names[in->status]);
}

static bool inst_listed(const instance_t *in)
{
	return in->status != IS_DELETED;
}

/* Envs of the tree menus: visible to the user, connected first. */
static size_t tree_envs(req_t *r, env_t **out)
{
	size_t n = 0;
	for (int pass = 0; pass < 2; pass++)
		for (size_t k = 0; k < r->m->nenvs; k++) {
			env_t *e = r->m->envs[k];
			if (e->project != r->project || !e->active || e->failed || !e->synchro)
				continue;
			if (e->connected != (pass == 0) || !env_visible(e, r->user))
				continue;
			out[n++] = e;
		}
	return n;
}

resp_t h_env_tree(req_t *r)
{
	env_t **envs = xcalloc(r->m->nenvs + 1, sizeof *envs);
	size_t n = tree_envs(r, envs);
	json_t *arr = json_array();
	for (size_t k = 0; k < n; k++) {
		env_t *e = envs[k];
		json_t *insts = json_array();
		for (size_t j = 0; j < r->m->ninsts; j++)
			if (r->m->insts[j]->env == e && inst_listed(r->m->insts[j]))
				json_array_append_new(insts, inst_view(r->m->insts[j]));
		json_t *o = json_object();
		json_object_set_new(o, "id", json_string(e->id));
		json_object_set_new(o, "name", json_string(e->name));
		json_object_set_new(o, "code", json_string(e->code));
		json_object_set_new(o, "connect", json_boolean(e->connected));
		json_object_set_new(o, "instances", insts);
		const char *lists[] = {"services", "ingresses", "certifications", "configMaps", "secrets",
				       "customResources", "pvcs"};
		for (size_t l = 0; l < sizeof lists / sizeof *lists; l++)
			json_object_set_new(o, lists[l], json_array());
		json_array_append_new(arr, o);
	}
	free(envs);
	return resp_json(200, arr);
}

resp_t h_env_ins_tree(req_t *r)
{
	env_t **envs = xcalloc(r->m->nenvs + 1, sizeof *envs);
	size_t n = tree_envs(r, envs);
	json_t *arr = json_array();
	for (size_t k = 0; k < n; k++) {
		env_t *e = envs[k];
		json_t *apps = json_array();
		for (size_t a = 0; a < r->m->napps; a++) {
			app_t *ap = r->m->apps[a];
			json_t *insts = json_array();
			for (size_t j = 0; j < r->m->ninsts; j++) {
				instance_t *in = r->m->insts[j];
				if (in->env == e && in->app == ap && inst_listed(in))
					json_array_append_new(insts, inst_view(in));
			}
			if (json_array_size(insts))
				json_array_append_new(apps, json_pack("{s:s,s:s,s:s,s:o}", "id", ap->id, "name",
								      ap->name, "type", "project", "instances", insts));
			else
				json_decref(insts);
		}
		json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:b,s:o}", "id", e->id, "name", e->name,
						     "code", e->code, "connect", e->connected, "apps", apps));
	}
	free(envs);
	return resp_json(200, arr);
}

/* Env of {e} in project {p}; *fail set when it is not. */
static env_t *project_env(req_t *r, const char *id, resp_t *fail)
{
	env_t *e = model_env(r->m, id);
	if (!e) {
		*fail = resp_fail("error.env.id.not.exist", NULL);
		return NULL;
	}
	if (e->project != r->project) {
		*fail = resp_fail("error.operating.resource.in.other.project", NULL);
		return NULL;
	}
	return e;
}

resp_t h_env_info(req_t *r)
{
	resp_t fail;
	env_t *e = project_env(r, r->e, &fail);
	if (!e)
		return fail;
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(e->id));
	json_object_set_new(o, "code", json_string(e->code));
	json_object_set_new(o, "name", json_string(e->name));
	json_object_set_new(o, "description", jstr_or_null(e->description));
	json_object_set_new(o, "active", json_boolean(e->active));
	json_object_set_new(o, "connect", json_boolean(e->connected));
	json_object_set_new(o, "synchronize", json_boolean(e->synchro));
	json_object_set_new(o, "fail", json_boolean(e->failed));
	json_object_set_new(o, "clusterId", json_string(e->cluster_id));
	json_object_set_new(o, "clusterName", json_string(e->cluster_name));
	json_object_set_new(o, "skipCheckPermission", json_boolean(e->skip_check));
	json_object_set_new(o, "objectVersionNumber", json_integer(e->ovn));
	json_object_set_new(o, "groupId", jstr_or_null(e->group_id));
	char *url = xasprintf("https://gitlab.c7n.example.com/%s-%s-gitops/%s", r->m->org_code,
			      e->project->code, e->code);
	json_object_set_new(o, "gitlabUrl", json_string(url));
	free(url);
	json_object_set_new(o, "gitopsStatus", json_string(e->failed ? "failed" : e->synchro ? "finished" : "processing"));
	return resp_json(200, o);
}

resp_t h_env_check(req_t *r)
{
	env_t *e = model_env(r->m, r->e);
	bool env_ok = e && e->project == r->project && e->active;
	const char *type = qarg(r, "type"), *oid = qarg(r, "object_id");
	bool res = false;
	if (env_ok && (!type || strcmp(type, "instance") == 0)) {
		instance_t *in = oid ? model_instance(r->m, oid) : NULL;
		res = in && in->env == e && inst_listed(in);
	}
	return resp_json(200, json_pack("{s:b,s:b,s:b}", "checkResources", res, "checkEnvExist", env_ok,
					"checkAppExist", env_ok));
}

/* --------------------------------------------------------------- instances */

/* AppServiceInstanceInfoVO; list items (full = false) leave name/environmentId/effect* null. */
static json_t *inst_info(const instance_t *in, bool full)
{
	int total, running;
	inst_pod_counts(in, &total, &running);
	const command_t *last = inst_last_cmd(in);
	const command_t *eff = in->effect;
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(in->id));
	json_object_set_new(o, "code", json_string(in->code));
	json_object_set_new(o, "name", full ? json_string(in->name) : json_null());
	json_object_set_new(o, "status", json_string(inst_status_names[in->status]));
	json_object_set_new(o, "podCount", json_integer(total));
	json_object_set_new(o, "podRunningCount", json_integer(running));
	json_object_set_new(o, "appServiceId", json_string(in->app->id));
	json_object_set_new(o, "appServiceName", json_string(in->app->name));
	json_object_set_new(o, "appServiceType", json_string(in->app->type));
	json_object_set_new(o, "appServiceVersionId", in->version ? json_string(in->version->id) : json_null());
	json_object_set_new(o, "versionName", in->version ? json_string(in->version->version) : json_null());
	json_object_set_new(o, "lastUpdateDate", jdate(in->updated_ms));
	json_object_set_new(o, "objectVersionNumber", json_integer(in->ovn));
	json_object_set_new(o, "connect", json_boolean(in->env->connected));
	json_object_set_new(o, "commandVersionId", last && last->version ? json_string(last->version->id) : json_null());
	json_object_set_new(o, "commandVersion", last && last->version ? json_string(last->version->version) : json_null());
	json_object_set_new(o, "commandType", last ? json_string(cmd_type_names[last->type]) : json_null());
	json_object_set_new(o, "commandStatus", last ? json_string(cmd_status_names[last->status]) : json_null());
	json_object_set_new(o, "error", last && last->error ? json_string(last->error) : json_null());
	json_object_set_new(o, "effectCommandId", full && eff ? json_string(eff->id) : json_null());
	json_object_set_new(o, "effectCommandVersion", full && eff && eff->version ? json_string(eff->version->version) : json_null());
	json_object_set_new(o, "effectCommandStatus", full && eff ? json_string(cmd_status_names[eff->status]) : json_null());
	json_object_set_new(o, "environmentId", full ? json_string(in->env->id) : json_null());
	json_object_set_new(o, "projectId", json_integer(in->env->project->id));
	json_object_set_new(o, "source", json_string("normal"));
	json_object_set_new(o, "currentVersionAvailable", json_null());
	json_object_set_new(o, "upgradeAvailable", json_null());
	json_object_set_new(o, "applicationType", json_null());
	json_object_set_new(o, "mktAppVersionId", json_null());
	json_object_set_new(o, "mktDeployObjectId", json_null());
	if (full) {
		json_t *ac = json_object();
		json_object_set_new(ac, "id", json_string(in->appcenter_id));
		json_object_set_new(ac, "name", json_string(in->name));
		json_object_set_new(ac, "code", json_string(in->code));
		json_object_set_new(ac, "projectId", json_integer(in->env->project->id));
		json_object_set_new(ac, "objectId", json_string(in->id));
		json_object_set_new(ac, "envId", json_string(in->env->id));
		json_object_set_new(ac, "operationType", json_string("create_app"));
		json_object_set_new(ac, "chartSource", json_string("normal"));
		json_object_set_new(ac, "rdupmType", json_string("chart"));
		json_object_set_new(ac, "metricDeployStatus", json_false());
		json_object_set_new(o, "devopsDeployAppCenterEnvDTO", ac);
	} else {
		json_object_set_new(o, "devopsDeployAppCenterEnvDTO", json_null());
	}
	return o;
}

typedef struct sortspec {
	int field; /* 0 id, 1 appServiceName, 2 versionName, 3 code */
	int desc;
} sortspec;

static int cmp_inst(const void *a, const void *b, void *arg)
{
	const sortspec *sp = arg;
	const instance_t *x = *(instance_t *const *)a, *y = *(instance_t *const *)b;
	int c = 0;
	switch (sp->field) {
	case 1: c = strcmp(x->app->name, y->app->name); break;
	case 2: c = strcmp(x->version ? x->version->version : "", y->version ? y->version->version : ""); break;
	case 3: c = strcmp(x->code, y->code); break;
	default: break;
	}
	if (c == 0)
		c = x->seq < y->seq ? -1 : x->seq > y->seq ? 1 : 0;
	return sp->desc ? -c : c;
}

static bool search_match(const instance_t *in, json_t *body)
{
	json_t *sp = json_object_get(body, "searchParam");
	if (json_is_object(sp)) {
		const char *code = json_string_value(json_object_get(sp, "code"));
		const char *app = json_string_value(json_object_get(sp, "appServiceName"));
		const char *ver = json_string_value(json_object_get(sp, "appServiceVersionName"));
		if (!icontains(in->code, code) || !icontains(in->app->name, app) ||
		    !icontains(in->version ? in->version->version : "", ver))
			return false;
		json_t *pc = json_object_get(sp, "podCount");
		if (pc && !json_is_null(pc)) {
			int total, running;
			inst_pod_counts(in, &total, &running);
			char *t = json_scalar_text(pc);
			char buf[24];
			snprintf(buf, sizeof buf, "%d", total);
			bool ok = !t || strcmp(t, buf) == 0;
			free(t);
			if (!ok)
				return false;
		}
	}
	json_t *params = json_object_get(body, "params");
	if (json_is_string(params)) {
		const char *s = json_string_value(params);
		return icontains(in->code, s) || icontains(in->app->name, s) ||
		       icontains(in->version ? in->version->version : "", s);
	}
	size_t k;
	json_t *p;
	json_array_foreach(params, k, p) {
		const char *s = json_string_value(p);
		if (!s)
			continue;
		if (!icontains(in->code, s) && !icontains(in->app->name, s) &&
		    !icontains(in->version ? in->version->version : "", s))
			return false;
	}
	return true;
}

static sortspec parse_sort(const char *s)
{
	sortspec sp = {0, 1};
	if (!s || !*s)
		return sp;
	const char *comma = strchr(s, ',');
	size_t n = comma ? (size_t)(comma - s) : strlen(s);
	static const char *const keys[] = {"id", "appServiceName", "versionName", "code"};
	for (int k = 0; k < 4; k++)
		if (strlen(keys[k]) == n && strncmp(s, keys[k], n) == 0)
			sp.field = k;
	sp.desc = comma ? strcasecmp(comma + 1, "asc") != 0 : 0;
	return sp;
}

resp_t h_inst_page(req_t *r)
{
	const char *env_id = qarg(r, "env_id");
	env_t *e = NULL;
	if (env_id && *env_id) {
		e = model_env(r->m, env_id);
		if (e && e->project != r->project)
			return resp_fail("error.operating.resource.in.other.project", NULL);
	}
	json_t *body = body_json(r);
	instance_t **sel = xcalloc(r->m->ninsts + 1, sizeof *sel);
	size_t n = 0;
	for (size_t k = 0; k < r->m->ninsts; k++) {
		instance_t *in = r->m->insts[k];
		if (in->env->project != r->project || !inst_listed(in))
			continue;
		if (env_id && *env_id && in->env != e)
			continue;
		if (body && !search_match(in, body))
			continue;
		sel[n++] = in;
	}
	json_decref(body);
	sortspec sp = parse_sort(qarg(r, "sort"));
	qsort_r(sel, n, sizeof *sel, cmp_inst, &sp);
	pagereq p = get_page(r);
	json_t *content = json_array();
	for (size_t k = (size_t)(p.page * p.size); k < n && k < (size_t)((p.page + 1) * p.size); k++)
		json_array_append_new(content, inst_info(sel[k], false));
	free(sel);
	return resp_json(200, page_env(content, p, n));
}

/* Instance {i} of project {p}, or NULL. */
static instance_t *project_inst(req_t *r, const char *id)
{
	instance_t *in = model_instance(r->m, id);
	if (!in || in->env->project != r->project)
		return NULL;
	return in;
}

resp_t h_inst_info(req_t *r)
{
	instance_t *in = project_inst(r, r->i);
	if (!in)
		return resp_empty(200);
	return resp_json(200, inst_info(in, true));
}

resp_t h_resources(req_t *r)
{
	instance_t *in = project_inst(r, r->i);
	if (!in)
		return resp_fail("error.resource.query", NULL);
	return resp_json(200, k8s_resources(in));
}

static resp_t detail(req_t *r, bool yaml)
{
	instance_t *in = project_inst(r, r->i);
	const char *name = qarg(r, "deployment_name");
	json_t *d = NULL;
	if (in && name && strcmp(name, in->code) == 0)
		d = k8s_deployment(in);
	if (!d) {
		char *msg = xasprintf("无法找到属于id为%s的实例的类型为Deployment的资源详情", r->i);
		resp_t x = resp_fail("error.instance.resource.not.found", msg);
		free(msg);
		return x;
	}
	json_t *o = json_object();
	json_object_set_new(o, "instanceId", json_string(in->id));
	if (yaml) {
		char *y = json_to_yaml(d);
		json_object_set_new(o, "detail", json_string(y));
		free(y);
		json_decref(d);
	} else {
		json_object_set_new(o, "detail", d);
	}
	return resp_json(200, o);
}

resp_t h_detail_json(req_t *r)
{
	return detail(r, false);
}

resp_t h_detail_yaml(req_t *r)
{
	return detail(r, true);
}

resp_t h_events(req_t *r)
{
	instance_t *in = project_inst(r, r->i);
	if (!in)
		return resp_json(200, json_array());
	return resp_json(200, k8s_events(in));
}

static bool pod_match(json_t *pod, json_t *body)
{
	json_t *sp = json_object_get(body, "searchParam");
	if (json_is_object(sp)) {
		const char *k;
		json_t *v;
		json_object_foreach(sp, k, v) {
			if (!json_is_string(v))
				continue;
			json_t *f = json_object_get(pod, k);
			if (!json_is_string(f) || !icontains(json_string_value(f), json_string_value(v)))
				return false;
		}
	}
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(body, "params"), i, p) {
		const char *s = json_string_value(p);
		if (s && !icontains(json_string_value(json_object_get(pod, "name")), s) &&
		    !icontains(json_string_value(json_object_get(pod, "ip")), s) &&
		    !icontains(json_string_value(json_object_get(pod, "status")), s))
			return false;
	}
	return true;
}

resp_t h_pods(req_t *r)
{
	const char *env_id = qarg(r, "env_id"), *inst_id = qarg(r, "instance_id"),
		   *app_id = qarg(r, "app_service_id");
	json_t *body = body_json(r);
	json_t *all = json_array();
	for (size_t k = r->m->ninsts; k-- > 0;) {
		instance_t *in = r->m->insts[k];
		if (in->env->project != r->project || !inst_listed(in))
			continue;
		if (env_id && *env_id && strcmp(in->env->id, env_id) != 0)
			continue;
		if (inst_id && *inst_id && strcmp(in->id, inst_id) != 0)
			continue;
		if (app_id && *app_id && strcmp(in->app->id, app_id) != 0)
			continue;
		pod_info pi[32];
		size_t np = inst_pods(in, pi, 32);
		for (size_t j = 0; j < np; j++) {
			json_t *vo = k8s_pod_vo(in, &pi[j]);
			if (body && !pod_match(vo, body)) {
				json_decref(vo);
				continue;
			}
			json_array_append_new(all, vo);
		}
	}
	json_decref(body);
	return resp_json(200, page_of(all, get_page(r)));
}

/* ------------------------------------------------------------------ values */

static json_t *value_vo(const char *yaml)
{
	json_t *o = json_object();
	json_object_set_new(o, "yaml", json_string(yaml));
	const char *nulls[] = {"highlightMarkers", "totalLine", "errorMsg", "errorLines", "newLines",
			       "deltaYaml", "name", "id", "objectVersionNumber"};
	for (size_t k = 0; k < sizeof nulls / sizeof *nulls; k++)
		json_object_set_new(o, nulls[k], json_null());
	return o;
}

resp_t h_values(req_t *r)
{
	instance_t *in = project_inst(r, r->i);
	if (!in)
		return resp_fail("error.instance.value.get", NULL);
	return resp_json(200, value_vo(inst_values(in)));
}

resp_t h_upgrade_value(req_t *r)
{
	instance_t *in = project_inst(r, r->i);
	version_t *v = model_version(r->m, r->v);
	if (!in || !v)
		return resp_fail("error.instance.value.get", NULL);
	char *y = upgrade_values_text(in, v);
	resp_t x = resp_json(200, value_vo(y));
	free(y);
	return x;
}

resp_t h_deploy_value(req_t *r)
{
	const char *type = qarg(r, "type");
	version_t *v = model_version(r->m, qarg(r, "version_id"));
	if (!v)
		return resp_fail("error.instance.value.get", NULL);
	if (type && strcmp(type, "create") == 0)
		return resp_json(200, value_vo(v->values));
	instance_t *in = project_inst(r, qarg(r, "instance_id"));
	if (!in)
		return resp_fail("error.instance.value.get", NULL);
	char *y = upgrade_values_text(in, v);
	resp_t x = resp_json(200, value_vo(y));
	free(y);
	return x;
}

resp_t h_value_format(req_t *r)
{
	json_t *body = body_json(r);
	const char *yaml = json_string_value(json_object_get(body, "yaml"));
	json_t *arr = json_array();
	int line = 0, col = 0;
	char *msg = NULL;
	json_t *parsed = yaml_to_json(yaml ? yaml : "", yaml ? strlen(yaml) : 0, &line, &col, &msg);
	if (!parsed) {
		json_array_append_new(arr, json_pack("{s:i,s:s}", "lineNumber", line, "errorMsg", msg));
		free(msg);
	}
	json_decref(parsed);
	json_decref(body);
	return resp_json(200, arr);
}

/* ---------------------------------------------------------------- versions */

static json_t *version_vo(const version_t *v)
{
	char *img = xasprintf("%s:%s", v->app->image, v->version);
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(v->id));
	json_object_set_new(o, "version", json_string(v->version));
	json_object_set_new(o, "appServiceId", json_string(v->app->id));
	json_object_set_new(o, "creationDate", jdate(v->created_ms));
	json_object_set_new(o, "lastUpdateDate", jdate(v->created_ms));
	json_object_set_new(o, "repoType", json_null());
	json_object_set_new(o, "deleteFlag", json_false());
	json_object_set_new(o, "image", json_string(img));
	free(img);
	return o;
}

resp_t h_versions(req_t *r)
{
	app_t *a = model_app(r->m, qarg(r, "app_service_id"));
	const char *filter = qarg(r, "version");
	json_t *all = json_array();
	for (size_t k = a ? a->nversions : 0; k-- > 0;) {
		version_t *v = a->versions[k];
		if (a->project != r->project || !icontains(v->version, filter))
			continue;
		json_array_append_new(all, version_vo(v));
	}
	pagereq p = get_page(r);
	if (!is_true_arg(qarg(r, "do_page"), true)) {
		p.page = 0;
		p.size = json_array_size(all) ? (int64_t)json_array_size(all) : 20;
	}
	return resp_json(200, page_of(all, p));
}

resp_t h_upgrade_versions(req_t *r)
{
	version_t *cur = model_version(r->m, r->v);
	json_t *arr = json_array();
	if (cur && cur->app->project == r->project) {
		app_t *a = cur->app;
		for (size_t k = a->nversions; k-- > 0;) {
			version_t *v = a->versions[k];
			if (v->seq <= cur->seq)
				continue;
			json_t *o = json_object();
			json_object_set_new(o, "id", json_string(v->id));
			json_object_set_new(o, "version", json_string(v->version));
			json_object_set_new(o, "commit", json_string(v->commit));
			json_object_set_new(o, "appServiceName", json_string(a->name));
			json_object_set_new(o, "appServiceCode", json_string(a->code));
			json_object_set_new(o, "appServiceId", json_string(a->id));
			json_object_set_new(o, "appServiceStatus", json_boolean(a->active));
			json_object_set_new(o, "creationDate", jdate(v->created_ms));
			json_object_set_new(o, "permission", json_true());
			json_array_append_new(arr, o);
		}
	}
	return resp_json(200, arr);
}

/* -------------------------------------------------------------- operations */

/* checkEnv: (1) deploy permission, (2) connected (DevopsEnvironmentServiceImpl.checkEnv). */
static bool check_env(req_t *r, const env_t *e, resp_t *fail)
{
	if (!env_may_deploy(e, r->user)) {
		*fail = resp_fail("error.env.user.permission.get", NULL);
		return false;
	}
	if (!e->connected) {
		*fail = resp_fail("error.env.disconnect", NULL);
		return false;
	}
	return true;
}

static bool delete_pending(const instance_t *in)
{
	for (size_t k = 0; k < in->ncmds; k++)
		if (in->cmds[k]->pending && in->cmds[k]->type == CMD_DELETE)
			return true;
	return false;
}

/* The instance of an operation, checked to belong to {p}. */
static instance_t *op_inst(req_t *r, const char *id, resp_t *fail)
{
	instance_t *in = model_instance(r->m, id);
	if (!in) {
		*fail = resp_fail("error.instance.id.not.exist", NULL);
		return NULL;
	}
	if (in->env->project != r->project) {
		*fail = resp_fail("error.operating.resource.in.other.project", NULL);
		return NULL;
	}
	return in;
}

/* AppServiceInstanceVO (answer of O1). */
static json_t *inst_vo(const instance_t *in)
{
	int total, running;
	inst_pod_counts(in, &total, &running);
	const command_t *last = inst_last_cmd(in);
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(in->id));
	json_object_set_new(o, "appServiceId", json_string(in->app->id));
	json_object_set_new(o, "appId", json_string(in->appcenter_id));
	json_object_set_new(o, "envId", json_string(in->env->id));
	json_object_set_new(o, "appServiceVersionId", in->version ? json_string(in->version->id) : json_null());
	json_object_set_new(o, "code", json_string(in->code));
	json_object_set_new(o, "appServiceName", json_string(in->app->name));
	json_object_set_new(o, "appServiceCode", json_string(in->app->code));
	json_object_set_new(o, "appServiceVersion", in->version ? json_string(in->version->version) : json_null());
	json_object_set_new(o, "envCode", json_string(in->env->code));
	json_object_set_new(o, "envName", json_string(in->env->name));
	json_object_set_new(o, "status", json_string(inst_status_names[in->status]));
	json_object_set_new(o, "commandId", last ? json_string(last->id) : json_null());
	json_object_set_new(o, "podCount", json_integer(total));
	json_object_set_new(o, "podRunningCount", json_integer(running));
	json_object_set_new(o, "serviceCount", json_integer(in->snap.exists && json_path_bool(in->snap.values, "service.enabled", true)));
	json_object_set_new(o, "ingressCount", json_integer(in->snap.exists && json_path_bool(in->snap.values, "ingress.enabled", false)));
	json_object_set_new(o, "commandStatus", last ? json_string(cmd_status_names[last->status]) : json_null());
	json_object_set_new(o, "commandType", last ? json_string(cmd_type_names[last->type]) : json_null());
	json_object_set_new(o, "commandVersion", last && last->version ? json_string(last->version->version) : json_null());
	json_object_set_new(o, "commandVersionId", last && last->version ? json_string(last->version->id) : json_null());
	json_object_set_new(o, "error", last && last->error ? json_string(last->error) : json_null());
	json_object_set_new(o, "connect", json_boolean(in->env->connected));
	json_object_set_new(o, "objectVersionNumber", json_integer(in->ovn));
	json_object_set_new(o, "projectId", json_integer(in->env->project->id));
	return o;
}

static bool blank(const char *s)
{
	if (!s)
		return true;
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

static const char *id_field(json_t *body, const char *k)
{
	json_t *v = json_object_get(body, k);
	if (json_is_string(v) && *json_string_value(v))
		return json_string_value(v);
	return NULL;
}

resp_t h_update(req_t *r)
{
	json_t *body = body_json(r);
	resp_t fail;
	if (!json_is_object(body)) {
		json_decref(body);
		resp_t x = resp_fail("error.methodArgument.notValid", "request body must be an AppServiceDeployUpdateVO object");
		x.status = 400;
		return x;
	}
	const char *iid = id_field(body, "instanceId"), *eid = id_field(body, "environmentId"),
		   *aid = id_field(body, "appServiceId"), *vid = id_field(body, "appServiceVersionId"),
		   *values = json_string_value(json_object_get(body, "values"));
	const char *verr = !iid ? "error.app.instance.id.null" : !eid ? "error.env.id.null"
			 : !aid ? "error.app.id.null" : !vid ? "error.app.version.id.null"
			 : blank(values) ? "error.app.instance.values.null" : NULL;
	if (verr) {
		json_decref(body);
		return resp_fail(verr, NULL);
	}
	env_t *e = project_env(r, eid, &fail);
	if (!e)
		goto out_fail;
	if (!check_env(r, e, &fail))
		goto out_fail;
	int line = 0, col = 0;
	char *msg = NULL;
	json_t *parsed = yaml_to_json(values, strlen(values), &line, &col, &msg);
	if (!parsed) {
		char *m2 = xasprintf("Yaml格式错误: %s", msg);
		fail = resp_fail("error.yaml.format.invalid", m2);
		free(m2);
		free(msg);
		goto out_fail;
	}
	json_decref(parsed);
	app_t *a = model_app(r->m, aid);
	if (!a) {
		fail = resp_fail("error.app.service.not.exist", NULL);
		goto out_fail;
	}
	if (!a->active) {
		fail = resp_fail("error.app.service.disabled", NULL);
		goto out_fail;
	}
	version_t *v = model_version(r->m, vid);
	if (!v) {
		char *m2 = xasprintf("id为%s的应用服务版本不存在", vid);
		fail = resp_fail("error.version.id.not.exist", m2);
		free(m2);
		goto out_fail;
	}
	instance_t *in = model_instance(r->m, iid);
	if (!in || in->env->project != r->project) {
		fail = resp_fail("error.instance.id.not.exist", NULL);
		goto out_fail;
	}
	if (v->app != in->app) {
		fail = resp_fail("error.app.version.invalid", NULL);
		goto out_fail;
	}
	if (in->env != e) {
		fail = resp_fail("error.instance.env.not.match", NULL);
		goto out_fail;
	}
	if (delete_pending(in)) {
		fail = resp_fail("error.app.instance.is.operating", NULL);
		goto out_fail;
	}
	/* isNotChange: same version and byte-identical values → nothing is deployed */
	if (!(in->version == v && strcmp(inst_values(in), values) == 0)) {
		ops_new_command(r->m, in, CMD_UPDATE, v, values, r->user, r->now);
		ops_process_due(r->m, r->now, false);
	}
	json_decref(body);
	return resp_json(200, inst_vo(in));
out_fail:
	json_decref(body);
	return fail;
}

resp_t h_redeploy(req_t *r)
{
	resp_t fail;
	instance_t *in = op_inst(r, r->i, &fail);
	if (!in || !check_env(r, in->env, &fail))
		return fail;
	if (delete_pending(in))
		return resp_fail("error.app.instance.is.operating", NULL);
	command_t *last = inst_last_cmd(in);
	ops_new_command(r->m, in, CMD_UPDATE, last ? last->version : in->version, NULL, r->user, r->now);
	ops_process_due(r->m, r->now, false);
	return resp_empty(204);
}

static resp_t start_stop(req_t *r, bool stop)
{
	resp_t fail;
	instance_t *in = op_inst(r, r->i, &fail);
	if (!in || !check_env(r, in->env, &fail))
		return fail;
	if (stop && in->status != IS_RUNNING)
		return resp_fail("error.instance.not.running", NULL);
	if (!stop && in->status != IS_STOPPED)
		return resp_fail("error.instance.not.stop", NULL);
	ops_new_command(r->m, in, stop ? CMD_STOP : CMD_RESTART, NULL, NULL, r->user, r->now);
	ops_process_due(r->m, r->now, false);
	return resp_empty(204);
}

resp_t h_stop(req_t *r)
{
	return start_stop(r, true);
}

resp_t h_start(req_t *r)
{
	return start_stop(r, false);
}

resp_t h_delete(req_t *r)
{
	resp_t fail;
	instance_t *in = op_inst(r, r->i, &fail);
	if (!in)
		return fail;
	if (delete_pending(in))
		return resp_fail("error.app.instance.is.operating", NULL);
	if (!check_env(r, in->env, &fail))
		return fail;
	ops_new_command(r->m, in, CMD_DELETE, NULL, NULL, r->user, r->now);
	ops_process_due(r->m, r->now, false);
	return resp_empty(204);
}
