/*
 * api_decode.c — JSON answers → plain C structs (see include/api.h, "Decoding
 * rules"). Every struct is described once by a table of its fields; decoding,
 * freeing and copying all walk that table, so a field added to a struct is added
 * in one place.
 */
#include "api.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum field_type {
	F_STR,      /* char *: JSON string */
	F_ID,       /* char *: JSON string, or integer as exact decimal text */
	F_LONG,     /* long */
	F_BOOL,     /* bool */
	F_LIST,     /* size_t n + array of `sub` structs */
	F_LONGS,    /* size_t n + long[]: integers of a JSON array */
	F_STRS,     /* size_t n + char *[]: strings of a JSON array */
	F_KV,       /* size_t n + struct api_kv[]: a JSON object's members */
};

struct kind;

struct field {
	const char *key;
	const char *alt;        /* read when key is missing or null */
	enum field_type type;
	size_t off;             /* the value, or the array pointer */
	size_t n_off;           /* the element count (array types) */
	const struct kind *sub; /* element kind (F_LIST) */
};

struct kind {
	size_t size;
	size_t n_fields;
	const struct field *fields;
};

#define FLD(T, m, k, t) { (k), NULL, (t), offsetof(T, m), 0, NULL }
#define FLD_ALT(T, m, k, a, t) { (k), (a), (t), offsetof(T, m), 0, NULL }
#define ARR(T, v, n, k, a, t, s) { (k), (a), (t), offsetof(T, v), offsetof(T, n), (s) }
#define KIND(T, f) { sizeof(T), sizeof(f) / sizeof((f)[0]), (f) }

#define MEMBER(p, off, type) ((type *)((char *)(p) + (off)))
#define CMEMBER(p, off, type) ((const type *)((const char *)(p) + (off)))

static int decode_obj(const struct kind *k, const json_t *j, void *out);
static void free_obj(const struct kind *k, void *p);
static int dup_obj(const struct kind *k, const void *src, void *dst);

/* ---- scalars ------------------------------------------------------------------ */

static char *id_text(const json_t *v)
{
	char num[32];

	if (json_is_string(v))
		return strdup(json_string_value(v));
	if (json_is_integer(v)) {
		/* json_int_t is 64-bit: snowflake ids survive exactly */
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return strdup(num);
	}
	return strdup("");
}

static long long_of(const json_t *v)
{
	if (json_is_integer(v))
		return (long)json_integer_value(v);
	if (json_is_real(v))
		return (long)json_real_value(v);
	return 0;
}

static const json_t *field_value(const json_t *obj, const struct field *f)
{
	const json_t *v = json_object_get(obj, f->key);

	if ((!v || json_is_null(v)) && f->alt)
		v = json_object_get(obj, f->alt);
	return v;
}

/* ---- arrays ------------------------------------------------------------------- */

static int decode_list(const struct kind *k, const json_t *arr, void **v, size_t *n)
{
	size_t i, count = json_array_size(arr);
	char *items;
	int ret;

	*v = NULL;
	*n = 0;
	if (!count)
		return 0;
	items = calloc(count, k->size);
	if (!items)
		return -ENOMEM;
	*v = items;
	for (i = 0; i < count; i++) {
		ret = decode_obj(k, json_array_get(arr, i), items + i * k->size);
		*n = i + 1;
		if (ret)
			return ret;
	}
	return 0;
}

static void free_list(const struct kind *k, void *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free_obj(k, (char *)v + i * k->size);
	free(v);
}

/* Non-integer elements are skipped: a port 0 would be a lie. */
static int decode_longs(const json_t *arr, long **v, size_t *n)
{
	size_t i, count = json_array_size(arr);

	*v = NULL;
	*n = 0;
	if (!count)
		return 0;
	*v = calloc(count, sizeof(**v));
	if (!*v)
		return -ENOMEM;
	for (i = 0; i < count; i++)
		if (json_is_integer(json_array_get(arr, i)))
			(*v)[(*n)++] = (long)json_integer_value(json_array_get(arr, i));
	return 0;
}

static int decode_strs(const json_t *arr, char ***v, size_t *n)
{
	size_t i, count = json_array_size(arr);
	const json_t *e;

	*v = NULL;
	*n = 0;
	if (!count)
		return 0;
	*v = calloc(count, sizeof(**v));
	if (!*v)
		return -ENOMEM;
	json_array_foreach(arr, i, e) {
		if (!json_is_string(e))
			continue;
		(*v)[*n] = strdup(json_string_value(e));
		if (!(*v)[*n])
			return -ENOMEM;
		(*n)++;
	}
	return 0;
}

static void free_strs(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int decode_kv(const json_t *obj, struct api_kv **v, size_t *n)
{
	size_t count = json_object_size(obj);
	const char *key;
	const json_t *val;

	*v = NULL;
	*n = 0;
	if (!count)
		return 0;
	*v = calloc(count, sizeof(**v));
	if (!*v)
		return -ENOMEM;
	json_object_foreach((json_t *)obj, key, val) {
		(*v)[*n].key = strdup(key);
		(*v)[*n].value = id_text(val);
		(*n)++;
		if (!(*v)[*n - 1].key || !(*v)[*n - 1].value)
			return -ENOMEM;
	}
	return 0;
}

static void free_kv(struct api_kv *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].key);
		free(v[i].value);
	}
	free(v);
}

/* ---- objects ------------------------------------------------------------------ */

static int decode_field(const struct field *f, const json_t *v, void *out)
{
	size_t *n = MEMBER(out, f->n_off, size_t);
	char **s = MEMBER(out, f->off, char *);

	switch (f->type) {
	case F_STR:
		*s = strdup(json_is_string(v) ? json_string_value(v) : "");
		return *s ? 0 : -ENOMEM;
	case F_ID:
		*s = id_text(v);
		return *s ? 0 : -ENOMEM;
	case F_LONG:
		*MEMBER(out, f->off, long) = long_of(v);
		return 0;
	case F_BOOL:
		*MEMBER(out, f->off, bool) = json_is_true(v);
		return 0;
	case F_LIST:
		return decode_list(f->sub, v, MEMBER(out, f->off, void *), n);
	case F_LONGS:
		return decode_longs(v, MEMBER(out, f->off, long *), n);
	case F_STRS:
		return decode_strs(v, MEMBER(out, f->off, char **), n);
	case F_KV:
		return decode_kv(v, MEMBER(out, f->off, struct api_kv *), n);
	}
	return -EINVAL;
}

/* A non-object j decodes to the all-default struct. On failure the partly
 * filled struct is released. */
static int decode_obj(const struct kind *k, const json_t *j, void *out)
{
	size_t i;
	int ret = 0;

	memset(out, 0, k->size);
	for (i = 0; i < k->n_fields && !ret; i++)
		ret = decode_field(&k->fields[i], field_value(j, &k->fields[i]), out);
	if (ret)
		free_obj(k, out);
	return ret;
}

static void free_field(const struct field *f, void *p)
{
	void *v;
	size_t n;

	if (f->type == F_LONG || f->type == F_BOOL)
		return;
	v = *MEMBER(p, f->off, void *);
	n = f->type == F_STR || f->type == F_ID ? 0 : *MEMBER(p, f->n_off, size_t);
	switch (f->type) {
	case F_LIST:
		free_list(f->sub, v, n);
		break;
	case F_STRS:
		free_strs(v, n);
		break;
	case F_KV:
		free_kv(v, n);
		break;
	default:
		free(v);
		break;
	}
}

static void free_obj(const struct kind *k, void *p)
{
	size_t i;

	for (i = 0; i < k->n_fields; i++)
		free_field(&k->fields[i], p);
	memset(p, 0, k->size);
}

static bool is_text(const struct field *f)
{
	return f->type == F_STR || f->type == F_ID;
}

/* Flat kinds only (strings and scalars): the API exports copies of instances
 * and environments, which have no arrays. */
static int dup_obj(const struct kind *k, const void *src, void *dst)
{
	const struct field *f;
	const char *s;
	char **d;
	size_t i;

	memcpy(dst, src, k->size);
	for (i = 0; i < k->n_fields; i++)
		if (is_text(&k->fields[i]))
			*MEMBER(dst, k->fields[i].off, char *) = NULL;
	for (i = 0; i < k->n_fields; i++) {
		f = &k->fields[i];
		if (!is_text(f))
			continue;
		s = *CMEMBER(src, f->off, char *);
		d = MEMBER(dst, f->off, char *);
		*d = strdup(s ? s : "");
		if (!*d) {
			free_obj(k, dst);
			return -ENOMEM;
		}
	}
	return 0;
}

/* ---- the tables ------------------------------------------------------------------ */

static const struct field user_fields[] = {
	FLD(struct api_user, id, "id", F_ID),
	FLD(struct api_user, login_name, "loginName", F_STR),
	FLD(struct api_user, real_name, "realName", F_STR),
	FLD(struct api_user, email, "email", F_STR),
	FLD_ALT(struct api_user, organization_id, "organizationId", "tenantId", F_ID),
};
static const struct kind user_kind = KIND(struct api_user, user_fields);

static const struct field project_fields[] = {
	FLD(struct api_project, id, "id", F_ID),
	FLD(struct api_project, code, "code", F_STR),
	FLD(struct api_project, name, "name", F_STR),
	FLD(struct api_project, organization_id, "organizationId", F_ID),
	FLD(struct api_project, organization_code, "organizationCode", F_STR),
	FLD(struct api_project, organization_name, "organizationName", F_STR),
	FLD(struct api_project, enabled, "enabled", F_BOOL),
};
static const struct kind project_kind = KIND(struct api_project, project_fields);

static const struct field env_fields[] = {
	FLD(struct api_env, id, "id", F_ID),
	FLD(struct api_env, code, "code", F_STR),
	FLD(struct api_env, name, "name", F_STR),
	FLD(struct api_env, description, "description", F_STR),
	FLD(struct api_env, cluster_id, "clusterId", F_ID),
	FLD(struct api_env, cluster_name, "clusterName", F_STR),
	FLD(struct api_env, active, "active", F_BOOL),
	FLD_ALT(struct api_env, connect, "connect", "connected", F_BOOL),
	FLD(struct api_env, synchro, "synchro", F_BOOL),
	FLD(struct api_env, failed, "failed", F_BOOL),
	FLD(struct api_env, permission, "permission", F_BOOL),
	FLD(struct api_env, skip_check_permission, "skipCheckPermission", F_BOOL),
};
static const struct kind env_kind = KIND(struct api_env, env_fields);

#define INST(m, k, t) FLD(struct api_instance, m, k, t)
static const struct field instance_fields[] = {
	INST(id, "id", F_ID),
	INST(code, "code", F_STR),
	INST(name, "name", F_STR),
	INST(status, "status", F_STR),
	INST(app_service_id, "appServiceId", F_ID),
	INST(app_service_name, "appServiceName", F_STR),
	INST(app_service_type, "appServiceType", F_STR),
	INST(app_service_version_id, "appServiceVersionId", F_ID),
	INST(version_name, "versionName", F_STR),
	INST(command_version_id, "commandVersionId", F_ID),
	INST(command_version, "commandVersion", F_STR),
	INST(command_type, "commandType", F_STR),
	INST(command_status, "commandStatus", F_STR),
	INST(error, "error", F_STR),
	INST(effect_command_id, "effectCommandId", F_ID),
	INST(effect_command_version, "effectCommandVersion", F_STR),
	INST(effect_command_status, "effectCommandStatus", F_STR),
	INST(environment_id, "environmentId", F_ID),
	INST(last_update_date, "lastUpdateDate", F_STR),
	INST(source, "source", F_STR),
	INST(pod_count, "podCount", F_LONG),
	INST(pod_running_count, "podRunningCount", F_LONG),
	INST(object_version_number, "objectVersionNumber", F_LONG),
	FLD_ALT(struct api_instance, connect, "connect", "connected", F_BOOL),
};
#undef INST
static const struct kind instance_kind = KIND(struct api_instance, instance_fields);

static const struct field env_pod_fields[] = {
	FLD(struct api_env_pod, id, "id", F_ID),
	FLD(struct api_env_pod, name, "name", F_STR),
	FLD(struct api_env_pod, ip, "ip", F_STR),
	FLD(struct api_env_pod, status, "status", F_STR),
	FLD(struct api_env_pod, creation_date, "creationDate", F_STR),
	FLD(struct api_env_pod, node_name, "nodeName", F_STR),
	FLD(struct api_env_pod, ready, "ready", F_BOOL),
	FLD(struct api_env_pod, restart_count, "restartCount", F_LONG),
};
static const struct kind env_pod_kind = KIND(struct api_env_pod, env_pod_fields);

static const struct field pod_fields[] = {
	FLD(struct api_pod, name, "name", F_STR),
	FLD(struct api_pod, status, "status", F_STR),
	FLD(struct api_pod, age, "age", F_STR),
	FLD(struct api_pod, ready, "ready", F_LONG),
	FLD(struct api_pod, desire, "desire", F_LONG),
	FLD(struct api_pod, restarts, "restarts", F_LONG),
};
static const struct kind pod_kind = KIND(struct api_pod, pod_fields);

#define DEPL(m, k, t) FLD(struct api_deployment, m, k, t)
static const struct field deployment_fields[] = {
	DEPL(name, "name", F_STR),
	DEPL(age, "age", F_STR),
	DEPL(desired, "desired", F_LONG),
	DEPL(current, "current", F_LONG),
	DEPL(up_to_date, "upToDate", F_LONG),
	DEPL(available, "available", F_LONG),
	ARR(struct api_deployment, ports, n_ports, "ports", NULL, F_LONGS, NULL),
	ARR(struct api_deployment, labels, n_labels, "labels", NULL, F_KV, NULL),
	ARR(struct api_deployment, pods, n_pods, "devopsEnvPodVOS", "devopsEnvPodDTOS",
	    F_LIST, &env_pod_kind),
};
#undef DEPL
static const struct kind deployment_kind = KIND(struct api_deployment, deployment_fields);

static const struct field replicaset_fields[] = {
	FLD(struct api_replicaset, name, "name", F_STR),
	FLD(struct api_replicaset, age, "age", F_STR),
	FLD(struct api_replicaset, desired, "desired", F_LONG),
	FLD(struct api_replicaset, current, "current", F_LONG),
	FLD(struct api_replicaset, ready, "ready", F_LONG),
};
static const struct kind replicaset_kind = KIND(struct api_replicaset, replicaset_fields);

static const struct field service_fields[] = {
	FLD(struct api_service, name, "name", F_STR),
	FLD(struct api_service, type, "type", F_STR),
	FLD(struct api_service, cluster_ip, "clusterIp", F_STR),
	FLD(struct api_service, external_ip, "externalIp", F_STR),
	FLD(struct api_service, port, "port", F_STR),
	FLD(struct api_service, target_port, "targetPort", F_STR),
	FLD(struct api_service, age, "age", F_STR),
};
static const struct kind service_kind = KIND(struct api_service, service_fields);

static const struct field ingress_fields[] = {
	FLD(struct api_ingress, name, "name", F_STR),
	FLD(struct api_ingress, hosts, "hosts", F_STR),
	FLD(struct api_ingress, address, "address", F_STR),
	FLD(struct api_ingress, ports, "ports", F_STR),
	FLD(struct api_ingress, age, "age", F_STR),
	ARR(struct api_ingress, services, n_services, "services", NULL, F_STRS, NULL),
};
static const struct kind ingress_kind = KIND(struct api_ingress, ingress_fields);

static const struct field statefulset_fields[] = {
	FLD(struct api_statefulset, name, "name", F_STR),
	FLD(struct api_statefulset, age, "age", F_STR),
	FLD(struct api_statefulset, desired_replicas, "desiredReplicas", F_LONG),
	FLD(struct api_statefulset, ready_replicas, "readyReplicas", F_LONG),
	FLD(struct api_statefulset, current_replicas, "currentReplicas", F_LONG),
};
static const struct kind statefulset_kind = KIND(struct api_statefulset, statefulset_fields);

static const struct field daemonset_fields[] = {
	FLD(struct api_daemonset, name, "name", F_STR),
	FLD(struct api_daemonset, age, "age", F_STR),
	FLD(struct api_daemonset, desired_scheduled, "desiredScheduled", F_LONG),
	FLD(struct api_daemonset, current_scheduled, "currentScheduled", F_LONG),
	FLD(struct api_daemonset, number_available, "numberAvailable", F_LONG),
};
static const struct kind daemonset_kind = KIND(struct api_daemonset, daemonset_fields);

static const struct field pvc_fields[] = {
	FLD(struct api_pvc, name, "name", F_STR),
	FLD(struct api_pvc, status, "status", F_STR),
	FLD(struct api_pvc, capacity, "capacity", F_STR),
	FLD(struct api_pvc, access_modes, "accessModes", F_STR),
	FLD(struct api_pvc, age, "age", F_STR),
};
static const struct kind pvc_kind = KIND(struct api_pvc, pvc_fields);

/* 2.x keys "…VOS"; 0.x used "…DTOS" */
#define RES(v, n, k, a, s) ARR(struct api_resources, v, n, k, a, F_LIST, s)
static const struct field resources_fields[] = {
	RES(pods, n_pods, "podVOS", "podDTOS", &pod_kind),
	RES(deployments, n_deployments, "deploymentVOS", "deploymentDTOS", &deployment_kind),
	RES(replicasets, n_replicasets, "replicaSetVOS", "replicaSetDTOS", &replicaset_kind),
	RES(services, n_services, "serviceVOS", "serviceDTOS", &service_kind),
	RES(ingresses, n_ingresses, "ingressVOS", "ingressDTOS", &ingress_kind),
	RES(statefulsets, n_statefulsets, "statefulSetVOS", "statefulSetDTOS",
	    &statefulset_kind),
	RES(daemonsets, n_daemonsets, "daemonSetVOS", "daemonSetDTOS", &daemonset_kind),
	RES(pvcs, n_pvcs, "persistentVolumeClaimVOS", "persistentVolumeClaimDTOS", &pvc_kind),
};
#undef RES
static const struct kind resources_kind = KIND(struct api_resources, resources_fields);

static const struct field pod_event_fields[] = {
	FLD(struct api_pod_event, name, "name", F_STR),
	FLD(struct api_pod_event, event, "event", F_STR),
	FLD(struct api_pod_event, log, "log", F_STR),
	FLD(struct api_pod_event, job_pod_status, "jobPodStatus", F_STR),
};
static const struct kind pod_event_kind = KIND(struct api_pod_event, pod_event_fields);

static const struct field event_fields[] = {
	FLD(struct api_event, command_id, "commandId", F_ID),
	FLD(struct api_event, type, "type", F_STR),
	FLD(struct api_event, status, "status", F_STR),
	FLD(struct api_event, command_error, "commandError", F_STR),
	FLD(struct api_event, create_time, "createTime", F_STR),
	FLD(struct api_event, login_name, "loginName", F_STR),
	FLD(struct api_event, real_name, "realName", F_STR),
	ARR(struct api_event, pod_events, n_pod_events, "podEventVO", "podEventDTO",
	    F_LIST, &pod_event_kind),
};
static const struct kind event_kind = KIND(struct api_event, event_fields);

static const struct field version_fields[] = {
	FLD(struct api_version, id, "id", F_ID),
	FLD(struct api_version, version, "version", F_STR),
	FLD(struct api_version, app_service_id, "appServiceId", F_ID),
	FLD(struct api_version, creation_date, "creationDate", F_STR),
};
static const struct kind version_kind = KIND(struct api_version, version_fields);

/* ---- entry points --------------------------------------------------------------- */

/* The item array of a list answer: a bare array, a Page ("content") or a 0.18
 * PageInfo ("list"). NULL or JSON null is an empty list. */
static int list_items(const json_t *j, const json_t **items)
{
	const json_t *c;

	*items = NULL;
	if (!j || json_is_null(j) || json_is_array(j)) {
		*items = j;
		return 0;
	}
	if (!json_is_object(j))
		return -EPROTO;
	c = json_object_get(j, "content");
	if (!c)
		c = json_object_get(j, "list");
	if (c && !json_is_array(c) && !json_is_null(c))
		return -EPROTO;
	if (!c && !json_object_get(j, "totalElements"))
		return -EPROTO;
	*items = c;
	return 0;
}

static int decode_top_list(const struct kind *k, const json_t *j, void **v, size_t *n)
{
	const json_t *items;
	int ret;

	*v = NULL;
	*n = 0;
	ret = list_items(j, &items);
	if (ret)
		return ret;
	ret = decode_list(k, items, v, n);
	if (ret) {
		free_list(k, *v, *n);
		*v = NULL;
		*n = 0;
	}
	return ret;
}

static int decode_top_obj(const struct kind *k, const json_t *j, void *out)
{
	memset(out, 0, k->size);
	if (!json_is_object(j))
		return -EPROTO;
	return decode_obj(k, j, out);
}

int api_decode_user(const json_t *j, struct api_user *out)
{
	return decode_top_obj(&user_kind, j, out);
}

int api_decode_project_list(const json_t *j, struct api_project_list *out)
{
	return decode_top_list(&project_kind, j, (void **)&out->v, &out->n);
}

int api_decode_env_list(const json_t *j, struct api_env_list *out)
{
	return decode_top_list(&env_kind, j, (void **)&out->v, &out->n);
}

int api_decode_instance(const json_t *j, struct api_instance *out)
{
	return decode_top_obj(&instance_kind, j, out);
}

int api_decode_instance_list(const json_t *j, struct api_instance_list *out)
{
	return decode_top_list(&instance_kind, j, (void **)&out->v, &out->n);
}

int api_decode_resources(const json_t *j, struct api_resources *out)
{
	return decode_top_obj(&resources_kind, j, out);
}

int api_decode_event_list(const json_t *j, struct api_event_list *out)
{
	return decode_top_list(&event_kind, j, (void **)&out->v, &out->n);
}

int api_decode_version_list(const json_t *j, struct api_version_list *out)
{
	return decode_top_list(&version_kind, j, (void **)&out->v, &out->n);
}

static void copy_text(char *dst, size_t len, const json_t *v)
{
	snprintf(dst, len, "%s", json_is_string(v) ? json_string_value(v) : "");
}

/* Choerodon's ExceptionResponse {failed, code, message}; the OAuth server's
 * {error, error_description}; anything else with a non-2xx status. */
int api_decode_error(const json_t *j, long http_status, struct api_error *err)
{
	bool oauth = json_is_string(json_object_get(j, "error_description"));
	const json_t *code = json_object_get(j, "code");
	const json_t *msg = json_object_get(j, "message");

	memset(err, 0, sizeof(*err));
	err->http_status = http_status;
	if (http_status >= 200 && http_status < 300 &&
	    !json_is_true(json_object_get(j, "failed")))
		return 0;
	if (!json_is_string(code) && oauth)
		code = json_object_get(j, "error");
	if (!json_is_string(msg))
		msg = oauth ? json_object_get(j, "error_description")
			    : json_object_get(j, "error");
	copy_text(err->code, sizeof(err->code), code);
	copy_text(err->message, sizeof(err->message), msg);
	/* gateways answer 500 with the bare code as message */
	if (!err->code[0] && strncmp(err->message, "error.", 6) == 0 &&
	    !strpbrk(err->message, " \t\n"))
		copy_text(err->code, sizeof(err->code), msg);
	return -EPROTO;
}

void api_user_free(struct api_user *u)
{
	free_obj(&user_kind, u);
}

void api_project_list_free(struct api_project_list *l)
{
	free_list(&project_kind, l->v, l->n);
	l->v = NULL;
	l->n = 0;
}

void api_env_list_free(struct api_env_list *l)
{
	free_list(&env_kind, l->v, l->n);
	l->v = NULL;
	l->n = 0;
}

void api_instance_free(struct api_instance *i)
{
	free_obj(&instance_kind, i);
}

void api_instance_list_free(struct api_instance_list *l)
{
	free_list(&instance_kind, l->v, l->n);
	l->v = NULL;
	l->n = 0;
}

void api_resources_free(struct api_resources *r)
{
	free_obj(&resources_kind, r);
}

void api_event_list_free(struct api_event_list *l)
{
	free_list(&event_kind, l->v, l->n);
	l->v = NULL;
	l->n = 0;
}

void api_version_list_free(struct api_version_list *l)
{
	free_list(&version_kind, l->v, l->n);
	l->v = NULL;
	l->n = 0;
}

int api_instance_dup(const struct api_instance *src, struct api_instance *dst)
{
	return dup_obj(&instance_kind, src, dst);
}

int api_env_dup(const struct api_env *src, struct api_env *dst)
{
	return dup_obj(&env_kind, src, dst);
}
