/*
 * test_api.c — the API client against a fake Choerodon on loopback (paths,
 * escaping, paging, error mapping, token renewal), then a smoke test against
 * the real emulator when it has been built (skipped with a notice otherwise).
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "api.h"
#include "check.h"
#include "http.h"
#include "tserver.h"

#define N_INSTANCES 2500
#define N_THREADS 8

struct fake {
	pthread_mutex_t lock;
	char valid[64];         /* the bearer token the server accepts */
	bool expired_403;       /* refuse with 403 + accessTokenExpired, not 401 */
	int refused;
	char method[16];
	char target[2048];
	char auth[256];
	char ctype[128];
	char body[4096];
	char pages[64];         /* "page=N," of every I1 request */
};

static struct fake fake = { .lock = PTHREAD_MUTEX_INITIALIZER };

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void remember(const struct treq *rq, const char *auth)
{
	snprintf(fake.method, sizeof(fake.method), "%s", rq->method);
	snprintf(fake.target, sizeof(fake.target), "%s", rq->target);
	snprintf(fake.auth, sizeof(fake.auth), "%s", auth);
	theader(rq, "Content-Type", fake.ctype, sizeof(fake.ctype));
	snprintf(fake.body, sizeof(fake.body), "%s", rq->body);
}

/* I1: instances i0…i2499, paged as asked. */
static void instance_page(const struct treq *rq, struct sbuf *out)
{
	const char *p = strstr(rq->target, "&page="), *z = strstr(rq->target, "&size=");
	long page = p ? atol(p + 6) : 0, size = z ? atol(z + 6) : 20, i;
	struct sbuf body;

	sbuf_init(&body, 0);
	snprintf(fake.pages + strlen(fake.pages), sizeof(fake.pages) - strlen(fake.pages),
		 "%ld,", page);
	sbuf_printf(&body, "{\"totalPages\":%ld,\"totalElements\":%d,\"number\":%ld,"
		    "\"size\":%ld,\"content\":[", (N_INSTANCES + size - 1) / size,
		    N_INSTANCES, page, size);
	for (i = page * size; i < (page + 1) * size && i < N_INSTANCES; i++)
		sbuf_printf(&body, "%s{\"id\":\"i%ld\",\"code\":\"c%ld\"}",
			    i == page * size ? "" : ",", i, i);
	sbuf_adds(&body, "]}");
	treply(out, 200, body.buf);
	sbuf_free(&body);
}

#define INST "/devops/v1/projects/1/app_service_instances"

static void route(const struct treq *rq, struct sbuf *out)
{
	if (starts(rq->target, INST "/info/page_by_options?env_id=bare"))
		treply(out, 200, "[{\"id\":\"x\"},{\"id\":\"y\"},{\"id\":\"z\"}]");
	else if (starts(rq->target, INST "/info/page_by_options"))
		instance_page(rq, out);
	else if (strcmp(rq->target, INST "/%3Dab%2Fc%2Bd%3D") == 0)
		treply(out, 200, "{\"id\":\"=ab/c+d=\",\"code\":\"demo\",\"status\":\"running\"}");
	else if (strcmp(rq->target, INST "/gone") == 0)
		treply(out, 200, "");
	else if (strcmp(rq->target, INST "/stopped/stop") == 0)
		treply(out, 200, "{\"failed\":true,\"code\":\"error.instance.not.running\","
		       "\"message\":\"not running\"}");
	else if (strcmp(rq->target, INST "/busy/values") == 0)
		treply(out, 503, "<html>maintenance</html>");
	else if (strcmp(rq->target, INST "/i1/values") == 0)
		treply(out, 200, "{\"yaml\":\"replicas: 1\\n\",\"id\":null}");
	else if (strcmp(rq->target, INST "/i1/deployment_detail_yaml?deployment_name=web%20app") == 0)
		treply(out, 200, "{\"instanceId\":\"i1\",\"detail\":\"kind: Deployment\\n\"}");
	else if (starts(rq->target, INST "/i1/deployment_detail_json"))
		treply(out, 200, "{\"instanceId\":\"i1\",\"detail\":{\"kind\":\"Deployment\"}}");
	else if (starts(rq->target, INST "/i1/deployment_detail_"))
		treply(out, 200, "{\"failed\":true,\"code\":\"error.instance.resource.not.found\","
		       "\"message\":\"no such deployment\"}");
	else if (strcmp(rq->method, "PUT") == 0 || strcmp(rq->method, "DELETE") == 0)
		treply(out, 204, "");
	else if (strcmp(rq->target, "/devops/v1/projects/1/envs/list_by_active?active=true") == 0)
		treply(out, 200, "[{\"id\":\"e1\",\"code\":\"staging\",\"connect\":true}]");
	else if (strcmp(rq->target, "/devops/v1/projects/1/envs/resource_tree_menu") == 0)
		treply(out, 200, "[{\"id\":\"e1\",\"code\":\"staging\",\"instances\":[]}]");
	else
		treply(out, 404, "{\"error\":\"Not Found\"}");
}

static void token_endpoint(const struct treq *rq, struct sbuf *out)
{
	if (strstr(rq->body, "&password=right&"))
		treply(out, 200, "{\"access_token\":\"fresh\",\"token_type\":\"bearer\","
		       "\"refresh_token\":\"r1\",\"expires_in\":3600,\"scope\":\"default\"}");
	else
		treply(out, 401, "{\"error\":\"invalid_grant\","
		       "\"error_description\":\"Bad credentials\"}");
}

static enum treply handler(void *ctx, const struct treq *rq, struct sbuf *out)
{
	char auth[256], want[128];

	(void)ctx;
	theader(rq, "Authorization", auth, sizeof(auth));
	pthread_mutex_lock(&fake.lock);
	remember(rq, auth);
	snprintf(want, sizeof(want), "bearer %s", fake.valid);
	if (strcmp(rq->target, "/oauth/oauth/token") == 0) {
		token_endpoint(rq, out);
	} else if (strcmp(auth, want) != 0) {
		fake.refused++;
		if (fake.expired_403)
			treply(out, 403, "{\"failed\":true,\"code\":"
			       "\"error.permission.accessTokenExpired\",\"message\":\"expired\"}");
		else
			treply(out, 401, "{\"error\":\"unauthorized\"}");
	} else {
		route(rq, out);
	}
	pthread_mutex_unlock(&fake.lock);
	return T_SEND;
}

static void accept_token(const char *token, bool expired_403)
{
	pthread_mutex_lock(&fake.lock);
	snprintf(fake.valid, sizeof(fake.valid), "%s", token);
	fake.expired_403 = expired_403;
	fake.refused = 0;
	pthread_mutex_unlock(&fake.lock);
}

static struct api_client *client(struct http_transport *t, const struct tserver *s,
				 const char *token)
{
	struct api_client *c = NULL;
	char base[64];

	/* a trailing slash must not double the path's */
	tserver_url(s, "/", base, sizeof(base));
	CHECK_INT(api_client_new(t, base, token, &c), 0);
	return c;
}

static void test_paths_and_escaping(struct api_client *c)
{
	struct api_instance inst;
	struct api_env_list envs;
	struct api_error err;

	CHECK_INT(api_env_list(c, "1", &envs, &err), 0);
	CHECK_INT(envs.n, 1);
	CHECK_STR(envs.v[0].code, "staging");
	CHECK(envs.v[0].connect);
	CHECK_STR(fake.method, "GET");
	CHECK_STR(fake.auth, "bearer good");
	api_env_list_free(&envs);
	CHECK_INT(api_env_tree(c, "1", &envs, &err), 0);
	CHECK_INT(envs.n, 1);
	CHECK_STR(fake.target, "/devops/v1/projects/1/envs/resource_tree_menu");
	api_env_list_free(&envs);

	CHECK_INT(api_instance_get(c, "1", "=ab/c+d=", &inst, &err), 0);
	CHECK_STR(fake.target, INST "/%3Dab%2Fc%2Bd%3D");
	CHECK_STR(inst.id, "=ab/c+d=");
	CHECK_STR(inst.status, "running");
	api_instance_free(&inst);

	/* I3's empty 200 means the instance does not exist */
	CHECK_INT(api_instance_get(c, "1", "gone", &inst, &err), -ENOENT);
	CHECK(inst.id == NULL);
	CHECK_INT(err.http_status, 200);
	CHECK_INT(api_instance_get(c, "1", "unknown", &inst, &err), -ENOENT);
	CHECK_INT(err.http_status, 404);
}

static void test_paging(struct api_client *c)
{
	struct api_instance_list l;
	struct api_error err;

	fake.pages[0] = '\0';
	CHECK_INT(api_instance_list(c, "1", "e 1", &l, &err), 0);
	CHECK_INT(l.n, N_INSTANCES);
	CHECK_STR(l.v[0].id, "i0");
	CHECK_STR(l.v[1000].code, "c1000");
	CHECK_STR(l.v[N_INSTANCES - 1].id, "i2499");
	CHECK_STR(fake.pages, "0,1,2,");
	CHECK_STR(fake.method, "POST");
	CHECK_STR(fake.target, INST "/info/page_by_options?env_id=e%201&page=2&size=1000");
	CHECK_STR(fake.body, "{\"searchParam\":{},\"params\":[]}");
	CHECK_STR(fake.ctype, "application/json");
	api_instance_list_free(&l);

	fake.pages[0] = '\0';
	CHECK_INT(api_instance_list(c, "1", "bare", &l, &err), 0);
	CHECK_INT(l.n, 3);
	CHECK_STR(l.v[2].id, "z");
	api_instance_list_free(&l);
}

static void test_values_and_details(struct api_client *c)
{
	struct api_error err;
	json_t *detail = NULL;
	char *text = NULL;

	CHECK_INT(api_instance_values(c, "1", "i1", &text, &err), 0);
	CHECK_STR(text, "replicas: 1\n");
	free(text);
	CHECK_INT(api_instance_values(c, "1", "busy", &text, &err), -EAGAIN);
	CHECK(text == NULL);
	CHECK_INT(err.http_status, 503);
	CHECK_STR(err.message, "HTTP 503");

	CHECK_INT(api_deployment_detail_yaml(c, "1", "i1", "web app", &text, &err), 0);
	CHECK_STR(text, "kind: Deployment\n");
	free(text);
	CHECK_INT(api_deployment_detail_json(c, "1", "i1", "web", &detail, &err), 0);
	CHECK_STR(json_string_value(json_object_get(detail, "kind")), "Deployment");
	json_decref(detail);
	CHECK_INT(api_deployment_detail_yaml(c, "1", "i1", "nope", &text, &err), -ENOENT);
	CHECK_STR(err.code, "error.instance.resource.not.found");
	CHECK_STR(err.message, "no such deployment");
}

static void test_operations(struct api_client *c)
{
	struct api_instance inst = {
		.id = "=i/1=", .environment_id = "", .app_service_id = "as1",
	};
	struct api_error err;
	json_t *body;

	CHECK_INT(api_instance_stop(c, "1", "run", &err), 0);
	CHECK_STR(fake.method, "PUT");
	CHECK_STR(fake.target, INST "/run/stop");
	CHECK_INT(api_instance_start(c, "1", "run", &err), 0);
	CHECK_STR(fake.target, INST "/run/start");
	CHECK_INT(api_instance_redeploy(c, "1", "run", NULL), 0);
	CHECK_STR(fake.target, INST "/run/restart");
	CHECK_INT(api_instance_delete(c, "1", "run", &err), 0);
	CHECK_STR(fake.method, "DELETE");
	CHECK_STR(fake.target, INST "/run/delete");

	CHECK_INT(api_instance_stop(c, "1", "stopped", &err), -EBUSY);
	CHECK_INT(err.http_status, 200);
	CHECK_STR(err.code, "error.instance.not.running");
	CHECK_STR(err.message, "not running");

	CHECK_INT(api_instance_update(c, "1", &inst, "env/9", "v2", "a: \"b\"\n", &err), 0);
	CHECK_STR(fake.method, "PUT");
	CHECK_STR(fake.target, INST);
	CHECK_STR(fake.ctype, "application/json");
	body = json_loads(fake.body, 0, NULL);
	CHECK_STR(json_string_value(json_object_get(body, "instanceId")), "=i/1=");
	CHECK_STR(json_string_value(json_object_get(body, "environmentId")), "env/9");
	CHECK_STR(json_string_value(json_object_get(body, "appServiceId")), "as1");
	CHECK_STR(json_string_value(json_object_get(body, "appServiceVersionId")), "v2");
	CHECK_STR(json_string_value(json_object_get(body, "values")), "a: \"b\"\n");
	CHECK_STR(json_string_value(json_object_get(body, "type")), "update");
	json_decref(body);
	inst.environment_id = "own-env";
	CHECK_INT(api_instance_update(c, "1", &inst, "env/9", "v2", "x", &err), 0);
	CHECK(strstr(fake.body, "\"environmentId\":\"own-env\"") != NULL);
	inst.environment_id = "";
	CHECK_INT(api_instance_update(c, "1", &inst, "", "v2", "x", &err), -EINVAL);
}

struct renewal {
	pthread_mutex_t lock;
	int calls;
	const char *token;      /* what the hook hands out; NULL: it fails */
	int wait_for_refused;   /* hold renewal until so many requests were refused */
};

static int renew_hook(void *ctx, char **token)
{
	struct renewal *r = ctx;
	int64_t deadline = tnow_ms() + 5000;
	int refused = 0;

	pthread_mutex_lock(&r->lock);
	r->calls++;
	pthread_mutex_unlock(&r->lock);
	while (refused < r->wait_for_refused && tnow_ms() < deadline) {
		pthread_mutex_lock(&fake.lock);
		refused = fake.refused;
		pthread_mutex_unlock(&fake.lock);
		sched_yield();
	}
	if (!r->token)
		return -EIO;
	*token = strdup(r->token);
	return 0;
}

struct caller {
	struct api_client *c;
	int ret;
};

static void *list_envs(void *p)
{
	struct caller *a = p;
	struct api_env_list l;

	a->ret = api_env_list(a->c, "1", &l, NULL);
	api_env_list_free(&l);
	return NULL;
}

/* Eight readers hit an expired token at once: one renewal, eight successes. */
static void test_single_flight_renewal(struct api_client *c)
{
	struct renewal r = { PTHREAD_MUTEX_INITIALIZER, 0, "new", N_THREADS };
	struct caller a[N_THREADS];
	pthread_t th[N_THREADS];
	int i;

	api_client_set_token(c, "old");
	accept_token("new", false);
	api_client_set_renew(c, renew_hook, &r);
	for (i = 0; i < N_THREADS; i++) {
		a[i] = (struct caller){ .c = c, .ret = 1 };
		pthread_create(&th[i], NULL, list_envs, &a[i]);
	}
	for (i = 0; i < N_THREADS; i++) {
		pthread_join(th[i], NULL);
		CHECK_INT(a[i].ret, 0);
	}
	CHECK_INT(r.calls, 1);
	CHECK_INT(fake.refused, N_THREADS);
	CHECK_STR(fake.auth, "bearer new");

	/* 403 + accessTokenExpired renews as well */
	r = (struct renewal){ PTHREAD_MUTEX_INITIALIZER, 0, "newer", 0 };
	accept_token("newer", true);
	list_envs(&a[0]);
	CHECK_INT(a[0].ret, 0);
	CHECK_INT(r.calls, 1);
	api_client_set_renew(c, NULL, NULL);
}

static void test_renewal_failures(struct api_client *c)
{
	struct renewal r = { PTHREAD_MUTEX_INITIALIZER, 0, NULL, 0 };
	struct api_env_list l;
	struct api_error err;

	accept_token("unreachable", false);
	CHECK_INT(api_env_list(c, "1", &l, &err), -EACCES);
	CHECK_INT(err.http_status, 401);
	CHECK(strstr(err.message, "not renewed") != NULL);

	api_client_set_renew(c, renew_hook, &r);
	CHECK_INT(api_env_list(c, "1", &l, &err), -EACCES);
	CHECK_INT(r.calls, 1);
	CHECK(strstr(err.message, "not renewed") != NULL);

	/* a hook that hands out another refused token: one retry, no loop */
	r.token = "still-wrong";
	accept_token("unreachable", false);
	CHECK_INT(api_env_list(c, "1", &l, &err), -EACCES);
	CHECK_INT(r.calls, 2);
	CHECK_INT(fake.refused, 2);
	api_client_set_renew(c, NULL, NULL);
}

static void test_password_grant(struct api_client *c)
{
	struct renewal r = { PTHREAD_MUTEX_INITIALIZER, 0, "x", 0 };
	char *access = NULL, *refresh = NULL;
	struct api_error err;
	long expires = 0;

	api_client_set_renew(c, renew_hook, &r);
	CHECK_INT(api_token_password(c, "ad min", "right", "c7nfs", &access, &refresh,
				     &expires, &err), 0);
	CHECK_STR(access, "fresh");
	CHECK_STR(refresh, "r1");
	CHECK_INT(expires, 3600);
	CHECK_STR(fake.method, "POST");
	CHECK_STR(fake.target, "/oauth/oauth/token");
	CHECK_STR(fake.body, "grant_type=password&username=ad%20min&password=right&client_id=c7nfs");
	CHECK_STR(fake.ctype, "application/x-www-form-urlencoded");
	CHECK_STR(fake.auth, "");
	free(access);
	free(refresh);

	CHECK_INT(api_token_password(c, "admin", "p@ss w", "c7nfs", &access, &refresh,
				     &expires, &err), -EACCES);
	CHECK(strstr(fake.body, "&password=p%40ss%20w&") != NULL);
	CHECK(access == NULL && refresh == NULL);
	CHECK_INT(err.http_status, 401);
	CHECK_STR(err.code, "invalid_grant");
	CHECK_STR(err.message, "Bad credentials");
	CHECK_INT(r.calls, 0);

	CHECK_INT(api_token_refresh(c, "r1", "c7nfs", &access, &refresh, &expires, &err),
		  -EACCES);
	CHECK_STR(fake.body, "grant_type=refresh_token&refresh_token=r1&client_id=c7nfs");
	api_client_set_renew(c, NULL, NULL);
}

static void test_transport_failure(struct http_transport *t)
{
	struct api_client *c = NULL;
	struct api_env_list l;
	struct api_error err;
	char base[64];
	int fd, port;

	fd = tserver_bind(&port);
	snprintf(base, sizeof(base), "http://127.0.0.1:%d", port);
	CHECK_INT(api_client_new(t, base, "good", &c), 0);
	CHECK_INT(api_env_list(c, "1", &l, &err), -ENOTCONN);
	CHECK_INT(err.http_status, 0);
	CHECK(strstr(err.message, "/devops/v1/projects/1/envs/list_by_active") != NULL);
	CHECK(l.v == NULL && l.n == 0);
	api_client_free(c);
	close(fd);
}

/* ---- the real emulator ------------------------------------------------------- */

static int sim_path(char *buf, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return -1;
	exe[n] = '\0';
	/* BUILD/tests/unit/test_api → BUILD/contrib/devops-sim/c7n-devops-sim */
	snprintf(buf, len, "%s/../../contrib/devops-sim/c7n-devops-sim", dirname(exe));
	return access(buf, X_OK);
}

/* Starts the emulator on a free port; 0 with *pid and base filled. */
static int sim_start(const char *path, pid_t *pid, char *base, size_t len)
{
	char line[256] = "";
	int fds[2];
	FILE *f;

	if (pipe(fds))
		return -1;
	*pid = fork();
	if (*pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		execl(path, path, "--listen", "127.0.0.1:0", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	f = fdopen(fds[0], "r");
	/* the emulator prints this line once it accepts connections */
	if (!f || !fgets(line, sizeof(line), f) || !starts(line, "listening on ")) {
		if (f)
			fclose(f);
		return -1;
	}
	line[strcspn(line, "\r\n")] = '\0';
	snprintf(base, len, "%s", line + strlen("listening on "));
	fclose(f);
	return 0;
}

static void smoke_deployment(struct api_client *c, const char *project,
			     const char *instance, const char *name)
{
	json_t *detail = NULL;
	char *yaml = NULL;

	CHECK_INT(api_deployment_detail_json(c, project, instance, name, &detail, NULL), 0);
	CHECK_STR(json_string_value(json_object_get(detail, "kind")), "Deployment");
	json_decref(detail);
	CHECK_INT(api_deployment_detail_yaml(c, project, instance, name, &yaml, NULL), 0);
	CHECK(yaml && strstr(yaml, "kind: Deployment") != NULL);
	free(yaml);
}

static void smoke_instance(struct api_client *c, const char *project,
			   const struct api_instance *i)
{
	struct api_version_list vl;
	struct api_event_list ev;
	struct api_resources res;
	struct api_instance one;
	char *values = NULL;

	CHECK_INT(api_instance_get(c, project, i->id, &one, NULL), 0);
	CHECK_STR(one.code, i->code);
	api_instance_free(&one);
	CHECK_INT(api_instance_resources(c, project, i->id, &res, NULL), 0);
	if (res.n_deployments)
		smoke_deployment(c, project, i->id, res.deployments[0].name);
	api_resources_free(&res);
	CHECK_INT(api_version_list(c, project, i->app_service_id, &vl, NULL), 0);
	CHECK(vl.n > 0);
	api_version_list_free(&vl);
	CHECK_INT(api_upgrade_versions(c, project, i->app_service_version_id, &vl, NULL), 0);
	api_version_list_free(&vl);
	CHECK_INT(api_instance_events(c, project, i->id, &ev, NULL), 0);
	api_event_list_free(&ev);
	CHECK_INT(api_instance_values(c, project, i->id, &values, NULL), 0);
	CHECK(values != NULL);
	free(values);
}

static void smoke_project(struct api_client *c, const char *project)
{
	struct api_instance_list il;
	struct api_env_list envs;
	size_t e, seen = 0;

	CHECK_INT(api_env_list(c, project, &envs, NULL), 0);
	for (e = 0; e < envs.n; e++) {
		CHECK_INT(api_instance_list(c, project, envs.v[e].id, &il, NULL), 0);
		if (il.n)
			smoke_instance(c, project, &il.v[0]);
		seen += il.n;
		api_instance_list_free(&il);
	}
	CHECK(envs.n > 0);
	printf("emulator: project %s: %zu environments, %zu instances\n", project,
	       envs.n, seen);
	api_env_list_free(&envs);
}

/* The demo users: fixed tokens, and the password grant (password = name). */
static void smoke_logins(struct api_client *c)
{
	static const char *const users[] = { "admin", "dev", "viewer" };
	char token[64], *access = NULL, *refresh = NULL;
	struct api_user u;
	long expires;
	size_t i;

	for (i = 0; i < 3; i++) {
		snprintf(token, sizeof(token), "c7n-demo-%s", users[i]);
		api_client_set_token(c, token);
		CHECK_INT(api_user_self(c, &u, NULL), 0);
		CHECK_STR(u.login_name, users[i]);
		api_user_free(&u);
	}
	CHECK_INT(api_token_password(c, "dev", "dev", "c7nfs", &access, &refresh,
				     &expires, NULL), 0);
	api_client_set_token(c, access);
	CHECK_INT(api_user_self(c, &u, NULL), 0);
	CHECK_STR(u.login_name, "dev");
	api_user_free(&u);
	free(access);
	free(refresh);
	CHECK_INT(api_token_password(c, "dev", "wrong", "c7nfs", &access, &refresh,
				     &expires, NULL), -EACCES);
}

static void test_emulator(struct http_transport *t)
{
	char path[PATH_MAX + 64], base[256];
	struct api_project_list pl;
	struct api_client *c = NULL;
	struct api_error err;
	struct api_user u;
	pid_t pid = -1;

	if (sim_path(path, sizeof(path)) || sim_start(path, &pid, base, sizeof(base))) {
		printf("SKIP emulator smoke test: %s not built or not ready\n", path);
		goto out;
	}
	CHECK_INT(api_client_new(t, base, "c7n-demo-admin", &c), 0);
	CHECK_INT(api_user_self(c, &u, &err), 0);
	CHECK_STR(u.login_name, "admin");
	CHECK_INT(api_project_list(c, u.id, &pl, &err), 0);
	CHECK(pl.n > 0);
	if (pl.n)
		smoke_project(c, pl.v[0].id);
	api_project_list_free(&pl);
	api_user_free(&u);
	smoke_logins(c);
	CHECK_INT(api_client_set_token(c, "not-a-token"), 0);
	CHECK_INT(api_user_self(c, &u, &err), -EACCES);
	api_client_free(c);
out:
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
}

int main(void)
{
	struct http_transport *t = NULL;
	struct api_client *c;
	struct tserver s;

	CHECK_INT(http_global_init(), 0);
	CHECK_INT(http_transport_new(NULL, &t), 0);
	CHECK_INT(tserver_start(&s, handler, NULL), 0);
	accept_token("good", false);
	c = client(t, &s, "good");
	test_paths_and_escaping(c);
	test_paging(c);
	test_values_and_details(c);
	test_operations(c);
	test_password_grant(c);
	test_single_flight_renewal(c);
	test_renewal_failures(c);
	api_client_free(c);
	tserver_stop(&s);
	http_transport_free(t);
	/* a fresh transport each: the closed port above must not leave this one offline */
	CHECK_INT(http_transport_new(NULL, &t), 0);
	test_transport_failure(t);
	http_transport_free(t);
	CHECK_INT(http_transport_new(NULL, &t), 0);
	test_emulator(t);
	http_transport_free(t);
	http_global_cleanup();
	return CHECK_DONE();
}
