/*
 * data.h — typed, cached access to the server: each getter returns a decoded API
 * answer from the cache (fetching it when older than its TTL, coalescing
 * concurrent fetches, serving the stale answer when the server is unreachable).
 *
 * Every getter returns 0 with *ref holding a cache reference (release with
 * cache_ref_put) whose object is the documented type, or a negative errno.
 * Objects are immutable once cached: read them, never modify them.
 *
 * Request economy (design.md §2): one I1 per environment feeds every instance
 * of it; one E1+E2 pair per project feeds every environment; versions are per
 * app service; nothing here is fetched per directory entry.
 */
#ifndef C7NFS_DATA_H
#define C7NFS_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include "api.h"
#include "cache.h"
#include "config.h"

struct data {
	struct api_client *api;
	struct cache *cache;
	const struct c7_config *cfg;
	struct api_user user;          /* filled at mount (A2) */
};

/* Directory names of a list's items: sanitised, made unique in server order
 * ("name", then "name~2", …), computed once per answer. v[i] names item i. */
struct data_names {
	size_t n;
	char **v;
};

/* Index of the item named name, or -1. */
long data_names_find(const struct data_names *names, const char *name);

/* Object of data_projects. */
struct data_projects {
	struct api_project_list list;
	struct data_names names;       /* by project code */
};

/* Object of data_envs: E1 flags for the environments E2 says the user sees. */
struct data_envs {
	struct api_env_list list;      /* visible environments, E2 order */
	struct data_names names;       /* by environment code */
};

/* Object of data_instances. */
struct data_instances {
	struct api_instance_list list;
	struct data_names names;       /* by instance code */
};

/* Object of data_resources. */
struct data_resources {
	struct api_resources res;
	struct data_names deployments; /* by deployment name */
};

/* Object of data_values / data_detail_yaml. */
struct data_text {
	char *text;
	size_t len;
};

/* Object of data_detail_json. */
struct data_json {
	json_t *json;
};

int data_projects(struct data *d, struct cache_ref **ref);        /* data_projects */
int data_envs(struct data *d, const char *project_id, struct cache_ref **ref);  /* data_envs */
int data_instances(struct data *d, const char *project_id, const char *env_id,
		   struct cache_ref **ref);                              /* data_instances */
int data_values(struct data *d, const char *project_id, const char *instance_id,
		struct cache_ref **ref);                                 /* data_text */
int data_resources(struct data *d, const char *project_id, const char *instance_id,
		   struct cache_ref **ref);                              /* data_resources */
int data_events(struct data *d, const char *project_id, const char *instance_id,
		struct cache_ref **ref);                                 /* api_event_list */
int data_versions(struct data *d, const char *project_id, const char *app_service_id,
		  struct cache_ref **ref);                               /* api_version_list */
int data_detail_json(struct data *d, const char *project_id, const char *instance_id,
		     const char *deployment, struct cache_ref **ref);    /* data_json */
int data_detail_yaml(struct data *d, const char *project_id, const char *instance_id,
		     const char *deployment, struct cache_ref **ref);    /* data_text */

/* Forget what is cached about one instance / one environment's list (after an
 * operation through the mount), so the next read asks the server. */
void data_expire_instance(struct data *d, const char *project_id, const char *env_id,
			  const char *instance_id);

#endif
