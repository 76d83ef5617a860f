/*
 * data.c — cached, typed getters over the API client (see include/data.h).
 *
 * Each kind of answer (struct kind) has a cache key "<endpoint> <ids…>", a TTL
 * class, a fetch that fills a zeroed object and a free for it (also of a
 * partly filled one). Fetch contexts live on the caller's stack: the cache runs fetch()
 * synchronously in one of the callers, so they outlive it.
 */
#include "data.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "render.h"

struct fetch_ctx;

struct kind {
	const char *tag;        /* the endpoint key of choerodon-api.md §1, e.g. "I1" */
	const char *what;       /* for the log: "the instance list" */
	size_t size;            /* of the object */
	int (*fetch)(const struct fetch_ctx *f, void *obj, struct api_error *err);
	cache_free_fn free;     /* frees the object and what it holds */
};

struct fetch_ctx {
	struct data *d;
	const struct kind *kind;
	const char *project_id;
	const char *id;         /* env, instance or app service id */
	const char *name;       /* deployment name */
};

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

static int fetch_kind(void *vctx, void **obj)
{
	const struct fetch_ctx *f = vctx;
	struct api_error err = { 0 };
	void *o = calloc(1, f->kind->size);
	int rc;

	if (!o)
		return -ENOMEM;
	rc = f->kind->fetch(f, o, &err);
	if (rc) {
		c7_log(C7_LOG_WARN, "cannot fetch %s: %s%s%s (%s)", f->kind->what,
		       err.message[0] ? err.message : strerror(-rc),
		       err.code[0] ? " " : "", err.code, strerror(-rc));
		f->kind->free(o);
		return rc;
	}
	*obj = o;
	return 0;
}

/* The cached answer of kind k for these ids (NULL ids are left out of the key). */
static int get(struct data *d, const struct kind *k, long ttl_ms, const char *project_id,
	       const char *id, const char *name, struct cache_ref **ref)
{
	struct fetch_ctx f = { .d = d, .kind = k, .project_id = project_id, .id = id,
			       .name = name };
	char key[768];

	snprintf(key, sizeof(key), "%s%s%s%s%s%s%s", k->tag, project_id ? " " : "",
		 project_id ? project_id : "", id ? " " : "", id ? id : "", name ? " " : "",
		 name ? name : "");
	return cache_get(d->cache, key, ttl_ms, fetch_kind, &f, k->free, ref, NULL);
}

#define KIND_FREE(fn, release)            \
	static void fn(void *o)           \
	{                                 \
		release(o);               \
		free(o);                  \
	}

/* ---- projects (A4), environments (E1 + E2) -------------------------------- */

static void release_projects(void *o)
{
	struct data_projects *p = o;

	api_project_list_free(&p->list);
	names_free(&p->names);
}
KIND_FREE(free_projects, release_projects)

static int fetch_projects(const struct fetch_ctx *f, void *o, struct api_error *err)
{
	struct data_projects *p = o;
	int rc = api_project_list(f->d->api, f->d->user.id, &p->list, err);

	return rc ? rc : NAMES_BUILD(&p->names, p->list.v, p->list.n, code);
}

static const struct kind kind_projects = {
	"A4", "the project list", sizeof(struct data_projects), fetch_projects,
	free_projects
};

int data_projects(struct data *d, struct cache_ref **ref)
{
	return get(d, &kind_projects, d->cfg->ttl_list_ms, NULL, NULL, NULL, ref);
}

static void release_envs(void *o)
{
	struct data_envs *e = o;

	api_env_list_free(&e->list);
	names_free(&e->names);
}
KIND_FREE(free_envs, release_envs)

/* E2 says which environments the user sees (and in which order); E1 carries
 * their flags (permission, connect, synchro…). */
static int fetch_envs(const struct fetch_ctx *f, void *o, struct api_error *err)
{
	struct api_env_list all = { 0 }, seen = { 0 };
	struct data_envs *out = o;
	size_t i, k;
	int rc;

	rc = api_env_list(f->d->api, f->project_id, &all, err);
	if (!rc)
		rc = api_env_tree(f->d->api, f->project_id, &seen, err);
	if (rc)
		goto out;
	rc = -ENOMEM;
	out->list.v = calloc(seen.n + 1, sizeof(*out->list.v));
	if (!out->list.v)
		goto out;
	for (k = 0; k < seen.n; k++) {
		for (i = 0; i < all.n && strcmp(all.v[i].id, seen.v[k].id); i++)
			;
		if (i == all.n)
			continue;
		if (api_env_dup(&all.v[i], &out->list.v[out->list.n]))
			goto out;
		out->list.n++;
	}
	rc = NAMES_BUILD(&out->names, out->list.v, out->list.n, code);
out:
	api_env_list_free(&seen);
	api_env_list_free(&all);
	return rc;
}

static const struct kind kind_envs = {
	"E1", "the environment list", sizeof(struct data_envs), fetch_envs,
	free_envs
};

int data_envs(struct data *d, const char *project_id, struct cache_ref **ref)
{
	return get(d, &kind_envs, d->cfg->ttl_list_ms, project_id, NULL, NULL, ref);
}

/* ---- per environment, per instance, per app service ---------------------- */

static void release_instances(void *o)
{
	struct data_instances *l = o;

	api_instance_list_free(&l->list);
	names_free(&l->names);
}
KIND_FREE(free_instances, release_instances)

static int fetch_instances(const struct fetch_ctx *f, void *o, struct api_error *err)
{
	struct data_instances *l = o;
	int rc = api_instance_list(f->d->api, f->project_id, f->id, &l->list, err);

	return rc ? rc : NAMES_BUILD(&l->names, l->list.v, l->list.n, code);
}

static const struct kind kind_instances = {
	"I1", "the instance list", sizeof(struct data_instances), fetch_instances,
	free_instances
};

/* Status-like data: the instance list carries every instance's state. */
int data_instances(struct data *d, const char *project_id, const char *env_id,
		   struct cache_ref **ref)
{
	return get(d, &kind_instances, d->cfg->ttl_status_ms, project_id, env_id, NULL, ref);
}

static void release_text(void *o)
{
	free(((struct data_text *)o)->text);
}
KIND_FREE(free_text, release_text)

static int fetch_values(const struct fetch_ctx *f, void *o, struct api_error *err)
{
	struct data_text *t = o;
	int rc = api_instance_values(f->d->api, f->project_id, f->id, &t->text, err);

	if (!rc)
		t->len = strlen(t->text);
	return rc;
}

static const struct kind kind_values = {
	"V1", "the values", sizeof(struct data_text), fetch_values,
	free_text
};

int data_values(struct data *d, const char *project_id, const char *instance_id,
		struct cache_ref **ref)
{
	return get(d, &kind_values, d->cfg->ttl_status_ms, project_id, instance_id, NULL, ref);
}

static void release_resources(void *o)
{
	struct data_resources *r = o;

	api_resources_free(&r->res);
	names_free(&r->deployments);
}
KIND_FREE(free_resources, release_resources)

static int fetch_resources(const struct fetch_ctx *f, void *o, struct api_error *err)
{
	struct data_resources *r = o;
	int rc = api_instance_resources(f->d->api, f->project_id, f->id, &r->res, err);

	return rc ? rc : NAMES_BUILD(&r->deployments, r->res.deployments,
				     r->res.n_deployments, name);
}

static const struct kind kind_resources = {
	"I4", "the resources", sizeof(struct data_resources), fetch_resources,
	free_resources
};

int data_resources(struct data *d, const char *project_id, const char *instance_id,
		   struct cache_ref **ref)
{
	return get(d, &kind_resources, d->cfg->ttl_status_ms, project_id, instance_id, NULL,
		   ref);
}

static void release_events(void *o)
{
	api_event_list_free(o);
}
KIND_FREE(free_events, release_events)

static int fetch_events(const struct fetch_ctx *f, void *o, struct api_error *err)
{
	return api_instance_events(f->d->api, f->project_id, f->id, o, err);
}

static const struct kind kind_events = {
	"I8", "the events", sizeof(struct api_event_list), fetch_events,
	free_events
};

int data_events(struct data *d, const char *project_id, const char *instance_id,
		struct cache_ref **ref)
{
	return get(d, &kind_events, d->cfg->ttl_status_ms, project_id, instance_id, NULL, ref);
}

static void release_versions(void *o)
{
	api_version_list_free(o);
}
KIND_FREE(free_versions, release_versions)

static int fetch_versions(const struct fetch_ctx *f, void *o, struct api_error *err)
{
	return api_version_list(f->d->api, f->project_id, f->id, o, err);
}

static const struct kind kind_versions = {
	"R1", "the version list", sizeof(struct api_version_list), fetch_versions,
	free_versions
};

int data_versions(struct data *d, const char *project_id, const char *app_service_id,
		  struct cache_ref **ref)
{
	return get(d, &kind_versions, d->cfg->ttl_static_ms, project_id, app_service_id, NULL,
		   ref);
}

/* ---- deployment details (I5, I6) ----------------------------------------- */

static void release_json(void *o)
{
	json_decref(((struct data_json *)o)->json);
}
KIND_FREE(free_json, release_json)

static int fetch_detail_json(const struct fetch_ctx *f, void *o, struct api_error *err)
{
	return api_deployment_detail_json(f->d->api, f->project_id, f->id, f->name,
					  &((struct data_json *)o)->json, err);
}

static const struct kind kind_detail_json = {
	"I5", "the deployment detail", sizeof(struct data_json), fetch_detail_json,
	free_json
};

int data_detail_json(struct data *d, const char *project_id, const char *instance_id,
		     const char *deployment, struct cache_ref **ref)
{
	return get(d, &kind_detail_json, d->cfg->ttl_status_ms, project_id, instance_id,
		   deployment, ref);
}

static int fetch_detail_yaml(const struct fetch_ctx *f, void *o, struct api_error *err)
{
	struct data_text *t = o;
	int rc = api_deployment_detail_yaml(f->d->api, f->project_id, f->id, f->name,
					    &t->text, err);

	if (!rc)
		t->len = strlen(t->text);
	return rc;
}

static const struct kind kind_detail_yaml = {
	"I6", "the deployment detail", sizeof(struct data_text), fetch_detail_yaml,
	free_text
};

int data_detail_yaml(struct data *d, const char *project_id, const char *instance_id,
		     const char *deployment, struct cache_ref **ref)
{
	return get(d, &kind_detail_yaml, d->cfg->ttl_status_ms, project_id, instance_id,
		   deployment, ref);
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
