/* control.c — see include/control.h for the contract. */
#include "control.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

#define CONTROL_USAGE "stop, start, redeploy, upgrade [VERSION], delete INSTANCE"
/* Longest piece of user text quoted back in a reason. */
#define CONTROL_QUOTE_MAX 64
/* Bytes one open of control may hold unterminated plus one write's worth. */
#define CONTROL_PENDING_MAX (64u << 10)

struct control_verb {
	const char *word;
	enum c7_verb verb;
	unsigned min_args, max_args;
	const char *usage;
};

static const struct control_verb control_verbs[] = {
	{ "stop",     C7_VERB_STOP,     0, 0, "stop" },
	{ "start",    C7_VERB_START,    0, 0, "start" },
	{ "restart",  C7_VERB_START,    0, 0, "restart" },
	{ "redeploy", C7_VERB_REDEPLOY, 0, 0, "redeploy" },
	{ "upgrade",  C7_VERB_UPGRADE,  0, 1, "upgrade [VERSION]" },
	{ "delete",   C7_VERB_DELETE,   1, 1, "delete INSTANCE" },
};

#define CONTROL_MAX_WORDS 3   /* verb, argument, and one to detect extras */

struct control_words {
	const char *w[CONTROL_MAX_WORDS];
	size_t n[CONTROL_MAX_WORDS];
	size_t count;             /* all words, also those past the array */
};

static bool control_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static void control_split(const char *s, size_t len, struct control_words *words)
{
	size_t i = 0, start;

	words->count = 0;
	while (i < len) {
		while (i < len && control_blank(s[i]))
			i++;
		if (i == len)
			break;
		start = i;
		while (i < len && !control_blank(s[i]))
			i++;
		if (words->count < CONTROL_MAX_WORDS) {
			words->w[words->count] = s + start;
			words->n[words->count] = i - start;
		}
		words->count++;
	}
}

static const struct control_verb *control_find_verb(const char *w, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(control_verbs) / sizeof(control_verbs[0]); i++)
		if (strlen(control_verbs[i].word) == n &&
		    memcmp(control_verbs[i].word, w, n) == 0)
			return &control_verbs[i];
	return NULL;
}

static int control_check_args(const struct control_verb *v, size_t nargs,
			      const char *instance, char *why, size_t whylen)
{
	if (nargs < v->min_args) {
		c7_why(why, whylen, "'%s' needs this instance's code: %s %s",
			    v->word, v->word, instance);
		return -EINVAL;
	}
	if (nargs > v->max_args) {
		c7_why(why, whylen, "too many arguments for '%s'; usage: %s",
			    v->word, v->usage);
		return -EINVAL;
	}
	return 0;
}

static int control_check_delete(const struct control_words *words,
				const char *instance, char *why, size_t whylen)
{
	if (strlen(instance) == words->n[1] &&
	    memcmp(instance, words->w[1], words->n[1]) == 0)
		return 0;
	c7_why(why, whylen, "'delete' needs this instance's own code '%s', not '%.*s'",
		    instance, (int)(words->n[1] > CONTROL_QUOTE_MAX ?
				    CONTROL_QUOTE_MAX : words->n[1]), words->w[1]);
	return -EINVAL;
}

unsigned control_verb_named(const char *text, size_t len)
{
	const char *nl = memchr(text, '\n', len);
	struct control_words words;
	const struct control_verb *v;

	control_split(text, nl ? (size_t)(nl - text) : len, &words);
	v = words.count ? control_find_verb(words.w[0], words.n[0]) : NULL;
	return v ? v->verb : 0;
}

int control_parse_line(const char *line, size_t len, const char *instance,
		       struct control_cmd *cmd, char *why, size_t whylen)
{
	struct control_words words;
	const struct control_verb *v;
	int ret;

	memset(cmd, 0, sizeof(*cmd));
	c7_why(why, whylen, "%s", "");
	control_split(line, len, &words);
	if (!words.count)
		return 0;
	v = control_find_verb(words.w[0], words.n[0]);
	if (!v) {
		c7_why(why, whylen, "unknown verb '%.*s'; try: %s",
			    (int)(words.n[0] > CONTROL_QUOTE_MAX ?
				  CONTROL_QUOTE_MAX : words.n[0]),
			    words.w[0], CONTROL_USAGE);
		return -EINVAL;
	}
	ret = control_check_args(v, words.count - 1, instance, why, whylen);
	if (ret)
		return ret;
	if (words.count > 1 && words.n[1] >= CONTROL_ARG_MAX) {
		c7_why(why, whylen, "argument of '%s' is too long", v->word);
		return -EINVAL;
	}
	if (v->verb == C7_VERB_DELETE) {
		ret = control_check_delete(&words, instance, why, whylen);
		if (ret)
			return ret;
	}
	if (words.count > 1)
		memcpy(cmd->arg, words.w[1], words.n[1]);
	cmd->verb = v->verb;
	return 0;
}

/* ---- buffered writes ------------------------------------------------------ */

void control_buf_init(struct control_buf *cb)
{
	sbuf_init(&cb->pending, CONTROL_PENDING_MAX);
}

void control_buf_free(struct control_buf *cb)
{
	sbuf_free(&cb->pending);
}

/* Drops the first n bytes of the pending text. */
static void control_consume(struct control_buf *cb, size_t n)
{
	struct sbuf *p = &cb->pending;

	if (!n)
		return;
	memmove(p->buf, p->buf + n, p->len - n);
	sbuf_setlen(p, p->len - n);
}

static int control_too_long(char *why, size_t whylen)
{
	c7_why(why, whylen, "command longer than %d bytes", CONTROL_LINE_MAX);
	return -EINVAL;
}

/* Parses every complete line of the pending text; at most one may be a command. */
static int control_parse_lines(const char *s, size_t len, const char *instance,
			       struct control_cmd *cmd, char *why, size_t whylen)
{
	struct control_cmd one;
	const char *nl;
	size_t n;
	int ret;

	memset(cmd, 0, sizeof(*cmd));
	while (len) {
		nl = memchr(s, '\n', len);
		n = (size_t)(nl - s);
		if (n > CONTROL_LINE_MAX)
			return control_too_long(why, whylen);
		ret = control_parse_line(s, n, instance, &one, why, whylen);
		if (ret)
			return ret;
		if (one.verb && cmd->verb) {
			c7_why(why, whylen, "%s",
				    "one command per write, please");
			return -EINVAL;
		}
		if (one.verb)
			*cmd = one;
		s += n + 1;
		len -= n + 1;
	}
	return 0;
}

int control_feed(struct control_buf *cb, const char *data, size_t len,
		 const char *instance, struct control_cmd *cmd, char *why,
		 size_t whylen)
{
	struct sbuf *p = &cb->pending;
	const char *last;
	size_t done;
	int ret = 0;

	memset(cmd, 0, sizeof(*cmd));
	c7_why(why, whylen, "%s", "");
	sbuf_add(p, data, len);
	if (sbuf_error(p)) {
		ret = control_too_long(why, whylen);
		goto out;
	}
	last = memrchr(p->buf, '\n', p->len);
	done = last ? (size_t)(last - p->buf) + 1 : 0;
	if (p->len - done > CONTROL_LINE_MAX) {
		ret = control_too_long(why, whylen);
		goto out;
	}
	ret = control_parse_lines(p->buf, done, instance, cmd, why, whylen);
	control_consume(cb, done);
out:
	if (ret) {
		memset(cmd, 0, sizeof(*cmd));
		sbuf_free(p);
	}
	return ret;
}

int control_flush(struct control_buf *cb, const char *instance,
		  struct control_cmd *cmd, char *why, size_t whylen)
{
	int ret;

	ret = control_parse_line(cb->pending.buf, cb->pending.len, instance, cmd,
				 why, whylen);
	sbuf_free(&cb->pending);
	return ret;
}

/* ---- upgrade -------------------------------------------------------------- */

static const struct api_version *control_find_version(
	const struct api_version_list *versions, const char *name)
{
	size_t i;

	for (i = 0; i < versions->n; i++)
		if (strcmp(versions->v[i].version, name) == 0)
			return &versions->v[i];
	return NULL;
}

int control_upgrade_target(const struct api_version_list *versions,
			   const char *deployed, const char *wanted,
			   const struct api_version **out, char *why, size_t whylen)
{
	const struct api_version *v;

	*out = NULL;
	c7_why(why, whylen, "%s", "");
	if (wanted && *wanted) {
		v = control_find_version(versions, wanted);
		if (!v) {
			c7_why(why, whylen, "unknown version '%.*s'",
				    CONTROL_QUOTE_MAX, wanted);
			return -EINVAL;
		}
		if (strcmp(v->version, deployed) == 0) {
			c7_why(why, whylen, "already at version '%s'", deployed);
			return -EINVAL;
		}
	} else {
		if (!versions->n) {
			c7_why(why, whylen, "%s", "no versions of the app service");
			return -ENOENT;
		}
		v = &versions->v[0];
		if (strcmp(v->version, deployed) == 0) {
			c7_why(why, whylen, "already at the latest version '%s'",
				    deployed);
			return -ENOENT;
		}
	}
	*out = v;
	return 0;
}
