/*
 * control.h — what is written to an instance's control file (design.md §4).
 *
 * Grammar, one command per line, words separated by blanks, surrounding
 * whitespace ignored:
 *	stop | start | restart | redeploy | upgrade [VERSION] | delete INSTANCE
 * restart is an alias of start; INSTANCE must be the instance's own code so
 * that one echo into a glob of control files cannot delete many instances.
 *
 * The FUSE layer keeps one struct control_buf per open of control, feeds every
 * write(2) to control_feed() and runs the command it returns inside that write,
 * so the command's error is the write's error. Text after the last newline is
 * kept until the next write or, at flush(2), control_flush(). Blank lines are
 * ignored; a write carrying two commands is refused as a whole.
 *
 * Error reasons are git style and fit CONTROL_WHY_MAX bytes:
 *	unknown verb 'frobnicate'; try: stop, start, redeploy, upgrade [VERSION], delete INSTANCE
 */
#ifndef C7NFS_CONTROL_H
#define C7NFS_CONTROL_H

#include <stddef.h>

#include "api.h"
#include "sbuf.h"
#include "state.h"

#define CONTROL_LINE_MAX 1024   /* longest command line accepted */
#define CONTROL_ARG_MAX 256     /* longest VERSION / INSTANCE */
#define CONTROL_WHY_MAX 256

struct control_cmd {
	unsigned verb;                 /* an enum c7_verb, 0 = nothing to run */
	char arg[CONTROL_ARG_MAX];     /* upgrade: VERSION or "" (latest);
					* delete: the instance code; else "" */
};

/*
 * Parses one line (no newline needed; text need not be NUL-terminated).
 * instance: this instance's code, for delete. Returns 0 with cmd filled
 * (verb 0 for a blank line) or -EINVAL with the reason in why.
 */
/* The verb the first line of text names (0 if none): to say which verb a
 * refused line meant, in last_error. */
unsigned control_verb_named(const char *text, size_t len);

int control_parse_line(const char *line, size_t len, const char *instance,
		       struct control_cmd *cmd, char *why, size_t whylen);

/* Pending text of one open of control. Owns its buffer. */
struct control_buf {
	struct sbuf pending;
};

void control_buf_init(struct control_buf *cb);
void control_buf_free(struct control_buf *cb);

/*
 * One write(2). Returns 0 with cmd->verb 0 when no complete command arrived
 * yet (or only blank lines), 0 with the command to run now, or -EINVAL (two
 * commands, a bad command, a line longer than CONTROL_LINE_MAX) with why.
 * A command consumes the complete lines; an error drops all pending text.
 */
int control_feed(struct control_buf *cb, const char *data, size_t len,
		 const char *instance, struct control_cmd *cmd, char *why,
		 size_t whylen);

/* flush(2): the unterminated text left, if any, is the command. Same returns
 * as control_feed; the buffer is empty afterwards. */
int control_flush(struct control_buf *cb, const char *instance,
		  struct control_cmd *cmd, char *why, size_t whylen);

/*
 * The version `upgrade [wanted]` goes to. versions: the app service's versions,
 * newest first; deployed: the instance's deployed version name.
 *  wanted NULL or "": the newest; -ENOENT "already at the latest version
 *	'0.3.0'" when that is the deployed one, -ENOENT "no versions of the app
 *	service" when the list is empty;
 *  wanted named: it must be in the list (-EINVAL "unknown version 'x'") and
 *	differ from the deployed one (-EINVAL "already at version '0.2.1'").
 * Returns 0 and *out pointing into versions (owned by the list), or the error
 * with its reason in why.
 */
int control_upgrade_target(const struct api_version_list *versions,
			   const char *deployed, const char *wanted,
			   const struct api_version **out, char *why, size_t whylen);

#endif
