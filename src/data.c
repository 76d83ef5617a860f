/*
 * data.c — cached, typed getters over the API client (see include/data.h).
 *
 * Each kind of answer has a cache key "<endpoint> <ids…>", a TTL class and a
 * fetch function. Fetch contexts live on the caller's stack: the cache runs
 * fetch() synchronously in one of the callers, so they outlive it.
 */
#include "data.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "render.h"

struct fetch_ctx {
	struct data *d;
	const char *project_id;
	const char *id;         /* env, instance or app service id */
	const char *name;       /* deployment name */
};

static void log_fetch_error(const char *what, int rc, const struct api_error *err)
{
	c7_log(C7_LOG_WARN, "cannot fetch %s: %s%s%s (%s)", what,
	       err->message[0] ? err->message : strerror(-rc),
	       err->code[0] ? " " : "", err->code, strerror(-rc));
}

static void names_free(struct data_names *names)
{
	size_t i;

	for (i = 0; i < names->n; i++)
		free(names->v[i]);
	free(names->v);
	names->v = NULL;
	names->n = 0;
}

/* The raw name of item i is the string pointer at base + i * stride + offset. */
static int names_build(struct data_names *out, const void *base, size_t n, size_t stride,
		       size_t offset)
{
	struct sbuf sb;
	unsigned dup;
	size_t i, j;

	out->v = calloc(n + 1, sizeof(*out->v));
	if (!out->v)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		sbuf_init(&sb, 0);
		render_sanitize_name(&sb, *(const char *const *)((const char *)base +
								  i * stride + offset));
		for (dup = 1, j = 0; j < i; j++)
			if (!strcmp(out->v[j], sb.buf) ||
			    (!strncmp(out->v[j], sb.buf, sb.len) && out->v[j][sb.len] == '~'))
				dup++;
		if (dup > 1)
			sbuf_printf(&sb, "~%u", dup);
		out->v[i] = sbuf_detach(&sb, NULL);
		out->n = i + 1;
		if (!out->v[i] || sbuf_error(&sb))
			return -ENOMEM;
	}
	return 0;
}

#define NAMES_BUILD(out, arr, n, field) \
	names_build((out), (arr), (n), sizeof(*(arr)), offsetof(__typeof__(*(arr)), field))

long data_names_find(const struct data_names *names, const char *name)
{
	size_t i;

	for (i = 0; i < names->n; i++)
		if (!strcmp(names->v[i], name))
			return (long)i;
	return -1;
}

static void free_project_list(void *o)
{
	struct data_projects *p = o;

	api_project_list_free(&p->list);
	names_free(&p->names);
	free(p);
}

static int fetch_projects(void *vctx, void **obj)
{
	struct fetch_ctx *f = vctx;
	struct api_error err = { 0 };
	struct data_projects *p = calloc(1, sizeof(*p));
	int rc;

	if (!p)
		return -ENOMEM;
	rc = api_project_list(f->d->api, f->d->user.id, &p->list, &err);
	if (rc) {
		log_fetch_error("the project list", rc, &err);
		free(p);
		return rc;
	}
	rc = NAMES_BUILD(&p->names, p->list.v, p->list.n, code);
	if (rc) {
		free_project_list(p);
		return rc;
	}
	*obj = p;
	return 0;
}

int data_projects(struct data *d, struct cache_ref **ref)
{
	struct fetch_ctx f = { .d = d };

	return cache_get(d->cache, "A4", d->cfg->ttl_list_ms, fetch_projects, &f,
			 free_project_list, ref, NULL);
}

static void free_envs(void *o)
{
	struct data_envs *e = o;

	api_env_list_free(&e->list);
	names_free(&e->names);
	free(e);
}

/* E2's env ids (the ones the user sees), in E2 order. */
static int fetch_visible_env_ids(struct data *d, const char *project_id, json_t **ids,
				 struct api_error *err)
{
	struct api_env_list tree = { 0 };
	int rc;
	size_t i;

	rc = api_env_tree(d->api, project_id, &tree, err);
	if (rc)
		return rc;
	*ids = json_array();
	for (i = 0; i < tree.n; i++)
		json_array_append_new(*ids, json_string(tree.v[i].id));
	api_env_list_free(&tree);
	return 0;
}

static int fetch_envs(void *vctx, void **obj)
{
	struct fetch_ctx *f = vctx;
	struct api_error err = { 0 };
	struct api_env_list all = { 0 };
	struct data_envs *out = NULL;
	json_t *ids = NULL, *v;
	size_t i, k, n = 0;
	int rc;

	rc = api_env_list(f->d->api, f->project_id, &all, &err);
	if (!rc)
		rc = fetch_visible_env_ids(f->d, f->project_id, &ids, &err);
	if (rc) {
		log_fetch_error("the environment list", rc, &err);
		goto out;
	}
	rc = -ENOMEM;
	out = calloc(1, sizeof(*out));
	if (!out)
		goto out;
	out->list.v = calloc(json_array_size(ids) + 1, sizeof(*out->list.v));
	if (!out->list.v)
		goto out;
	json_array_foreach(ids, k, v) {
		for (i = 0; i < all.n; i++) {
			if (strcmp(all.v[i].id, json_string_value(v)))
				continue;
			if (api_env_dup(&all.v[i], &out->list.v[n]))
				goto out;
			out->list.n = ++n;
			break;
		}
	}
	if (NAMES_BUILD(&out->names, out->list.v, out->list.n, code))
		goto out;
	*obj = out;
	out = NULL;
	rc = 0;
out:
	if (out)
		free_envs(out);
	json_decref(ids);
	api_env_list_free(&all);
	return rc;
}

int data_envs(struct data *d, const char *project_id, struct cache_ref **ref)
{
	struct fetch_ctx f = { .d = d, .project_id = project_id };
	char key[256];

	snprintf(key, sizeof(key), "E1 %s", project_id);
	return cache_get(d->cache, key, d->cfg->ttl_list_ms, fetch_envs, &f, free_envs,
			 ref, NULL);
}

static void free_instance_list(void *o)
{
	struct data_instances *l = o;

	api_instance_list_free(&l->list);
	names_free(&l->names);
	free(l);
}

static int fetch_instances(void *vctx, void **obj)
{
	struct fetch_ctx *f = vctx;
	struct api_error err = { 0 };
	struct data_instances *l = calloc(1, sizeof(*l));
	int rc;

	if (!l)
		return -ENOMEM;
	rc = api_instance_list(f->d->api, f->project_id, f->id, &l->list, &err);
	if (rc) {
		log_fetch_error("the instance list", rc, &err);
		free(l);
		return rc;
	}
	rc = NAMES_BUILD(&l->names, l->list.v, l->list.n, code);
	if (rc) {
		free_instance_list(l);
		return rc;
	}
	*obj = l;
	return 0;
}

/* Status-like data: the instance list carries every instance's state. */
int data_instances(struct data *d, const char *project_id, const char *env_id,
		   struct cache_ref **ref)
{
	struct fetch_ctx f = { .d = d, .project_id = project_id, .id = env_id };
	char key[512];

	snprintf(key, sizeof(key), "I1 %s %s", project_id, env_id);
	return cache_get(d->cache, key, d->cfg->ttl_status_ms, fetch_instances, &f,
			 free_instance_list, ref, NULL);
}

static void free_text(void *o)
{
	struct data_text *t = o;

	free(t->text);
	free(t);
}

static int wrap_text(char *text, void **obj)
{
	struct data_text *t = calloc(1, sizeof(*t));

	if (!t) {
		free(text);
		return -ENOMEM;
	}
	t->text = text;
	t->len = strlen(text);
	*obj = t;
	return 0;
}

static int fetch_values(void *vctx, void **obj)
{
	struct fetch_ctx *f = vctx;
	struct api_error err = { 0 };
	char *yaml = NULL;
	int rc;

	rc = api_instance_values(f->d->api, f->project_id, f->id, &yaml, &err);
	if (rc) {
		log_fetch_error("the values", rc, &err);
		return rc;
	}
	return wrap_text(yaml, obj);
}

int data_values(struct data *d, const char *project_id, const char *instance_id,
		struct cache_ref **ref)
{
	struct fetch_ctx f = { .d = d, .project_id = project_id, .id = instance_id };
	char key[512];

	snprintf(key, sizeof(key), "V1 %s %s", project_id, instance_id);
	return cache_get(d->cache, key, d->cfg->ttl_status_ms, fetch_values, &f, free_text,
			 ref, NULL);
}

static void free_resources(void *o)
{
	struct data_resources *r = o;

	api_resources_free(&r->res);
	names_free(&r->deployments);
	free(r);
}

static int fetch_resources(void *vctx, void **obj)
{
	struct fetch_ctx *f = vctx;
	struct api_error err = { 0 };
	struct data_resources *r = calloc(1, sizeof(*r));
	int rc;

	if (!r)
		return -ENOMEM;
	rc = api_instance_resources(f->d->api, f->project_id, f->id, &r->res, &err);
	if (rc) {
		log_fetch_error("the resources", rc, &err);
		free(r);
		return rc;
	}
	rc = NAMES_BUILD(&r->deployments, r->res.deployments, r->res.n_deployments, name);
	if (rc) {
		free_resources(r);
		return rc;
	}
	*obj = r;
	return 0;
}

int data_resources(struct data *d, const char *project_id, const char *instance_id,
		   struct cache_ref **ref)
{
	struct fetch_ctx f = { .d = d, .project_id = project_id, .id = instance_id };
	char key[512];

	snprintf(key, sizeof(key), "I4 %s %s", project_id, instance_id);
	return cache_get(d->cache, key, d->cfg->ttl_status_ms, fetch_resources, &f,
			 free_resources, ref, NULL);
}

static void free_events(void *o)
{
	api_event_list_free(o);
	free(o);
}

static int fetch_events(void *vctx, void **obj)
{
	struct fetch_ctx *f = vctx;
	struct api_error err = { 0 };
	struct api_event_list *l = calloc(1, sizeof(*l));
	int rc;

	if (!l)
		return -ENOMEM;
	rc = api_instance_events(f->d->api, f->project_id, f->id, l, &err);
	if (rc) {
		log_fetch_error("the events", rc, &err);
		free(l);
		return rc;
	}
	*obj = l;
	return 0;
}

int data_events(struct data *d, const char *project_id, const char *instance_id,
		struct cache_ref **ref)
{
	struct fetch_ctx f = { .d = d, .project_id = project_id, .id = instance_id };
	char key[512];

	snprintf(key, sizeof(key), "I8 %s %s", project_id, instance_id);
	return cache_get(d->cache, key, d->cfg->ttl_status_ms, fetch_events, &f, free_events,
			 ref, NULL);
}

static void free_version_list(void *o)
{
	api_version_list_free(o);
	free(o);
}

static int fetch_versions(void *vctx, void **obj)
{
	struct fetch_ctx *f = vctx;
	struct api_error err = { 0 };
	struct api_version_list *l = calloc(1, sizeof(*l));
	int rc;

	if (!l)
		return -ENOMEM;
	rc = api_version_list(f->d->api, f->project_id, f->id, l, &err);
	if (rc) {
		log_fetch_error("the version list", rc, &err);
		free(l);
		return rc;
	}
	*obj = l;
	return 0;
}

int data_versions(struct data *d, const char *project_id, const char *app_service_id,
		  struct cache_ref **ref)
{
	struct fetch_ctx f = { .d = d, .project_id = project_id, .id = app_service_id };
	char key[512];

	snprintf(key, sizeof(key), "R1 %s %s", project_id, app_service_id);
	return cache_get(d->cache, key, d->cfg->ttl_static_ms, fetch_versions, &f,
			 free_version_list, ref, NULL);
}

static void free_json(void *o)
{
	struct data_json *j = o;

	json_decref(j->json);
	free(j);
}

static int fetch_detail_json(void *vctx, void **obj)
{
	struct fetch_ctx *f = vctx;
	struct api_error err = { 0 };
	struct data_json *j = calloc(1, sizeof(*j));
	int rc;

	if (!j)
		return -ENOMEM;
	rc = api_deployment_detail_json(f->d->api, f->project_id, f->id, f->name, &j->json,
					&err);
	if (rc) {
		log_fetch_error("the deployment detail", rc, &err);
		free(j);
		return rc;
	}
	*obj = j;
	return 0;
}

int data_detail_json(struct data *d, const char *project_id, const char *instance_id,
		     const char *deployment, struct cache_ref **ref)
{
	struct fetch_ctx f = { .d = d, .project_id = project_id, .id = instance_id,
			       .name = deployment };
	char key[768];

	snprintf(key, sizeof(key), "I5 %s %s %s", project_id, instance_id, deployment);
	return cache_get(d->cache, key, d->cfg->ttl_status_ms, fetch_detail_json, &f,
			 free_json, ref, NULL);
}

static int fetch_detail_yaml(void *vctx, void **obj)
{
	struct fetch_ctx *f = vctx;
	struct api_error err = { 0 };
	char *yaml = NULL;
	int rc;

	rc = api_deployment_detail_yaml(f->d->api, f->project_id, f->id, f->name, &yaml,
					&err);
	if (rc) {
		log_fetch_error("the deployment detail", rc, &err);
		return rc;
	}
	return wrap_text(yaml, obj);
}

int data_detail_yaml(struct data *d, const char *project_id, const char *instance_id,
		     const char *deployment, struct cache_ref **ref)
{
	struct fetch_ctx f = { .d = d, .project_id = project_id, .id = instance_id,
			       .name = deployment };
	char key[768];

	snprintf(key, sizeof(key), "I6 %s %s %s", project_id, instance_id, deployment);
	return cache_get(d->cache, key, d->cfg->ttl_status_ms, fetch_detail_yaml, &f,
			 free_text, ref, NULL);
}

void data_expire_instance(struct data *d, const char *project_id, const char *env_id,
			  const char *instance_id)
{
	static const char *const kinds[] = { "V1", "I4", "I8", "I5", "I6" };
	char key[512];
	size_t i;

	snprintf(key, sizeof(key), "I1 %s %s", project_id, env_id);
	cache_expire(d->cache, key);
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		snprintf(key, sizeof(key), "%s %s %s", kinds[i], project_id, instance_id);
		cache_expire_prefix(d->cache, key);
	}
}
