/*
 * journal.c — see include/journal.h for the contract.
 *
 * The journal remembers, per instance, the last values it wrote lines about
 * (state, status, pods, error) and, per command id, its number, status, error
 * and which event lines it already wrote. Each observation is diffed against
 * that memory; the text itself is a c7_applog (log.h), so it only grows.
 *
 * Event text (podEventVO.event) is cumulative: every poll repeats the old
 * lines and adds new ones. Lines are deduplicated per (command, pod) as a
 * multiset of line hashes, so a line the cluster repeats ("Back-off …" twice)
 * is written as often as it occurs, and once only.
 *
 * Which version a command deployed is not in I8; it is taken from the last
 * instance observation: the command in effect (effectCommandId/Version, I3)
 * and the newest command (commandType/commandVersion). Callers should observe
 * the instance before its events.
 */
#include "journal.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "sbuf.h"
#include "state.h"

#define JOURNAL_LINE_MAX 8192

struct jline {
	uint64_t hash;
	unsigned written;
};

struct jpod {
	char *name;
	size_t n, alloc;
	struct jline *lines;
};

struct jcmd {
	char *id;
	char *version;      /* "" until known */
	char *status;       /* as last written; NULL: never written */
	char *error;
	size_t n_pods;
	struct jpod *pods;
};

/* The instance fields lines are written about, as last observed. */
struct jinst {
	bool seen;
	enum c7_state state;
	char *status;
	char *error;
	char *command_type;
	char *command_version;
	char *effect_id;
	char *effect_version;
	long pods, pods_running;
};

struct journal {
	pthread_mutex_t lock;
	struct c7_applog log;
	size_t ncmd, acmd;
	struct jcmd *cmds;  /* cmds[i] has SEQ i + 1 */
	struct jinst inst;
};

static const char *nz(const char *s)
{
	return s ? s : "";
}

/* Replaces *dst with a copy of src; keeps the old value if out of memory. */
static void set_str(char **dst, const char *src)
{
	char *p = strdup(nz(src));

	if (!p)
		return;
	free(*dst);
	*dst = p;
}

static bool str_changed(const char *old, const char *now)
{
	return strcmp(nz(old), nz(now)) != 0;
}

/* ---- writing lines (j->lock held) ---------------------------------------- */

static void jvadd(struct journal *j, const char *when, time_t now,
		  const char *fmt, va_list ap)
{
	struct sbuf what;

	sbuf_init(&what, JOURNAL_LINE_MAX);
	sbuf_vprintf(&what, fmt, ap);
	if (!sbuf_error(&what))
		c7_applog_add(&j->log, when, now, what.buf, "journal full");
	sbuf_free(&what);
}

__attribute__((format(printf, 4, 5)))
static void jadd(struct journal *j, const char *when, time_t now, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	jvadd(j, when, now, fmt, ap);
	va_end(ap);
}

/* The server's "yyyy-MM-dd HH:mm:ss" (or ISO-8601) time, else now's. */
static void server_time(const char *stamp, time_t now, char when[C7_TIME_LEN])
{
	static const char pattern[] = "dddd-dd-dd?dd:dd:dd";
	size_t i;

	for (i = 0; i < sizeof(pattern) - 1; i++) {
		char c = nz(stamp)[i];

		if (pattern[i] == 'd' ? (c < '0' || c > '9') :
		    pattern[i] == '?' ? (c != ' ' && c != 'T') : c != pattern[i]) {
			c7_format_time(now, when);
			return;
		}
	}
	memcpy(when, stamp, C7_TIME_LEN - 1);
	when[10] = ' ';
	when[C7_TIME_LEN - 1] = '\0';
}

/* ---- commands ------------------------------------------------------------- */

static struct jcmd *cmd_find(struct journal *j, const char *id, unsigned *seq)
{
	size_t i;

	for (i = 0; i < j->ncmd; i++) {
		if (strcmp(j->cmds[i].id, id) == 0) {
			*seq = (unsigned)i + 1;
			return &j->cmds[i];
		}
	}
	return NULL;
}

/* Finds or numbers a command id; NULL (and *seq 0) when out of memory. */
static struct jcmd *cmd_get(struct journal *j, const char *id, unsigned *seq)
{
	struct jcmd *c = cmd_find(j, id, seq), *v;

	if (c)
		return c;
	*seq = 0;
	if (j->ncmd == j->acmd) {
		size_t n = j->acmd ? j->acmd * 2 : 32;

		v = realloc(j->cmds, n * sizeof(*v));
		if (!v)
			return NULL;
		j->cmds = v;
		j->acmd = n;
	}
	c = &j->cmds[j->ncmd];
	memset(c, 0, sizeof(*c));
	c->id = strdup(id);
	c->version = strdup("");
	if (!c->id || !c->version) {
		free(c->id);
		free(c->version);
		return NULL;
	}
	*seq = (unsigned)++j->ncmd;
	return c;
}

static void cmd_free(struct jcmd *c)
{
	size_t i;

	for (i = 0; i < c->n_pods; i++) {
		free(c->pods[i].name);
		free(c->pods[i].lines);
	}
	free(c->pods);
	free(c->id);
	free(c->version);
	free(c->status);
	free(c->error);
}

/* What I8 does not say: the version, from the last instance observation. */
static const char *event_version(const struct journal *j, const struct api_event *ev,
				 bool newest)
{
	const struct jinst *in = &j->inst;

	if (!in->seen)
		return "";
	if (*nz(in->effect_id) && strcmp(in->effect_id, nz(ev->command_id)) == 0)
		return nz(in->effect_version);
	if (newest && strcmp(nz(in->command_type), nz(ev->type)) == 0)
		return nz(in->command_version);
	return "";
}

/* "0007 update 0.2.1 success" without a trailing space when version is "". */
static void cmd_head(struct sbuf *sb, unsigned seq, const struct jcmd *c,
		     const struct api_event *ev)
{
	sbuf_printf(sb, "command %04u %s", seq, nz(ev->type));
	if (*c->version)
		sbuf_printf(sb, " %s", c->version);
	if (*nz(ev->status))
		sbuf_printf(sb, " %s", ev->status);
}

static void cmd_lines(struct journal *j, struct jcmd *c, unsigned seq,
		      const struct api_event *ev, const char *when, time_t now)
{
	const char *who = *nz(ev->login_name) ? ev->login_name : nz(ev->real_name);
	bool first = !c->status;
	struct sbuf head;

	sbuf_init(&head, JOURNAL_LINE_MAX);
	cmd_head(&head, seq, c, ev);
	if (first && *who)
		sbuf_printf(&head, " by %s", who);
	if (!sbuf_error(&head) && (first || str_changed(c->status, ev->status))) {
		jadd(j, when, now, "%s", head.buf);
		set_str(&c->status, ev->status);
	}
	if (*nz(ev->command_error) && str_changed(c->error, ev->command_error)) {
		jadd(j, when, now, "command %04u failed: %s", seq, ev->command_error);
		set_str(&c->error, ev->command_error);
	}
	sbuf_free(&head);
}

/* ---- pod events ------------------------------------------------------------ */

static struct jpod *pod_get(struct jcmd *c, const char *name)
{
	struct jpod *v;
	size_t i;

	for (i = 0; i < c->n_pods; i++)
		if (strcmp(c->pods[i].name, name) == 0)
			return &c->pods[i];
	v = realloc(c->pods, (c->n_pods + 1) * sizeof(*v));
	if (!v)
		return NULL;
	c->pods = v;
	v = &c->pods[c->n_pods];
	memset(v, 0, sizeof(*v));
	v->name = strdup(name);
	if (!v->name)
		return NULL;
	c->n_pods++;
	return v;
}

/* Counts one more occurrence of a line; true when it is beyond what was
 * written before. */
static bool pod_line_is_new(struct jpod *p, uint64_t hash, unsigned occurrence)
{
	struct jline *v;
	size_t i;

	for (i = 0; i < p->n; i++) {
		if (p->lines[i].hash != hash)
			continue;
		if (occurrence <= p->lines[i].written)
			return false;
		p->lines[i].written = occurrence;
		return true;
	}
	if (p->n == p->alloc) {
		size_t n = p->alloc ? p->alloc * 2 : 8;

		v = realloc(p->lines, n * sizeof(*v));
		if (!v)
			return false;
		p->lines = v;
		p->alloc = n;
	}
	p->lines[p->n++] = (struct jline){ .hash = hash, .written = 1 };
	return true;
}

static uint64_t line_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;   /* FNV-1a */

	while (n--)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

/* Steps through text a line at a time, trailing blanks cut; false at the end. */
static bool next_line(const char **pos, const char **line, size_t *n)
{
	const char *s = *pos, *eol;

	if (!*s)
		return false;
	eol = strchrnul(s, '\n');
	*line = s;
	*n = (size_t)(eol - s);
	while (*n && (s[*n - 1] == '\r' || s[*n - 1] == ' ' || s[*n - 1] == '\t'))
		(*n)--;
	*pos = *eol ? eol + 1 : eol;
	return true;
}

/* 1 + how often [line, line+n) occurs in text before line. */
static unsigned occurrence_of(const char *text, const char *line, size_t n)
{
	const char *pos = text, *l;
	unsigned count = 1;
	size_t m;

	while (next_line(&pos, &l, &m) && l < line)
		if (m == n && memcmp(l, line, n) == 0)
			count++;
	return count;
}

static void pod_event_lines(struct journal *j, struct jcmd *c,
			    const struct api_pod_event *pe, const char *when, time_t now)
{
	const char *text = nz(pe->event), *pos = text, *line;
	struct jpod *p = pod_get(c, nz(pe->name));
	size_t n;

	while (p && next_line(&pos, &line, &n)) {
		if (n && pod_line_is_new(p, line_hash(line, n),
					 occurrence_of(text, line, n)))
			jadd(j, when, now, "event %s: %.*s", p->name, (int)n, line);
	}
}

/* ---- observations ----------------------------------------------------------- */

static void observe_event(struct journal *j, const struct api_event *ev, bool newest,
			  time_t now)
{
	char when[C7_TIME_LEN];
	struct jcmd *c;
	unsigned seq;
	size_t i;

	if (!*nz(ev->command_id))
		return;
	c = cmd_get(j, ev->command_id, &seq);
	if (!c)
		return;
	if (!*c->version)
		set_str(&c->version, event_version(j, ev, newest));
	/* What is seen for the first time happened at the server's time. */
	if (c->status)
		c7_format_time(now, when);
	else
		server_time(ev->create_time, now, when);
	cmd_lines(j, c, seq, ev, when, now);
	for (i = 0; i < ev->n_pod_events; i++)
		pod_event_lines(j, c, &ev->pod_events[i], when, now);
}

void journal_observe_events(struct journal *j, const struct api_event_list *l, time_t now)
{
	size_t i;

	pthread_mutex_lock(&j->lock);
	/* Newest first from the server; oldest first here, for SEQ and lines. */
	for (i = l->n; i > 0; i--)
		observe_event(j, &l->v[i - 1], i == 1, now);
	pthread_mutex_unlock(&j->lock);
}

/* stop/restart/sync commands are not in I8, so their errors show only here. */
static bool command_in_event_list(const char *type)
{
	return !strcmp(type, "create") || !strcmp(type, "update") || !strcmp(type, "delete");
}

static void instance_first_lines(struct journal *j, const struct api_instance *inst,
				 enum c7_state st, const char *when, time_t now)
{
	jadd(j, when, now, "state %s (%s)", state_name_zh(st), state_gloss_en(st));
	jadd(j, when, now, "status %s", nz(inst->status));
	jadd(j, when, now, "pods %ld/%ld", inst->pod_running_count, inst->pod_count);
}

static void instance_change_lines(struct journal *j, const struct api_instance *inst,
				  enum c7_state st, const char *when, time_t now)
{
	const struct jinst *old = &j->inst;

	if (st != old->state)
		jadd(j, when, now, "state %s (%s) -> %s (%s)",
		     state_name_zh(old->state), state_gloss_en(old->state),
		     state_name_zh(st), state_gloss_en(st));
	if (str_changed(old->status, inst->status))
		jadd(j, when, now, "status %s -> %s", nz(old->status), nz(inst->status));
	if (old->pods != inst->pod_count || old->pods_running != inst->pod_running_count)
		jadd(j, when, now, "pods %ld/%ld -> %ld/%ld", old->pods_running, old->pods,
		     inst->pod_running_count, inst->pod_count);
}

static void instance_remember(struct jinst *in, const struct api_instance *inst,
			      enum c7_state st)
{
	in->seen = true;
	in->state = st;
	set_str(&in->status, inst->status);
	set_str(&in->error, inst->error);
	set_str(&in->command_type, inst->command_type);
	set_str(&in->command_version, inst->command_version);
	set_str(&in->effect_id, inst->effect_command_id);
	set_str(&in->effect_version, inst->effect_command_version);
	in->pods = inst->pod_count;
	in->pods_running = inst->pod_running_count;
}

void journal_observe_instance(struct journal *j, const struct api_instance *inst, time_t now)
{
	enum c7_state st = state_from_command(inst->command_type, inst->command_status);
	const char *type = nz(inst->command_type);
	char when[C7_TIME_LEN];

	c7_format_time(now, when);
	pthread_mutex_lock(&j->lock);
	if (j->inst.seen)
		instance_change_lines(j, inst, st, when, now);
	else
		instance_first_lines(j, inst, st, when, now);
	if (*nz(inst->error) && str_changed(j->inst.error, inst->error) &&
	    !command_in_event_list(type))
		jadd(j, when, now, "command %s failed: %s", type, inst->error);
	instance_remember(&j->inst, inst, st);
	pthread_mutex_unlock(&j->lock);
}

void journal_note(struct journal *j, time_t now, const char *fmt, ...)
{
	char when[C7_TIME_LEN];
	va_list ap;

	c7_format_time(now, when);
	pthread_mutex_lock(&j->lock);
	va_start(ap, fmt);
	jvadd(j, when, now, fmt, ap);
	va_end(ap);
	pthread_mutex_unlock(&j->lock);
}

/* ---- queries and lifetime ---------------------------------------------------- */

unsigned journal_command_seq(struct journal *j, const char *command_id)
{
	unsigned seq = 0;

	if (!command_id || !*command_id)
		return 0;
	pthread_mutex_lock(&j->lock);
	cmd_get(j, command_id, &seq);
	pthread_mutex_unlock(&j->lock);
	return seq;
}

size_t journal_size(struct journal *j)
{
	size_t n;

	pthread_mutex_lock(&j->lock);
	n = j->log.text.len;
	pthread_mutex_unlock(&j->lock);
	return n;
}

size_t journal_read(struct journal *j, uint64_t off, char *buf, size_t len)
{
	size_t n;

	pthread_mutex_lock(&j->lock);
	n = c7_applog_read(&j->log, off, buf, len);
	pthread_mutex_unlock(&j->lock);
	return n;
}

time_t journal_mtime(struct journal *j)
{
	time_t t;

	pthread_mutex_lock(&j->lock);
	t = j->log.mtime;
	pthread_mutex_unlock(&j->lock);
	return t;
}

int journal_new(size_t cap, struct journal **out)
{
	struct journal *j = calloc(1, sizeof(*j));

	if (!j)
		return -ENOMEM;
	if (pthread_mutex_init(&j->lock, NULL) != 0) {
		free(j);
		return -ENOMEM;
	}
	c7_applog_init(&j->log, cap);
	*out = j;
	return 0;
}

void journal_free(struct journal *j)
{
	struct jinst *in;
	size_t i;

	if (!j)
		return;
	for (i = 0; i < j->ncmd; i++)
		cmd_free(&j->cmds[i]);
	free(j->cmds);
	in = &j->inst;
	free(in->status);
	free(in->error);
	free(in->command_type);
	free(in->command_version);
	free(in->effect_id);
	free(in->effect_version);
	c7_applog_free(&j->log);
	pthread_mutex_destroy(&j->lock);
	free(j);
}
