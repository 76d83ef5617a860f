/*
 * values.h — values.yaml: local validation, the write-handle buffer, the commit
 * decision and the rejected-text store (design.md §3).
 *
 * Pure logic, no I/O and no locking: the FUSE layer holds the instance's lock
 * and commits at the first flush(2) of a dirty handle (base = h->base) or at a
 * rename(2) of a scratch file onto values.yaml (text from scratch_take(),
 * base = NULL), returning the result from close(2) / rename(2):
 *
 *	st = state_check_verb(&state_in, C7_VERB_EDIT, why, sizeof(why));
 *	ret = values_decide(&(struct values_commit){ text, len, deployed_now,
 *			    deployed_len, base, base_len, st, why }, &d);
 *	if (!ret && d.send)
 *		ret = the update request (choerodon-api.md §3.11);
 *	if (ret)
 *		values_rejected_keep(&rejected, text, len, now);
 *	else if (d.send)
 *		values_rejected_clear(&rejected);
 *	values_handle_settle(h, ret);        (flush only)
 *
 * tests/unit/test_values.c replays every editor of fuse-notes.md §2.1 through
 * exactly this sequence (model_commit, model_close, model_rename).
 */
#ifndef C7NFS_VALUES_H
#define C7NFS_VALUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "sbuf.h"

/* Largest values text a handle buffers or a commit sends. */
#define VALUES_MAX_SIZE (1u << 20)

/* Why a text is not valid Helm values. line/column are 1-based; both are 0 when
 * the problem has no position (empty text). problem is libyaml's own text
 * ("did not find expected key") or ours ("values must be a mapping"). */
struct values_error {
	int line;
	int column;
	char problem[200];
};

/*
 * Parses text completely with libyaml. Valid = exactly one document whose top
 * level node is a mapping (Helm values; "{}" is valid). A blank or comment-only
 * text, a scalar or sequence at the top, a second document and every libyaml
 * error are invalid. Returns 0, -EINVAL (err filled when not NULL) or -ENOMEM.
 * text need not be NUL-terminated; embedded NULs are invalid.
 */
int values_validate(const char *text, size_t len, struct values_error *err);

/* "yaml: line 3, column 5: did not find expected key" (or "yaml: PROBLEM"
 * without a position) into buf, always NUL-terminated, truncated to len. */
void values_error_format(const struct values_error *err, char *buf, size_t len);

/* ---- write handle --------------------------------------------------------- */

/*
 * One open(2) of values.yaml for writing. text is the file as this handle sees
 * it; base is the deployed text when the handle was opened, kept for the
 * lost-update check. dirty: written, truncated or opened with O_TRUNC since the
 * last settle. Owns its buffers; release with values_handle_free().
 */
struct values_handle {
	struct sbuf text;    /* capped at VALUES_MAX_SIZE */
	char *base;
	size_t base_len;
	bool dirty;
};

/* Starts a handle on the deployed text (copied). trunc (O_TRUNC) starts it
 * empty and dirty. 0, -ENOMEM, or -EFBIG when deployed exceeds the cap (the
 * handle is then empty and must still be freed). */
int values_handle_init(struct values_handle *h, const char *deployed, size_t len,
		       bool trunc);
void values_handle_free(struct values_handle *h);

/* write(2) at off, growing with zero bytes. 0, or -EFBIG when off + len would
 * pass VALUES_MAX_SIZE (nothing written; the handle stays usable). */
int values_handle_write(struct values_handle *h, uint64_t off, const void *data,
			size_t len);
/* ftruncate(2). 0 or -EFBIG. */
int values_handle_truncate(struct values_handle *h, uint64_t size);
/* Copies up to len bytes from off into buf; returns the count (0 at the end). */
size_t values_handle_read(const struct values_handle *h, uint64_t off, void *buf,
			  size_t len);
/* The current text (NUL-terminated, owned by the handle, valid until the next
 * change); *len may be NULL. */
const char *values_handle_text(const struct values_handle *h, size_t *len);

/* After a commit attempt (result = 0 or negative errno): the handle is clean
 * again, so a second flush of the same open (dup, fork) does not resend; on
 * success its text becomes its base. 0 or -ENOMEM. */
int values_handle_settle(struct values_handle *h, int result);

/* ---- commit decision ------------------------------------------------------ */

struct values_commit {
	const char *text;          /* what the user saved */
	size_t len;
	const char *deployed;      /* deployed on the server now */
	size_t deployed_len;
	const char *base;          /* deployed when the handle was opened; NULL = */
	size_t base_len;           /* unknown (scratch rename): no lost-update check */
	int state_err;             /* state_check_verb(…, C7_VERB_EDIT, …) */
	const char *state_why;     /* its reason; may be NULL when state_err is 0 */
};

struct values_decision {
	bool send;                 /* 0 returned and the update must be sent */
	struct values_error yaml;  /* set when the parse failed */
	char why[256];             /* "" unless refused: the reason, git style */
};

/*
 * Decides what a commit does, in design.md §3's order:
 *  -EFBIG   text longer than VALUES_MAX_SIZE;
 *  -EINVAL  text is not valid values (yaml and why = "yaml: line L, column C: …");
 *  -EBUSY/-EACCES/-ENOTCONN/…  state_err, why = state_why;
 *   0, send = false  text equals the deployed text: no request;
 *  -ESTALE  base known and the deployed text differs from it (changed on the
 *           server since open), why says so;
 *   0, send = true   otherwise.
 * Never sends anything itself; out is always filled.
 */
int values_decide(const struct values_commit *in, struct values_decision *out);

/* ---- values.yaml.rejected ------------------------------------------------- */

/*
 * The last text a commit refused, readable as values.yaml.rejected until the
 * next successful send. present is false when there is none. Owns text.
 * Not locked: guard it with the instance's lock.
 */
struct values_rejected {
	bool present;
	char *text;
	size_t len;
	time_t when;      /* mtime of values.yaml.rejected */
};

void values_rejected_init(struct values_rejected *r);
/* Replaces the kept text with a copy of text. 0 or -ENOMEM (old text kept). */
int values_rejected_keep(struct values_rejected *r, const char *text, size_t len,
			 time_t when);
/* After a successful send: the file disappears. */
void values_rejected_clear(struct values_rejected *r);

#endif
