/* api.c — the Choerodon client; see include/api.h and choerodon-api.md. */
#include "api.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "log.h"
#include "sbuf.h"

#define PAGE_SIZE 1000L         /* the server's maximum page size */
#define MAX_PAGES 10000L        /* a server that never says "last page" */
#define SEARCH_BODY "{\"searchParam\":{},\"params\":[]}"
#define JSON_TYPE "application/json"
#define FORM_TYPE "application/x-www-form-urlencoded"
#define INSTANCES "/devops/v1/projects/%s/app_service_instances"

struct api_client {
	struct http_transport *t;
	char *base;                  /* without trailing slash */
	pthread_mutex_t lock;        /* guards the token and the renewal record */
	char *token;
	api_renew_fn renew;
	void *renew_ctx;
	unsigned long token_seq;     /* bumped whenever the token is replaced or renewal tried */
	int renew_result;            /* outcome of the latest renewal attempt */
	pthread_mutex_t renew_lock;  /* one renewal at a time */
};

/* One request as an endpoint describes it. */
struct api_call {
	const char *method;
	const char *content_type;
	const char *body;
	bool is_operation;
	bool anonymous;              /* no Authorization and no renewal (token endpoint) */
};

static const struct api_call get_call = { .method = "GET" };
static const struct api_call search_call = {
	.method = "POST", .content_type = JSON_TYPE, .body = SEARCH_BODY,
};

/* ---- errors ------------------------------------------------------------------ */

static const struct {
	const char *code;
	int err;
} code_errnos[] = {
	{ "error.permission.accessTokenExpired", EACCES },
	{ "PERMISSION_ACCESS_TOKEN_NULL", EACCES },
	{ "error.env.user.permission.get", EACCES },
	{ "error.operating.resource.in.other.project", EACCES },
	/* OAuth token endpoint: wrong user name, password or client */
	{ "invalid_grant", EACCES },
	{ "invalid_client", EACCES },
	{ "unauthorized_client", EACCES },
	{ "invalid_token", EACCES },
	{ "error.instance.not.running", EBUSY },
	{ "error.instance.not.stop", EBUSY },
	{ "error.app.instance.is.operating", EBUSY },
	{ "error.app.instance.is.associated.with.pipeline", EBUSY },
	{ "error.env.disconnect", ENOTCONN },
	{ "error.instance.resource.not.found", ENOENT },
	{ "error.resource.notExist", ENOENT },
	/* an id ciphered for another session or a deleted object */
	{ "error.key-encrypt.decrypt.abnormal_content", ENOENT },
	/* null results of V2/V3, I4 and I8: the instance is gone */
	{ "error.instance.value.get", ENOENT },
	{ "error.resource.query", ENOENT },
	{ "error.event.query", ENOENT },
	{ "error.yaml.format.invalid", EINVAL },
	{ "error.version.id.not.exist", EINVAL },
	{ "error.app.instance.values.null", EINVAL },
	{ "error.app.instance.id.null", EINVAL },
	{ "error.env.id.null", EINVAL },
	{ "error.app.version.id.null", EINVAL },
	{ "error.app.id.null", EINVAL },
	{ "error.methodArgument.notValid", EINVAL },
	{ "invalid_request", EINVAL },
	{ "unsupported_grant_type", EINVAL },
	{ "error.app.service.disabled", EPERM },
	{ "error.db.duplicateKey", EEXIST },
	/* optimistic-lock failures: someone changed the object first */
	{ "error.optimistic_lock", ESTALE },
	{ "error.objectVersionNumber.not.equal", ESTALE },
};

static int errno_for_status(long status)
{
	switch (status) {
	case 401:
	case 403:
		return EACCES;
	case 404:
	case 410:
		return ENOENT;
	case 409:
	case 412:
		return ESTALE;
	case 429:
	case 503:
		return EAGAIN;
	case 504:
		return ETIMEDOUT;
	case 400:
	case 422:
		return EINVAL;
	default:
		return EIO;
	}
}

int api_errno_for(long http_status, const char *code)
{
	size_t i;

	if (code && *code) {
		for (i = 0; i < sizeof(code_errnos) / sizeof(code_errnos[0]); i++)
			if (strcmp(code, code_errnos[i].code) == 0)
				return code_errnos[i].err;
		if (strncmp(code, "error.permission.", 17) == 0)
			return EACCES;
	}
	return errno_for_status(http_status);
}

static struct api_error *err_init(struct api_error *err, struct api_error *scratch)
{
	if (!err)
		err = scratch;
	memset(err, 0, sizeof(*err));
	return err;
}

static int fail(struct api_error *err, int ret, const char *what)
{
	snprintf(err->message, sizeof(err->message), "%s", what);
	return ret;
}

/* ---- client ------------------------------------------------------------------ */

static void wipe_free(char *secret)
{
	if (secret)
		explicit_bzero(secret, strlen(secret));
	free(secret);
}

int api_client_new(struct http_transport *t, const char *base_url,
		   const char *token, struct api_client **out)
{
	struct api_client *c;
	size_t len = strlen(base_url);

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	while (len && base_url[len - 1] == '/')
		len--;
	c->t = t;
	c->base = strndup(base_url, len);
	c->token = token ? strdup(token) : NULL;
	if (!c->base || (token && !c->token)) {
		free(c->base);
		wipe_free(c->token);
		free(c);
		return -ENOMEM;
	}
	pthread_mutex_init(&c->lock, NULL);
	pthread_mutex_init(&c->renew_lock, NULL);
	*out = c;
	return 0;
}

void api_client_free(struct api_client *c)
{
	if (!c)
		return;
	pthread_mutex_destroy(&c->lock);
	pthread_mutex_destroy(&c->renew_lock);
	free(c->base);
	wipe_free(c->token);
	free(c);
}

/* Takes ownership of token (may be NULL). */
static void install_token(struct api_client *c, char *token, int renew_result)
{
	char *old;

	pthread_mutex_lock(&c->lock);
	old = c->token;
	if (!renew_result)
		c->token = token;
	c->token_seq++;
	c->renew_result = renew_result;
	pthread_mutex_unlock(&c->lock);
	wipe_free(renew_result ? token : old);
}

int api_client_set_token(struct api_client *c, const char *token)
{
	char *copy = NULL;

	if (token) {
		copy = strdup(token);
		if (!copy)
			return -ENOMEM;
	}
	install_token(c, copy, 0);
	return 0;
}

void api_client_set_renew(struct api_client *c, api_renew_fn renew, void *ctx)
{
	pthread_mutex_lock(&c->lock);
	c->renew = renew;
	c->renew_ctx = ctx;
	pthread_mutex_unlock(&c->lock);
}

/* Called after an answer rejected the token that was current at token_seq
 * `seq`. Callers queue on renew_lock; whoever comes after a renewal attempt
 * started by someone else takes its result instead of renewing again. */
static int renew_token(struct api_client *c, unsigned long seq, struct api_error *err)
{
	api_renew_fn renew;
	char *token = NULL;
	bool stale;
	void *ctx;
	int ret;

	pthread_mutex_lock(&c->renew_lock);
	pthread_mutex_lock(&c->lock);
	renew = c->renew;
	ctx = c->renew_ctx;
	ret = c->renew_result;
	stale = c->token_seq != seq;
	pthread_mutex_unlock(&c->lock);
	if (stale)
		goto out;
	ret = renew ? renew(ctx, &token) : -EACCES;
	if (!ret && !token)
		ret = -EACCES;
	install_token(c, token, ret);
	if (ret)
		c7_log(C7_LOG_WARN, "access token rejected and %s%s", renew ?
		       "renewing it failed: " : "no way to renew it",
		       renew ? strerror(-ret) : "");
	else
		c7_log(C7_LOG_INFO, "access token renewed");
out:
	pthread_mutex_unlock(&c->renew_lock);
	if (!ret)
		return 0;
	snprintf(err->message, sizeof(err->message),
		 "access token rejected and not renewed (%s)",
		 renew ? strerror(-ret) : "no way to renew it");
	return -EACCES;
}

/* ---- requests ----------------------------------------------------------------- */

/* Formats fmt where "%s" inserts its argument percent-encoded (ids are opaque
 * ciphers that may hold '=', '+' or '/'; NULL counts as "") and "%ld" a long.
 * Returns a malloc'd string or NULL (ENOMEM). */
static char *escaped_vformat(const char *fmt, va_list ap)
{
	struct sbuf sb;
	const char *p, *arg;
	char *esc;

	sbuf_init(&sb, 0);
	for (p = fmt; *p; p++) {
		if (strncmp(p, "%s", 2) == 0) {
			arg = va_arg(ap, const char *);
			esc = http_escape(arg ? arg : "");
			if (!esc && !sb.err)
				sb.err = -ENOMEM;
			if (esc)
				sbuf_adds(&sb, esc);
			free(esc);
			p++;
		} else if (strncmp(p, "%ld", 3) == 0) {
			sbuf_printf(&sb, "%ld", va_arg(ap, long));
			p += 2;
		} else {
			sbuf_addch(&sb, *p);
		}
	}
	if (sbuf_error(&sb)) {
		sbuf_free(&sb);
		return NULL;
	}
	return sbuf_detach(&sb, NULL);
}

static char *escaped_format(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = escaped_vformat(fmt, ap);
	va_end(ap);
	return s;
}

/* Snapshot of the Authorization value and of the token generation it belongs to. */
static int auth_header(struct api_client *c, const struct api_call *call,
		       char **auth, unsigned long *seq)
{
	int ret = 0;

	*auth = NULL;
	pthread_mutex_lock(&c->lock);
	*seq = c->token_seq;
	if (!call->anonymous && c->token && *c->token &&
	    asprintf(auth, "bearer %s", c->token) < 0) {
		*auth = NULL;
		ret = -ENOMEM;
	}
	pthread_mutex_unlock(&c->lock);
	return ret;
}

static bool is_blank(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return false;
	return true;
}

/* An HTTP answer → its JSON (NULL for an empty body), or the error it carries. */
static int parse_answer(const struct http_response *resp, json_t **out,
			struct api_error *err)
{
	json_error_t jerr;
	json_t *j = NULL;

	*out = NULL;
	if (!is_blank(resp->body, resp->len))
		j = json_loadb(resp->body, resp->len, JSON_DECODE_ANY, &jerr);
	if (api_decode_error(j, resp->status, err)) {
		json_decref(j);
		if (!err->message[0])
			snprintf(err->message, sizeof(err->message), "HTTP %ld",
				 resp->status);
		return -api_errno_for(resp->status, err->code);
	}
	if (!j && !is_blank(resp->body, resp->len)) {
		snprintf(err->message, sizeof(err->message), "malformed answer: %s",
			 jerr.text);
		return -EPROTO;
	}
	*out = j;
	return 0;
}

static int exchange(struct api_client *c, const struct api_call *call, const char *path,
		    json_t **out, struct api_error *err, unsigned long *seq)
{
	struct http_response resp = { 0 };
	struct http_request req = {
		.method = call->method,
		.content_type = call->content_type,
		.body = call->body,
		.body_len = call->body ? strlen(call->body) : 0,
		.is_operation = call->is_operation,
	};
	char *auth = NULL, *url;
	int ret = -ENOMEM;

	*out = NULL;
	memset(err, 0, sizeof(*err));
	url = malloc(strlen(c->base) + strlen(path) + 1);
	if (!url || auth_header(c, call, &auth, seq))
		goto out;
	strcpy(stpcpy(url, c->base), path);
	req.url = url;
	req.authorization = auth;
	ret = http_do(c->t, &req, &resp, err->message, sizeof(err->message));
	if (ret)
		goto out;
	ret = parse_answer(&resp, out, err);
	http_response_free(&resp);
out:
	if (ret == -ENOMEM && !err->message[0])
		fail(err, ret, "out of memory");
	wipe_free(auth);
	free(url);
	return ret;
}

static bool token_refused(const struct api_error *err)
{
	return err->http_status == 401 ||
	       strcmp(err->code, "error.permission.accessTokenExpired") == 0 ||
	       strcmp(err->code, "PERMISSION_ACCESS_TOKEN_NULL") == 0;
}

/* One request, renewing the token and retrying once when it was refused. */
static int api_call(struct api_client *c, const struct api_call *call, const char *path,
		    json_t **out, struct api_error *err)
{
	unsigned long seq;
	int ret, attempt;

	for (attempt = 0;; attempt++) {
		ret = exchange(c, call, path, out, err, &seq);
		if (ret != -EACCES || attempt || call->anonymous || !token_refused(err))
			return ret;
		ret = renew_token(c, seq, err);
		if (ret)
			return ret;
	}
}

static int api_vrequest(struct api_client *c, const struct api_call *call, json_t **out,
			struct api_error *err, const char *fmt, va_list ap)
{
	char *path;
	int ret;

	path = escaped_vformat(fmt, ap);
	if (!path)
		return fail(err, -ENOMEM, "out of memory");
	ret = api_call(c, call, path, out, err);
	free(path);
	return ret;
}

/* An instance operation: the answer's body is not needed. */
static int api_operation(struct api_client *c, const char *method, const char *body,
			 struct api_error *err, const char *fmt, ...)
{
	struct api_call call = {
		.method = method,
		.content_type = body ? JSON_TYPE : NULL,
		.body = body,
		.is_operation = true,
	};
	struct api_error scratch;
	json_t *j = NULL;
	va_list ap;
	int ret;

	err = err_init(err, &scratch);
	va_start(ap, fmt);
	ret = api_vrequest(c, &call, &j, err, fmt, ap);
	va_end(ap);
	json_decref(j);
	return ret;
}

/* ---- decoded reads ---------------------------------------------------------------- */

/* What an answer decodes into; `out` of api_read has the matching type. */
enum answer {
	A_USER,         /* struct api_user */
	A_PROJECTS,     /* struct api_project_list */
	A_ENVS,         /* struct api_env_list */
	A_INSTANCE,     /* struct api_instance */
	A_INSTANCES,    /* struct api_instance_list */
	A_RESOURCES,    /* struct api_resources */
	A_EVENTS,       /* struct api_event_list */
	A_VERSIONS,     /* struct api_version_list */
	A_VALUES,       /* char *: InstanceValueVO's yaml */
	A_DETAIL_JSON,  /* json_t *: InstanceControllerDetailVO's detail object */
	A_DETAIL_YAML,  /* char *: InstanceControllerDetailVO's detail text */
};

static int dup_text(const json_t *v, char **out)
{
	if (!v || json_is_null(v))
		return -ENOENT;
	if (!json_is_string(v))
		return -EPROTO;
	*out = strdup(json_string_value(v));
	return *out ? 0 : -ENOMEM;
}

static int decode_values(const json_t *j, char **yaml)
{
	const json_t *v = json_object_get(j, "yaml");

	if (!json_is_object(j))
		return -EPROTO;
	if (v && !json_is_null(v))
		return dup_text(v, yaml);
	/* an instance whose values are null has an empty text */
	*yaml = strdup("");
	return *yaml ? 0 : -ENOMEM;
}

static int decode_detail_json(const json_t *j, json_t **detail)
{
	json_t *d = json_object_get(j, "detail");

	if (!d || json_is_null(d))
		return -ENOENT;
	if (!json_is_object(d))
		return -EPROTO;
	*detail = json_incref(d);
	return 0;
}

static int decode_answer(enum answer a, const json_t *j, void *out)
{
	switch (a) {
	case A_USER:
		return api_decode_user(j, out);
	case A_PROJECTS:
		return api_decode_project_list(j, out);
	case A_ENVS:
		return api_decode_env_list(j, out);
	case A_INSTANCE:
		/* the server's way of saying "no such instance": 200 and nothing */
		return !j || json_is_null(j) ? -ENOENT : api_decode_instance(j, out);
	case A_INSTANCES:
		return api_decode_instance_list(j, out);
	case A_RESOURCES:
		return api_decode_resources(j, out);
	case A_EVENTS:
		return api_decode_event_list(j, out);
	case A_VERSIONS:
		return api_decode_version_list(j, out);
	case A_VALUES:
		return decode_values(j, out);
	case A_DETAIL_JSON:
		return decode_detail_json(j, out);
	case A_DETAIL_YAML:
		return dup_text(json_object_get(j, "detail"), out);
	}
	return -EINVAL;
}

static int decoded(int ret, struct api_error *err)
{
	if (ret == -EPROTO)
		fail(err, ret, "malformed answer: unexpected JSON shape");
	else if (ret == -ENOENT)
		fail(err, ret, "not found: the server answered with nothing");
	else if (ret == -ENOMEM)
		fail(err, ret, "out of memory");
	return ret;
}

/* ---- paged lists --------------------------------------------------------------- */

/* Appends a page's items to all; *last says whether more pages follow. */
static int add_page(json_t *all, const json_t *j, long page, bool *last)
{
	const json_t *items = j, *total;

	*last = true;
	if (json_is_object(j)) {
		items = json_object_get(j, "content");
		total = json_object_get(j, "totalPages");
		if (json_is_integer(total))
			*last = page + 1 >= json_integer_value(total);
		else
			*last = json_array_size(items) < (size_t)PAGE_SIZE;
	}
	if (!j || json_is_null(items))
		return 0;
	if (!json_is_array(items))
		return -EPROTO;
	if (!json_array_size(items))
		*last = true;
	return json_array_extend(all, (json_t *)items) ? -ENOMEM : 0;
}

/* POSTs the empty search body to fmt + "&page=N&size=1000" for every page;
 * *all receives the items of all pages as one array (new reference). */
static int fetch_pages(struct api_client *c, json_t **all, struct api_error *err,
		       const char *fmt, va_list ap)
{
	char *base, *path;
	bool last = false;
	json_t *j;
	long page;
	int ret = -ENOMEM;

	base = escaped_vformat(fmt, ap);
	*all = json_array();
	if (!base || !*all)
		goto out;
	for (page = 0; page < MAX_PAGES && !last; page++) {
		ret = -ENOMEM;
		if (asprintf(&path, "%s&page=%ld&size=%ld", base, page, PAGE_SIZE) < 0)
			goto out;
		ret = api_call(c, &search_call, path, &j, err);
		free(path);
		if (!ret)
			ret = decoded(add_page(*all, j, page, &last), err);
		json_decref(j);
		if (ret)
			goto out;
	}
out:
	if (ret == -ENOMEM)
		decoded(ret, err);
	if (ret) {
		json_decref(*all);
		*all = NULL;
	}
	free(base);
	return ret;
}

/* GETs fmt (or, when paged, POSTs the search for every page) and decodes the
 * answer as `a` into out (size bytes, zeroed first). */
static int api_read(struct api_client *c, bool paged, enum answer a, void *out,
		    size_t size, struct api_error *err, const char *fmt, ...)
{
	struct api_error scratch;
	json_t *j = NULL;
	va_list ap;
	int ret;

	err = err_init(err, &scratch);
	memset(out, 0, size);
	va_start(ap, fmt);
	if (paged)
		ret = fetch_pages(c, &j, err, fmt, ap);
	else
		ret = api_vrequest(c, &get_call, &j, err, fmt, ap);
	va_end(ap);
	if (!ret)
		ret = decoded(decode_answer(a, j, out), err);
	json_decref(j);
	return ret;
}

/* ---- A1: OAuth token ------------------------------------------------------------ */

static int string_member(const json_t *j, const char *key, char **out)
{
	const json_t *v = json_object_get(j, key);

	*out = strdup(json_is_string(v) ? json_string_value(v) : "");
	return *out ? 0 : -ENOMEM;
}

static int api_token(struct api_client *c, const char *form, char **access_token,
		     char **refresh_token, long *expires_in, struct api_error *err)
{
	struct api_call call = {
		.method = "POST", .content_type = FORM_TYPE, .body = form,
		.anonymous = true,
	};
	json_t *j = NULL;
	int ret;

	*access_token = NULL;
	*refresh_token = NULL;
	*expires_in = 0;
	ret = api_call(c, &call, "/oauth/oauth/token", &j, err);
	if (ret)
		goto out;
	if (!json_is_string(json_object_get(j, "access_token")) ||
	    !*json_string_value(json_object_get(j, "access_token"))) {
		ret = fail(err, -EPROTO, "token answer without access_token");
		goto out;
	}
	ret = string_member(j, "access_token", access_token);
	if (!ret)
		ret = string_member(j, "refresh_token", refresh_token);
	if (ret) {
		wipe_free(*access_token);
		*access_token = NULL;
		ret = fail(err, ret, "out of memory");
		goto out;
	}
	*expires_in = json_is_integer(json_object_get(j, "expires_in")) ?
		      (long)json_integer_value(json_object_get(j, "expires_in")) : 0;
out:
	json_decref(j);
	return ret;
}

int api_token_password(struct api_client *c, const char *username,
		       const char *password, const char *client_id,
		       char **access_token, char **refresh_token,
		       long *expires_in, struct api_error *err)
{
	struct api_error scratch;
	char *form;
	int ret;

	err = err_init(err, &scratch);
	form = escaped_format("grant_type=password&username=%s&password=%s&client_id=%s",
			      username, password, client_id);
	if (!form)
		return fail(err, -ENOMEM, "out of memory");
	ret = api_token(c, form, access_token, refresh_token, expires_in, err);
	wipe_free(form);
	return ret;
}

int api_token_refresh(struct api_client *c, const char *refresh_token,
		      const char *client_id, char **access_token,
		      char **new_refresh_token, long *expires_in,
		      struct api_error *err)
{
	struct api_error scratch;
	char *form;
	int ret;

	err = err_init(err, &scratch);
	form = escaped_format("grant_type=refresh_token&refresh_token=%s&client_id=%s",
			      refresh_token, client_id);
	if (!form)
		return fail(err, -ENOMEM, "out of memory");
	ret = api_token(c, form, access_token, new_refresh_token, expires_in, err);
	wipe_free(form);
	return ret;
}

/* ---- reads ----------------------------------------------------------------------- */

int api_user_self(struct api_client *c, struct api_user *out, struct api_error *err)
{
	return api_read(c, false, A_USER, out, sizeof(*out), err,
			"/iam/choerodon/v1/users/self");
}

int api_project_list(struct api_client *c, const char *user_id,
		     struct api_project_list *out, struct api_error *err)
{
	return api_read(c, false, A_PROJECTS, out, sizeof(*out), err,
			"/iam/choerodon/v1/users/%s/projects", user_id);
}

int api_env_list(struct api_client *c, const char *project_id,
		 struct api_env_list *out, struct api_error *err)
{
	return api_read(c, false, A_ENVS, out, sizeof(*out), err,
			"/devops/v1/projects/%s/envs/list_by_active?active=true", project_id);
}

int api_env_tree(struct api_client *c, const char *project_id,
		 struct api_env_list *out, struct api_error *err)
{
	return api_read(c, false, A_ENVS, out, sizeof(*out), err,
			"/devops/v1/projects/%s/envs/resource_tree_menu", project_id);
}

int api_instance_list(struct api_client *c, const char *project_id, const char *env_id,
		      struct api_instance_list *out, struct api_error *err)
{
	return api_read(c, true, A_INSTANCES, out, sizeof(*out), err,
			INSTANCES "/info/page_by_options?env_id=%s", project_id, env_id);
}

int api_instance_get(struct api_client *c, const char *project_id, const char *instance_id,
		     struct api_instance *out, struct api_error *err)
{
	return api_read(c, false, A_INSTANCE, out, sizeof(*out), err,
			INSTANCES "/%s", project_id, instance_id);
}

int api_instance_resources(struct api_client *c, const char *project_id,
			   const char *instance_id, struct api_resources *out,
			   struct api_error *err)
{
	return api_read(c, false, A_RESOURCES, out, sizeof(*out), err,
			INSTANCES "/%s/resources", project_id, instance_id);
}

int api_deployment_detail_json(struct api_client *c, const char *project_id,
			       const char *instance_id, const char *deployment,
			       json_t **detail, struct api_error *err)
{
	return api_read(c, false, A_DETAIL_JSON, detail, sizeof(*detail), err,
			INSTANCES "/%s/deployment_detail_json?deployment_name=%s",
			project_id, instance_id, deployment);
}

int api_deployment_detail_yaml(struct api_client *c, const char *project_id,
			       const char *instance_id, const char *deployment,
			       char **yaml, struct api_error *err)
{
	return api_read(c, false, A_DETAIL_YAML, yaml, sizeof(*yaml), err,
			INSTANCES "/%s/deployment_detail_yaml?deployment_name=%s",
			project_id, instance_id, deployment);
}

int api_instance_events(struct api_client *c, const char *project_id,
			const char *instance_id, struct api_event_list *out,
			struct api_error *err)
{
	return api_read(c, false, A_EVENTS, out, sizeof(*out), err,
			INSTANCES "/%s/events", project_id, instance_id);
}

int api_instance_values(struct api_client *c, const char *project_id,
			const char *instance_id, char **yaml, struct api_error *err)
{
	return api_read(c, false, A_VALUES, yaml, sizeof(*yaml), err,
			INSTANCES "/%s/values", project_id, instance_id);
}

int api_upgrade_values(struct api_client *c, const char *project_id,
		       const char *instance_id, const char *version_id,
		       char **yaml, struct api_error *err)
{
	return api_read(c, false, A_VALUES, yaml, sizeof(*yaml), err,
			INSTANCES "/%s/appServiceVersion/%s/upgrade_value",
			project_id, instance_id, version_id);
}

int api_version_list(struct api_client *c, const char *project_id,
		     const char *app_service_id, struct api_version_list *out,
		     struct api_error *err)
{
	return api_read(c, true, A_VERSIONS, out, sizeof(*out), err,
			"/devops/v1/projects/%s/app_service_versions/page_by_options"
			"?app_service_id=%s&deploy_only=true&do_page=true",
			project_id, app_service_id);
}

int api_upgrade_versions(struct api_client *c, const char *project_id,
			 const char *version_id, struct api_version_list *out,
			 struct api_error *err)
{
	return api_read(c, false, A_VERSIONS, out, sizeof(*out), err,
			"/devops/v1/projects/%s/app_service_versions/version/%s/upgrade_version",
			project_id, version_id);
}

/* ---- operations ---------------------------------------------------------------- */

int api_instance_update(struct api_client *c, const char *project_id,
			const struct api_instance *inst, const char *env_id,
			const char *version_id, const char *values,
			struct api_error *err)
{
	const char *env = inst->environment_id && *inst->environment_id ?
			  inst->environment_id : env_id;
	struct api_error scratch;
	json_error_t jerr;
	char *body;
	json_t *j;
	int ret;

	err = err_init(err, &scratch);
	if (!env || !*env || !inst->id || !inst->app_service_id || !version_id || !values)
		return fail(err, -EINVAL, "update needs the instance, environment, "
			    "app service, version and values");
	j = json_pack_ex(&jerr, 0, "{s:s, s:s, s:s, s:s, s:s, s:s}",
			 "instanceId", inst->id, "environmentId", env,
			 "appServiceId", inst->app_service_id,
			 "appServiceVersionId", version_id, "values", values,
			 "type", "update");
	if (!j) {
		snprintf(err->message, sizeof(err->message), "cannot encode: %s", jerr.text);
		return -EINVAL;
	}
	body = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (!body)
		return fail(err, -ENOMEM, "out of memory");
	ret = api_operation(c, "PUT", body, err, INSTANCES, project_id);
	free(body);
	return ret;
}

int api_instance_redeploy(struct api_client *c, const char *project_id,
			  const char *instance_id, struct api_error *err)
{
	return api_operation(c, "PUT", NULL, err, INSTANCES "/%s/restart",
			     project_id, instance_id);
}

int api_instance_stop(struct api_client *c, const char *project_id,
		      const char *instance_id, struct api_error *err)
{
	return api_operation(c, "PUT", NULL, err, INSTANCES "/%s/stop",
			     project_id, instance_id);
}

int api_instance_start(struct api_client *c, const char *project_id,
		       const char *instance_id, struct api_error *err)
{
	return api_operation(c, "PUT", NULL, err, INSTANCES "/%s/start",
			     project_id, instance_id);
}

int api_instance_delete(struct api_client *c, const char *project_id,
			const char *instance_id, struct api_error *err)
{
	return api_operation(c, "DELETE", NULL, err, INSTANCES "/%s/delete",
			     project_id, instance_id);
}
