/* yamljson.c — YAML text <-> jansson values (libyaml parser, own block-style emitter). */
#include "sim.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

/* ------------------------------------------------------------ YAML → JSON */

typedef struct yctx {
	yaml_parser_t p;
	smap anchors;
	int err_line, err_col;
	char *err;
} yctx;

static void set_err(yctx *c, const yaml_mark_t *mark, const char *msg)
{
	if (c->err)
		return;
	c->err = xstrdup(msg);
	c->err_line = (int)mark->line + 1;
	c->err_col = (int)mark->column + 1;
}

static bool next_event(yctx *c, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&c->p, ev)) {
		if (!c->err) {
			strbuf b;
			sb_init(&b);
			if (c->p.context)
				sb_addf(&b, "%s at line %d, column %d: ", c->p.context,
					(int)c->p.context_mark.line + 1, (int)c->p.context_mark.column + 1);
			sb_addf(&b, "%s at line %d, column %d", c->p.problem ? c->p.problem : "invalid YAML",
				(int)c->p.problem_mark.line + 1, (int)c->p.problem_mark.column + 1);
			c->err = sb_steal(&b);
			c->err_line = (int)c->p.problem_mark.line + 1;
			c->err_col = (int)c->p.problem_mark.column + 1;
		}
		return false;
	}
	return true;
}

static bool is_int_text(const char *s, long long *out)
{
	const char *p = s;
	if (*p == '+' || *p == '-')
		p++;
	if (!*p)
		return false;
	int base = 10;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		base = 16, p += 2;
	else if (p[0] == '0' && p[1] == 'o')
		base = 8, p += 2;
	if (!*p)
		return false;
	for (const char *q = p; *q; q++) {
		if (base == 10 && !isdigit((unsigned char)*q))
			return false;
		if (base == 16 && !isxdigit((unsigned char)*q))
			return false;
		if (base == 8 && (*q < '0' || *q > '7'))
			return false;
	}
	errno = 0;
	long long v = strtoll(p, NULL, base);
	if (errno)
		return false;
	*out = (s[0] == '-') ? -v : v;
	return true;
}

static bool is_float_text(const char *s, double *out)
{
	const char *p = s;
	if (*p == '+' || *p == '-')
		p++;
	bool digits = false, dot = false, exp = false;
	const char *q = p;
	while (isdigit((unsigned char)*q))
		q++, digits = true;
	if (*q == '.') {
		dot = true;
		q++;
		while (isdigit((unsigned char)*q))
			q++, digits = true;
	}
	if (!digits)
		return false;
	if (*q == 'e' || *q == 'E') {
		exp = true;
		q++;
		if (*q == '+' || *q == '-')
			q++;
		if (!isdigit((unsigned char)*q))
			return false;
		while (isdigit((unsigned char)*q))
			q++;
	}
	if (*q || (!dot && !exp))
		return false;
	char *end;
	double v = strtod(s, &end);
	if (*end || !isfinite(v))
		return false;
	*out = v;
	return true;
}

static const char *const null_words[] = {"~", "null", "Null", "NULL", NULL};
static const char *const true_words[] = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", NULL};
static const char *const false_words[] = {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", NULL};

static bool in_words(const char *s, const char *const *w)
{
	for (; *w; w++)
		if (strcmp(s, *w) == 0)
			return true;
	return false;
}

/* Resolves a plain scalar like YAML 1.1 (what Helm's go-yaml and SnakeYAML do). */
static json_t *resolve_plain(const char *s)
{
	long long iv;
	double dv;
	if (!*s || in_words(s, null_words))
		return json_null();
	if (in_words(s, true_words))
		return json_true();
	if (in_words(s, false_words))
		return json_false();
	if (is_int_text(s, &iv))
		return json_integer(iv);
	if (is_float_text(s, &dv))
		return json_real(dv);
	return json_string(s);
}

static json_t *scalar_value(const yaml_event_t *ev)
{
	const char *s = (const char *)ev->data.scalar.value;
	const char *tag = (const char *)ev->data.scalar.tag;
	json_t *v;
	if (tag && (strcmp(tag, "tag:yaml.org,2002:str") == 0 || strcmp(tag, "!!str") == 0))
		v = json_stringn(s, ev->data.scalar.length);
	else if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		v = json_stringn(s, ev->data.scalar.length);
	else
		v = resolve_plain(s);
	if (!v) /* invalid UTF-8 */
		v = json_string("");
	return v;
}

static json_t *parse_node(yctx *c, yaml_event_t *ev, int depth);

static void remember(yctx *c, const unsigned char *anchor, json_t *v)
{
	if (!anchor)
		return;
	json_t *old = smap_get(&c->anchors, (const char *)anchor);
	if (old)
		json_decref(old);
	smap_put(&c->anchors, (const char *)anchor, json_incref(v));
}

static void merge_into(json_t *obj, json_t *src)
{
	const char *k;
	json_t *v;
	json_object_foreach(src, k, v) {
		if (!json_object_get(obj, k))
			json_object_set(obj, k, v);
	}
}

static json_t *parse_mapping(yctx *c, yaml_event_t *start, int depth)
{
	json_t *obj = json_object();
	const unsigned char *anchor = start->data.mapping_start.anchor;
	char *anc = anchor ? xstrdup((const char *)anchor) : NULL;
	for (;;) {
		yaml_event_t kev;
		if (!next_event(c, &kev))
			goto fail;
		if (kev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&kev);
			break;
		}
		char *key = NULL;
		bool merge = false;
		if (kev.type == YAML_SCALAR_EVENT) {
			key = xstrndup((const char *)kev.data.scalar.value, kev.data.scalar.length);
			merge = strcmp(key, "<<") == 0 && kev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		} else if (kev.type == YAML_ALIAS_EVENT) {
			json_t *a = smap_get(&c->anchors, (const char *)kev.data.alias.anchor);
			if (a && json_is_string(a))
				key = xstrdup(json_string_value(a));
		}
		if (!key) {
			set_err(c, &kev.start_mark, "mapping keys must be scalars");
			yaml_event_delete(&kev);
			goto fail;
		}
		yaml_event_delete(&kev);
		yaml_event_t vev;
		if (!next_event(c, &vev)) {
			free(key);
			goto fail;
		}
		json_t *val = parse_node(c, &vev, depth + 1);
		if (!val) {
			free(key);
			goto fail;
		}
		if (merge && json_is_object(val)) {
			merge_into(obj, val);
		} else if (merge && json_is_array(val)) {
			size_t i;
			json_t *it;
			json_array_foreach(val, i, it) if (json_is_object(it)) merge_into(obj, it);
		} else {
			json_object_set(obj, key, val);
		}
		json_decref(val);
		free(key);
	}
	if (anc) {
		remember(c, (const unsigned char *)anc, obj);
		free(anc);
	}
	return obj;
fail:
	free(anc);
	json_decref(obj);
	return NULL;
}

static json_t *parse_sequence(yctx *c, yaml_event_t *start, int depth)
{
	json_t *arr = json_array();
	char *anc = start->data.sequence_start.anchor
		? xstrdup((const char *)start->data.sequence_start.anchor) : NULL;
	for (;;) {
		yaml_event_t ev;
		if (!next_event(c, &ev))
			goto fail;
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		json_t *it = parse_node(c, &ev, depth + 1);
		if (!it)
			goto fail;
		json_array_append_new(arr, it);
	}
	if (anc) {
		remember(c, (const unsigned char *)anc, arr);
		free(anc);
	}
	return arr;
fail:
	free(anc);
	json_decref(arr);
	return NULL;
}

/* Consumes *ev (deleted here) and everything belonging to the node. */
static json_t *parse_node(yctx *c, yaml_event_t *ev, int depth)
{
	json_t *v = NULL;
	if (depth > 200) {
		set_err(c, &ev->start_mark, "nesting too deep");
		yaml_event_delete(ev);
		return NULL;
	}
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		v = scalar_value(ev);
		remember(c, ev->data.scalar.anchor, v);
		break;
	case YAML_ALIAS_EVENT: {
		json_t *a = smap_get(&c->anchors, (const char *)ev->data.alias.anchor);
		if (!a)
			set_err(c, &ev->start_mark, "found undefined alias");
		else
			v = json_incref(a);
		break;
	}
	case YAML_MAPPING_START_EVENT:
		v = parse_mapping(c, ev, depth);
		break;
	case YAML_SEQUENCE_START_EVENT:
		v = parse_sequence(c, ev, depth);
		break;
	default:
		set_err(c, &ev->start_mark, "unexpected YAML event");
		break;
	}
	yaml_event_delete(ev);
	return v;
}

json_t *yaml_to_json(const char *text, size_t len, int *line, int *col, char **msg)
{
	yctx c;
	memset(&c, 0, sizeof c);
	smap_init(&c.anchors);
	yaml_parser_initialize(&c.p);
	yaml_parser_set_input_string(&c.p, (const unsigned char *)text, len);
	json_t *result = NULL;
	bool ok = false;
	yaml_event_t ev;
	/* stream start */
	if (!next_event(&c, &ev))
		goto done;
	yaml_event_delete(&ev);
	if (!next_event(&c, &ev))
		goto done;
	if (ev.type == YAML_STREAM_END_EVENT) {
		yaml_event_delete(&ev);
		result = json_null();
		ok = true;
		goto done;
	}
	yaml_event_delete(&ev); /* document start */
	if (!next_event(&c, &ev))
		goto done;
	result = parse_node(&c, &ev, 0);
	if (!result)
		goto done;
	/* document end, then make sure the rest of the stream parses too */
	for (;;) {
		if (!next_event(&c, &ev)) {
			json_decref(result);
			result = NULL;
			goto done;
		}
		yaml_event_type_t t = ev.type;
		yaml_event_delete(&ev);
		if (t == YAML_STREAM_END_EVENT)
			break;
	}
	ok = true;
done:
	yaml_parser_delete(&c.p);
	for (size_t i = 0; i < c.anchors.cap; i++)
		if (c.anchors.keys[i] && c.anchors.vals[i])
			json_decref(c.anchors.vals[i]);
	smap_free(&c.anchors);
	if (!ok) {
		if (line)
			*line = c.err_line ? c.err_line : 1;
		if (col)
			*col = c.err_col ? c.err_col : 1;
		if (msg)
			*msg = c.err ? c.err : xstrdup("invalid YAML");
		else
			free(c.err);
		return NULL;
	}
	free(c.err);
	return result;
}

/* ------------------------------------------------------------ JSON → YAML */

static bool all_of(const char *s, const char *set)
{
	for (; *s; s++)
		if (!strchr(set, *s))
			return false;
	return true;
}

/* Plain scalars that YAML 1.1 readers (PyYAML, SnakeYAML, go-yaml v2) would not read back as
 * strings: timestamps, sexagesimal and underscored numbers, .inf/.nan, "<<", "=". */
static bool yaml11_special(const char *s)
{
	const char *p = s;
	if (isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2]) &&
	    isdigit((unsigned char)p[3]) && p[4] == '-' && isdigit((unsigned char)p[5]))
		return true; /* timestamp */
	if (*p == '+' || *p == '-')
		p++;
	if (*p == '.' && (strcasecmp(p, ".inf") == 0 || strcasecmp(p, ".nan") == 0))
		return true;
	if (isdigit((unsigned char)*p) && all_of(p, "0123456789_:.eE+-xXoObBabcdefABCDEF")) {
		if (strchr(p, '_') || strchr(p, ':'))
			return true;
		if (p[0] == '0' && (p[1] == 'b' || p[1] == 'x' || p[1] == 'o'))
			return true;
		/* floats like "1." or "1.5e+3" */
		const char *dot = strchr(p, '.');
		if (dot && !strchr(dot + 1, '.') && all_of(p, "0123456789.eE+-"))
			return true;
	}
	if (*s == '.' && isdigit((unsigned char)s[1]) && all_of(s + 1, "0123456789_eE+-"))
		return true;
	return strcmp(s, "<<") == 0 || strcmp(s, "=") == 0;
}

static bool plain_ok(const char *s)
{
	if (!*s || yaml11_special(s))
		return false;
	json_t *r = resolve_plain(s);
	bool str = json_is_string(r);
	json_decref(r);
	if (!str)
		return false;
	if (strchr("?:,[]{}#&*!|>'\"%@`", s[0]))
		return false;
	if (s[0] == '-' && (s[1] == 0 || s[1] == ' '))
		return false;
	if (s[0] == ' ' || s[strlen(s) - 1] == ' ')
		return false;
	if (strstr(s, ": ") || strstr(s, " #") || s[strlen(s) - 1] == ':')
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

static void emit_quoted(strbuf *b, const char *s)
{
	sb_addc(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': sb_add(b, "\\\""); break;
		case '\\': sb_add(b, "\\\\"); break;
		case '\n': sb_add(b, "\\n"); break;
		case '\t': sb_add(b, "\\t"); break;
		case '\r': sb_add(b, "\\r"); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				sb_addf(b, "\\x%02x", *p);
			else
				sb_addc(b, (char)*p);
		}
	}
	sb_addc(b, '"');
}

static void emit_string(strbuf *b, const char *s)
{
	if (plain_ok(s))
		sb_add(b, s);
	else
		emit_quoted(b, s);
}

static bool block_ok(const char *s)
{
	if (!strchr(s, '\n') || s[0] == ' ' || s[0] == '\n')
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p < 0x20 && *p != '\n') || *p == 0x7f)
			return false;
		if (*p == ' ' && (p[1] == '\n' || p[1] == 0))
			return false;
	}
	return true;
}

static void pad(strbuf *b, int n)
{
	for (int i = 0; i < n; i++)
		sb_addc(b, ' ');
}

static void emit_block(strbuf *b, const char *s, int indent)
{
	size_t n = strlen(s), trail = 0;
	while (trail < n && s[n - 1 - trail] == '\n')
		trail++;
	sb_add(b, trail == 0 ? "|-" : trail == 1 ? "|" : "|+");
	sb_addc(b, '\n');
	const char *p = s, *end = s + n - trail;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (l) {
			pad(b, indent);
			sb_addn(b, p, l);
		}
		sb_addc(b, '\n');
		p += l + (nl ? 1 : 0);
		if (!nl)
			break;
	}
	for (size_t i = 1; i < trail; i++)
		sb_addc(b, '\n');
}

static void emit_scalar(strbuf *b, const json_t *v)
{
	char tmp[64];
	switch (json_typeof(v)) {
	case JSON_NULL: sb_add(b, "null"); break;
	case JSON_TRUE: sb_add(b, "true"); break;
	case JSON_FALSE: sb_add(b, "false"); break;
	case JSON_INTEGER:
		sb_addf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL: {
		double d = json_real_value(v);
		for (int prec = 15; prec <= 17; prec++) {
			snprintf(tmp, sizeof tmp, "%.*g", prec, d);
			if (strtod(tmp, NULL) == d)
				break;
		}
		if (!strpbrk(tmp, ".eEn"))
			strcat(tmp, ".0");
		sb_add(b, tmp);
		break;
	}
	case JSON_STRING: emit_string(b, json_string_value(v)); break;
	default: break;
	}
}

static void emit_map(strbuf *b, const json_t *obj, int indent);
static void emit_seq(strbuf *b, const json_t *arr, int indent);

/* After "key:" or "-": the value, then a newline. */
static void emit_after(strbuf *b, const json_t *v, int indent, bool in_seq)
{
	if (json_is_object(v) && json_object_size(v)) {
		if (in_seq) {
			strbuf t;
			sb_init(&t);
			emit_map(&t, v, indent);
			sb_addc(b, ' ');
			sb_add(b, t.s + indent);
			sb_free(&t);
		} else {
			sb_addc(b, '\n');
			emit_map(b, v, indent);
		}
	} else if (json_is_array(v) && json_array_size(v)) {
		if (in_seq) {
			strbuf t;
			sb_init(&t);
			emit_seq(&t, v, indent);
			sb_addc(b, ' ');
			sb_add(b, t.s + indent);
			sb_free(&t);
		} else {
			sb_addc(b, '\n');
			emit_seq(b, v, indent);
		}
	} else if (json_is_object(v)) {
		sb_add(b, " {}\n");
	} else if (json_is_array(v)) {
		sb_add(b, " []\n");
	} else if (json_is_string(v) && block_ok(json_string_value(v))) {
		sb_addc(b, ' ');
		emit_block(b, json_string_value(v), indent);
	} else {
		sb_addc(b, ' ');
		emit_scalar(b, v);
		sb_addc(b, '\n');
	}
}

static void emit_map(strbuf *b, const json_t *obj, int indent)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)obj, k, v) {
		pad(b, indent);
		emit_string(b, k);
		sb_addc(b, ':');
		emit_after(b, v, indent + 2, false);
	}
}

static void emit_seq(strbuf *b, const json_t *arr, int indent)
{
	size_t i;
	json_t *v;
	json_array_foreach((json_t *)arr, i, v) {
		pad(b, indent);
		sb_addc(b, '-');
		emit_after(b, v, indent + 2, true);
	}
}

char *json_to_yaml(const json_t *v)
{
	strbuf b;
	sb_init(&b);
	if (!v || json_is_null(v)) {
		/* empty document */
	} else if (json_is_object(v)) {
		if (json_object_size(v))
			emit_map(&b, v, 0);
		else
			sb_add(&b, "{}\n");
	} else if (json_is_array(v)) {
		if (json_array_size(v))
			emit_seq(&b, v, 0);
		else
			sb_add(&b, "[]\n");
	} else if (json_is_string(v) && block_ok(json_string_value(v))) {
		emit_block(&b, json_string_value(v), 2);
	} else {
		emit_scalar(&b, v);
		sb_addc(&b, '\n');
	}
	return sb_steal(&b);
}

/* ------------------------------------------------------------ merge, path */

json_t *json_deep_merge(const json_t *base, const json_t *overlay)
{
	if (!overlay)
		return base ? json_deep_copy(base) : json_null();
	if (!json_is_object(base) || !json_is_object(overlay))
		return json_deep_copy(overlay);
	json_t *r = json_deep_copy(base);
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)overlay, k, v) {
		json_t *cur = json_object_get(r, k);
		if (cur && json_is_object(cur) && json_is_object(v))
			json_object_set_new(r, k, json_deep_merge(cur, v));
		else
			json_object_set_new(r, k, json_deep_copy(v));
	}
	return r;
}

json_t *json_delta(const json_t *user, const json_t *defaults)
{
	if (!user)
		return NULL;
	if (!json_is_object(user) || !json_is_object(defaults))
		return (defaults && json_equal((json_t *)user, (json_t *)defaults)) ? NULL
										       : json_deep_copy(user);
	json_t *r = json_object();
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)user, k, v) {
		json_t *d = json_object_get(defaults, k);
		if (!d) {
			json_object_set_new(r, k, json_deep_copy(v));
		} else if (json_is_object(v) && json_is_object(d)) {
			json_t *sub = json_delta(v, d);
			if (sub)
				json_object_set_new(r, k, sub);
		} else if (!json_equal(v, d)) {
			json_object_set_new(r, k, json_deep_copy(v));
		}
	}
	if (!json_object_size(r)) {
		json_decref(r);
		return NULL;
	}
	return r;
}

json_t *json_path(const json_t *v, const char *path)
{
	const char *p = path;
	json_t *cur = (json_t *)v;
	while (cur && *p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		if (!json_is_object(cur))
			return NULL;
		char key[128];
		if (n >= sizeof key)
			return NULL;
		memcpy(key, p, n);
		key[n] = 0;
		cur = json_object_get(cur, key);
		p += n + (dot ? 1 : 0);
		if (!dot)
			break;
	}
	return cur;
}

const char *json_path_str(const json_t *v, const char *path)
{
	json_t *x = json_path(v, path);
	return json_is_string(x) ? json_string_value(x) : NULL;
}

int64_t json_path_int(const json_t *v, const char *path, int64_t dflt)
{
	json_t *x = json_path(v, path);
	if (json_is_integer(x))
		return json_integer_value(x);
	if (json_is_real(x))
		return (int64_t)json_real_value(x);
	if (json_is_string(x)) {
		long long iv;
		if (is_int_text(json_string_value(x), &iv))
			return iv;
	}
	return dflt;
}

bool json_path_bool(const json_t *v, const char *path, bool dflt)
{
	json_t *x = json_path(v, path);
	if (json_is_boolean(x))
		return json_is_true(x);
	if (json_is_string(x)) {
		if (in_words(json_string_value(x), true_words))
			return true;
		if (in_words(json_string_value(x), false_words))
			return false;
	}
	return dflt;
}

char *json_scalar_text(const json_t *v)
{
	if (!v)
		return NULL;
	switch (json_typeof(v)) {
	case JSON_STRING: return xstrdup(json_string_value(v));
	case JSON_INTEGER: return xasprintf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
	case JSON_REAL: {
		strbuf b;
		sb_init(&b);
		emit_scalar(&b, v);
		return sb_steal(&b);
	}
	case JSON_TRUE: return xstrdup("true");
	case JSON_FALSE: return xstrdup("false");
	default: return NULL;
	}
}
