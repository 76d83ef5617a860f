/*
 * render_events.c — events/SEQ-TYPE-VERSION/ directory names and the summary
 * and events files of one operation (I8, choerodon-api.md §3.8).
 */
#include "render.h"

#include <string.h>

void render_event_dirname(struct sbuf *sb, unsigned seq, const struct api_event *ev,
			  const char *version)
{
	size_t mark = sb->len;

	sbuf_printf(sb, "%04u-%s", seq, *ev->type ? ev->type : "unknown");
	if (version && *version)
		sbuf_printf(sb, "-%s", version);
	render_sanitize_tail(sb, mark);
}

void render_event_summary(struct sbuf *sb, const struct api_event *ev,
			  const char *version, bool values_known)
{
	size_t mark;

	render_kv(sb, "type", ev->type);
	render_kv(sb, "status", ev->status);
	mark = render_kv_begin(sb, "state");
	render_state_label(sb, state_from_command(ev->type, ev->status));
	render_line_end(sb, mark);
	mark = render_kv_begin(sb, "who");
	sbuf_adds(sb, ev->login_name);
	if (*ev->real_name && strcmp(ev->real_name, ev->login_name))
		sbuf_printf(sb, " (%s)", ev->real_name);
	render_line_end(sb, mark);
	render_kv(sb, "when", ev->create_time);
	render_kv(sb, "error", ev->command_error);
	render_kv(sb, "version", version);
	render_kv(sb, "values", values_known ? "known" : "unknown");
}

static bool is_blank(const char *s, size_t n)
{
	for (; n; n--, s++)
		if ((unsigned char)*s > ' ' && *s != 0x7f)
			return false;
	return true;
}

/* One indented line per line of text that is not blank. */
static void indented_lines(struct sbuf *sb, const char *text)
{
	const char *end;
	size_t n, mark;

	for (; *text; text = *end ? end + 1 : end) {
		end = strchr(text, '\n');
		if (!end)
			end = text + strlen(text);
		n = (size_t)(end - text);
		if (is_blank(text, n))
			continue;
		mark = sb->len;
		sbuf_adds(sb, "  ");
		sbuf_add(sb, text, n);
		render_line_end(sb, mark);
	}
}

void render_event_events(struct sbuf *sb, const struct api_event *ev)
{
	const struct api_pod_event *pe;
	size_t i, mark;

	for (i = 0; i < ev->n_pod_events; i++) {
		pe = &ev->pod_events[i];
		if (i)
			sbuf_addch(sb, '\n');
		mark = sb->len;
		sbuf_printf(sb, "%s: %s", pe->name, pe->job_pod_status);
		render_line_end(sb, mark);
		indented_lines(sb, pe->event);
	}
}
