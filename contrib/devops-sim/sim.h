/* sim.h — shared declarations of c7n-devops-sim, the Choerodon devops-service emulator.
 *
 * Layout:
 *   util.c      strings, hashing, ids, time formatting, a string hash map
 *   yamljson.c  YAML text <-> jansson values, deep merge / delta of values
 *   model.c     the data model, loading the data file, the --generate builder
 *   ops.c       instance operations and the command state machine (§4.4/§4.5)
 *   k8s.c       Kubernetes objects derived from deployed values + version, events
 *   api.c       the Choerodon endpoints (JSON shapes of choerodon-api.md)
 *   main.c      command line, libmicrohttpd glue, routing, auth, stats, faults
 */
#ifndef C7N_SIM_H
#define C7N_SIM_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* ------------------------------------------------------------------ util.c */

typedef struct strbuf {
	char *s;
	size_t len, cap;
} strbuf;

void sb_init(strbuf *b);
void sb_addn(strbuf *b, const char *s, size_t n);
void sb_add(strbuf *b, const char *s);
void sb_addc(strbuf *b, char c);
void sb_addf(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *sb_steal(strbuf *b); /* returns the NUL-terminated text, resets b */
void sb_free(strbuf *b);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int64_t now_ms(void);
void fmt_date(int64_t ms, char out[32]);    /* "yyyy-MM-dd HH:mm:ss", local time */
void fmt_iso_ms(int64_t ms, char out[40]);  /* "2018-06-08T17:19:23.000Z" (Joda toString, UTC) */
void fmt_iso_k8s(int64_t ms, char out[40]); /* "2018-05-20T03:36:57Z" (K8s metadata) */

uint64_t mix64(uint64_t x);
uint64_t hash_bytes(const void *p, size_t n, uint64_t seed);
uint64_t hash_str(const char *s);
/* K8s-style random suffix ("bcdf…2456789" alphabet) derived from h. */
void k8s_suffix(uint64_t h, char *out, int n);
/* Opaque id like the gateway's encrypted ids: "=" + 22 base64url chars + "=". */
enum id_kind {
	ID_ENV = 1, ID_APP, ID_VERSION, ID_INSTANCE, ID_COMMAND, ID_USER, ID_CLUSTER, ID_POD,
	ID_APPCENTER, ID_GROUP, ID_SAGA, ID_EVENT, ID_PVC
};
char *make_id(enum id_kind kind, uint64_t seq);
bool icontains(const char *hay, const char *needle);

/* String-keyed hash map (keys are copied, values are borrowed pointers). */
typedef struct smap {
	char **keys;
	void **vals;
	size_t cap, count, used;
} smap;
void smap_init(smap *m);
void smap_free(smap *m);
void smap_put(smap *m, const char *key, void *val);
void *smap_get(const smap *m, const char *key);
void smap_del(smap *m, const char *key);

/* -------------------------------------------------------------- yamljson.c */

/* Parses YAML text into a jansson value (first document; empty text → JSON null).
 * On error returns NULL and fills *line (1-based), *col and *msg (malloc'd). */
json_t *yaml_to_json(const char *text, size_t len, int *line, int *col, char **msg);
/* Block-style YAML text of a value (malloc'd, ends with "\n" unless empty). */
char *json_to_yaml(const json_t *v);
/* New value: overlay merged into base (objects recursively, everything else replaced). */
json_t *json_deep_merge(const json_t *base, const json_t *overlay);
/* New value with the keys of user that differ from defaults (NULL when nothing differs). */
json_t *json_delta(const json_t *user, const json_t *defaults);
/* Value at a dotted path ("image.repository") or NULL. */
json_t *json_path(const json_t *v, const char *path);
const char *json_path_str(const json_t *v, const char *path);
int64_t json_path_int(const json_t *v, const char *path, int64_t dflt);
bool json_path_bool(const json_t *v, const char *path, bool dflt);
/* Scalar as text ("8080", "true", "x"); NULL for objects/arrays/null. Malloc'd. */
char *json_scalar_text(const json_t *v);

/* ----------------------------------------------------------------- model.c */

enum cmd_type { CMD_CREATE, CMD_UPDATE, CMD_STOP, CMD_RESTART, CMD_DELETE };
enum cmd_status { CS_OPERATING, CS_SUCCESS, CS_FAILED };
enum inst_status { IS_OPERATING, IS_RUNNING, IS_FAILED, IS_STOPPED, IS_DELETED };
enum forced { FORCE_NONE, FORCE_SUCCESS, FORCE_FAIL };

extern const char *const cmd_type_names[];
extern const char *const cmd_status_names[];
extern const char *const inst_status_names[];

typedef struct user {
	char *id; /* encrypted-looking id (IAM user ids are @Encrypt) */
	int64_t num;
	char *login, *real_name, *email, *token;
	bool admin;
} user_t;

typedef struct member {
	user_t *user;
	bool owner;
} member_t;

typedef struct project {
	int64_t id; /* plain number */
	char *code, *name, *description, *category;
	int64_t created_ms;
	member_t *members;
	size_t nmembers;
} project_t;

typedef struct grant {
	user_t *user;
	bool deploy;
} grant_t;

typedef struct env {
	char *id;
	uint64_t seq;
	project_t *project;
	char *code, *name, *description;
	bool connected, active, synchro, failed, skip_check;
	char *cluster_id, *cluster_name, *group_id, *saga_id;
	int64_t gitlab_project_id;
	int64_t created_ms;
	grant_t *grants;
	size_t ngrants;
	int ovn;
} env_t;

struct app;

typedef struct version {
	char *id;
	uint64_t seq;
	struct app *app;
	char *version, *values, *commit;
	json_t *values_json; /* parsed defaults */
	int64_t created_ms;
} version_t;

typedef struct app {
	char *id;
	uint64_t seq;
	project_t *project;
	char *code, *name, *type, *image;
	bool active;
	version_t **versions; /* ascending seq (oldest first) */
	size_t nversions;
} app_t;

struct instance;

typedef struct command {
	char *id;
	uint64_t seq;
	struct instance *inst;
	enum cmd_type type;
	enum cmd_status status;
	char *error;
	version_t *version;
	char *values; /* full values text of this command (verbatim) */
	user_t *user;
	int64_t created_ms, done_ms;
	int64_t due_ms; /* when pending: completion time (INT64_MAX = only /_sim/advance) */
	bool pending;
	enum forced forced;
	char *forced_error;
	/* what the deploy produced (create/update), for I8 */
	char *job_name;
	char **pods;
	size_t npods;
	char *pod_status; /* pod status at that deploy ("Running", "CrashLoopBackOff", …) */
	char *image;
	char *node;
} command_t;

/* What runs in the cluster for an instance (absent until a deploy succeeded). */
typedef struct snapshot {
	bool exists;
	bool running;    /* false after a successful stop: replicas 0, no pods */
	version_t *version;
	json_t *values;  /* parsed deployed values */
	uint64_t tmpl_hash;
	unsigned gen;    /* pod generation: bumps when pods are recreated */
	int64_t created_ms, rs_ms, pods_ms, updated_ms;
} snapshot_t;

typedef struct instance {
	char *id, *appcenter_id;
	uint64_t seq;
	env_t *env;
	app_t *app;
	char *code, *name;
	enum inst_status status;
	version_t *version; /* effective (deployed) version */
	command_t **cmds;   /* ascending */
	size_t ncmds;
	command_t *effect;  /* latest successful create/update */
	snapshot_t snap;
	int64_t created_ms, updated_ms;
	int ovn;
} instance_t;

typedef struct model {
	int64_t org_id;
	char *org_code, *org_name;
	user_t **users;
	size_t nusers;
	project_t **projects;
	size_t nprojects;
	env_t **envs;
	size_t nenvs;
	app_t **apps;
	size_t napps;
	instance_t **insts;
	size_t ninsts;
	smap env_by_id, app_by_id, ver_by_id, inst_by_id, user_by_id;
	uint64_t next_seq;
	size_t npending;
} model_t;

typedef struct sim_config {
	int64_t transition_ms;
	int64_t token_ttl_s;
	bool verbose;
	const char *data_file;
	int gen_p, gen_e, gen_i;
} sim_config;

extern sim_config g_cfg;

/* Loads the model from the data file text (YAML). NULL + *err on failure. */
model_t *model_load(const char *text, size_t len, char **err);
model_t *model_generate(int projects, int envs, int insts);
void model_free(model_t *m);

user_t *model_user_by_login(model_t *m, const char *login);
user_t *model_user_by_token(model_t *m, const char *token);
project_t *model_project(model_t *m, int64_t id);
env_t *model_env(model_t *m, const char *id);
app_t *model_app(model_t *m, const char *id);
version_t *model_version(model_t *m, const char *id);
version_t *app_version_by_name(app_t *a, const char *name);
instance_t *model_instance(model_t *m, const char *id);
bool project_is_member(const project_t *p, const user_t *u);
bool project_is_owner(const project_t *p, const user_t *u);
const grant_t *env_grant(const env_t *e, const user_t *u);
bool env_visible(const env_t *e, const user_t *u);    /* E2 */
bool env_may_deploy(const env_t *e, const user_t *u); /* E1 permission */
command_t *inst_last_cmd(const instance_t *i);
const char *inst_values(const instance_t *i); /* values text of the latest command */
uint64_t model_next_seq(model_t *m);

/* ------------------------------------------------------------------- ops.c */

/* Business error: code + message (static strings or model-owned). */
typedef struct sim_err {
	const char *code;
	char *message; /* malloc'd, may be NULL → message = code */
} sim_err;

/* New command on an instance: sets the instance operating, registers the pending command.
 * values NULL = the instance's latest values. Does not check anything. */
command_t *ops_new_command(model_t *m, instance_t *in, enum cmd_type type, version_t *v,
			   const char *values, user_t *u, int64_t now);
/* Completes due commands (all when force_all). Returns how many completed. */
int ops_process_due(model_t *m, int64_t now, bool force_all);
/* Completes one command now (outcome from forced/data). May free the instance (delete). */
void ops_complete(model_t *m, command_t *c, int64_t now);
void instance_free(instance_t *in);
/* Values text for deploying version newv: the user's changes merged onto newv's defaults. */
char *upgrade_values_text(instance_t *in, version_t *newv);
void model_remove_instance(model_t *m, instance_t *in);

/* ------------------------------------------------------------------- k8s.c */

typedef struct pod_info {
	char name[128];
	char ip[24];
	char node[32];
	char status[40];
	bool ready;
	int restarts;
	int64_t created_ms;
} pod_info;

int inst_replicas(const instance_t *in);           /* spec.replicas of the deployment */
size_t inst_pods(const instance_t *in, pod_info *out, size_t max); /* current pods */
void inst_pod_counts(const instance_t *in, int *total, int *running);
char *inst_rs_name(const instance_t *in);
json_t *k8s_deployment(const instance_t *in);       /* raw Deployment object */
json_t *k8s_resources(const instance_t *in);        /* DevopsEnvResourceVO */
json_t *k8s_pod_vo(const instance_t *in, const pod_info *p); /* DevopsEnvPodVO */
json_t *k8s_events(const instance_t *in);           /* I8 InstanceEventVO[] */
void k8s_fill_deploy(command_t *c, int64_t now);    /* job/pods of a finished deploy */
const char *values_pod_status(const json_t *values);
bool values_flag(const json_t *values, const char *flag);
char *job_log(const command_t *c, const char *state); /* "success" | "fail" | "running" */
char *deploy_error_text(const command_t *c);

#endif
