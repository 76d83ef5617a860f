/*
 * tree.c — the virtual tree (see include/tree.h).
 *
 * Every operation resolves its node from the root down (resolve_step), holding
 * cache references for the objects it walks through; nothing is fetched per
 * directory entry, only per list (projects, environments, instances of an
 * environment, resources/events of an instance). Try it:
 *
 *   ls -l MOUNT/demo/staging            # two requests at most (E1+E2, I1)
 *   grep -r ^state: MOUNT/demo/staging  # one I1 request feeds every status
 */
#include "tree.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "journal.h"
#include "log.h"
#include "render.h"
#include "state.h"
#include "tree_internal.h"

static const char *const inst_files[] = {
	"status", "status.json", "values.yaml", "control", "versions", "last_error",
	"events.log", NULL
};
static const enum tree_kind inst_file_kinds[] = {
	TK_INST_STATUS, TK_INST_STATUS_JSON, TK_INST_VALUES, TK_INST_CONTROL,
	TK_INST_VERSIONS, TK_INST_LAST_ERROR, TK_INST_EVENTS_LOG
};
static const char *const dep_files[] = {
	"summary", "ports", "volumes", "health", "host", "env", "labels", "detail.yaml",
	"detail.json", NULL
};
static const char *const event_files[] = { "summary", "events", "values.yaml", NULL };
static const char *const meta_files[] = { "status", "log", "ctl", NULL };
static const enum tree_kind meta_kinds[] = { TK_META_STATUS, TK_META_LOG, TK_META_CTL };

/* ---- small helpers -------------------------------------------------------- */

static uint64_t fnv1a(const void *p, size_t len)
{
	const unsigned char *s = p;
	uint64_t h = 1469598103934665603ULL;

	while (len--) {
		h ^= *s++;
		h *= 1099511628211ULL;
	}
	return h | 1;   /* never 0: 0 means "not rendered yet" */
}

static int index_of(const char *const *names, const char *name)
{
	int i;

	for (i = 0; names[i]; i++)
		if (!strcmp(names[i], name))
			return i;
	return -1;
}

static bool is_dir_kind(enum tree_kind k)
{
	switch (k) {
	case TK_ROOT: case TK_META_DIR: case TK_PROJECT: case TK_ENV: case TK_INST:
	case TK_RES_DIR: case TK_DEPS_DIR: case TK_DEP_DIR: case TK_EVENTS_DIR:
	case TK_EVENT_DIR: case TK_JOBS_DIR:
		return true;
	default:
		return false;
	}
}

static void rctx_release_to(struct rctx *c, int nrefs)
{
	while (c->nrefs > nrefs)
		cache_ref_put(c->refs[--c->nrefs]);
}

static void *rctx_hold(struct rctx *c, struct cache_ref *r)
{
	if (c->nrefs == MAX_REFS) {
		cache_ref_put(r);
		return NULL;
	}
	c->refs[c->nrefs++] = r;
	return cache_ref_obj(r);
}

/* Keeps the answer of a data getter (rc, r) for the rest of this resolution:
 * its object, or NULL with *rc the getter's error (or -ENOMEM). */
static void *rctx_keep(struct rctx *c, int *rc, struct cache_ref *r)
{
	void *obj;

	if (*rc)
		return NULL;
	obj = rctx_hold(c, r);
	if (!obj)
		*rc = -ENOMEM;
	return obj;
}

/* ---- inode table ---------------------------------------------------------- */

static size_t bucket_of(const struct tree *t, uint64_t parent, const char *name)
{
	return (size_t)(fnv1a(name, strlen(name)) ^ (parent * 0x9E3779B97F4A7C15ULL)) %
	       t->n_buckets;
}

static struct inode *inode_get(struct tree *t, uint64_t ino)
{
	if (ino < 1 || ino > t->n_inodes)
		return NULL;
	return t->inodes[ino - 1];
}

/* Caller holds t->lock. Returns the inode of (parent, name), creating it;
 * NULL on ENOMEM. */
static struct inode *inode_intern(struct tree *t, uint64_t parent, const char *name,
				  enum tree_kind kind)
{
	size_t b = bucket_of(t, parent, name);
	struct inode *in, **grown;

	for (in = t->buckets[b]; in; in = in->next)
		if (in->parent == parent && !strcmp(in->name, name))
			break;
	if (in) {
		in->kind = kind;
		return in;
	}
	if (t->n_inodes == t->alloc_inodes) {
		size_t n = t->alloc_inodes ? t->alloc_inodes * 2 : 256;

		grown = realloc(t->inodes, n * sizeof(*grown));
		if (!grown)
			return NULL;
		t->inodes = grown;
		t->alloc_inodes = n;
	}
	in = calloc(1, sizeof(*in));
	if (!in)
		return NULL;
	in->name = strdup(name);
	if (!in->name) {
		free(in);
		return NULL;
	}
	in->parent = parent;
	in->kind = kind;
	in->mtime = t->start;
	t->inodes[t->n_inodes++] = in;
	in->ino = t->n_inodes;
	in->next = t->buckets[b];
	t->buckets[b] = in;
	return in;
}

/* Copies what resolution needs of ino's ancestry (names from the root down). */
static int inode_chain(struct tree *t, uint64_t ino, char **names, enum tree_kind *kinds,
		       int *depth)
{
	struct inode *in;
	int d = 0, i, rc = 0;

	pthread_mutex_lock(&t->lock);
	while (ino != TREE_ROOT_INO) {
		in = inode_get(t, ino);
		if (!in || d == MAX_DEPTH) {
			rc = -ENOENT;
			break;
		}
		names[d] = strdup(in->name);
		kinds[d] = in->kind;
		if (!names[d]) {
			rc = -ENOMEM;
			break;
		}
		d++;
		ino = in->parent;
	}
	pthread_mutex_unlock(&t->lock);
	if (rc) {
		while (d)
			free(names[--d]);
		return rc;
	}
	/* reverse: root first */
	for (i = 0; i < d / 2; i++) {
		char *n = names[i];
		enum tree_kind k = kinds[i];

		names[i] = names[d - 1 - i];
		kinds[i] = kinds[d - 1 - i];
		names[d - 1 - i] = n;
		kinds[d - 1 - i] = k;
	}
	*depth = d;
	return 0;
}

/* ---- per-instance state --------------------------------------------------- */

static struct inst_state *inst_state_get(struct tree *t, const char *instance_id)
{
	struct inst_state *s;

	pthread_mutex_lock(&t->lock);
	for (s = t->states; s; s = s->next)
		if (!strcmp(s->instance_id, instance_id))
			goto out;
	s = calloc(1, sizeof(*s));
	if (!s)
		goto out;
	s->instance_id = strdup(instance_id);
	s->versions = json_object();
	pthread_mutex_init(&s->lock, NULL);
	values_rejected_init(&s->rejected);
	if (!s->instance_id || !s->versions || journal_new(0, &s->journal)) {
		free(s->instance_id);
		json_decref(s->versions);
		free(s);
		s = NULL;
		goto out;
	}
	s->next = t->states;
	t->states = s;
out:
	pthread_mutex_unlock(&t->lock);
	return s;
}

/* Remembers which version the latest command targets: events (I8) carry no
 * version, so event directory names learn it from the instance list. */
static void inst_state_learn(struct tree *t, struct inst_state *s,
			     const struct api_instance *inst, const struct api_event_list *ev)
{
	if (!ev || !ev->n || !inst->command_version[0])
		return;
	if (strcmp(ev->v[0].type, inst->command_type))
		return;
	pthread_mutex_lock(&t->lock);
	if (!json_object_get(s->versions, ev->v[0].command_id))
		json_object_set_new(s->versions, ev->v[0].command_id,
				    json_string(inst->command_version));
	pthread_mutex_unlock(&t->lock);
}

/* Version learned for a command; copies into buf ("" when unknown). */
static void inst_state_version(struct tree *t, struct inst_state *s, const char *command_id,
			       char *buf, size_t len)
{
	const char *v;

	pthread_mutex_lock(&t->lock);
	v = json_string_value(json_object_get(s->versions, command_id));
	snprintf(buf, len, "%s", v ? v : "");
	pthread_mutex_unlock(&t->lock);
}

/* ---- resolution ----------------------------------------------------------- */

static int load_events(struct tree *t, struct rctx *c)
{
	struct cache_ref *r = NULL;
	int rc;

	if (c->events)
		return 0;
	rc = data_events(t->o.data, c->project->id, c->inst->id, &r);
	c->events = rctx_keep(c, &rc, r);
	if (!c->events)
		return rc;
	inst_state_learn(t, c->is, c->inst, c->events);
	journal_observe_instance(c->is->journal, c->inst, time(NULL));
	journal_observe_events(c->is->journal, c->events, time(NULL));
	return 0;
}

static int load_resources(struct tree *t, struct rctx *c)
{
	struct cache_ref *r = NULL;
	int rc;

	if (c->res)
		return 0;
	rc = data_resources(t->o.data, c->project->id, c->inst->id, &r);
	c->res = rctx_keep(c, &rc, r);
	/* Ages are rendered against the time the resources were fetched, so a
	 * rendering is a pure function of the cached answer: stat and cat agree. */
	if (c->res)
		c->res_time = cache_ref_fetched_wall(r);
	return rc;
}

static int step_project(struct tree *t, struct rctx *c, const char *name)
{
	struct cache_ref *r = NULL;
	const struct data_projects *p;
	long i;
	int rc;

	rc = data_projects(t->o.data, &r);
	p = rctx_keep(c, &rc, r);
	if (!p)
		return rc;
	if (t->o.project_code) {
		for (i = 0; i < (long)p->list.n; i++)
			if (!strcmp(p->list.v[i].code, t->o.project_code))
				break;
		if (i == (long)p->list.n) {
			c7_log(C7_LOG_ERROR, "project '%s' is not visible to this user",
			       t->o.project_code);
			return -ENOENT;
		}
	} else {
		i = data_names_find(&p->names, name);
		if (i < 0)
			return -ENOENT;
	}
	c->project = &p->list.v[i];
	c->kind = TK_PROJECT;
	return 0;
}

static int step_env(struct tree *t, struct rctx *c, const char *name)
{
	struct cache_ref *r = NULL;
	const struct data_envs *e;
	long i;
	int rc;

	rc = data_envs(t->o.data, c->project->id, &r);
	e = rctx_keep(c, &rc, r);
	if (!e)
		return rc;
	i = data_names_find(&e->names, name);
	if (i < 0)
		return -ENOENT;
	c->env = &e->list.v[i];
	c->kind = TK_ENV;
	return 0;
}

static int load_instances(struct tree *t, struct rctx *c)
{
	struct cache_ref *r = NULL;
	int rc;

	if (c->insts)
		return 0;
	rc = data_instances(t->o.data, c->project->id, c->env->id, &r);
	c->insts = rctx_keep(c, &rc, r);
	return rc;
}

static int step_instance(struct tree *t, struct rctx *c, const char *name)
{
	long i;
	int rc = load_instances(t, c);

	if (rc)
		return rc;
	i = data_names_find(&c->insts->names, name);
	if (i < 0)
		return -ENOENT;
	c->inst = &c->insts->list.v[i];
	c->is = inst_state_get(t, c->inst->id);
	if (!c->is)
		return -ENOMEM;
	c->kind = TK_INST;
	return 0;
}

static bool has_rejected(struct inst_state *is)
{
	bool present;

	pthread_mutex_lock(&is->lock);
	present = is->rejected.present;
	pthread_mutex_unlock(&is->lock);
	return present;
}

static int step_in_instance(struct tree *t, struct rctx *c, const char *name)
{
	int i = index_of(inst_files, name);

	(void)t;
	if (!strcmp(name, "values.yaml.rejected") && has_rejected(c->is)) {
		c->kind = TK_INST_REJECTED;
		c->file = "values.yaml.rejected";
		return 0;
	}
	if (i >= 0) {
		c->kind = inst_file_kinds[i];
		c->file = inst_files[i];
		return 0;
	}
	if (!strcmp(name, "resources"))
		c->kind = TK_RES_DIR;
	else if (!strcmp(name, "deployments"))
		c->kind = TK_DEPS_DIR;
	else if (!strcmp(name, "events"))
		c->kind = TK_EVENTS_DIR;
	else
		return -ENOENT;
	return 0;
}

/* Events shown as directories: the latest four operations ("实例事件"). */
#define EVENT_DIRS 4

static void event_dirname(struct tree *t, struct rctx *c, const struct api_event *ev,
			  struct sbuf *out)
{
	char version[128];

	inst_state_version(t, c->is, ev->command_id, version, sizeof(version));
	render_event_dirname(out, journal_command_seq(c->is->journal, ev->command_id), ev,
			     version);
}

static int step_event(struct tree *t, struct rctx *c, const char *name)
{
	struct sbuf s;
	size_t i;
	int rc = load_events(t, c);

	if (rc)
		return rc;
	for (i = 0; i < c->events->n && i < EVENT_DIRS; i++) {
		sbuf_init(&s, 0);
		event_dirname(t, c, &c->events->v[i], &s);
		rc = strcmp(s.buf, name);
		sbuf_free(&s);
		if (!rc) {
			c->ev = &c->events->v[i];
			c->kind = TK_EVENT_DIR;
			return 0;
		}
	}
	return -ENOENT;
}

static bool pod_event_is_job(const struct api_pod_event *pe)
{
	return pe->job_pod_status[0] || pe->log[0];
}

static int step_job(struct rctx *c, const char *name)
{
	size_t i, n = strlen(name);
	struct sbuf s;
	int rc;

	if (n < 5 || strcmp(name + n - 4, ".log"))
		return -ENOENT;
	for (i = 0; i < c->ev->n_pod_events; i++) {
		if (!pod_event_is_job(&c->ev->pod_events[i]))
			continue;
		sbuf_init(&s, 0);
		render_sanitize_name(&s, c->ev->pod_events[i].name);
		sbuf_adds(&s, ".log");
		rc = strcmp(s.buf, name);
		sbuf_free(&s);
		if (!rc) {
			c->job = &c->ev->pod_events[i];
			c->kind = TK_JOB_LOG;
			return 0;
		}
	}
	return -ENOENT;
}

static int step_meta(struct rctx *c, const char *name)
{
	int i = index_of(meta_files, name);

	if (i < 0)
		return -ENOENT;
	c->kind = meta_kinds[i];
	return 0;
}

static int step_deployment(struct tree *t, struct rctx *c, const char *name)
{
	long i;
	int rc = load_resources(t, c);

	if (rc)
		return rc;
	i = data_names_find(&c->res->deployments, name);
	if (i < 0)
		return -ENOENT;
	c->dep = &c->res->res.deployments[i];
	c->kind = TK_DEP_DIR;
	return 0;
}

static int event_values(struct tree *t, const struct rctx *c, char **text, size_t *len);

static int event_values_known(struct tree *t, struct rctx *c)
{
	char *text = NULL;
	size_t len;
	int rc = event_values(t, c, &text, &len);

	free(text);
	return rc;
}

/* Moves c from a directory to its child `name`. */
static int resolve_step(struct tree *t, struct rctx *c, const char *name)
{
	switch (c->kind) {
	case TK_ROOT:
		if (!strcmp(name, ".c7nfs")) {
			c->kind = TK_META_DIR;
			return 0;
		}
		if (t->o.project_code)
			return step_env(t, c, name);
		return step_project(t, c, name);
	case TK_META_DIR:
		return step_meta(c, name);
	case TK_PROJECT:
		return step_env(t, c, name);
	case TK_ENV:
		if (!strcmp(name, "env")) {
			c->kind = TK_ENV_FILE;
			return 0;
		}
		if (!strcmp(name, "instances")) {
			c->kind = TK_ENV_INSTANCES;
			return load_instances(t, c);
		}
		return step_instance(t, c, name);
	case TK_INST:
		return step_in_instance(t, c, name);
	case TK_RES_DIR:
		if (index_of(render_resource_kinds, name) < 0)
			return -ENOENT;
		c->kind = TK_RES_FILE;
		c->file = render_resource_kinds[index_of(render_resource_kinds, name)];
		return load_resources(t, c);
	case TK_DEPS_DIR:
		return step_deployment(t, c, name);
	case TK_DEP_DIR:
		if (index_of(dep_files, name) < 0)
			return -ENOENT;
		c->kind = TK_DEP_FILE;
		c->file = dep_files[index_of(dep_files, name)];
		return 0;
	case TK_EVENTS_DIR:
		return step_event(t, c, name);
	case TK_EVENT_DIR:
		if (!strcmp(name, "jobs")) {
			c->kind = TK_JOBS_DIR;
			return 0;
		}
		if (index_of(event_files, name) < 0)
			return -ENOENT;
		c->kind = TK_EVENT_FILE;
		c->file = event_files[index_of(event_files, name)];
		return strcmp(name, "values.yaml") ? 0 : event_values_known(t, c);
	case TK_JOBS_DIR:
		return step_job(c, name);
	default:
		return -ENOTDIR;
	}
}

static void rctx_root(struct tree *t, struct rctx *c)
{
	memset(c, 0, sizeof(*c));
	c->kind = TK_ROOT;
	c->ino = TREE_ROOT_INO;
	(void)t;
}

/* Resolves the root in project mode: the project itself. */
static int rctx_root_project(struct tree *t, struct rctx *c)
{
	int rc;

	rctx_root(t, c);
	if (!t->o.project_code)
		return 0;
	rc = step_project(t, c, t->o.project_code);
	c->kind = TK_ROOT;
	return rc;
}

int tree_resolve(struct tree *t, uint64_t ino, struct rctx *c)
{
	char *names[MAX_DEPTH];
	enum tree_kind kinds[MAX_DEPTH];
	int depth = 0, i, rc;

	rc = rctx_root_project(t, c);
	if (rc)
		return rc;
	rc = inode_chain(t, ino, names, kinds, &depth);
	if (rc)
		return rc;
	for (i = 0; i < depth; i++) {
		if (!rc)
			rc = resolve_step(t, c, names[i]);
		free(names[i]);
	}
	if (rc == -ENOTDIR)
		rc = -ENOENT;
	c->ino = ino;
	return rc;
}

void tree_rctx_done(struct rctx *c)
{
	rctx_release_to(c, 0);
}

/* ---- rendering ------------------------------------------------------------ */

static void render_mount_status(struct tree *t, struct sbuf *sb)
{
	struct http_stats hs;
	struct cache_stats cs;

	http_get_stats(t->o.http, &hs);
	cache_get_stats(t->o.data->cache, &cs);
	sbuf_printf(sb, "server: %s\n", t->o.server);
	sbuf_printf(sb, "user: %s\n", t->o.data->user.login_name);
	sbuf_printf(sb, "project: %s\n", t->o.project_code ? t->o.project_code : "");
	sbuf_printf(sb, "connection: %s\n", hs.online ? "online" : "offline");
	sbuf_printf(sb, "last_error: %s\n", hs.online ? "" : hs.last_error);
	sbuf_printf(sb, "requests: %llu\n", (unsigned long long)hs.requests);
	sbuf_printf(sb, "request_failures: %llu\n", (unsigned long long)hs.failures);
	sbuf_printf(sb, "fast_failures: %llu\n", (unsigned long long)hs.fast_failures);
	sbuf_printf(sb, "cache_hits: %llu\n", (unsigned long long)cs.hits);
	sbuf_printf(sb, "cache_misses: %llu\n", (unsigned long long)cs.misses);
	sbuf_printf(sb, "cache_coalesced: %llu\n", (unsigned long long)cs.coalesced);
	sbuf_printf(sb, "cache_stale_served: %llu\n", (unsigned long long)cs.stale_served);
	sbuf_printf(sb, "cache_entries: %llu\n", (unsigned long long)cs.entries);
	sbuf_printf(sb, "ttl_status_ms: %ld\n", t->o.data->cfg->ttl_status_ms);
	sbuf_printf(sb, "ttl_list_ms: %ld\n", t->o.data->cfg->ttl_list_ms);
}

static int instance_view(struct tree *t, struct rctx *c, struct render_instance *ri)
{
	struct cache_ref *r = NULL;
	int rc;

	memset(ri, 0, sizeof(*ri));
	ri->env = c->env;
	ri->inst = c->inst;
	ri->env_code = c->env->code;
	ri->project_code = c->project->code;
	rc = data_versions(t->o.data, c->project->id, c->inst->app_service_id, &r);
	if (rc == 0)
		ri->versions = rctx_hold(c, r);
	else if (rc == -EWOULDBLOCK)
		return rc;
	else
		c7_log(C7_LOG_WARN, "cannot show the latest version of '%s': %s",
		       c->inst->code, strerror(-rc));
	return 0;
}

static int render_text_ref(struct rctx *c, int rc, struct cache_ref *r, struct sbuf *sb)
{
	const struct data_text *txt;

	txt = rctx_keep(c, &rc, r);
	if (!txt)
		return rc;
	sbuf_add(sb, txt->text, txt->len);
	return 0;
}

static int render_dep_file(struct tree *t, struct rctx *c, struct sbuf *sb)
{
	const struct data_json *dj = NULL;
	struct cache_ref *r = NULL;
	int rc;

	if (!strcmp(c->file, "summary")) {
		render_deployment_summary(sb, c->dep, c->res_time);
		return 0;
	}
	if (!strcmp(c->file, "detail.yaml")) {
		rc = data_detail_yaml(t->o.data, c->project->id, c->inst->id, c->dep->name, &r);
		return render_text_ref(c, rc, r, sb);
	}
	rc = data_detail_json(t->o.data, c->project->id, c->inst->id, c->dep->name, &r);
	if (rc == -EWOULDBLOCK)
		return rc;
	if (rc == 0)
		dj = rctx_hold(c, r);
	if (!strcmp(c->file, "detail.json")) {
		if (!dj)
			return rc ? rc : -ENOMEM;
		render_json(sb, dj->json);
		return 0;
	}
	return render_deployment_panel(sb, c->file, c->dep, dj ? dj->json : NULL);
}

/*
 * The values an operation deployed (design.md §5): from the history, and for
 * the newest operation from the server (V1 holds the values of the latest
 * command), which the history then keeps. -ENOENT when not known.
 */
static int event_values(struct tree *t, const struct rctx *c, char **text, size_t *len)
{
	const struct data_text *v;
	struct cache_ref *r = NULL;
	int rc;

	if (!t->o.history)
		return -ENOENT;
	rc = history_get(t->o.history, c->inst->id, c->ev->command_id, text, len);
	if (rc != -ENOENT || c->ev != &c->events->v[0] || !strcmp(c->ev->type, "delete"))
		return rc;
	rc = data_values(t->o.data, c->project->id, c->inst->id, &r);
	if (rc)
		return rc == -EWOULDBLOCK ? rc : -ENOENT;
	v = cache_ref_obj(r);
	history_put(t->o.history, c->inst->id, c->ev->command_id, v->text, v->len);
	*text = strndup(v->text, v->len);
	*len = v->len;
	cache_ref_put(r);
	return *text ? 0 : -ENOMEM;
}

static int render_event_file(struct tree *t, struct rctx *c, struct sbuf *sb)
{
	char version[128], *text = NULL;
	size_t len = 0;
	int rc;

	if (!strcmp(c->file, "events")) {
		render_event_events(sb, c->ev);
		return 0;
	}
	rc = event_values(t, c, &text, &len);
	if (!rc && !strcmp(c->file, "values.yaml"))
		sbuf_add(sb, text, len);
	free(text);
	if (rc == -EWOULDBLOCK || !strcmp(c->file, "values.yaml"))
		return rc;
	inst_state_version(t, c->is, c->ev->command_id, version, sizeof(version));
	render_event_summary(sb, c->ev, version, rc == 0);
	return 0;
}

static void render_control_locked(struct rctx *c, const struct render_instance *ri,
				  struct sbuf *sb)
{
	pthread_mutex_lock(&c->is->lock);
	render_control(sb, ri, c->is->last_result);
	pthread_mutex_unlock(&c->is->lock);
}

/*
 * Records the values the newest operation deployed, as observed (design.md §5),
 * once both the event list and the current values have been fetched (V1 holds
 * the values of the latest command).
 */
static void history_observe(struct tree *t, struct rctx *c)
{
	struct cache_ref *er, *vr = NULL;
	const struct api_event_list *ev;
	const struct data_text *v;
	char key[512], *old = NULL;
	size_t len;

	if (!t->o.history)
		return;
	snprintf(key, sizeof(key), "I8 %s %s", c->project->id, c->inst->id);
	er = cache_peek(t->o.data->cache, key);
	snprintf(key, sizeof(key), "V1 %s %s", c->project->id, c->inst->id);
	if (er)
		vr = cache_peek(t->o.data->cache, key);
	if (!er || !vr)
		goto out;
	ev = cache_ref_obj(er);
	v = cache_ref_obj(vr);
	if (ev->n && strcmp(ev->v[0].type, "delete") &&
	    history_get(t->o.history, c->inst->id, ev->v[0].command_id, &old, &len) == -ENOENT)
		history_put(t->o.history, c->inst->id, ev->v[0].command_id, v->text, v->len);
	free(old);
out:
	if (vr)
		cache_ref_put(vr);
	if (er)
		cache_ref_put(er);
}

/*
 * values.yaml: the server's text, except right after a commit through the
 * mount while the server still answers with the text it replaced: then the
 * committed bytes, so an editor reads back exactly what it wrote.
 */
static int render_values(struct tree *t, struct rctx *c, struct sbuf *sb)
{
	const struct data_text *v;
	struct cache_ref *r = NULL;
	struct inst_state *is = c->is;
	int rc;

	rc = data_values(t->o.data, c->project->id, c->inst->id, &r);
	v = rctx_keep(c, &rc, r);
	if (!v)
		return rc;
	pthread_mutex_lock(&is->lock);
	if (is->committed && is->committed_base && v->len == strlen(is->committed_base) &&
	    !memcmp(v->text, is->committed_base, v->len)) {
		sbuf_add(sb, is->committed, is->committed_len);
	} else {
		free(is->committed);
		free(is->committed_base);
		is->committed = is->committed_base = NULL;
		sbuf_add(sb, v->text, v->len);
	}
	pthread_mutex_unlock(&is->lock);
	history_observe(t, c);
	return 0;
}

/* The bytes of a generated (non-live) file node. */
static int render_node(struct tree *t, struct rctx *c, struct sbuf *sb)
{
	struct render_instance ri;
	int rc;

	switch (c->kind) {
	case TK_META_STATUS:
		render_mount_status(t, sb);
		return 0;
	case TK_META_CTL:
		sbuf_adds(sb, "# write 'flush' to drop every cached answer\n");
		return 0;
	case TK_ENV_FILE:
		render_env(sb, c->env);
		return 0;
	case TK_ENV_INSTANCES:
		render_instances_table(sb, &c->insts->list);
		return 0;
	case TK_INST_STATUS:
	case TK_INST_STATUS_JSON:
	case TK_INST_CONTROL:
	case TK_INST_VERSIONS:
		rc = instance_view(t, c, &ri);
		if (rc)
			return rc;
		if (c->kind == TK_INST_STATUS)
			render_status(sb, &ri);
		else if (c->kind == TK_INST_STATUS_JSON)
			render_status_json(sb, &ri);
		else if (c->kind == TK_INST_CONTROL)
			render_control_locked(c, &ri, sb);
		else
			render_versions(sb, &ri);
		return 0;
	case TK_INST_VALUES:
		return render_values(t, c, sb);
	case TK_INST_LAST_ERROR:
		pthread_mutex_lock(&c->is->lock);
		rc = opresult_render(&c->is->last_error, sb);
		pthread_mutex_unlock(&c->is->lock);
		return rc;
	case TK_INST_REJECTED:
		pthread_mutex_lock(&c->is->lock);
		if (c->is->rejected.present)
			sbuf_add(sb, c->is->rejected.text, c->is->rejected.len);
		pthread_mutex_unlock(&c->is->lock);
		return 0;
	case TK_RES_FILE:
		return render_resources(sb, &c->res->res, c->file, c->res_time);
	case TK_DEP_FILE:
		return render_dep_file(t, c, sb);
	case TK_EVENT_FILE:
		return render_event_file(t, c, sb);
	case TK_JOB_LOG:
		sbuf_adds(sb, c->job->log);
		if (c->job->log[0] && c->job->log[strlen(c->job->log) - 1] != '\n')
			sbuf_addch(sb, '\n');
		return 0;
	default:
		return -EISDIR;
	}
}

/* ---- attributes ----------------------------------------------------------- */

bool tree_may_deploy(const struct rctx *c)
{
	return c->env && (c->env->permission || c->env->skip_check_permission);
}

static mode_t node_mode(const struct rctx *c)
{
	switch (c->kind) {
	case TK_INST_VALUES:
	case TK_INST_CONTROL:
		return S_IFREG | (tree_may_deploy(c) ? 0644 : 0444);
	case TK_META_CTL:
		return S_IFREG | 0600;
	case TK_INST:
		return S_IFDIR | (tree_may_deploy(c) ? 0755 : 0555);
	default:
		return is_dir_kind(c->kind) ? (S_IFDIR | 0555) : (S_IFREG | 0444);
	}
}

/* Records a rendering's hash; moves mtime when the bytes changed (*changed
 * says so; may be NULL). */
static struct timespec touch_inode(struct tree *t, uint64_t ino, uint64_t hash,
				   bool *changed)
{
	struct inode *in;
	struct timespec ts = t->start;
	bool moved = false;

	pthread_mutex_lock(&t->lock);
	in = inode_get(t, ino);
	if (in) {
		if (hash && in->hash != hash) {
			if (in->hash) {
				clock_gettime(CLOCK_REALTIME, &in->mtime);
				moved = true;
			}
			in->hash = hash;
		}
		ts = in->mtime;
	}
	pthread_mutex_unlock(&t->lock);
	if (changed)
		*changed = moved;
	return ts;
}

int tree_retire(struct tree *t, uint64_t ino)
{
	struct inode *in, **pp;
	char *name;
	int rc = -ENOENT;

	pthread_mutex_lock(&t->lock);
	in = inode_get(t, ino);
	if (!in || ino == TREE_ROOT_INO)
		goto out;
	for (pp = &t->buckets[bucket_of(t, in->parent, in->name)]; *pp; pp = &(*pp)->next)
		if (*pp == in)
			break;
	rc = -ENOMEM;
	/* '/' cannot occur in a real name: the retired one never resolves */
	if (!*pp || asprintf(&name, "/retired/%llu", (unsigned long long)ino) < 0)
		goto out;
	*pp = in->next;
	free(in->name);
	in->name = name;
	in->next = t->buckets[bucket_of(t, in->parent, name)];
	t->buckets[bucket_of(t, in->parent, name)] = in;
	rc = 0;
out:
	pthread_mutex_unlock(&t->lock);
	return rc;
}

uint64_t tree_parent_of(struct tree *t, uint64_t ino)
{
	struct inode *in;
	uint64_t parent = 0;

	pthread_mutex_lock(&t->lock);
	in = inode_get(t, ino);
	if (in)
		parent = in->parent;
	pthread_mutex_unlock(&t->lock);
	return parent;
}

static int live_size(struct tree *t, struct rctx *c, size_t *size, time_t *mtime)
{
	int rc;

	if (c->kind == TK_META_LOG) {
		*size = c7_log_size();
		*mtime = (time_t)c7_log_mtime_s();
		return 0;
	}
	rc = load_events(t, c);
	if (rc && !journal_size(c->is->journal))
		return rc;
	*size = journal_size(c->is->journal);
	*mtime = journal_mtime(c->is->journal);
	return 0;
}

static int stat_node(struct tree *t, struct rctx *c, struct stat *st)
{
	struct sbuf sb;
	size_t size = 0;
	time_t mt = 0;
	int rc = 0;

	memset(st, 0, sizeof(*st));
	st->st_ino = c->ino;
	st->st_mode = node_mode(c);
	st->st_nlink = is_dir_kind(c->kind) ? 2 : 1;
	st->st_uid = getuid();
	st->st_gid = getgid();
	st->st_blksize = 4096;
	if (c->kind == TK_INST_EVENTS_LOG || c->kind == TK_META_LOG) {
		rc = live_size(t, c, &size, &mt);
		st->st_size = (off_t)size;
		st->st_mtim.tv_sec = mt ? mt : t->start.tv_sec;
	} else if (!is_dir_kind(c->kind)) {
		sbuf_init(&sb, 0);
		rc = render_node(t, c, &sb);
		if (!rc)
			rc = sbuf_error(&sb);
		st->st_size = (off_t)sb.len;
		st->st_mtim = touch_inode(t, c->ino, fnv1a(sb.buf, sb.len), NULL);
		sbuf_free(&sb);
	} else {
		st->st_mtim = touch_inode(t, c->ino, 0, NULL);
	}
	st->st_blocks = (st->st_size + 511) / 512;
	st->st_atim = st->st_mtim;
	st->st_ctim = st->st_mtim;
	return rc;
}

/* ---- directory listing ---------------------------------------------------- */

struct lister {
	struct tree *t;
	struct rctx *dir;
	tree_fill_fn fill;
	void *ctx;
	uint64_t hash;
	int stop;
};

/* Resolves one child of the listed directory and hands it to fill. Children
 * that vanish between list and stat are skipped. */
/*
 * Resolves one child of the listed directory and hands it to fill. A listing
 * never costs a request per entry (design.md §2): a child whose attributes need
 * data the listing did not already bring (values.yaml's size needs V1) is
 * listed without attributes, and the kernel looks it up only if it is used.
 * Children that vanish between list and stat are skipped.
 */
static void list_child(struct lister *l, const char *name)
{
	struct rctx child = *l->dir;
	struct inode *in;
	struct stat st;
	int rc;

	if (l->stop)
		return;
	l->hash = fnv1a(name, strlen(name)) ^ (l->hash * 31);
	cache_set_peek_only(true);
	rc = resolve_step(l->t, &child, name);
	if (!rc || rc == -EWOULDBLOCK) {
		pthread_mutex_lock(&l->t->lock);
		in = inode_intern(l->t, l->dir->ino, name, child.kind);
		pthread_mutex_unlock(&l->t->lock);
		child.ino = in ? in->ino : 0;
		if (!in)
			rc = -ENOMEM;
		else if (!rc)
			rc = stat_node(l->t, &child, &st);
	}
	cache_set_peek_only(false);
	if (rc == -EWOULDBLOCK) {
		memset(&st, 0, sizeof(st));
		st.st_ino = child.ino;
		st.st_mode = is_dir_kind(child.kind) ? S_IFDIR : S_IFREG;
		l->stop = l->fill(l->ctx, name, &st, false);
	} else if (!rc) {
		l->stop = l->fill(l->ctx, name, &st, true);
	}
	rctx_release_to(&child, l->dir->nrefs);
}

static void list_names(struct lister *l, const char *const *names)
{
	for (; *names; names++)
		list_child(l, *names);
}

static void list_names_of(struct lister *l, const struct data_names *names)
{
	size_t i;

	for (i = 0; i < names->n; i++)
		list_child(l, names->v[i]);
}

static int list_envs(struct lister *l)
{
	struct tree *t = l->t;
	struct rctx *c = l->dir;
	const struct data_envs *e;
	struct cache_ref *r = NULL;
	int rc;

	rc = data_envs(t->o.data, c->project->id, &r);
	e = rctx_keep(c, &rc, r);
	if (!e)
		return rc;
	list_names_of(l, &e->names);
	return 0;
}

static int list_root(struct lister *l)
{
	const struct data_projects *p;
	struct cache_ref *r = NULL;
	int rc;

	list_child(l, ".c7nfs");
	if (l->t->o.project_code)
		return list_envs(l);
	rc = data_projects(l->t->o.data, &r);
	p = rctx_keep(l->dir, &rc, r);
	if (!p)
		return rc;
	list_names_of(l, &p->names);
	return 0;
}

static int list_events(struct lister *l)
{
	struct rctx *c = l->dir;
	struct sbuf s;
	size_t i;
	int rc = load_events(l->t, c);

	if (rc)
		return rc;
	for (i = 0; i < c->events->n && i < EVENT_DIRS; i++) {
		sbuf_init(&s, 0);
		event_dirname(l->t, c, &c->events->v[i], &s);
		list_child(l, s.buf);
		sbuf_free(&s);
	}
	return 0;
}

static void list_jobs(struct lister *l)
{
	const struct api_event *ev = l->dir->ev;
	struct sbuf s;
	size_t i;

	for (i = 0; i < ev->n_pod_events; i++) {
		if (!pod_event_is_job(&ev->pod_events[i]))
			continue;
		sbuf_init(&s, 0);
		render_sanitize_name(&s, ev->pod_events[i].name);
		sbuf_adds(&s, ".log");
		list_child(l, s.buf);
		sbuf_free(&s);
	}
}

void tree_scratch_stat(const struct scratch_stat *ss, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ss->id;
	st->st_mode = ss->mode;
	st->st_nlink = 1;
	st->st_uid = ss->uid;
	st->st_gid = ss->gid;
	st->st_size = (off_t)ss->size;
	st->st_blksize = 4096;
	st->st_blocks = (st->st_size + 511) / 512;
	st->st_atim = ss->atime;
	st->st_mtim = ss->mtime;
	st->st_ctim = ss->ctime;
}

/* Editors' scratch files live beside the managed files (design.md §3). */
static void list_scratch(struct lister *l)
{
	struct scratch_dirent *list = NULL;
	struct stat st;
	size_t i, n = 0;

	if (!l->t->o.scratch ||
	    scratch_list(l->t->o.scratch, l->dir->inst->id, &list, &n))
		return;
	for (i = 0; i < n && !l->stop; i++) {
		tree_scratch_stat(&list[i].st, &st);
		l->stop = l->fill(l->ctx, list[i].name, &st, true);
	}
	scratch_list_free(list);
}

static int list_dir(struct lister *l)
{
	static const char *const env_files[] = { "env", "instances", NULL };
	static const char *const inst_dirs[] = { "resources", "deployments", "events", NULL };
	static const char *const event_dir[] = { "summary", "events", "values.yaml", "jobs",
						 NULL };
	struct rctx *c = l->dir;
	int rc;

	switch (c->kind) {
	case TK_ROOT:
		return list_root(l);
	case TK_META_DIR:
		list_names(l, meta_files);
		return 0;
	case TK_PROJECT:
		return list_envs(l);
	case TK_ENV:
		list_names(l, env_files);
		rc = load_instances(l->t, c);
		if (rc)
			return rc;
		list_names_of(l, &c->insts->names);
		return 0;
	case TK_INST:
		list_names(l, inst_files);
		list_names(l, inst_dirs);
		if (has_rejected(c->is))
			list_child(l, "values.yaml.rejected");
		list_scratch(l);
		return 0;
	case TK_RES_DIR:
		list_names(l, render_resource_kinds);
		return 0;
	case TK_DEPS_DIR:
		rc = load_resources(l->t, c);
		if (rc)
			return rc;
		list_names_of(l, &c->res->deployments);
		return 0;
	case TK_DEP_DIR:
		list_names(l, dep_files);
		return 0;
	case TK_EVENTS_DIR:
		return list_events(l);
	case TK_EVENT_DIR:
		list_names(l, event_dir);
		return 0;
	case TK_JOBS_DIR:
		list_jobs(l);
		return 0;
	default:
		return -ENOTDIR;
	}
}

/* ---- public API ----------------------------------------------------------- */

int tree_new(const struct tree_options *opts, struct tree **out)
{
	struct tree *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	t->o = *opts;
	t->n_buckets = 4099;
	t->buckets = calloc(t->n_buckets, sizeof(*t->buckets));
	if (!t->buckets) {
		free(t);
		return -ENOMEM;
	}
	pthread_mutex_init(&t->lock, NULL);
	clock_gettime(CLOCK_REALTIME, &t->start);
	pthread_mutex_lock(&t->lock);
	/* inode 1 is the root: parent 0, name "" */
	if (!inode_intern(t, 0, "", TK_ROOT)) {
		pthread_mutex_unlock(&t->lock);
		tree_free(t);
		return -ENOMEM;
	}
	pthread_mutex_unlock(&t->lock);
	*out = t;
	return 0;
}

void tree_free(struct tree *t)
{
	struct inst_state *s, *next;
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->n_inodes; i++) {
		free(t->inodes[i]->name);
		free(t->inodes[i]);
	}
	for (s = t->states; s; s = next) {
		next = s->next;
		journal_free(s->journal);
		json_decref(s->versions);
		values_rejected_clear(&s->rejected);
		free(s->committed);
		free(s->committed_base);
		pthread_mutex_destroy(&s->lock);
		free(s->instance_id);
		free(s);
	}
	free(t->inodes);
	free(t->buckets);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

int tree_lookup(struct tree *t, uint64_t parent, const char *name, struct stat *st)
{
	struct rctx c;
	struct inode *in;
	int rc;

	rc = tree_resolve(t, parent, &c);
	if (rc)
		goto out;
	rc = resolve_step(t, &c, name);
	if (rc == -ENOENT && c.kind == TK_INST && t->o.scratch) {
		struct scratch_stat ss;

		rc = scratch_lookup(t->o.scratch, c.inst->id, name, &ss);
		if (!rc)
			tree_scratch_stat(&ss, st);
		goto out;
	}
	if (rc)
		goto out;
	pthread_mutex_lock(&t->lock);
	in = inode_intern(t, parent, name, c.kind);
	if (in)
		in->nlookup++;
	pthread_mutex_unlock(&t->lock);
	if (!in) {
		rc = -ENOMEM;
		goto out;
	}
	c.ino = in->ino;
	rc = stat_node(t, &c, st);
	if (rc)
		tree_forget(t, in->ino, 1);
out:
	tree_rctx_done(&c);
	return rc;
}

void tree_ref(struct tree *t, uint64_t ino)
{
	struct inode *in;

	pthread_mutex_lock(&t->lock);
	in = inode_get(t, ino);
	if (in)
		in->nlookup++;
	pthread_mutex_unlock(&t->lock);
}

void tree_forget(struct tree *t, uint64_t ino, uint64_t n)
{
	struct inode *in;

	/* Inodes are kept for the life of the mount so numbers stay stable; the
	 * count only documents what the kernel holds. */
	pthread_mutex_lock(&t->lock);
	in = inode_get(t, ino);
	if (in)
		in->nlookup = in->nlookup > n ? in->nlookup - n : 0;
	pthread_mutex_unlock(&t->lock);
}

int tree_getattr(struct tree *t, uint64_t ino, struct stat *st)
{
	struct rctx c;
	int rc;

	rc = tree_resolve(t, ino, &c);
	if (!rc)
		rc = stat_node(t, &c, st);
	tree_rctx_done(&c);
	return rc;
}

int tree_readdir(struct tree *t, uint64_t ino, tree_fill_fn fill, void *ctx)
{
	struct lister l = { .t = t, .fill = fill, .ctx = ctx, .hash = 7 };
	struct rctx c;
	int rc;

	rc = tree_resolve(t, ino, &c);
	if (rc)
		goto out;
	if (!is_dir_kind(c.kind)) {
		rc = -ENOTDIR;
		goto out;
	}
	l.dir = &c;
	rc = list_dir(&l);
	if (!rc)
		touch_inode(t, ino, l.hash | 1, NULL);
out:
	tree_rctx_done(&c);
	return rc;
}

int tree_render(struct tree *t, uint64_t ino, struct sbuf *out)
{
	struct rctx c;
	bool changed = false;
	int rc;

	rc = tree_resolve(t, ino, &c);
	if (!rc)
		rc = render_node(t, &c, out);
	if (!rc)
		rc = sbuf_error(out);
	if (!rc)
		touch_inode(t, ino, fnv1a(out->buf, out->len), &changed);
	tree_rctx_done(&c);
	return rc ? rc : changed;
}

enum tree_kind tree_kind_of(struct tree *t, uint64_t ino)
{
	struct inode *in;
	enum tree_kind k = TK_NONE;

	pthread_mutex_lock(&t->lock);
	in = inode_get(t, ino);
	if (in)
		k = in->kind;
	pthread_mutex_unlock(&t->lock);
	return k;
}

bool tree_is_live(struct tree *t, uint64_t ino)
{
	enum tree_kind k = tree_kind_of(t, ino);

	return k == TK_INST_EVENTS_LOG || k == TK_META_LOG;
}

int tree_read_live(struct tree *t, uint64_t ino, uint64_t off, char *buf, size_t size,
		   size_t *n)
{
	struct rctx c;
	int rc;

	rc = tree_resolve(t, ino, &c);
	if (rc)
		goto out;
	if (c.kind == TK_META_LOG) {
		*n = c7_log_read(off, buf, size);
		goto out;
	}
	if (c.kind != TK_INST_EVENTS_LOG) {
		rc = -EINVAL;
		goto out;
	}
	/* A failed refresh still serves what the journal holds. */
	load_events(t, &c);
	*n = journal_read(c.is->journal, off, buf, size);
out:
	tree_rctx_done(&c);
	return rc;
}

int tree_meta_ctl(struct tree *t, const char *cmd, size_t len)
{
	while (len && (cmd[len - 1] == '\n' || cmd[len - 1] == ' '))
		len--;
	if (len == 5 && !memcmp(cmd, "flush", 5)) {
		cache_expire_all(t->o.data->cache);
		c7_log(C7_LOG_INFO, "caches flushed");
		return 0;
	}
	c7_log(C7_LOG_WARN, "unknown command '%.*s' written to .c7nfs/ctl", (int)len, cmd);
	return -EINVAL;
}

/* ---- for the write paths (tree_internal.h) -------------------------------- */

int tree_load_instances(struct tree *t, struct rctx *c)
{
	return load_instances(t, c);
}

const struct api_version_list *tree_load_versions(struct tree *t, struct rctx *c)
{
	struct render_instance ri;

	instance_view(t, c, &ri);
	return ri.versions;
}

void tree_state_input(struct tree *t, struct rctx *c, struct state_input *in)
{
	struct render_instance ri;

	instance_view(t, c, &ri);
	render_state_input(&ri, in);
}

int tree_scratch_dir(struct tree *t, uint64_t dir_ino, char *key, size_t len)
{
	struct rctx c;
	int rc;

	rc = tree_resolve(t, dir_ino, &c);
	if (!rc && c.kind != TK_INST)
		rc = -EPERM;
	if (!rc && !tree_may_deploy(&c))
		rc = -EACCES;
	if (!rc)
		snprintf(key, len, "%s", c.inst->id);
	tree_rctx_done(&c);
	return rc;
}
