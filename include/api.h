/*
 * api.h — Choerodon devops-service 2.0.x client: REST endpoints → plain C structs.
 *
 * Speaks exactly ../shared/docs/choerodon-api.md (endpoint keys A1…O5 below refer
 * to its §1 table). Every call is synchronous, bounded by the transport's timeouts,
 * and returns 0 or a negative errno; on failure *err (when not NULL) says why.
 *
 * Decoding rules (all api_decode_* functions, unit-testable without a server):
 *  - ids are kept as strings exactly as the server sent them (encrypted ids are
 *    opaque strings; numeric ids are converted to their decimal text);
 *  - every char * field of a decoded struct is non-NULL: JSON null, a missing key
 *    and a value of the wrong type all decode to "" (numbers: 0, booleans: false);
 *  - unknown keys are ignored;
 *  - a body {"failed":true,"code":…,"message":…} is an error even with HTTP 200.
 *
 * Ownership: every struct filled by this module owns all of its strings and arrays;
 * release it with the matching api_*_free(), which also accepts a zeroed struct and
 * leaves the struct zeroed. Structs are plain data: copy with the api_*_dup helpers.
 */
#ifndef C7NFS_API_H
#define C7NFS_API_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

struct http_transport;

/* What went wrong, for last_error and the log (git message style is built on top). */
struct api_error {
	long http_status;   /* 0 when no HTTP answer (transport failure) */
	char code[128];     /* server code, e.g. "error.instance.not.running"; "" if none */
	char message[512];  /* server message or transport error text; "" if none */
};

/* Maps a server answer to an errno (positive). One table for the whole client:
 * 401/403/permission codes → EACCES, not.running/is.operating → EBUSY,
 * yaml/validation codes → EINVAL, disconnect → ENOTCONN, missing → ENOENT,
 * 409/version conflicts → ESTALE, 429/503 → EAGAIN, others → EIO. */
int api_errno_for(long http_status, const char *code);

struct api_user {
	char *id;
	char *login_name;
	char *real_name;
	char *email;
	char *organization_id;
};

struct api_project {
	char *id;                /* plain number, as decimal text */
	char *code;
	char *name;
	char *organization_id;
	char *organization_code;
	char *organization_name;
	bool enabled;
};

struct api_project_list {
	size_t n;
	struct api_project *v;
};

/* E1 item (DevopsEnvironmentRepVO) */
struct api_env {
	char *id;
	char *code;
	char *name;
	char *description;
	char *cluster_id;
	char *cluster_name;
	bool active;
	bool connect;       /* "connect" (falls back to "connected") */
	bool synchro;
	bool failed;
	bool permission;    /* current user may deploy here */
	bool skip_check_permission;
};

struct api_env_list {
	size_t n;
	struct api_env *v;
};

/* I1 item and I3 (AppServiceInstanceInfoVO) */
struct api_instance {
	char *id;
	char *code;
	char *name;
	char *status;                 /* operating|running|failed|stopped|deleted */
	char *app_service_id;
	char *app_service_name;
	char *app_service_type;
	char *app_service_version_id; /* deployed version */
	char *version_name;
	char *command_version_id;     /* version targeted by the latest command */
	char *command_version;
	char *command_type;           /* create|update|stop|restart|delete|sync */
	char *command_status;         /* operating|success|failed */
	char *error;
	char *effect_command_id;
	char *effect_command_version;
	char *effect_command_status;
	char *environment_id;
	char *last_update_date;       /* "yyyy-MM-dd HH:mm:ss" */
	char *source;
	long pod_count;
	long pod_running_count;
	long object_version_number;
	bool connect;
};

struct api_instance_list {
	size_t n;
	struct api_instance *v;
};

struct api_kv {
	char *key;
	char *value;
};

/* devopsEnvPodVOS element (DevopsEnvPodVO) */
struct api_env_pod {
	char *id;
	char *name;
	char *ip;
	char *status;
	char *creation_date;
	char *node_name;
	bool ready;
	long restart_count;
};

/* I4 lists, one struct per element kind, fields as in choerodon-api.md §3.5 */
struct api_pod {
	char *name;
	char *status;
	char *age;
	long ready;
	long desire;
	long restarts;
};

struct api_deployment {
	char *name;
	char *age;
	long desired;
	long current;
	long up_to_date;
	long available;
	size_t n_ports;
	long *ports;
	size_t n_labels;
	struct api_kv *labels;
	size_t n_pods;
	struct api_env_pod *pods;
};

struct api_replicaset {
	char *name;
	char *age;
	long desired;
	long current;
	long ready;
};

struct api_service {
	char *name;
	char *type;
	char *cluster_ip;
	char *external_ip;
	char *port;
	char *target_port;
	char *age;
};

struct api_ingress {
	char *name;
	char *hosts;
	char *address;
	char *ports;
	char *age;
	size_t n_services;
	char **services;
};

struct api_statefulset {
	char *name;
	char *age;
	long desired_replicas;
	long ready_replicas;
	long current_replicas;
};

struct api_daemonset {
	char *name;
	char *age;
	long desired_scheduled;
	long current_scheduled;
	long number_available;
};

struct api_pvc {
	char *name;
	char *status;
	char *capacity;
	char *access_modes;
	char *age;
};

struct api_resources {
	size_t n_pods, n_deployments, n_replicasets, n_services, n_ingresses;
	size_t n_statefulsets, n_daemonsets, n_pvcs;
	struct api_pod *pods;
	struct api_deployment *deployments;
	struct api_replicaset *replicasets;
	struct api_service *services;
	struct api_ingress *ingresses;
	struct api_statefulset *statefulsets;
	struct api_daemonset *daemonsets;
	struct api_pvc *pvcs;
};

/* I8 (InstanceEventVO / PodEventVO) */
struct api_pod_event {
	char *name;
	char *event;
	char *log;
	char *job_pod_status;   /* success|fail|running|"" (pods) */
};

struct api_event {
	char *command_id;
	char *type;
	char *status;
	char *command_error;
	char *create_time;
	char *login_name;
	char *real_name;
	size_t n_pod_events;
	struct api_pod_event *pod_events;
};

struct api_event_list {
	size_t n;
	struct api_event *v;    /* newest first, as the server sends them */
};

/* R1 (AppServiceVersionVO) and R2 (AppServiceVersionRespVO) */
struct api_version {
	char *id;
	char *version;
	char *app_service_id;
	char *creation_date;
};

struct api_version_list {
	size_t n;
	struct api_version *v;  /* newest first */
};

/* ---- decoding (pure) ---------------------------------------------------- */
int api_decode_user(const json_t *j, struct api_user *out);
int api_decode_project_list(const json_t *j, struct api_project_list *out);
int api_decode_env_list(const json_t *j, struct api_env_list *out);
int api_decode_instance(const json_t *j, struct api_instance *out);
/* Accepts a Page envelope or a bare array. */
int api_decode_instance_list(const json_t *j, struct api_instance_list *out);
int api_decode_resources(const json_t *j, struct api_resources *out);
int api_decode_event_list(const json_t *j, struct api_event_list *out);
int api_decode_version_list(const json_t *j, struct api_version_list *out);
/* Returns -EPROTO when j is an error body; fills err. 0 when it is not. */
int api_decode_error(const json_t *j, long http_status, struct api_error *err);

void api_user_free(struct api_user *u);
void api_project_list_free(struct api_project_list *l);
void api_env_list_free(struct api_env_list *l);
void api_instance_free(struct api_instance *i);
void api_instance_list_free(struct api_instance_list *l);
void api_resources_free(struct api_resources *r);
void api_event_list_free(struct api_event_list *l);
void api_version_list_free(struct api_version_list *l);

int api_instance_dup(const struct api_instance *src, struct api_instance *dst);
int api_env_dup(const struct api_env *src, struct api_env *dst);

/* ---- the client ----------------------------------------------------------- */
struct api_client;

/* base_url: e.g. "http://127.0.0.1:8080" (no trailing slash needed).
 * The client keeps a copy of the token; api_client_set_token replaces it
 * (thread-safe). Owns nothing of the transport. */
int api_client_new(struct http_transport *t, const char *base_url,
		   const char *token, struct api_client **out);
void api_client_free(struct api_client *c);
int api_client_set_token(struct api_client *c, const char *token);

/* Token renewal: when an answer says the token expired (403 with
 * error.permission.accessTokenExpired) or is unknown (401), the client calls
 * renew once (serialised: concurrent callers wait for one renewal), installs the
 * new token and retries the request once. renew returns 0 with *token malloc'd,
 * or a negative errno; without a hook, or when renewal fails, the call fails
 * with -EACCES and err says why. */
typedef int (*api_renew_fn)(void *ctx, char **token);
void api_client_set_renew(struct api_client *c, api_renew_fn renew, void *ctx);

/* A1: password grant. On success *access_token / *refresh_token are malloc'd
 * (refresh may be ""), *expires_in in seconds (0 = unknown). */
int api_token_password(struct api_client *c, const char *username,
		       const char *password, const char *client_id,
		       char **access_token, char **refresh_token,
		       long *expires_in, struct api_error *err);
/* A1 with grant_type=refresh_token. */
int api_token_refresh(struct api_client *c, const char *refresh_token,
		      const char *client_id, char **access_token,
		      char **new_refresh_token, long *expires_in,
		      struct api_error *err);

int api_user_self(struct api_client *c, struct api_user *out, struct api_error *err);      /* A2 */
int api_project_list(struct api_client *c, const char *user_id,
		     struct api_project_list *out, struct api_error *err);               /* A4 */
int api_env_list(struct api_client *c, const char *project_id,
		 struct api_env_list *out, struct api_error *err);                       /* E1 */
/* I1, every page fetched (size 1000) and concatenated. */
int api_instance_list(struct api_client *c, const char *project_id, const char *env_id,
		      struct api_instance_list *out, struct api_error *err);
/* I3; -ENOENT when the server answers 200 with an empty body. */
int api_instance_get(struct api_client *c, const char *project_id, const char *instance_id,
		     struct api_instance *out, struct api_error *err);
int api_instance_resources(struct api_client *c, const char *project_id,
			   const char *instance_id, struct api_resources *out,
			   struct api_error *err);                                        /* I4 */
/* I5: *detail is the raw Kubernetes object (new reference). */
int api_deployment_detail_json(struct api_client *c, const char *project_id,
			       const char *instance_id, const char *deployment,
			       json_t **detail, struct api_error *err);
/* I6: *yaml malloc'd. */
int api_deployment_detail_yaml(struct api_client *c, const char *project_id,
			       const char *instance_id, const char *deployment,
			       char **yaml, struct api_error *err);
int api_instance_events(struct api_client *c, const char *project_id,
			const char *instance_id, struct api_event_list *out,
			struct api_error *err);                                          /* I8 */
/* V1: *yaml malloc'd. */
int api_instance_values(struct api_client *c, const char *project_id,
			const char *instance_id, char **yaml, struct api_error *err);
/* V3: values for deploying version_id (user delta merged onto its defaults). */
int api_upgrade_values(struct api_client *c, const char *project_id,
		       const char *instance_id, const char *version_id,
		       char **yaml, struct api_error *err);
/* R1: all deployable versions of an app service, newest first. */
int api_version_list(struct api_client *c, const char *project_id,
		     const char *app_service_id, struct api_version_list *out,
		     struct api_error *err);
/* R2: versions newer than version_id, newest first. */
int api_upgrade_versions(struct api_client *c, const char *project_id,
			 const char *version_id, struct api_version_list *out,
			 struct api_error *err);
/* O1: modify values / upgrade. inst supplies instanceId, environmentId and
 * appServiceId (environment_id may be "" in list items: pass env_id then). */
int api_instance_update(struct api_client *c, const char *project_id,
			const struct api_instance *inst, const char *env_id,
			const char *version_id, const char *values,
			struct api_error *err);
int api_instance_redeploy(struct api_client *c, const char *project_id,
			  const char *instance_id, struct api_error *err);        /* O2 */
int api_instance_stop(struct api_client *c, const char *project_id,
		      const char *instance_id, struct api_error *err);            /* O3 */
int api_instance_start(struct api_client *c, const char *project_id,
		       const char *instance_id, struct api_error *err);           /* O4 */
int api_instance_delete(struct api_client *c, const char *project_id,
			const char *instance_id, struct api_error *err);          /* O5 */

/* E2: the environments the user may see (members: only granted ones), in the
 * server's order; only id, code, name and connect are filled. */
int api_env_tree(struct api_client *c, const char *project_id,
		 struct api_env_list *out, struct api_error *err);

#endif
