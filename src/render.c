/*
 * render.c — the text primitives every renderer shares (width, tables, key:
 * value lines, ages, names, JSON) and the per-instance views: status,
 * status.json, env, instances, versions, control. See include/render.h and
 * docs/layout.md for the formats.
 *
 * Cells and values are appended straight into the output buffer and fixed up
 * in place (control characters, trailing blanks, "<none>"), so there is no
 * scratch allocation whose failure would need reporting separately: every
 * error ends up in the caller's sbuf.
 */
#include "render.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define NAME_MAX_BYTES 200
#define TABLE_GAP 3


/* ---- text primitives ------------------------------------------------------ */

static bool is_wide(uint32_t c)
{
	return (c >= 0x1100 && c <= 0x115f) ||
	       (c >= 0x2e80 && c <= 0xa4cf && c != 0x303f) ||
	       (c >= 0xac00 && c <= 0xd7a3) ||
	       (c >= 0xf900 && c <= 0xfaff) ||
	       (c >= 0xfe30 && c <= 0xfe4f) ||
	       (c >= 0xff00 && c <= 0xff60) ||
	       (c >= 0xffe0 && c <= 0xffe6) ||
	       (c >= 0x20000 && c <= 0x3fffd);
}

/* Length of the UTF-8 sequence at s (n > 0 bytes left) and its code point;
 * 1 and U+FFFD for an invalid or truncated sequence. */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len, i;
	uint32_t c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		c = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		c = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		c = s[0] & 0x07;
	} else {
		goto invalid;
	}
	if (len > n)
		goto invalid;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			goto invalid;
		c = (c << 6) | (s[i] & 0x3f);
	}
	*cp = c;
	return len;
invalid:
	*cp = 0xfffd;
	return 1;
}

size_t render_text_width(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t width = 0, n;
	uint32_t cp;

	while (len) {
		n = utf8_next(p, len, &cp);
		width += is_wide(cp) ? 2 : 1;
		p += n;
		len -= n;
	}
	return width;
}

static bool is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/* In place over the bytes appended since mark. */
static void replace_controls(struct sbuf *sb, size_t mark, char with)
{
	size_t i;

	for (i = mark; i < sb->len; i++)
		if (is_control((unsigned char)sb->buf[i]))
			sb->buf[i] = with;
}

static void trim_trailing_blanks(struct sbuf *sb, size_t mark)
{
	size_t len = sb->len;

	while (len > mark && sb->buf[len - 1] == ' ')
		len--;
	sbuf_setlen(sb, len);
}

void render_text(struct sbuf *sb, const char *s)
{
	size_t mark = sb->len;

	if (!s)
		return;
	sbuf_adds(sb, s);
	replace_controls(sb, mark, ' ');
}

size_t render_kv_begin(struct sbuf *sb, const char *key)
{
	size_t mark;

	sbuf_adds(sb, key);
	sbuf_addch(sb, ':');
	mark = sb->len;
	sbuf_addch(sb, ' ');
	return mark;
}

void render_line_end(struct sbuf *sb, size_t mark)
{
	replace_controls(sb, mark, ' ');
	/* a value of blanks only leaves "key:", not "key: " */
	trim_trailing_blanks(sb, mark);
	sbuf_addch(sb, '\n');
}

void render_kv(struct sbuf *sb, const char *key, const char *value)
{
	size_t mark = render_kv_begin(sb, key);

	render_text(sb, value);
	render_line_end(sb, mark);
}

static void add_spaces(struct sbuf *sb, size_t n)
{
	sbuf_printf(sb, "%*s", (int)n, "");
}

/* Appends cell (row 0 = header) and returns its display width. */
static size_t table_cell(struct sbuf *sb, const struct render_table *t,
			 size_t row, size_t col)
{
	size_t mark = sb->len;

	if (row == 0)
		sbuf_adds(sb, t->header[col]);
	else
		t->cell(sb, t->ctx, row - 1, col);
	replace_controls(sb, mark, ' ');
	trim_trailing_blanks(sb, mark);
	if (sb->len == mark)
		sbuf_adds(sb, "<none>");
	return render_text_width(sb->buf + mark, sb->len - mark);
}

void render_table(struct sbuf *sb, const struct render_table *t)
{
	size_t width[RENDER_TABLE_MAX_COLS] = { 0 };
	size_t ncols = t->ncols < RENDER_TABLE_MAX_COLS ? t->ncols : RENDER_TABLE_MAX_COLS;
	size_t row, col, w, mark;

	for (row = 0; row <= t->nrows; row++) {
		for (col = 0; col < ncols; col++) {
			mark = sb->len;
			w = table_cell(sb, t, row, col);
			sbuf_setlen(sb, mark);
			if (w > width[col])
				width[col] = w;
		}
	}
	for (row = 0; row <= t->nrows; row++) {
		for (col = 0; col < ncols; col++) {
			w = table_cell(sb, t, row, col);
			if (col + 1 < ncols)
				add_spaces(sb, width[col] - w + TABLE_GAP);
		}
		sbuf_addch(sb, '\n');
	}
}

void render_state_label(struct sbuf *sb, enum c7_state s)
{
	sbuf_printf(sb, "%s (%s)", state_name_zh(s), state_gloss_en(s));
}

/* ---- time ------------------------------------------------------------------- */

/* Exactly n decimal digits; returns the rest of the text or NULL. */
static const char *parse_digits(const char *p, int n, int *out)
{
	int v = 0;

	for (; n; n--, p++) {
		if (*p < '0' || *p > '9')
			return NULL;
		v = v * 10 + (*p - '0');
	}
	*out = v;
	return p;
}

static const char *expect(const char *p, char c)
{
	return p && *p == c ? p + 1 : NULL;
}

/* "Z", "+hh:mm", "+hhmm" (seconds east of UTC in *off), or "" (local time). */
static int parse_zone(const char *p, bool *has_zone, long *off)
{
	int hh, mm, sign;

	*has_zone = *p != '\0';
	*off = 0;
	if (*p == 'Z')
		return p[1] ? -EINVAL : 0;
	if (*p != '+' && *p != '-')
		return *p ? -EINVAL : 0;
	sign = *p == '-' ? -1 : 1;
	p = parse_digits(p + 1, 2, &hh);
	if (p && *p == ':')
		p++;
	p = p ? parse_digits(p, 2, &mm) : NULL;
	if (!p || *p || hh > 23 || mm > 59)
		return -EINVAL;
	*off = sign * (hh * 3600L + mm * 60L);
	return 0;
}

int render_parse_time(const char *timestamp, time_t *out)
{
	struct tm tm = { 0 };
	const char *p = timestamp;
	bool iso, has_zone;
	long off;

	if (!p)
		return -EINVAL;
	p = expect(parse_digits(p, 4, &tm.tm_year), '-');
	p = p ? expect(parse_digits(p, 2, &tm.tm_mon), '-') : NULL;
	p = p ? parse_digits(p, 2, &tm.tm_mday) : NULL;
	if (!p || (*p != 'T' && *p != ' '))
		return -EINVAL;
	iso = *p == 'T';
	p = expect(parse_digits(p + 1, 2, &tm.tm_hour), ':');
	p = p ? expect(parse_digits(p, 2, &tm.tm_min), ':') : NULL;
	p = p ? parse_digits(p, 2, &tm.tm_sec) : NULL;
	if (!p)
		return -EINVAL;
	if (*p == '.' && p[1] >= '0' && p[1] <= '9')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	if (parse_zone(p, &has_zone, &off))
		return -EINVAL;
	if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
	    tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return -EINVAL;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	/* Java's "yyyy-MM-dd HH:mm:ss" is in the user's (local) zone; an ISO
	 * time without zone is taken as UTC, like Kubernetes writes them. */
	if (has_zone || iso) {
		*out = timegm(&tm) - off;
	} else {
		tm.tm_isdst = -1;
		*out = mktime(&tm);
	}
	return 0;
}

void render_age(struct sbuf *sb, const char *timestamp, time_t now)
{
	time_t t;
	long long d;

	if (render_parse_time(timestamp, &t)) {
		sbuf_adds(sb, "<unknown>");
		return;
	}
	/* a server clock ahead of ours must not print a negative age */
	d = now > t ? (long long)(now - t) : 0;
	if (d < 60)
		sbuf_printf(sb, "%llds", d);
	else if (d < 3600)
		sbuf_printf(sb, "%lldm", d / 60);
	else if (d < 86400)
		sbuf_printf(sb, "%lldh", d / 3600);
	else
		sbuf_printf(sb, "%lldd", d / 86400);
}

/* ---- names, journal, JSON ------------------------------------------------------ */

void render_sanitize_tail(struct sbuf *sb, size_t mark)
{
	size_t cut, i;
	char *s;

	if (sb->len - mark > NAME_MAX_BYTES) {
		/* never cut a UTF-8 sequence in half */
		cut = mark + NAME_MAX_BYTES;
		while (cut > mark && ((unsigned char)sb->buf[cut] & 0xc0) == 0x80)
			cut--;
		sbuf_setlen(sb, cut);
	}
	for (i = mark; i < sb->len; i++)
		if (sb->buf[i] == '/' || is_control((unsigned char)sb->buf[i]))
			sb->buf[i] = '_';
	s = sb->buf + mark;
	if (sb->len == mark)
		sbuf_addch(sb, '_');
	else if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		memset(s, '_', sb->len - mark);
}

void render_sanitize_name(struct sbuf *sb, const char *name)
{
	size_t mark = sb->len;

	sbuf_adds(sb, name ? name : "");
	render_sanitize_tail(sb, mark);
}

static int json_to_sbuf(const char *buf, size_t size, void *data)
{
	struct sbuf *sb = data;

	sbuf_add(sb, buf, size);
	return sbuf_error(sb) ? -1 : 0;
}

static void dump_json(struct sbuf *sb, const json_t *j, size_t flags)
{
	if (!j)
		sbuf_adds(sb, "null");
	else if (json_dump_callback(j, json_to_sbuf, sb,
				    flags | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY))
		sbuf_set_error(sb, -EINVAL);
}

void render_json(struct sbuf *sb, const json_t *j)
{
	dump_json(sb, j, JSON_INDENT(2));
	sbuf_addch(sb, '\n');
}

void render_json_compact(struct sbuf *sb, const json_t *j)
{
	dump_json(sb, j, JSON_COMPACT);
}

/* ---- instance views ---------------------------------------------------------------- */

const struct api_version *render_latest_version(const struct api_version_list *v)
{
	return v && v->n ? &v->v[0] : NULL;
}

/* By id when both sides have one, else by version text. */
static bool version_is_deployed(const struct api_version *v, const struct api_instance *inst)
{
	if (*v->id && *inst->app_service_version_id)
		return strcmp(v->id, inst->app_service_version_id) == 0;
	return strcmp(v->version, inst->version_name) == 0;
}

static bool env_may_deploy(const struct api_env *env)
{
	return env->permission || env->skip_check_permission;
}

void render_state_input(const struct render_instance *ri, struct state_input *out)
{
	const struct api_instance *inst = ri->inst;
	const struct api_version *latest = render_latest_version(ri->versions);

	out->state = state_from_command(inst->command_type, inst->command_status);
	out->instance_status = inst->status;
	out->env_connected = ri->env ? ri->env->connect : inst->connect;
	out->may_deploy = ri->env ? env_may_deploy(ri->env) : false;
	out->newer_version = latest && !version_is_deployed(latest, inst);
}

enum status_key {
	SK_INSTANCE, SK_APP, SK_ENVIRONMENT, SK_VERSION, SK_LATEST_VERSION,
	SK_UPGRADE_AVAILABLE, SK_STATE, SK_STATUS, SK_OPERATION, SK_PODS,
	SK_ALLOWED, SK_ERROR, SK_UPDATED, SK_TARGET_VERSION, SK_COUNT
};

static const char *const status_keys[SK_COUNT] = {
	"instance", "app", "environment", "version", "latest_version",
	"upgrade_available", "state", "status", "operation", "pods",
	"allowed", "error", "updated", "target_version",
};

/* The values of the status file, computed once for both renderings. */
struct status_view {
	const char *val[SK_COUNT];   /* NULL: key omitted */
	enum c7_state state;
	unsigned allowed;
	int upgrade;                 /* 1 yes, 0 no, -1 unknown (no version list) */
	char state_label[96];
	char operation[128];
	char pods[64];
	char allowed_text[64];
};

static const char *env_name(const struct render_instance *ri)
{
	if (ri->env_code)
		return ri->env_code;
	return ri->env ? ri->env->code : "";
}

/* An upgrade in flight targets another version than the one deployed. */
static const char *target_version(const struct api_instance *inst, enum c7_state s)
{
	if (!state_is_operating(s) || !*inst->command_version ||
	    strcmp(inst->command_version, inst->version_name) == 0)
		return NULL;
	return inst->command_version;
}

static void status_view_fill(struct status_view *v, const struct render_instance *ri)
{
	static const char *const upgrade_text[] = { "unknown", "no", "yes" };
	const struct api_instance *inst = ri->inst;
	const struct api_version *latest = render_latest_version(ri->versions);
	struct state_input in;

	render_state_input(ri, &in);
	v->state = in.state;
	v->allowed = state_allowed_verbs(&in);
	v->upgrade = ri->versions ? in.newer_version : -1;
	snprintf(v->state_label, sizeof(v->state_label), "%s (%s)",
		 state_name_zh(v->state), state_gloss_en(v->state));
	snprintf(v->operation, sizeof(v->operation), "%s%s%s", inst->command_type,
		 *inst->command_type && *inst->command_status ? " " : "",
		 inst->command_status);
	snprintf(v->pods, sizeof(v->pods), "%ld/%ld running",
		 inst->pod_running_count, inst->pod_count);
	state_verbs_string(v->allowed, v->allowed_text, sizeof(v->allowed_text));

	v->val[SK_INSTANCE] = inst->code;
	v->val[SK_APP] = inst->app_service_name;
	v->val[SK_ENVIRONMENT] = env_name(ri);
	v->val[SK_VERSION] = inst->version_name;
	v->val[SK_LATEST_VERSION] = latest ? latest->version : "";
	v->val[SK_UPGRADE_AVAILABLE] = upgrade_text[v->upgrade + 1];
	v->val[SK_STATE] = v->state_label;
	v->val[SK_STATUS] = inst->status;
	v->val[SK_OPERATION] = v->operation;
	v->val[SK_PODS] = v->pods;
	v->val[SK_ALLOWED] = v->allowed_text;
	v->val[SK_ERROR] = inst->error;
	v->val[SK_UPDATED] = inst->last_update_date;
	v->val[SK_TARGET_VERSION] = target_version(inst, v->state);
}

void render_status(struct sbuf *sb, const struct render_instance *ri)
{
	struct status_view v;
	size_t i;

	status_view_fill(&v, ri);
	for (i = 0; i < SK_COUNT; i++)
		if (v.val[i])
			render_kv(sb, status_keys[i], v.val[i]);
}

static json_t *verbs_json(unsigned verbs)
{
	json_t *a = json_array();
	unsigned bit;

	for (bit = 1; a && bit <= C7_VERB_UPGRADE; bit <<= 1)
		if ((verbs & bit) &&
		    json_array_append_new(a, json_string(state_verb_name((enum c7_verb)bit)))) {
			json_decref(a);
			a = NULL;
		}
	return a;
}

/* Sets one key; returns -1 on failure (value NULL or out of memory). */
static int json_put(json_t *o, const char *key, json_t *value)
{
	return json_object_set_new(o, key, value);
}

static int status_json_key(json_t *o, const struct status_view *v, size_t k)
{
	const char *key = status_keys[k];

	switch (k) {
	case SK_UPGRADE_AVAILABLE:
		return json_put(o, key, v->upgrade < 0 ? json_null() : json_boolean(v->upgrade));
	case SK_ALLOWED:
		return json_put(o, key, verbs_json(v->allowed));
	case SK_STATE:
		return json_put(o, key, json_string(v->val[k])) |
		       json_put(o, "state_zh", json_string(state_name_zh(v->state))) |
		       json_put(o, "state_en", json_string(state_gloss_en(v->state)));
	default:
		return json_put(o, key, json_string(v->val[k]));
	}
}

void render_status_json(struct sbuf *sb, const struct render_instance *ri)
{
	struct status_view v;
	json_t *o = json_object();
	int failed = !o;
	size_t i;

	status_view_fill(&v, ri);
	for (i = 0; !failed && i < SK_COUNT; i++)
		if (v.val[i])
			failed = status_json_key(o, &v, i);
	/* the strings are valid UTF-8 (decoded by jansson, names sanitised on
	 * character boundaries), so only an allocation can have failed */
	if (failed)
		sbuf_set_error(sb, -ENOMEM);
	else
		render_json(sb, o);
	json_decref(o);
}

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

void render_env(struct sbuf *sb, const struct api_env *env)
{
	render_kv(sb, "code", env->code);
	render_kv(sb, "name", env->name);
	render_kv(sb, "description", env->description);
	render_kv(sb, "cluster", env->cluster_name);
	render_kv(sb, "connected", yes_no(env->connect));
	render_kv(sb, "synchronized", yes_no(env->synchro));
	render_kv(sb, "may_deploy", yes_no(env_may_deploy(env)));
}

static void instance_cell(struct sbuf *sb, const void *ctx, size_t row, size_t col)
{
	const struct api_instance *i = &((const struct api_instance_list *)ctx)->v[row];

	switch (col) {
	case 0:
		sbuf_adds(sb, i->code);
		break;
	case 1:
		sbuf_adds(sb, i->app_service_name);
		break;
	case 2:
		sbuf_adds(sb, i->version_name);
		break;
	case 3:
		sbuf_adds(sb, state_name_zh(state_from_command(i->command_type,
							       i->command_status)));
		break;
	default:
		sbuf_printf(sb, "%ld/%ld", i->pod_running_count, i->pod_count);
		break;
	}
}

void render_instances_table(struct sbuf *sb, const struct api_instance_list *l)
{
	static const char *const header[] = { "INSTANCE", "APP", "VERSION", "STATE", "PODS" };
	struct render_table t = {
		.header = header, .ncols = 5, .nrows = l ? l->n : 0,
		.cell = instance_cell, .ctx = l,
	};

	render_table(sb, &t);
}

static void version_cell(struct sbuf *sb, const void *ctx, size_t row, size_t col)
{
	const struct render_instance *ri = ctx;
	const struct api_version *v = &ri->versions->v[row];
	bool deployed = version_is_deployed(v, ri->inst);

	if (col == 0)
		sbuf_adds(sb, v->version);
	else if (col == 1)
		sbuf_adds(sb, v->creation_date);
	else
		sbuf_printf(sb, "%s%s%s", deployed ? "deployed" : "",
			    deployed && row == 0 ? "," : "", row == 0 ? "latest" : "");
}

void render_versions(struct sbuf *sb, const struct render_instance *ri)
{
	static const char *const header[] = { "VERSION", "CREATED", "MARK" };
	struct render_table t = {
		.header = header, .ncols = 3, .nrows = ri->versions ? ri->versions->n : 0,
		.cell = version_cell, .ctx = ri,
	};

	render_table(sb, &t);
}

/* ---- control ----------------------------------------------------------------- */

struct usage_line {
	const char *verb;      /* "delete" gets the instance code appended */
	const char *what;
};

static const struct usage_line usage_lines[] = {
	{ "stop", "停止实例: stop the instance's pods" },
	{ "start", "重启实例: start a stopped instance (alias: restart)" },
	{ "redeploy", "重新部署: deploy the current values and version again" },
	{ "upgrade", "升级实例: upgrade to the latest version, values carried over" },
	{ "upgrade VERSION", "升级实例: upgrade to VERSION" },
	{ "delete", "删除实例: delete this instance (its code must follow)" },
	{ NULL, "修改配置: saving it redeploys with the new values" },
};
#define USAGE_COUNT (sizeof(usage_lines) / sizeof(usage_lines[0]))

/* Appends the command of a usage line; returns its display width. */
static size_t usage_command(struct sbuf *sb, const struct usage_line *u, const char *code)
{
	size_t mark = sb->len;

	if (!u->verb)
		sbuf_adds(sb, "edit values.yaml");
	else if (strcmp(u->verb, "delete") == 0)
		sbuf_printf(sb, "echo delete %s > control", code);
	else
		sbuf_printf(sb, "echo %s > control", u->verb);
	return render_text_width(sb->buf + mark, sb->len - mark);
}

static void render_usage(struct sbuf *sb, const char *code)
{
	size_t i, w, width = 0, mark;

	for (i = 0; i < USAGE_COUNT; i++) {
		mark = sb->len;
		w = usage_command(sb, &usage_lines[i], code);
		sbuf_setlen(sb, mark);
		if (w > width)
			width = w;
	}
	sbuf_adds(sb, "usage:\n");
	for (i = 0; i < USAGE_COUNT; i++) {
		sbuf_adds(sb, "  ");
		w = usage_command(sb, &usage_lines[i], code);
		add_spaces(sb, width - w + 2);
		sbuf_adds(sb, usage_lines[i].what);
		sbuf_addch(sb, '\n');
	}
}

static void render_refusals(struct sbuf *sb, const struct state_input *in, unsigned allowed)
{
	char why[160];
	unsigned bit;

	if (allowed == (C7_VERB_UPGRADE << 1) - 1)
		return;
	sbuf_adds(sb, "\nrefused:\n");
	for (bit = 1; bit <= C7_VERB_UPGRADE; bit <<= 1) {
		if (allowed & bit)
			continue;
		state_check_verb(in, (enum c7_verb)bit, why, sizeof(why));
		sbuf_printf(sb, "  %s: %s\n", state_verb_name((enum c7_verb)bit), why);
	}
}

void render_control(struct sbuf *sb, const struct render_instance *ri,
		    const char *last_result)
{
	struct state_input in;
	char verbs[64];
	unsigned allowed;

	render_state_input(ri, &in);
	allowed = state_allowed_verbs(&in);
	state_verbs_string(allowed, verbs, sizeof(verbs));
	render_kv(sb, "allowed", verbs);
	render_kv(sb, "last_result", last_result);
	sbuf_addch(sb, '\n');
	render_usage(sb, ri->inst->code);
	render_refusals(sb, &in, allowed);
}
