/*
 * notify.h — kernel cache invalidations, sent from a thread of their own.
 *
 * libfuse forbids notifications from inside a request handler (they can
 * deadlock), so handlers queue them here and return; a worker thread sends them
 * right after. Used where the kernel's cached view would otherwise lie for an
 * entry timeout: a name renamed away from values.yaml (it must stop being
 * values.yaml's inode), values.yaml.rejected going away, a file whose size
 * changed between lookup and open.
 */
#ifndef C7NFS_NOTIFY_H
#define C7NFS_NOTIFY_H

#define FUSE_USE_VERSION FUSE_MAKE_VERSION(3, 14)
#include <fuse_lowlevel.h>

struct notifier;

/* Starts the thread. 0 or a negative errno. */
int notifier_start(struct fuse_session *se, struct notifier **out);
/* Sends what is queued, stops the thread, frees n (NULL is fine). */
void notifier_stop(struct notifier *n);

/* Forget the name `name` of directory parent (NULL n: no-op). */
void notifier_inval_entry(struct notifier *n, fuse_ino_t parent, const char *name);
/* Forget the cached attributes of ino (NULL n: no-op). */
void notifier_inval_attr(struct notifier *n, fuse_ino_t ino);

#endif
