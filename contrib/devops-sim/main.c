/* main.c — c7n-devops-sim: command line, libmicrohttpd glue, routing, OAuth tokens,
 * request statistics, fault injection and the /_sim control API. See docs/emulator.md. */
#include "api.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

extern const unsigned char c7n_demo_data[];
extern const size_t c7n_demo_data_len;

sim_config g_cfg = {1500, 7200, false, NULL, 0, 0, 0};

static atomic_int g_stopping;

/* the model, under g_model_mu */
static pthread_mutex_t g_model_mu = PTHREAD_MUTEX_INITIALIZER;
static model_t *g_model;
static char *g_data_text; /* source of the model (for /_sim/reset) */
static size_t g_data_len;

/* -------------------------------------------------------------- tokens */

typedef struct token {
	char *login;
	int64_t expires_ms; /* 0 = never */
	bool refresh;
} token_t;

static pthread_mutex_t g_tok_mu = PTHREAD_MUTEX_INITIALIZER;
static smap g_tokens;
static uint64_t g_tok_counter;

static char *new_token_string(void)
{
	uint64_t a = mix64(++g_tok_counter ^ ((uint64_t)now_ms() << 20) ^ (uint64_t)getpid());
	uint64_t b = mix64(a ^ 0x243f6a8885a308d3ULL);
	return xasprintf("%08x-%04x-4%03x-%04x-%012llx", (unsigned)(a >> 32), (unsigned)(a >> 16) & 0xffff,
			 (unsigned)a & 0xfff, (unsigned)((b >> 48) & 0x3fff) | 0x8000,
			 (unsigned long long)(b & 0xffffffffffffULL));
}

static void token_put(const char *tok, const char *login, int64_t expires, bool refresh)
{
	token_t *t = xcalloc(1, sizeof *t);
	t->login = xstrdup(login);
	t->expires_ms = expires;
	t->refresh = refresh;
	token_t *old = smap_get(&g_tokens, tok);
	if (old) {
		free(old->login);
		free(old);
	}
	smap_put(&g_tokens, tok, t);
}

/* Issues an access token (and a refresh token unless one is reused). */
static json_t *issue_token(const char *login, int64_t ttl_ms, const char *reuse_refresh)
{
	pthread_mutex_lock(&g_tok_mu);
	char *access = new_token_string();
	char *refresh = reuse_refresh ? xstrdup(reuse_refresh) : new_token_string();
	token_put(access, login, now_ms() + ttl_ms, false);
	if (!reuse_refresh)
		token_put(refresh, login, 0, true);
	pthread_mutex_unlock(&g_tok_mu);
	json_t *o = json_pack("{s:s,s:s,s:s,s:I,s:s}", "access_token", access, "token_type", "bearer",
			      "refresh_token", refresh, "expires_in", (json_int_t)((ttl_ms + 999) / 1000),
			      "scope", "default");
	free(access);
	free(refresh);
	return o;
}

/* Looks an issued token up: 1 valid (login copied), -1 expired, 0 unknown. */
static int token_lookup(const char *tok, bool refresh, char **login)
{
	int rc = 0;
	pthread_mutex_lock(&g_tok_mu);
	token_t *t = smap_get(&g_tokens, tok);
	if (t && t->refresh == refresh) {
		if (t->expires_ms && t->expires_ms <= now_ms()) {
			rc = -1;
		} else {
			rc = 1;
			*login = xstrdup(t->login);
		}
	}
	pthread_mutex_unlock(&g_tok_mu);
	return rc;
}

static void tokens_free(void)
{
	for (size_t k = 0; k < g_tokens.cap; k++) {
		token_t *t = g_tokens.vals ? g_tokens.vals[k] : NULL;
		if (t) {
			free(t->login);
			free(t);
		}
	}
	smap_free(&g_tokens);
}

/* --------------------------------------------------------------- stats */

static pthread_mutex_t g_stats_mu = PTHREAD_MUTEX_INITIALIZER;
static json_t *g_stats;
static int64_t g_stats_total;

static void stats_count(const char *method, const char *key)
{
	char *k = xasprintf("%s %s", method, key);
	pthread_mutex_lock(&g_stats_mu);
	json_t *v = json_object_get(g_stats, k);
	json_object_set_new(g_stats, k, json_integer(v ? json_integer_value(v) + 1 : 1));
	g_stats_total++;
	pthread_mutex_unlock(&g_stats_mu);
	free(k);
}

/* -------------------------------------------------------------- faults */

typedef struct faults {
	int64_t latency_ms, jitter_ms;
	double error_rate;
	int error_status;
	bool down, malformed;
} faults_t;

static pthread_mutex_t g_faults_mu = PTHREAD_MUTEX_INITIALIZER;
static faults_t g_faults = {0, 0, 0.0, 503, false, false};
static uint64_t g_rng = 0x9e3779b97f4a7c15ULL;

static uint64_t rng_next(void) /* xorshift64*, under g_faults_mu */
{
	g_rng ^= g_rng >> 12;
	g_rng ^= g_rng << 25;
	g_rng ^= g_rng >> 27;
	return g_rng * 0x2545f4914f6cdd1dULL;
}

static json_t *faults_json(const faults_t *f)
{
	return json_pack("{s:I,s:I,s:f,s:i,s:b,s:b}", "latency_ms", (json_int_t)f->latency_ms,
			 "jitter_ms", (json_int_t)f->jitter_ms, "error_rate", f->error_rate,
			 "error_status", f->error_status, "down", f->down, "malformed", f->malformed);
}

static void faults_clear(void)
{
	faults_t z = {0, 0, 0.0, 503, false, false};
	g_faults = z;
	g_rng = 0x9e3779b97f4a7c15ULL;
}

static void sleep_ms(int64_t ms)
{
	while (ms > 0 && !atomic_load(&g_stopping)) {
		int64_t step = ms > 20 ? 20 : ms;
		struct timespec ts = {0, (long)step * 1000000L};
		nanosleep(&ts, NULL);
		ms -= step;
	}
}

/* -------------------------------------------------------------- routing */

enum { PUBLIC = 1 };

typedef struct route {
	const char *method, *tmpl;
	handler_fn fn;
	int flags;
} route_t;

static resp_t h_token(req_t *r);

#define INS "/devops/v1/projects/{p}/app_service_instances"
static const route_t routes[] = {
	{"POST", "/oauth/oauth/token", h_token, PUBLIC},
	{"GET", "/iam/choerodon/v1/users/self", h_self, 0},
	{"GET", "/iam/hzero/v1/users/self", h_self, 0},
	{"GET", "/iam/choerodon/v1/users/self-tenants", h_tenants, 0},
	{"GET", "/iam/choerodon/v1/users/{userId}/projects", h_user_projects, 0},
	{"GET", "/iam/choerodon/v1/organizations/{orgId}/users/{userId}/projects/paging", h_org_user_projects_paging, 0},
	{"GET", "/iam/choerodon/v1/organizations/{orgId}/users/{userId}/projects", h_org_user_projects, 0},
	{"GET", "/devops/v1/projects/{p}/envs/list_by_active", h_env_list, 0},
	{"GET", "/devops/v1/projects/{p}/envs/resource_tree_menu", h_env_tree, 0},
	{"GET", "/devops/v1/projects/{p}/envs/ins_tree_menu", h_env_ins_tree, 0},
	{"GET", "/devops/v1/projects/{p}/envs/{e}/info", h_env_info, 0},
	{"GET", "/devops/v1/projects/{p}/envs/{e}/check", h_env_check, 0},
	{"POST", INS "/info/page_by_options", h_inst_page, 0},
	{"GET", INS "/deploy_value", h_deploy_value, 0},
	{"POST", INS "/value_format", h_value_format, 0},
	{"PUT", INS, h_update, 0},
	{"GET", INS "/{i}", h_inst_info, 0},
	{"GET", INS "/{i}/resources", h_resources, 0},
	{"GET", INS "/{i}/deployment_detail_json", h_detail_json, 0},
	{"GET", INS "/{i}/deployment_detail_yaml", h_detail_yaml, 0},
	{"GET", INS "/{i}/events", h_events, 0},
	{"GET", INS "/{i}/values", h_values, 0},
	{"GET", INS "/{i}/last_deploy_value", h_values, 0},
	{"GET", INS "/{i}/appServiceVersion/{v}/upgrade_value", h_upgrade_value, 0},
	{"PUT", INS "/{i}/restart", h_redeploy, 0},
	{"PUT", INS "/{i}/stop", h_stop, 0},
	{"PUT", INS "/{i}/start", h_start, 0},
	{"DELETE", INS "/{i}/delete", h_delete, 0},
	{"POST", "/devops/v1/projects/{p}/pods/page_by_options", h_pods, 0},
	{"POST", "/devops/v1/projects/{p}/app_service_versions/page_by_options", h_versions, 0},
	{"GET", "/devops/v1/projects/{p}/app_service_versions/version/{v}/upgrade_version", h_upgrade_versions, 0},
};
#define NROUTES (sizeof routes / sizeof *routes)

#define MAXSEG 16

static int split_path(char *buf, char **segs)
{
	int n = 0;
	char *save = NULL;
	for (char *s = strtok_r(buf, "/", &save); s; s = strtok_r(NULL, "/", &save)) {
		if (n == MAXSEG)
			return -1;
		segs[n++] = s;
	}
	return n;
}

typedef struct captures {
	char *p, *e, *i, *v, *user_id, *org_id;
} captures;

/* Matches path against tmpl; captures point into pbuf (a writable copy of path). */
static bool match(const char *tmpl, char **psegs, int pn, captures *cap)
{
	char tbuf[256];
	snprintf(tbuf, sizeof tbuf, "%s", tmpl);
	char *tsegs[MAXSEG];
	int tn = split_path(tbuf, tsegs);
	if (tn != pn)
		return false;
	captures c;
	memset(&c, 0, sizeof c);
	for (int k = 0; k < tn; k++) {
		const char *t = tsegs[k];
		if (t[0] == '{') {
			if (strcmp(t, "{p}") == 0) c.p = psegs[k];
			else if (strcmp(t, "{e}") == 0) c.e = psegs[k];
			else if (strcmp(t, "{i}") == 0) c.i = psegs[k];
			else if (strcmp(t, "{v}") == 0) c.v = psegs[k];
			else if (strcmp(t, "{userId}") == 0) c.user_id = psegs[k];
			else if (strcmp(t, "{orgId}") == 0) c.org_id = psegs[k];
		} else if (strcmp(t, psegs[k]) != 0) {
			return false;
		}
	}
	*cap = c;
	return true;
}

/* ------------------------------------------------------------ responses */

typedef struct conn_ctx {
	strbuf body;
	bool too_big;
	int64_t t0;
} conn_ctx;

static enum MHD_Result send_body(struct MHD_Connection *conn, int status, char *body, size_t len,
				 const char *ctype, const char *www_auth)
{
	struct MHD_Response *res = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!res) {
		free(body);
		return MHD_NO;
	}
	if (ctype)
		MHD_add_response_header(res, "Content-Type", ctype);
	if (www_auth)
		MHD_add_response_header(res, "WWW-Authenticate", www_auth);
	enum MHD_Result rc = MHD_queue_response(conn, (unsigned)status, res);
	MHD_destroy_response(res);
	return rc;
}

#define JSON_CT "application/json;charset=UTF-8"

static char *dump(json_t *j, size_t *len)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
	if (!s)
		s = xstrdup("null");
	*len = strlen(s);
	return s;
}

/* "malformed" fault: cut a JSON body in half, on a UTF-8 character boundary. */
static size_t truncated_len(const char *s, size_t len)
{
	if (len <= 1)
		return len;
	size_t n = len / 2;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return n;
}

static enum MHD_Result send_json(struct MHD_Connection *conn, int status, json_t *j, bool malformed,
				 const char *www_auth)
{
	size_t len;
	char *s = dump(j, &len);
	json_decref(j);
	if (malformed)
		len = truncated_len(s, len);
	return send_body(conn, status, s, len, JSON_CT, www_auth);
}

static void vlog(const char *method, const char *url, int status, int64_t t0)
{
	if (g_cfg.verbose)
		fprintf(stderr, "%s %s -> %d (%lld ms)\n", method, url, status, (long long)(now_ms() - t0));
}

/* ----------------------------------------------------------- form bodies */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static char *url_decode(const char *s, size_t n)
{
	char *o = xmalloc(n + 1);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+') {
			o[k++] = ' ';
		} else if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
			o[k++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else {
			o[k++] = s[i];
		}
	}
	o[k] = 0;
	return o;
}

/* Value of a form field in body (malloc'd) or from the query string. */
static char *form_field(req_t *r, const char *name)
{
	const char *b = r->body ? r->body : "";
	size_t n = r->body_len, nl = strlen(name);
	size_t i = 0;
	while (i < n) {
		size_t j = i;
		while (j < n && b[j] != '&')
			j++;
		if (j - i > nl && strncmp(b + i, name, nl) == 0 && b[i + nl] == '=')
			return url_decode(b + i + nl + 1, j - i - nl - 1);
		i = j + 1;
	}
	const char *q = qarg(r, name);
	return q ? xstrdup(q) : NULL;
}

static resp_t oauth_error(int status, const char *err, const char *desc)
{
	return resp_json(status, json_pack("{s:s,s:s}", "error", err, "error_description", desc));
}

/* A1: POST /oauth/oauth/token (password and refresh_token grants). */
static resp_t h_token(req_t *r)
{
	char *grant = form_field(r, "grant_type");
	resp_t x;
	if (!grant) {
		x = oauth_error(400, "invalid_request", "Missing grant type");
	} else if (strcmp(grant, "password") == 0) {
		char *user = form_field(r, "username"), *pass = form_field(r, "password");
		user_t *u = model_user_by_login(r->m, user);
		if (!u || !pass || strcmp(pass, u->login) != 0)
			x = oauth_error(400, "invalid_grant", "Bad credentials");
		else
			x = resp_json(200, issue_token(u->login, g_cfg.token_ttl_s * 1000, NULL));
		free(user);
		free(pass);
	} else if (strcmp(grant, "refresh_token") == 0) {
		char *rt = form_field(r, "refresh_token"), *login = NULL;
		if (rt && token_lookup(rt, true, &login) == 1 && model_user_by_login(r->m, login))
			x = resp_json(200, issue_token(login, g_cfg.token_ttl_s * 1000, rt));
		else
			x = oauth_error(400, "invalid_grant", "Invalid refresh token");
		free(rt);
		free(login);
	} else {
		char *d = xasprintf("Unsupported grant type: %s", grant);
		x = oauth_error(400, "unsupported_grant_type", d);
		free(d);
	}
	free(grant);
	return x;
}

/* ----------------------------------------------------------- /_sim/ API */

static model_t *build_model(char **err)
{
	if (g_cfg.gen_p > 0)
		return model_generate(g_cfg.gen_p, g_cfg.gen_e, g_cfg.gen_i);
	return model_load(g_data_text, g_data_len, err);
}

static enum MHD_Result sim_control(struct MHD_Connection *conn, const char *method, const char *url,
				   conn_ctx *cx)
{
	json_t *body = cx->body.len ? json_loadb(cx->body.s, cx->body.len, 0, NULL) : NULL;
	json_t *out = NULL;
	int status = 200;
	if (strcmp(url, "/_sim/stats") == 0 && strcmp(method, "GET") == 0) {
		pthread_mutex_lock(&g_stats_mu);
		out = json_pack("{s:I,s:O}", "total", (json_int_t)g_stats_total, "requests", g_stats);
		pthread_mutex_unlock(&g_stats_mu);
		/* deep copy so the answer does not share the live object */
		json_t *copy = json_deep_copy(out);
		json_decref(out);
		out = copy;
	} else if (strcmp(url, "/_sim/faults") == 0 && strcmp(method, "POST") == 0) {
		pthread_mutex_lock(&g_faults_mu);
		if (json_is_true(json_object_get(body, "clear")))
			faults_clear();
		json_t *v;
		if ((v = json_object_get(body, "latency_ms")) && json_is_number(v))
			g_faults.latency_ms = (int64_t)json_number_value(v);
		if ((v = json_object_get(body, "jitter_ms")) && json_is_number(v))
			g_faults.jitter_ms = (int64_t)json_number_value(v);
		if ((v = json_object_get(body, "error_rate")) && json_is_number(v))
			g_faults.error_rate = json_number_value(v);
		if ((v = json_object_get(body, "error_status")) && json_is_number(v))
			g_faults.error_status = (int)json_number_value(v);
		if ((v = json_object_get(body, "down")) && json_is_boolean(v))
			g_faults.down = json_is_true(v);
		if ((v = json_object_get(body, "malformed")) && json_is_boolean(v))
			g_faults.malformed = json_is_true(v);
		if (g_faults.error_status < 100 || g_faults.error_status > 599)
			g_faults.error_status = 503;
		out = faults_json(&g_faults);
		pthread_mutex_unlock(&g_faults_mu);
	} else if (strcmp(url, "/_sim/faults") == 0 && strcmp(method, "GET") == 0) {
		pthread_mutex_lock(&g_faults_mu);
		out = faults_json(&g_faults);
		pthread_mutex_unlock(&g_faults_mu);
	} else if (strcmp(url, "/_sim/reset") == 0 && strcmp(method, "POST") == 0) {
		char *err = NULL;
		model_t *m = build_model(&err);
		if (!m) {
			status = 500;
			out = json_pack("{s:s}", "error", err ? err : "cannot reload data");
			free(err);
		} else {
			pthread_mutex_lock(&g_model_mu);
			model_t *old = g_model;
			g_model = m;
			pthread_mutex_unlock(&g_model_mu);
			model_free(old);
			pthread_mutex_lock(&g_faults_mu);
			faults_clear();
			pthread_mutex_unlock(&g_faults_mu);
			pthread_mutex_lock(&g_stats_mu);
			json_object_clear(g_stats);
			g_stats_total = 0;
			pthread_mutex_unlock(&g_stats_mu);
			out = json_pack("{s:b}", "reset", 1);
		}
	} else if (strcmp(url, "/_sim/advance") == 0 && strcmp(method, "POST") == 0) {
		pthread_mutex_lock(&g_model_mu);
		int n = ops_process_due(g_model, now_ms(), true);
		pthread_mutex_unlock(&g_model_mu);
		out = json_pack("{s:i}", "completed", n);
	} else if (strcmp(url, "/_sim/tokens") == 0 && strcmp(method, "POST") == 0) {
		const char *login = json_string_value(json_object_get(body, "user"));
		json_t *ttl = json_object_get(body, "ttl_ms");
		pthread_mutex_lock(&g_model_mu);
		bool known = login && model_user_by_login(g_model, login);
		pthread_mutex_unlock(&g_model_mu);
		if (!known) {
			status = 400;
			out = json_pack("{s:s}", "error", "unknown user");
		} else {
			int64_t ms = json_is_number(ttl) ? (int64_t)json_number_value(ttl) : g_cfg.token_ttl_s * 1000;
			out = issue_token(login, ms, NULL);
		}
	} else {
		status = 404;
		out = json_pack("{s:s}", "error", "unknown control endpoint");
	}
	json_decref(body);
	vlog(method, url, status, cx->t0);
	return send_json(conn, status, out, false, NULL);
}

/* ------------------------------------------------------------ requests */

static const char *bearer_token(struct MHD_Connection *conn)
{
	const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
	if (h) {
		if (strncasecmp(h, "bearer ", 7) == 0) {
			h += 7;
			while (*h == ' ')
				h++;
			return *h ? h : NULL;
		}
		return NULL;
	}
	return MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "access_token");
}

static json_t *failed_body(const char *code, const char *msg)
{
	return json_pack("{s:b,s:s,s:s}", "failed", 1, "code", code, "message", msg);
}

static enum MHD_Result handle(struct MHD_Connection *conn, const char *url, const char *method,
			      conn_ctx *cx)
{
	if (strncmp(url, "/_sim/", 6) == 0)
		return sim_control(conn, method, url, cx);

	/* route */
	char pbuf[1024];
	size_t ulen = strlen(url);
	char *psegs[MAXSEG];
	int pn = -1;
	if (ulen < sizeof pbuf) {
		memcpy(pbuf, url, ulen + 1);
		pn = split_path(pbuf, psegs);
	}
	const route_t *rt = NULL;
	bool path_known = false;
	captures cap;
	memset(&cap, 0, sizeof cap);
	for (size_t k = 0; pn >= 0 && k < NROUTES; k++) {
		captures c;
		if (!match(routes[k].tmpl, psegs, pn, &c))
			continue;
		if (!path_known)
			cap = c;
		path_known = true;
		if (strcmp(routes[k].method, method) == 0) {
			rt = &routes[k];
			cap = c;
			break;
		}
	}
	stats_count(method, rt ? rt->tmpl : url);

	/* faults */
	pthread_mutex_lock(&g_faults_mu);
	faults_t f = g_faults;
	int64_t jitter = f.jitter_ms > 0 ? (int64_t)(rng_next() % (uint64_t)(f.jitter_ms + 1)) : 0;
	bool inject = f.error_rate > 0 && (double)(rng_next() >> 11) / 9007199254740992.0 < f.error_rate;
	pthread_mutex_unlock(&g_faults_mu);
	if (f.down) {
		vlog(method, url, 0, cx->t0);
		return MHD_NO; /* connection closed without an answer */
	}
	if (f.latency_ms > 0 || jitter > 0)
		sleep_ms(f.latency_ms + jitter);
	if (inject) {
		char ts[40];
		fmt_iso_ms(now_ms(), ts);
		const char *reason = MHD_get_reason_phrase_for((unsigned)f.error_status);
		json_t *j = json_pack("{s:s,s:s,s:i,s:s,s:s}", "timestamp", ts, "path", url, "status",
				      f.error_status, "error", reason && *reason ? reason : "Error", "message",
				      "fault injected by c7n-devops-sim");
		vlog(method, url, f.error_status, cx->t0);
		return send_json(conn, f.error_status, j, f.malformed, NULL);
	}
	if (!rt) {
		char ts[40];
		fmt_iso_ms(now_ms(), ts);
		int st = path_known ? 405 : 404;
		json_t *j = json_pack("{s:s,s:s,s:i,s:s,s:s}", "timestamp", ts, "path", url, "status", st,
				      "error", st == 404 ? "Not Found" : "Method Not Allowed", "message",
				      st == 404 ? "No handler found" : "Request method not supported");
		vlog(method, url, st, cx->t0);
		return send_json(conn, st, j, f.malformed, NULL);
	}

	/* authentication: issued tokens (may expire) */
	char *login = NULL;
	const char *tok = NULL;
	int tstate = 0;
	if (!(rt->flags & PUBLIC)) {
		tok = bearer_token(conn);
		if (tok)
			tstate = token_lookup(tok, false, &login);
		if (tstate < 0) {
			vlog(method, url, 403, cx->t0);
			return send_json(conn, 403, failed_body("error.permission.accessTokenExpired",
								"access token expired"), f.malformed, NULL);
		}
	}

	req_t r;
	memset(&r, 0, sizeof r);
	r.conn = conn;
	r.method = method;
	r.path = url;
	r.body = cx->body.s;
	r.body_len = cx->body.len;
	r.e = cap.e;
	r.i = cap.i;
	r.v = cap.v;
	r.user_id = cap.user_id;
	r.org_id = cap.org_id;

	pthread_mutex_lock(&g_model_mu);
	r.m = g_model;
	r.now = now_ms();
	ops_process_due(r.m, r.now, false);
	int status;
	json_t *out = NULL;
	bool empty = false;
	const char *www = NULL;
	if (!(rt->flags & PUBLIC)) {
		r.user = login ? model_user_by_login(r.m, login) : model_user_by_token(r.m, tok);
		if (!r.user) {
			status = 401;
			out = json_pack("{s:s,s:s,s:b,s:s,s:s}", "error", tok ? "invalid_token" : "unauthorized",
					"error_description", tok ? "Invalid access token"
							      : "Full authentication is required to access this resource",
					"failed", 1, "code", tok ? "error.permission.accessTokenInvalid"
								 : "error.permission.accessTokenNull",
					"message", tok ? "invalid access token" : "access token is required");
			www = "Bearer realm=\"oauth2-resource\", error=\"invalid_token\"";
			goto done;
		}
	}
	if (cap.p) {
		char *end;
		long long pid = strtoll(cap.p, &end, 10);
		r.project = *end ? NULL : model_project(r.m, pid);
		if (!r.project || !project_is_member(r.project, r.user)) {
			status = 403;
			out = failed_body("error.permission.mismatch",
					  "the user is not a member of this project (no permission)");
			goto done;
		}
	}
	{
		resp_t x = rt->fn(&r);
		status = x.status;
		out = x.json;
		empty = x.empty;
	}
done:;
	size_t len = 0;
	char *body = NULL;
	if (!empty && out)
		body = dump(out, &len);
	json_decref(out);
	pthread_mutex_unlock(&g_model_mu);
	free(login);
	vlog(method, url, status, cx->t0);
	if (!body)
		return send_body(conn, status, xstrdup(""), 0, NULL, www);
	if (f.malformed)
		len = truncated_len(body, len);
	return send_body(conn, status, body, len, JSON_CT, www);
}

#define MAX_BODY (8u << 20)

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	(void)cls;
	(void)version;
	conn_ctx *cx = *con_cls;
	if (!cx) {
		cx = xcalloc(1, sizeof *cx);
		sb_init(&cx->body);
		cx->t0 = now_ms();
		*con_cls = cx;
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (cx->body.len + *upload_data_size > MAX_BODY)
			cx->too_big = true;
		else
			sb_addn(&cx->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (cx->too_big)
		return send_json(conn, 413, json_pack("{s:s}", "error", "request body too large"), false, NULL);
	return handle(conn, url, method, cx);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	(void)toe;
	conn_ctx *cx = *con_cls;
	if (cx) {
		sb_free(&cx->body);
		free(cx);
		*con_cls = NULL;
	}
}

/* ------------------------------------------------------------------ main */

static void usage(FILE *f)
{
	fputs("usage: c7n-devops-sim --listen HOST:PORT [--data FILE] [--generate P,E,I]\n"
	      "                      [--transition-ms N] [--token-ttl SECONDS] [-v]\n"
	      "\n"
	      "An emulator of the Choerodon devops-service 2.0.x API (see docs/emulator.md).\n"
	      "  --listen HOST:PORT   address to listen on; port 0 picks a free port\n"
	      "  --data FILE          load FILE (YAML, schema in docs/emulator.md) instead of the demo data\n"
	      "  --generate P,E,I     synthetic data: P projects x E envs x I instances per env\n"
	      "  --transition-ms N    time until an operation completes (default 1500, 0 = at once)\n"
	      "  --token-ttl SECONDS  lifetime of tokens issued by /oauth/oauth/token (default 7200)\n"
	      "  -v                   log every request to stderr\n", f);
}

static char *read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	strbuf b;
	sb_init(&b);
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
		sb_addn(&b, buf, n);
	fclose(fp);
	*len = b.len;
	return sb_steal(&b);
}

int main(int argc, char **argv)
{
	const char *listen = "127.0.0.1:8060";
	static const struct option opts[] = {
		{"listen", required_argument, NULL, 'l'},
		{"data", required_argument, NULL, 'd'},
		{"generate", required_argument, NULL, 'g'},
		{"transition-ms", required_argument, NULL, 't'},
		{"token-ttl", required_argument, NULL, 'T'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
		switch (c) {
		case 'l': listen = optarg; break;
		case 'd': g_cfg.data_file = optarg; break;
		case 'g':
			if (sscanf(optarg, "%d,%d,%d", &g_cfg.gen_p, &g_cfg.gen_e, &g_cfg.gen_i) != 3 ||
			    g_cfg.gen_p <= 0 || g_cfg.gen_e <= 0 || g_cfg.gen_i < 0) {
				fprintf(stderr, "c7n-devops-sim: --generate expects P,E,I (e.g. 1,20,50)\n");
				return 2;
			}
			break;
		case 't': g_cfg.transition_ms = atoll(optarg); break;
		case 'T': g_cfg.token_ttl_s = atoll(optarg); break;
		case 'v': g_cfg.verbose = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	if (g_cfg.transition_ms < 0)
		g_cfg.transition_ms = 0;
	if (g_cfg.token_ttl_s <= 0)
		g_cfg.token_ttl_s = 7200;

	/* address */
	char host[256];
	const char *colon = strrchr(listen, ':');
	if (!colon || (size_t)(colon - listen) >= sizeof host) {
		fprintf(stderr, "c7n-devops-sim: --listen expects HOST:PORT\n");
		return 2;
	}
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = 0;
	int port = atoi(colon + 1);
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (!*host || strcmp(host, "localhost") == 0)
		snprintf(host, sizeof host, "127.0.0.1");
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		fprintf(stderr, "c7n-devops-sim: bad listen address %s\n", host);
		return 2;
	}

	/* data */
	if (g_cfg.data_file) {
		g_data_text = read_file(g_cfg.data_file, &g_data_len);
		if (!g_data_text) {
			fprintf(stderr, "c7n-devops-sim: cannot read %s: %s\n", g_cfg.data_file, strerror(errno));
			return 2;
		}
	} else {
		g_data_text = xstrndup((const char *)c7n_demo_data, c7n_demo_data_len);
		g_data_len = c7n_demo_data_len;
	}
	char *err = NULL;
	g_model = build_model(&err);
	if (!g_model) {
		fprintf(stderr, "c7n-devops-sim: %s\n", err ? err : "cannot load data");
		free(err);
		free(g_data_text);
		return 2;
	}
	json_object_seed(0); /* before any thread creates objects */
	g_stats = json_object();
	smap_init(&g_tokens);

	/* signals: handled by sigwait in this thread only */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct MHD_Daemon *d = MHD_start_daemon(
		MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ITC |
			(g_cfg.verbose ? MHD_USE_ERROR_LOG : 0),
		0, NULL, NULL, on_request, NULL,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)2000,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
		MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024,
		MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "c7n-devops-sim: cannot listen on %s\n", listen);
		model_free(g_model);
		free(g_data_text);
		json_decref(g_stats);
		return 1;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_LISTEN_FD);
	struct sockaddr_in bound;
	socklen_t bl = sizeof bound;
	if (info && getsockname(info->listen_fd, (struct sockaddr *)&bound, &bl) == 0)
		port = ntohs(bound.sin_port);
	printf("listening on http://%s:%d\n", strcmp(host, "0.0.0.0") == 0 ? "127.0.0.1" : host, port);
	fflush(stdout);

	int sig = 0;
	sigwait(&set, &sig);
	atomic_store(&g_stopping, 1);
	if (g_cfg.verbose)
		fprintf(stderr, "c7n-devops-sim: signal %d, shutting down\n", sig);
	MHD_stop_daemon(d);

	model_free(g_model);
	free(g_data_text);
	json_decref(g_stats);
	tokens_free();
	return 0;
}
