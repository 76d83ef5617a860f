/* notify.c — see include/notify.h. */
#include "notify.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#define NOTIFY_QUEUE 1024

struct notice {
	fuse_ino_t ino;       /* parent for an entry, the inode for attributes */
	char *name;           /* NULL: attributes of ino */
};

struct notifier {
	struct fuse_session *se;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct notice q[NOTIFY_QUEUE];
	size_t head, count;
	bool stopping;
};

static void send_notice(struct notifier *n, const struct notice *x)
{
	int rc;

	if (x->name)
		rc = fuse_lowlevel_notify_inval_entry(n->se, x->ino, x->name, strlen(x->name));
	else
		rc = fuse_lowlevel_notify_inval_inode(n->se, x->ino, -1, 0);
	/* ENOENT: the kernel does not know it; EBADF/ENODEV: unmounting. */
	if (rc && rc != -ENOENT && rc != -EBADF && rc != -ENODEV)
		c7_log(C7_LOG_DEBUG, "cache invalidation of inode %llu failed: %s",
		       (unsigned long long)x->ino, strerror(-rc));
}

static void *notifier_main(void *arg)
{
	struct notifier *n = arg;
	struct notice x;

	pthread_mutex_lock(&n->lock);
	for (;;) {
		while (!n->count && !n->stopping)
			pthread_cond_wait(&n->cond, &n->lock);
		if (!n->count)
			break;
		x = n->q[n->head];
		n->head = (n->head + 1) % NOTIFY_QUEUE;
		n->count--;
		pthread_mutex_unlock(&n->lock);
		send_notice(n, &x);
		free(x.name);
		pthread_mutex_lock(&n->lock);
	}
	pthread_mutex_unlock(&n->lock);
	return NULL;
}

int notifier_start(struct fuse_session *se, struct notifier **out)
{
	struct notifier *n = calloc(1, sizeof(*n));
	int rc;

	if (!n)
		return -ENOMEM;
	n->se = se;
	pthread_mutex_init(&n->lock, NULL);
	pthread_cond_init(&n->cond, NULL);
	rc = pthread_create(&n->thread, NULL, notifier_main, n);
	if (rc) {
		pthread_cond_destroy(&n->cond);
		pthread_mutex_destroy(&n->lock);
		free(n);
		return -rc;
	}
	*out = n;
	return 0;
}

void notifier_stop(struct notifier *n)
{
	if (!n)
		return;
	pthread_mutex_lock(&n->lock);
	n->stopping = true;
	pthread_cond_signal(&n->cond);
	pthread_mutex_unlock(&n->lock);
	pthread_join(n->thread, NULL);
	pthread_cond_destroy(&n->cond);
	pthread_mutex_destroy(&n->lock);
	free(n);
}

static void enqueue(struct notifier *n, fuse_ino_t ino, const char *name)
{
	struct notice x = { .ino = ino };

	if (!n)
		return;
	if (name) {
		x.name = strdup(name);
		if (!x.name)
			return;
	}
	pthread_mutex_lock(&n->lock);
	if (n->count == NOTIFY_QUEUE || n->stopping) {
		/* A lost notice only means an entry timeout of staleness. */
		free(x.name);
	} else {
		n->q[(n->head + n->count) % NOTIFY_QUEUE] = x;
		n->count++;
		pthread_cond_signal(&n->cond);
	}
	pthread_mutex_unlock(&n->lock);
}

void notifier_inval_entry(struct notifier *n, fuse_ino_t parent, const char *name)
{
	enqueue(n, parent, name);
}

void notifier_inval_attr(struct notifier *n, fuse_ino_t ino)
{
	enqueue(n, ino, NULL);
}
