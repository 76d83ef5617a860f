/*
 * fs.h — the FUSE low-level glue: translates kernel requests into tree (read
 * side) and write-path calls and their errno. No server logic lives here.
 */
#ifndef C7NFS_FS_H
#define C7NFS_FS_H

#define FUSE_USE_VERSION FUSE_MAKE_VERSION(3, 14)
#include <fuse_lowlevel.h>

#include <pthread.h>

#include "scratch.h"
#include "tree.h"

/* Inode numbers from here up are scratch files (the tree's stay far below). */
#define FS_SCRATCH_FIRST_ID (1ULL << 48)
#define FS_ALIASES 64

struct notifier;

struct fs {
	struct tree *tree;
	struct notifier *notify;     /* set once the session is mounted */
	struct scratch_store *scratch;
	double timeout;      /* kernel attr/entry cache, seconds */
	pthread_mutex_t alias_lock;
	fuse_ino_t alias_from[FS_ALIASES];   /* scratch inode renamed onto values.yaml */
	fuse_ino_t alias_to[FS_ALIASES];     /* … and the values.yaml inode it stands for */
	size_t alias_next;
};

extern const struct fuse_lowlevel_ops fs_ops;

#endif
