/*
 * render_resources.c — resources/<kind> tables (the page's "运行详情") and the
 * deployments/NAME/ files: summary, the six "查看更多详情" panels and (via
 * render_json) detail.json. Panel contents follow choerodon-api.md §3.6: they
 * read the raw Kubernetes object the server stores, so every field is taken
 * with json_object_get (NULL-safe) and a missing one prints as empty.
 */
#include "render.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct resources_ctx {
	const struct api_resources *r;
	time_t now;
};

static void add_long(struct sbuf *sb, long v)
{
	sbuf_printf(sb, "%ld", v);
}

static void add_joined_longs(struct sbuf *sb, const long *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		sbuf_printf(sb, "%s%ld", i ? "," : "", v[i]);
}

static void add_joined_strings(struct sbuf *sb, char *const *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i)
			sbuf_addch(sb, ',');
		sbuf_adds(sb, v[i]);
	}
}

/* ---- resources/<kind> ----------------------------------------------------------- */

static void pod_cell(struct sbuf *sb, const void *ctx, size_t row, size_t col)
{
	const struct resources_ctx *c = ctx;
	const struct api_pod *p = &c->r->pods[row];

	switch (col) {
	case 0: sbuf_adds(sb, p->name); break;
	case 1: sbuf_printf(sb, "%ld/%ld", p->ready, p->desire); break;
	case 2: sbuf_adds(sb, p->status); break;
	case 3: add_long(sb, p->restarts); break;
	default: render_age(sb, p->age, c->now); break;
	}
}

static void deployment_cell(struct sbuf *sb, const void *ctx, size_t row, size_t col)
{
	const struct resources_ctx *c = ctx;
	const struct api_deployment *d = &c->r->deployments[row];

	switch (col) {
	case 0: sbuf_adds(sb, d->name); break;
	case 1: add_long(sb, d->desired); break;
	case 2: add_long(sb, d->current); break;
	case 3: add_long(sb, d->up_to_date); break;
	case 4: add_long(sb, d->available); break;
	case 5: add_joined_longs(sb, d->ports, d->n_ports); break;
	default: render_age(sb, d->age, c->now); break;
	}
}

static void replicaset_cell(struct sbuf *sb, const void *ctx, size_t row, size_t col)
{
	const struct resources_ctx *c = ctx;
	const struct api_replicaset *rs = &c->r->replicasets[row];

	switch (col) {
	case 0: sbuf_adds(sb, rs->name); break;
	case 1: add_long(sb, rs->desired); break;
	case 2: add_long(sb, rs->current); break;
	case 3: add_long(sb, rs->ready); break;
	default: render_age(sb, rs->age, c->now); break;
	}
}

static void service_cell(struct sbuf *sb, const void *ctx, size_t row, size_t col)
{
	const struct resources_ctx *c = ctx;
	const struct api_service *s = &c->r->services[row];

	switch (col) {
	case 0: sbuf_adds(sb, s->name); break;
	case 1: sbuf_adds(sb, s->type); break;
	case 2: sbuf_adds(sb, s->cluster_ip); break;
	case 3: sbuf_adds(sb, s->external_ip); break;
	case 4: sbuf_adds(sb, s->port); break;
	case 5: sbuf_adds(sb, s->target_port); break;
	default: render_age(sb, s->age, c->now); break;
	}
}

static void ingress_cell(struct sbuf *sb, const void *ctx, size_t row, size_t col)
{
	const struct resources_ctx *c = ctx;
	const struct api_ingress *in = &c->r->ingresses[row];

	switch (col) {
	case 0: sbuf_adds(sb, in->name); break;
	case 1: sbuf_adds(sb, in->hosts); break;
	case 2: sbuf_adds(sb, in->address); break;
	case 3: sbuf_adds(sb, in->ports); break;
	case 4: add_joined_strings(sb, in->services, in->n_services); break;
	default: render_age(sb, in->age, c->now); break;
	}
}

static void statefulset_cell(struct sbuf *sb, const void *ctx, size_t row, size_t col)
{
	const struct resources_ctx *c = ctx;
	const struct api_statefulset *s = &c->r->statefulsets[row];

	switch (col) {
	case 0: sbuf_adds(sb, s->name); break;
	case 1: add_long(sb, s->desired_replicas); break;
	case 2: add_long(sb, s->current_replicas); break;
	case 3: add_long(sb, s->ready_replicas); break;
	default: render_age(sb, s->age, c->now); break;
	}
}

static void daemonset_cell(struct sbuf *sb, const void *ctx, size_t row, size_t col)
{
	const struct resources_ctx *c = ctx;
	const struct api_daemonset *d = &c->r->daemonsets[row];

	switch (col) {
	case 0: sbuf_adds(sb, d->name); break;
	case 1: add_long(sb, d->desired_scheduled); break;
	case 2: add_long(sb, d->current_scheduled); break;
	case 3: add_long(sb, d->number_available); break;
	default: render_age(sb, d->age, c->now); break;
	}
}

static void pvc_cell(struct sbuf *sb, const void *ctx, size_t row, size_t col)
{
	const struct resources_ctx *c = ctx;
	const struct api_pvc *p = &c->r->pvcs[row];

	switch (col) {
	case 0: sbuf_adds(sb, p->name); break;
	case 1: sbuf_adds(sb, p->status); break;
	case 2: sbuf_adds(sb, p->capacity); break;
	case 3: sbuf_adds(sb, p->access_modes); break;
	default: render_age(sb, p->age, c->now); break;
	}
}

static const char *const pod_header[] =
	{ "NAME", "READY", "STATUS", "RESTARTS", "AGE" };
static const char *const deployment_header[] =
	{ "NAME", "DESIRED", "CURRENT", "UP-TO-DATE", "AVAILABLE", "PORTS", "AGE" };
static const char *const replicaset_header[] =
	{ "NAME", "DESIRED", "CURRENT", "READY", "AGE" };
static const char *const service_header[] =
	{ "NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "TARGET-PORT", "AGE" };
static const char *const ingress_header[] =
	{ "NAME", "HOSTS", "ADDRESS", "PORTS", "SERVICES", "AGE" };
static const char *const statefulset_header[] =
	{ "NAME", "DESIRED", "CURRENT", "READY", "AGE" };
static const char *const daemonset_header[] =
	{ "NAME", "DESIRED", "CURRENT", "AVAILABLE", "AGE" };
static const char *const pvc_header[] =
	{ "NAME", "STATUS", "CAPACITY", "ACCESS-MODES", "AGE" };

struct resource_kind {
	const char *name;
	const char *const *header;
	size_t ncols;
	size_t count_offset;   /* of the size_t row count in struct api_resources */
	render_cell_fn cell;
};

#define KIND(name, header, count, cell) \
	{ name, header, ARRAY_SIZE(header), offsetof(struct api_resources, count), cell }

static const struct resource_kind resource_kinds[] = {
	KIND("pods", pod_header, n_pods, pod_cell),
	KIND("deployments", deployment_header, n_deployments, deployment_cell),
	KIND("replicasets", replicaset_header, n_replicasets, replicaset_cell),
	KIND("services", service_header, n_services, service_cell),
	KIND("ingresses", ingress_header, n_ingresses, ingress_cell),
	KIND("statefulsets", statefulset_header, n_statefulsets, statefulset_cell),
	KIND("daemonsets", daemonset_header, n_daemonsets, daemonset_cell),
	KIND("pvcs", pvc_header, n_pvcs, pvc_cell),
};

const char *const render_resource_kinds[] = {
	"pods", "deployments", "replicasets", "services", "ingresses",
	"statefulsets", "daemonsets", "pvcs", NULL,
};

int render_resources(struct sbuf *sb, const struct api_resources *r,
		     const char *kind, time_t now)
{
	const struct resources_ctx ctx = { .r = r, .now = now };
	const struct resource_kind *k;
	struct render_table t;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(resource_kinds); i++) {
		k = &resource_kinds[i];
		if (strcmp(k->name, kind))
			continue;
		t = (struct render_table){
			.header = k->header, .ncols = k->ncols, .cell = k->cell, .ctx = &ctx,
			.nrows = *(const size_t *)((const char *)r + k->count_offset),
		};
		render_table(sb, &t);
		return 0;
	}
	return -ENOENT;
}

/* ---- deployments/NAME/summary -------------------------------------------------------- */

struct summary_ctx {
	const struct api_deployment *d;
	time_t now;
};

static void summary_pod_cell(struct sbuf *sb, const void *ctx, size_t row, size_t col)
{
	const struct summary_ctx *c = ctx;
	const struct api_env_pod *p = &c->d->pods[row];

	switch (col) {
	case 0: sbuf_adds(sb, p->name); break;
	case 1: sbuf_adds(sb, p->status); break;
	case 2: sbuf_adds(sb, p->ready ? "yes" : "no"); break;
	case 3: add_long(sb, p->restart_count); break;
	case 4: sbuf_adds(sb, p->ip); break;
	case 5: sbuf_adds(sb, p->node_name); break;
	default: render_age(sb, p->creation_date, c->now); break;
	}
}

void render_deployment_summary(struct sbuf *sb, const struct api_deployment *d,
			       time_t now)
{
	static const char *const header[] =
		{ "NAME", "STATUS", "READY", "RESTARTS", "IP", "NODE", "AGE" };
	const struct summary_ctx ctx = { .d = d, .now = now };
	const struct render_table t = {
		.header = header, .ncols = ARRAY_SIZE(header), .nrows = d->n_pods,
		.cell = summary_pod_cell, .ctx = &ctx,
	};
	size_t mark;

	render_kv(sb, "name", d->name);
	sbuf_printf(sb, "desired: %ld\ncurrent: %ld\nup_to_date: %ld\navailable: %ld\n",
		    d->desired, d->current, d->up_to_date, d->available);
	mark = render_kv_begin(sb, "ports");
	add_joined_longs(sb, d->ports, d->n_ports);
	render_line_end(sb, mark);
	mark = render_kv_begin(sb, "age");
	render_age(sb, d->age, now);
	render_line_end(sb, mark);
	sbuf_addch(sb, '\n');
	render_table(sb, &t);
}

/* ---- deployments/NAME/<panel> ---------------------------------------------------------- */

/* Text of a JSON value: strings as they are, numbers in decimal, booleans
 * yes/no, null or missing as nothing, objects and arrays as compact JSON. */
static void add_value(struct sbuf *sb, const json_t *v)
{
	if (!v)
		return;
	switch (json_typeof(v)) {
	case JSON_STRING:
		sbuf_add(sb, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		sbuf_printf(sb, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		sbuf_printf(sb, "%g", json_real_value(v));
		break;
	case JSON_TRUE:
		sbuf_adds(sb, "yes");
		break;
	case JSON_FALSE:
		sbuf_adds(sb, "no");
		break;
	case JSON_NULL:
		break;
	default:
		render_json_compact(sb, v);
		break;
	}
}

static void add_field(struct sbuf *sb, const json_t *obj, const char *key)
{
	add_value(sb, json_object_get(obj, key));
}

/* "key=value,key=value" of an object's members (non-objects: add_value). */
static void add_members(struct sbuf *sb, json_t *obj)
{
	const char *key;
	json_t *v;
	bool first = true;

	if (!json_is_object(obj)) {
		add_value(sb, obj);
		return;
	}
	json_object_foreach(obj, key, v) {
		sbuf_printf(sb, "%s%s=", first ? "" : ",", key);
		add_value(sb, v);
		first = false;
	}
}

/* Strings of a JSON array joined by sep. */
static void add_array(struct sbuf *sb, const json_t *a, const char *sep)
{
	size_t i;

	for (i = 0; i < json_array_size(a); i++) {
		if (i)
			sbuf_adds(sb, sep);
		add_value(sb, json_array_get(a, i));
	}
}

static json_t *pod_spec(const json_t *detail)
{
	return json_object_get(json_object_get(json_object_get(detail, "spec"),
					       "template"), "spec");
}

struct panel_ctx {
	const json_t *containers;
	const json_t *volumes;
	const struct api_deployment *d;
};

/* Element row of the arrays containers[].key taken one after the other;
 * *container receives the container it belongs to. */
static json_t *container_item(const json_t *containers, const char *key, size_t row,
			      json_t **container)
{
	json_t *items;
	size_t i;

	for (i = 0; i < json_array_size(containers); i++) {
		*container = json_array_get(containers, i);
		items = json_object_get(*container, key);
		if (row < json_array_size(items))
			return json_array_get(items, row);
		row -= json_array_size(items);
	}
	*container = NULL;
	return NULL;
}

static size_t container_items(const json_t *containers, const char *key)
{
	size_t i, n = 0;

	for (i = 0; i < json_array_size(containers); i++)
		n += json_array_size(json_object_get(json_array_get(containers, i), key));
	return n;
}

static void port_cell(struct sbuf *sb, const void *ctx, size_t row, size_t col)
{
	static const char *const fields[] =
		{ NULL, "name", "containerPort", "protocol", "hostPort" };
	const struct panel_ctx *c = ctx;
	json_t *container, *port;

	if (!c->containers) {
		/* no detail: only the port numbers of the resource list are known */
		if (col == 2)
			add_long(sb, c->d->ports[row]);
		return;
	}
	port = container_item(c->containers, "ports", row, &container);
	if (col == 0)
		add_field(sb, container, "name");
	else
		add_field(sb, port, fields[col]);
}

static void panel_ports(struct sbuf *sb, const struct panel_ctx *c)
{
	static const char *const header[] =
		{ "CONTAINER", "NAME", "PORT", "PROTOCOL", "HOST-PORT" };
	const struct render_table t = {
		.header = header, .ncols = ARRAY_SIZE(header), .cell = port_cell, .ctx = c,
		.nrows = c->containers ? container_items(c->containers, "ports") : c->d->n_ports,
	};

	render_table(sb, &t);
}

/* The volume's type is its one member besides "name" (configMap, secret, …). */
static const char *volume_type(json_t *volume, json_t **source)
{
	const char *key;
	json_t *v;

	json_object_foreach(volume, key, v) {
		if (strcmp(key, "name")) {
			*source = v;
			return key;
		}
	}
	*source = NULL;
	return "";
}

static void volume_cell(struct sbuf *sb, const void *ctx, size_t row, size_t col)
{
	const struct panel_ctx *c = ctx;
	json_t *volume = json_array_get(c->volumes, row), *source;
	const char *type = volume_type(volume, &source);

	if (col == 0)
		add_field(sb, volume, "name");
	else if (col == 1)
		sbuf_adds(sb, type);
	else
		add_members(sb, source);
}

static void mount_cell(struct sbuf *sb, const void *ctx, size_t row, size_t col)
{
	static const char *const fields[] =
		{ NULL, "name", "mountPath", "subPath", "readOnly" };
	const struct panel_ctx *c = ctx;
	json_t *container, *mount;

	mount = container_item(c->containers, "volumeMounts", row, &container);
	add_field(sb, col == 0 ? container : mount, col == 0 ? "name" : fields[col]);
}

static void panel_volumes(struct sbuf *sb, const struct panel_ctx *c)
{
	static const char *const volume_header[] = { "VOLUME", "TYPE", "SOURCE" };
	static const char *const mount_header[] =
		{ "CONTAINER", "VOLUME", "MOUNT-PATH", "SUB-PATH", "READ-ONLY" };
	const struct render_table volumes = {
		.header = volume_header, .ncols = ARRAY_SIZE(volume_header),
		.nrows = json_array_size(c->volumes), .cell = volume_cell, .ctx = c,
	};
	const struct render_table mounts = {
		.header = mount_header, .ncols = ARRAY_SIZE(mount_header),
		.nrows = container_items(c->containers, "volumeMounts"),
		.cell = mount_cell, .ctx = c,
	};

	render_table(sb, &volumes);
	sbuf_addch(sb, '\n');
	render_table(sb, &mounts);
}

static const struct {
	const char *key;
	const char *label;
} probe_kinds[] = {
	{ "readinessProbe", "readiness" },
	{ "livenessProbe", "liveness" },
};

/* Probe number row over all containers; *container and *label say whose. */
static json_t *nth_probe(const json_t *containers, size_t row, json_t **container,
			 const char **label)
{
	json_t *probe;
	size_t i, k;

	for (i = 0; i < json_array_size(containers); i++) {
		*container = json_array_get(containers, i);
		for (k = 0; k < ARRAY_SIZE(probe_kinds); k++) {
			probe = json_object_get(*container, probe_kinds[k].key);
			if (!probe)
				continue;
			*label = probe_kinds[k].label;
			if (row-- == 0)
				return probe;
		}
	}
	return NULL;
}

static size_t count_probes(const json_t *containers)
{
	json_t *container;
	const char *label;
	size_t n = 0;

	while (nth_probe(containers, n, &container, &label))
		n++;
	return n;
}

/* "exec: curl localhost:8031/health", "httpGet: http://:8080/health",
 * "tcpSocket: :8080" */
static void add_probe_action(struct sbuf *sb, const json_t *probe)
{
	json_t *a;
	const char *scheme;

	if ((a = json_object_get(probe, "exec"))) {
		sbuf_adds(sb, "exec: ");
		add_array(sb, json_object_get(a, "command"), " ");
	} else if ((a = json_object_get(probe, "httpGet"))) {
		scheme = json_string_value(json_object_get(a, "scheme"));
		sbuf_printf(sb, "httpGet: %s://", scheme && !strcmp(scheme, "HTTPS") ? "https" : "http");
		add_field(sb, a, "host");
		sbuf_addch(sb, ':');
		add_field(sb, a, "port");
		add_field(sb, a, "path");
	} else if ((a = json_object_get(probe, "tcpSocket"))) {
		sbuf_adds(sb, "tcpSocket: ");
		add_field(sb, a, "host");
		sbuf_addch(sb, ':');
		add_field(sb, a, "port");
	}
}

static void health_cell(struct sbuf *sb, const void *ctx, size_t row, size_t col)
{
	static const char *const fields[] = {
		NULL, NULL, "initialDelaySeconds", "periodSeconds", "timeoutSeconds",
		"successThreshold", "failureThreshold",
	};
	const struct panel_ctx *c = ctx;
	json_t *container, *probe;
	const char *label;

	probe = nth_probe(c->containers, row, &container, &label);
	if (col == 0)
		add_field(sb, container, "name");
	else if (col == 1)
		sbuf_adds(sb, label);
	else if (col < ARRAY_SIZE(fields))
		add_field(sb, probe, fields[col]);
	else
		add_probe_action(sb, probe);
}

static void panel_health(struct sbuf *sb, const struct panel_ctx *c)
{
	static const char *const header[] = {
		"CONTAINER", "PROBE", "INITIAL-DELAY", "PERIOD", "TIMEOUT",
		"SUCCESS-THRESHOLD", "FAILURE-THRESHOLD", "ACTION",
	};
	const struct render_table t = {
		.header = header, .ncols = ARRAY_SIZE(header),
		.nrows = count_probes(c->containers), .cell = health_cell, .ctx = c,
	};

	render_table(sb, &t);
}

/* A key: value line from a field of obj; arrays as comma-joined items. */
static void kv_field(struct sbuf *sb, const char *key, const json_t *obj, const char *field)
{
	const json_t *v = json_object_get(obj, field);
	size_t mark = render_kv_begin(sb, key);

	if (json_is_array(v))
		add_array(sb, v, ",");
	else
		add_value(sb, v);
	render_line_end(sb, mark);
}

static void panel_host(struct sbuf *sb, const struct panel_ctx *c, const json_t *spec)
{
	static const char *const security[] = {
		"privileged", "allowPrivilegeEscalation", "readOnlyRootFilesystem", "runAsNonRoot",
	};
	json_t *container, *sc, *caps;
	size_t i, k;

	kv_field(sb, "hostIPC", spec, "hostIPC");
	kv_field(sb, "hostNetwork", spec, "hostNetwork");
	for (i = 0; i < json_array_size(c->containers); i++) {
		container = json_array_get(c->containers, i);
		sc = json_object_get(container, "securityContext");
		caps = json_object_get(sc, "capabilities");
		sbuf_addch(sb, '\n');
		kv_field(sb, "container", container, "name");
		kv_field(sb, "imagePullPolicy", container, "imagePullPolicy");
		for (k = 0; k < ARRAY_SIZE(security); k++)
			kv_field(sb, security[k], sc, security[k]);
		kv_field(sb, "capabilities.add", caps, "add");
		kv_field(sb, "capabilities.drop", caps, "drop");
	}
}

/* "NAME=value"; a value taken from elsewhere shows where from:
 * "DB_PASSWORD=<secretKeyRef: name=demo-db,key=password>". */
static void env_line(struct sbuf *sb, json_t *var)
{
	json_t *from = json_object_get(var, "valueFrom"), *v;
	size_t mark = sb->len;
	const char *key;
	bool first = true;

	add_field(sb, var, "name");
	sbuf_addch(sb, '=');
	if (from) {
		sbuf_addch(sb, '<');
		json_object_foreach(from, key, v) {
			sbuf_printf(sb, "%s%s: ", first ? "" : "; ", key);
			add_members(sb, v);
			first = false;
		}
		sbuf_addch(sb, '>');
	} else {
		add_field(sb, var, "value");
	}
	render_line_end(sb, mark);
}

static void panel_env(struct sbuf *sb, const struct panel_ctx *c)
{
	json_t *container, *env;
	size_t i, k, mark;

	for (i = 0; i < json_array_size(c->containers); i++) {
		container = json_array_get(c->containers, i);
		env = json_object_get(container, "env");
		mark = sb->len;
		sbuf_adds(sb, "# ");
		add_field(sb, container, "name");
		render_line_end(sb, mark);
		for (k = 0; k < json_array_size(env); k++)
			env_line(sb, json_array_get(env, k));
	}
}

/* "# title" then one "key=value" line per member of obj. */
static void key_value_section(struct sbuf *sb, const char *title, json_t *obj)
{
	const char *key;
	json_t *v;
	size_t mark;

	sbuf_printf(sb, "# %s\n", title);
	json_object_foreach(obj, key, v) {
		mark = sb->len;
		sbuf_printf(sb, "%s=", key);
		add_value(sb, v);
		render_line_end(sb, mark);
	}
}

static void panel_labels(struct sbuf *sb, const struct panel_ctx *c, const json_t *detail)
{
	json_t *meta = json_object_get(detail, "metadata");
	size_t i, mark;

	if (detail) {
		key_value_section(sb, "labels", json_object_get(meta, "labels"));
		key_value_section(sb, "annotations", json_object_get(meta, "annotations"));
		return;
	}
	/* without the object, the selector labels of the resource list */
	sbuf_adds(sb, "# labels\n");
	for (i = 0; i < c->d->n_labels; i++) {
		mark = sb->len;
		sbuf_printf(sb, "%s=%s", c->d->labels[i].key, c->d->labels[i].value);
		render_line_end(sb, mark);
	}
	sbuf_adds(sb, "# annotations\n");
}

const char *const render_deployment_panels[] = {
	"ports", "volumes", "health", "host", "env", "labels", NULL,
};

int render_deployment_panel(struct sbuf *sb, const char *panel,
			    const struct api_deployment *d, const json_t *detail)
{
	const json_t *spec = pod_spec(detail);
	const struct panel_ctx c = {
		.containers = json_object_get(spec, "containers"),
		.volumes = json_object_get(spec, "volumes"),
		.d = d,
	};

	if (strcmp(panel, "ports") == 0)
		panel_ports(sb, &c);
	else if (strcmp(panel, "volumes") == 0)
		panel_volumes(sb, &c);
	else if (strcmp(panel, "health") == 0)
		panel_health(sb, &c);
	else if (strcmp(panel, "host") == 0)
		panel_host(sb, &c, spec);
	else if (strcmp(panel, "env") == 0)
		panel_env(sb, &c);
	else if (strcmp(panel, "labels") == 0)
		panel_labels(sb, &c, detail);
	else
		return -ENOENT;
	return 0;
}
