/*
 * writes.h — the write paths: committing values.yaml (design.md §3) and running
 * control verbs (design.md §4). The FUSE layer calls these from the syscall
 * whose result the user sees: open/flush/rename for values.yaml, write/flush
 * for control. Every failure is recorded in the instance's last_error and in
 * .c7nfs/log in git's message style; every refusal happens before any request.
 *
 * `ino` is the inode of values.yaml / control (or of the instance directory,
 * for a rename onto values.yaml). Functions return 0 or a negative errno.
 */
#ifndef C7NFS_WRITES_H
#define C7NFS_WRITES_H

#include <stddef.h>
#include <stdint.h>

#include "control.h"
#include "tree.h"
#include "values.h"

/*
 * open(2) of values.yaml for writing: -EACCES without deploy permission;
 * otherwise h starts on the text values.yaml reads now (empty with trunc) and
 * remembers it as the base for the lost-update check. h must be freed with
 * values_handle_free() in every case.
 */
int writes_values_open(struct tree *t, uint64_t ino, bool trunc, struct values_handle *h);

/*
 * Commits text as the instance's new values: local parse (EINVAL), state
 * (EBUSY/ENOTCONN/EACCES), no request when it equals what is deployed, lost
 * update (ESTALE, only when base is not NULL), then the update request. A
 * refused text becomes values.yaml.rejected.
 */
int writes_values_commit(struct tree *t, uint64_t ino, const char *text, size_t len,
			 const char *base, size_t base_len);

/* open(2) of control for writing: -EACCES without deploy permission. The
 * instance code (for "delete CODE") is copied into code. */
int writes_control_open(struct tree *t, uint64_t ino, char *code, size_t len);

/* Runs one parsed control command. */
int writes_control_run(struct tree *t, uint64_t ino, const struct control_cmd *cmd);

/* Records a refusal decided outside (a bad control line for verb, 0 if it
 * named none): last_error + log. */
void writes_control_refused(struct tree *t, uint64_t ino, unsigned verb, int err,
			    const char *why);

#endif
