/* opresult.c — see include/opresult.h for the contract. */
#include "opresult.h"
#include "render.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

static const struct {
	int err;
	const char *name;
} errno_names[] = {
	{ EBUSY, "EBUSY" },         { EACCES, "EACCES" },
	{ ESTALE, "ESTALE" },       { ENOTCONN, "ENOTCONN" },
	{ EINVAL, "EINVAL" },       { ENOENT, "ENOENT" },
	{ ETIMEDOUT, "ETIMEDOUT" }, { EAGAIN, "EAGAIN" },
	{ EIO, "EIO" },             { EPERM, "EPERM" },
	{ ENOSPC, "ENOSPC" },       { EFBIG, "EFBIG" },
	{ EHOSTDOWN, "EHOSTDOWN" }, { EHOSTUNREACH, "EHOSTUNREACH" },
	{ ENOMEM, "ENOMEM" },       { EPROTO, "EPROTO" },
};

const char *errno_name(int err)
{
	size_t i;

	if (err < 0)
		err = -err;
	for (i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
		if (errno_names[i].err == err)
			return errno_names[i].name;
	return NULL;
}

/* strerrordesc_np: the English text whatever the locale, and thread-safe. */
static const char *errno_text(int err)
{
	const char *s = strerrordesc_np(err < 0 ? -err : err);

	return s ? s : "unknown error";
}

void opresult_summary(unsigned verb, const char *instance, int err,
		      const char *reason, char *buf, size_t len)
{
	char fallback[128];
	const char *name = state_verb_name((enum c7_verb)verb);

	if (!len)
		return;
	if (!reason || !*reason) {
		snprintf(fallback, sizeof(fallback), "%s", errno_text(err));
		fallback[0] = (char)tolower((unsigned char)fallback[0]);
		reason = fallback;
	}
	if (verb == C7_VERB_EDIT)
		snprintf(buf, len, "cannot save 'values.yaml' of '%s': %s",
			 instance, reason);
	else
		snprintf(buf, len, "cannot %s '%s': %s", name && *name ? name : "operate on",
			 instance, reason);
}

/* Server text goes on one key: value line, so line breaks become spaces. */
static void opresult_one_line(char *s)
{
	for (; *s; s++)
		if (*s == '\n' || *s == '\r')
			*s = ' ';
}

static void opresult_copy_line(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
	opresult_one_line(dst);
}

void opresult_set(struct opresult *r, time_t when, unsigned verb,
		  const char *instance, int err, const char *code,
		  const char *message, const char *reason)
{
	r->err = err < 0 ? -err : err;
	r->when = when;
	r->verb = verb;
	opresult_copy_line(r->code, sizeof(r->code), code);
	opresult_copy_line(r->message, sizeof(r->message), message);
	opresult_summary(verb, instance, r->err, reason, r->summary,
			 sizeof(r->summary));
	opresult_one_line(r->summary);
}

void opresult_clear(struct opresult *r)
{
	memset(r, 0, sizeof(*r));
}

int opresult_render(const struct opresult *r, struct sbuf *out)
{
	char when[32] = "", err[160];
	const char *verb = state_verb_name((enum c7_verb)r->verb);
	const char *name = errno_name(r->err);
	struct tm tm;

	if (!r->err)
		return sbuf_error(out);
	if (localtime_r(&r->when, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	if (name)
		snprintf(err, sizeof(err), "%s (%s)", name, errno_text(r->err));
	else
		snprintf(err, sizeof(err), "%d (%s)", r->err, errno_text(r->err));
	render_kv(out, "time", when);
	render_kv(out, "verb", verb);
	render_kv(out, "errno", err);
	render_kv(out, "code", r->code);
	render_kv(out, "message", r->message);
	sbuf_printf(out, "%s\n", r->summary);
	return sbuf_error(out);
}
