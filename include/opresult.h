/*
 * opresult.h — the record of a failed operation, as served by an instance's
 * last_error file and written to .c7nfs/log.
 *
 * Messages follow git's style (see log.h): lower-case, the subject quoted,
 * no final full stop:
 *	cannot stop 'demo-api-7f3k2': instance is stopping (停止中)
 *	cannot save 'values.yaml' of 'demo-api-7f3k2': yaml: line 3, column 5: did not find expected key
 *
 * last_error renders as key: value lines and then the one-line summary:
 *	time: 2026-12-04 10:31:07
 *	verb: stop
 *	errno: EBUSY (Device or resource busy)
 *	code: error.instance.not.running
 *	message: 实例未运行
 *	cannot stop 'demo-api-7f3k2': instance is stopping (停止中)
 *
 * Plain data, not locked: guard it with the instance's lock.
 */
#ifndef C7NFS_OPRESULT_H
#define C7NFS_OPRESULT_H

#include <time.h>

#include "sbuf.h"
#include "state.h"

struct opresult {
	int err;             /* positive errno; 0 = no failure recorded */
	time_t when;
	unsigned verb;       /* enum c7_verb */
	char code[128];      /* the server's code, "" when the server did not answer */
	char message[512];   /* the server's message, "" likewise */
	char summary[1024];  /* the git-style line */
};

/* "EBUSY" for the errnos the mount returns (EBUSY EACCES ESTALE ENOTCONN
 * EINVAL ENOENT ETIMEDOUT EAGAIN EIO EPERM ENOSPC EFBIG EHOSTDOWN EHOSTUNREACH
 * ENOMEM EPROTO); NULL for others. Sign ignored. */
const char *errno_name(int err);

/*
 * The one-line message for a failed verb on instance into buf (NUL-terminated,
 * truncated to len): "cannot VERB 'INSTANCE': REASON", where C7_VERB_EDIT reads
 * "cannot save 'values.yaml' of 'INSTANCE'". An empty or NULL reason falls back
 * to the errno's description.
 */
void opresult_summary(unsigned verb, const char *instance, int err,
		      const char *reason, char *buf, size_t len);

/* Records a failure (err: positive or negative errno; code, message and reason
 * may be NULL). Fills every field of r, the summary included. */
void opresult_set(struct opresult *r, time_t when, unsigned verb,
		  const char *instance, int err, const char *code,
		  const char *message, const char *reason);
void opresult_clear(struct opresult *r);

/* Appends last_error's content to out (nothing when r->err is 0; times in
 * local time). Returns sbuf_error(out). */
int opresult_render(const struct opresult *r, struct sbuf *out);

#endif
