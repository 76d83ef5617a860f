/*
 * render.h — node → text. Pure functions from decoded API structs to the bytes
 * of each generated file (design.md §1; the exact formats are documented in
 * docs/layout.md). No I/O, no clock: `now` is passed in (relative ages such as
 * "5m" are computed against it). Output is appended to an sbuf; check
 * sbuf_error() once at the end.
 *
 * Text rules: UTF-8, every file ends with "\n" unless empty; tables are
 * kubectl-style (upper-case header, columns padded with spaces to the widest
 * cell + 3, no trailing spaces); empty values print as "<none>" in tables and as
 * "key:" with nothing after it in key: value files; keys are English and stable.
 */
#ifndef C7NFS_RENDER_H
#define C7NFS_RENDER_H

#include <stdbool.h>
#include <time.h>
#include <jansson.h>

#include "api.h"
#include "sbuf.h"
#include "state.h"

/* Everything the per-instance views need; pointers may be NULL where noted. */
struct render_instance {
	const struct api_env *env;
	const struct api_instance *inst;
	const struct api_version_list *versions;  /* NULL: latest version unknown */
	const char *env_code;                     /* directory name of the env */
	const char *project_code;
};

/* The state input the status, control and versions views derive from. */
void render_state_input(const struct render_instance *ri, struct state_input *out);

/* Latest version of the list, or NULL (list NULL or empty). */
const struct api_version *render_latest_version(const struct api_version_list *v);

/* MOUNT/.../ENV/INSTANCE/status — design.md §1 key: value lines, in this order:
 * instance app environment version latest_version upgrade_available state
 * status operation pods allowed error updated. */
void render_status(struct sbuf *sb, const struct render_instance *ri);
/* status.json — the same keys as one JSON object (pretty, 2-space indent),
 * plus "state_zh", "state_en" split out and "allowed" as an array. */
void render_status_json(struct sbuf *sb, const struct render_instance *ri);

/* ENV/env — code name description cluster connected synchronized may_deploy
 * (yes/no values). */
void render_env(struct sbuf *sb, const struct api_env *env);

/* ENV/instances — INSTANCE APP VERSION STATE PODS (state as its Chinese name,
 * pods as running/total). */
void render_instances_table(struct sbuf *sb, const struct api_instance_list *l);

/* INSTANCE/versions — VERSION CREATED MARK, newest first; MARK holds
 * "deployed" and/or "latest". */
void render_versions(struct sbuf *sb, const struct render_instance *ri);

/* INSTANCE/control when read: the verbs allowed now, usage of every verb, and the
 * last result line (may be NULL or ""). */
void render_control(struct sbuf *sb, const struct render_instance *ri,
		    const char *last_result);

/* resources/<kind> tables (kind is one of the eight file names:
 * pods deployments replicasets services ingresses statefulsets daemonsets pvcs).
 * Returns -ENOENT for an unknown kind. */
int render_resources(struct sbuf *sb, const struct api_resources *r,
		     const char *kind, time_t now);
/* Names of the eight resource tables, NULL-terminated. */
extern const char *const render_resource_kinds[];

/* deployments/NAME/summary: desired/current/up-to-date/available and the pods
 * with their status, ready, restarts, ip, node. */
void render_deployment_summary(struct sbuf *sb, const struct api_deployment *d,
			       time_t now);
/* deployments/NAME/{ports,volumes,health,host,env,labels} from the raw Kubernetes
 * object of I5 (detail may be NULL: prints the fallback from d). Returns -ENOENT
 * for an unknown panel name. */
int render_deployment_panel(struct sbuf *sb, const char *panel,
			    const struct api_deployment *d, const json_t *detail);
extern const char *const render_deployment_panels[];
/* detail.json: the raw object, pretty-printed (2-space indent, keys in server order). */
void render_json(struct sbuf *sb, const json_t *j);

/* events/SEQ-TYPE-VERSION directory name, e.g. "0007-update-0.2.1"; version ""
 * omits the suffix ("0007-update"). Sanitised for use as a path component. */
void render_event_dirname(struct sbuf *sb, unsigned seq, const struct api_event *ev,
			  const char *version);
/* events/X/summary: type, state, who, when, error, version, values (whether the
 * values of this operation are known: values_known). */
void render_event_summary(struct sbuf *sb, const struct api_event *ev,
			  const char *version, bool values_known);
/* events/X/events: each pod_event's name, status and event text. */
void render_event_events(struct sbuf *sb, const struct api_event *ev);


/* Relative age ("45s", "12m", "3h", "5d") of an ISO-8601 or "yyyy-MM-dd HH:mm:ss"
 * timestamp; "<unknown>" if unparsable. */
void render_age(struct sbuf *sb, const char *timestamp, time_t now);

/* Path-component sanitiser (design.md §2): no '/', no NUL or control characters,
 * not "." or "..", not empty, at most 200 bytes. Bad bytes become '_'. */
void render_sanitize_name(struct sbuf *sb, const char *name);

/* ---- Added by the render module: helpers shared by render*.c, usable by
 * any caller that prints text in the same style. ---- */

/* Display columns of len bytes of UTF-8: CJK and full-width characters count
 * 2, everything else (including invalid bytes, one each) 1. */
size_t render_text_width(const char *s, size_t len);

/* Appends s with every control character (newline, tab, …) turned into a
 * space, so a value cannot break a line-oriented file. s may be NULL. */
void render_text(struct sbuf *sb, const char *s);

/* "key: value\n", or "key:\n" when value is NULL or "" (value via render_text). */
void render_kv(struct sbuf *sb, const char *key, const char *value);

/* For lines assembled piece by piece. render_line_end ends a line begun at
 * mark: control characters appended since mark become spaces, trailing blanks
 * are dropped, "\n" is added. render_kv_begin appends "key: " and returns the
 * mark to pass to render_line_end (an empty value then leaves "key:"). */
size_t render_kv_begin(struct sbuf *sb, const char *key);
void render_line_end(struct sbuf *sb, size_t mark);

/* A kubectl-style table (see the text rules above). cell appends the text of
 * one cell (nothing → "<none>"); it is called twice per cell (measure, print).
 * A table without rows prints only its header line. */
#define RENDER_TABLE_MAX_COLS 12
typedef void (*render_cell_fn)(struct sbuf *sb, const void *ctx, size_t row, size_t col);
struct render_table {
	const char *const *header;   /* ncols upper-case names */
	size_t ncols;                /* 1 … RENDER_TABLE_MAX_COLS */
	size_t nrows;
	render_cell_fn cell;
	const void *ctx;
};
void render_table(struct sbuf *sb, const struct render_table *t);

/* render_sanitize_name applied in place to the bytes appended since mark
 * (for names assembled from several parts). */
void render_sanitize_tail(struct sbuf *sb, size_t mark);

/* j as one line of compact JSON, no newline ("null" for NULL). */
void render_json_compact(struct sbuf *sb, const json_t *j);

/* "更新完成 (update succeeded)" */
void render_state_label(struct sbuf *sb, enum c7_state s);

/* Parses the timestamps render_age accepts; 0 or -EINVAL. */
int render_parse_time(const char *timestamp, time_t *out);

#endif
