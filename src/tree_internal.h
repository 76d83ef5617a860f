/*
 * tree_internal.h — what the tree shares with the write paths (writes.c): the
 * resolution context and the per-instance state. Private to src/.
 */
#ifndef C7NFS_TREE_INTERNAL_H
#define C7NFS_TREE_INTERNAL_H

#include <pthread.h>
#include <time.h>

#include "history.h"
#include "journal.h"
#include "opresult.h"
#include "scratch.h"
#include "tree.h"
#include "values.h"

#define MAX_REFS 12
#define MAX_DEPTH 12

struct inode {
	uint64_t ino;
	uint64_t parent;
	char *name;
	enum tree_kind kind;
	uint64_t nlookup;
	uint64_t hash;          /* FNV-1a of the last rendering (0 = none yet) */
	struct timespec mtime;
	struct inode *next;     /* hash chain on (parent, name) */
};

/* What the mount remembers about one instance across requests. Fields below
 * `lock` are guarded by it; commits and control verbs hold it so that one
 * instance runs one operation at a time. */
struct inst_state {
	char *instance_id;
	struct journal *journal;
	json_t *versions;       /* command id → version, learned from I1 */
	struct inst_state *next;
	pthread_mutex_t lock;
	struct opresult last_error;
	struct values_rejected rejected;
	char last_result[1280];  /* last control/commit result line ("" = none) */
	char *committed;        /* text of the last commit through the mount */
	size_t committed_len;
	char *committed_base;   /* V1 text when it was committed (NULL = none) */
};

struct tree {
	struct tree_options o;
	pthread_mutex_t lock;
	struct inode **inodes;  /* index ino - 1 */
	size_t n_inodes, alloc_inodes;
	struct inode **buckets;
	size_t n_buckets;
	struct inst_state *states;
	struct timespec start;
};

/* Everything resolved on the way to one node. */
struct rctx {
	enum tree_kind kind;
	uint64_t ino;
	struct cache_ref *refs[MAX_REFS];
	int nrefs;
	const struct api_project *project;
	const struct api_env *env;
	const struct data_instances *insts;
	const struct api_instance *inst;
	const struct data_resources *res;
	const struct api_event_list *events;
	const char *file;                 /* file name within its directory */
	const struct api_deployment *dep;
	const struct api_event *ev;
	const struct api_pod_event *job;
	struct inst_state *is;
	time_t res_time;                  /* wall time the resources were fetched */
};


/* Resolves ino from the root; on success c holds references: rctx_done(). */
int tree_resolve(struct tree *t, uint64_t ino, struct rctx *c);
void tree_rctx_done(struct rctx *c);
/* Loads the instance list of c's environment into c (once). */
int tree_load_instances(struct tree *t, struct rctx *c);
/* Versions of c's app service, or NULL (logged) when they cannot be had. */
const struct api_version_list *tree_load_versions(struct tree *t, struct rctx *c);
void tree_state_input(struct tree *t, struct rctx *c, struct state_input *in);
/* The user may deploy in c's environment (E1 permission or an open env). */
bool tree_may_deploy(const struct rctx *c);

#endif
