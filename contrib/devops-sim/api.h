/* api.h — request/response types shared by the router (main.c) and the endpoints (api.c). */
#ifndef C7N_SIM_API_H
#define C7N_SIM_API_H

#include "sim.h"

struct MHD_Connection;

typedef struct req {
	struct MHD_Connection *conn;
	const char *method, *path;
	const char *body;
	size_t body_len;
	model_t *m;       /* locked for the whole handler */
	user_t *user;     /* authenticated user (NULL for public endpoints) */
	project_t *project; /* {p}, membership already checked */
	const char *e, *i, *v, *user_id, *org_id; /* captured path variables */
	int64_t now;
} req_t;

typedef struct resp {
	int status;
	json_t *json; /* owned; NULL with empty = true → no body */
	bool empty;
} resp_t;

typedef resp_t (*handler_fn)(req_t *r);

const char *qarg(req_t *r, const char *name); /* query-string argument or NULL */
resp_t resp_json(int status, json_t *j);
resp_t resp_fail(const char *code, const char *message_or_null);
resp_t resp_empty(int status);

/* IAM */
resp_t h_self(req_t *r);
resp_t h_tenants(req_t *r);
resp_t h_user_projects(req_t *r);
resp_t h_org_user_projects(req_t *r);
resp_t h_org_user_projects_paging(req_t *r);
/* environments */
resp_t h_env_list(req_t *r);
resp_t h_env_tree(req_t *r);
resp_t h_env_ins_tree(req_t *r);
resp_t h_env_info(req_t *r);
resp_t h_env_check(req_t *r);
/* instances */
resp_t h_inst_page(req_t *r);
resp_t h_inst_info(req_t *r);
resp_t h_resources(req_t *r);
resp_t h_detail_json(req_t *r);
resp_t h_detail_yaml(req_t *r);
resp_t h_events(req_t *r);
resp_t h_pods(req_t *r);
/* values and versions */
resp_t h_values(req_t *r);
resp_t h_upgrade_value(req_t *r);
resp_t h_deploy_value(req_t *r);
resp_t h_value_format(req_t *r);
resp_t h_versions(req_t *r);
resp_t h_upgrade_versions(req_t *r);
/* operations */
resp_t h_update(req_t *r);
resp_t h_redeploy(req_t *r);
resp_t h_stop(req_t *r);
resp_t h_start(req_t *r);
resp_t h_delete(req_t *r);

#endif
