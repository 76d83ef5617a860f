/* k8s.c — Kubernetes objects derived from an instance's deployed values and version.
 *
 * Values understood (Choerodon chart conventions):
 *   replicaCount                      Deployment spec.replicas (default 1)
 *   image.repository, image.pullPolicy  container image "<repository>:<version>"
 *   service.{enabled,type,port,targetPort,nodePort}   Service + container port "http"
 *   deployment.managementPort         second container port "actuator"
 *   ports (list)                      container ports verbatim (instead of the above)
 *   env.open (map) / env (list)       container env
 *   readinessProbe, livenessProbe, resources, securityContext   verbatim
 *   persistence.{enabled,size,storageClass,accessMode,mountPath}  PVC + volume + mount
 *   volumes, volumeMounts (lists)     verbatim
 *   ingress.{enabled,host,path,tls}   Ingress
 *   logs.parser                       label choerodon.io/logs-parser
 *   podAnnotations, hostNetwork, hostIPC
 *   c7nsim.pod_status                 status of every pod (CrashLoopBackOff, Pending, …)
 */
#include "sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DBTOOL_IMAGE "registry.c7n.example.com/tools/dbtool:0.7.1"

const char *values_pod_status(const json_t *values)
{
	return json_path_str(values, "c7nsim.pod_status");
}

bool values_flag(const json_t *values, const char *flag)
{
	json_t *c = json_object_get(values, "c7nsim");
	return json_is_object(c) && json_path_bool(c, flag, false);
}

int inst_replicas(const instance_t *in)
{
	if (!in->snap.exists || !in->snap.running)
		return 0;
	int64_t r = json_path_int(in->snap.values, "replicaCount", 1);
	if (r < 0)
		r = 0;
	if (r > 20)
		r = 20;
	return (int)r;
}

char *inst_rs_name(const instance_t *in)
{
	char sfx[16];
	k8s_suffix(in->snap.tmpl_hash, sfx, 10);
	return xasprintf("%s-%s", in->code, sfx);
}

static void pod_net(const char *name, const char *status, char ip[24], char node[32])
{
	uint64_t h = hash_str(name);
	if (strcmp(status, "Pending") == 0) {
		ip[0] = node[0] = 0;
		return;
	}
	snprintf(ip, 24, "10.244.%u.%u", (unsigned)((h >> 8) % 6 + 1), (unsigned)(h % 250 + 2));
	snprintf(node, 32, "c7n-node-%02u", (unsigned)((h >> 20) % 3 + 1));
}

static int pod_restarts(const char *status, size_t i)
{
	if (strcmp(status, "CrashLoopBackOff") == 0)
		return 5 + (int)i;
	if (strcmp(status, "Error") == 0 || strcmp(status, "OOMKilled") == 0)
		return 1;
	return 0;
}

size_t inst_pods(const instance_t *in, pod_info *out, size_t max)
{
	int n = inst_replicas(in);
	if (n <= 0)
		return 0;
	const char *st = values_pod_status(in->snap.values);
	if (!st || !*st)
		st = "Running";
	char *rs = inst_rs_name(in);
	size_t k = 0;
	for (int i = 0; i < n && k < max; i++, k++) {
		pod_info *p = &out[k];
		char sfx[8];
		k8s_suffix(hash_str(rs) ^ mix64(((uint64_t)in->snap.gen << 16) | (uint64_t)i), sfx, 5);
		snprintf(p->name, sizeof p->name, "%s-%s", rs, sfx);
		snprintf(p->status, sizeof p->status, "%s", st);
		pod_net(p->name, st, p->ip, p->node);
		p->ready = strcmp(st, "Running") == 0;
		p->restarts = pod_restarts(st, (size_t)i);
		p->created_ms = in->snap.pods_ms + i * 1000;
	}
	free(rs);
	return k;
}

void inst_pod_counts(const instance_t *in, int *total, int *running)
{
	int n = inst_replicas(in);
	const char *st = values_pod_status(in->snap.values);
	*total = n;
	*running = (!st || !*st || strcmp(st, "Running") == 0) ? n : 0;
}

/* ------------------------------------------------------------ Deployment */

static char *image_of(const instance_t *in, const version_t *v, const json_t *vals)
{
	const char *repo = json_path_str(vals, "image.repository");
	return xasprintf("%s:%s", repo ? repo : in->app->image, v ? v->version : "latest");
}

static int main_port(const json_t *vals)
{
	int64_t p = json_path_int(vals, "service.port", 8080);
	return (int)json_path_int(vals, "service.targetPort", p);
}

static json_t *container_ports(const json_t *vals)
{
	json_t *ports = json_path(vals, "ports");
	if (json_is_array(ports))
		return json_deep_copy(ports);
	json_t *arr = json_array();
	json_array_append_new(arr, json_pack("{s:s,s:i,s:s}", "name", "http", "containerPort",
					     main_port(vals), "protocol", "TCP"));
	int64_t mgmt = json_path_int(vals, "deployment.managementPort", 0);
	if (mgmt > 0)
		json_array_append_new(arr, json_pack("{s:s,s:I,s:s}", "name", "actuator",
						     "containerPort", (json_int_t)mgmt, "protocol", "TCP"));
	return arr;
}

static json_t *container_env(const json_t *vals)
{
	json_t *arr = json_array();
	json_t *open = json_path(vals, "env.open");
	json_t *envv = json_object_get(vals, "env");
	if (json_is_object(open)) {
		const char *k;
		json_t *v;
		json_object_foreach(open, k, v) {
			char *t = json_scalar_text(v);
			json_array_append_new(arr, json_pack("{s:s,s:s}", "name", k, "value", t ? t : ""));
			free(t);
		}
	} else if (json_is_array(envv)) {
		size_t i;
		json_t *v;
		json_array_foreach(envv, i, v) json_array_append_new(arr, json_deep_copy(v));
	}
	return arr;
}

static json_t *labels_of(const instance_t *in, const version_t *v, const json_t *vals)
{
	json_t *l = json_object();
	json_object_set_new(l, "choerodon.io/application", json_string(in->app->code));
	const char *parser = json_path_str(vals, "logs.parser");
	if (parser)
		json_object_set_new(l, "choerodon.io/logs-parser", json_string(parser));
	json_object_set_new(l, "choerodon.io/release", json_string(in->code));
	json_object_set_new(l, "choerodon.io/version", json_string(v ? v->version : ""));
	return l;
}

static char *pvc_name(const instance_t *in)
{
	return xasprintf("%s-data", in->code);
}

static void uid_of(uint64_t h, char out[40])
{
	uint64_t a = mix64(h), b = mix64(h ^ 0xabcdef);
	snprintf(out, 40, "%08x-%04x-4%03x-a%03x-%012llx", (unsigned)(a >> 32), (unsigned)(a >> 16) & 0xffff,
		 (unsigned)a & 0xfff, (unsigned)(b >> 52) & 0xfff, (unsigned long long)(b & 0xffffffffffffULL));
}

static int revision_of(const instance_t *in)
{
	int r = 0;
	for (size_t i = 0; i < in->ncmds; i++)
		if ((in->cmds[i]->type == CMD_CREATE || in->cmds[i]->type == CMD_UPDATE) &&
		    in->cmds[i]->status == CS_SUCCESS)
			r++;
	return r ? r : 1;
}

json_t *k8s_deployment(const instance_t *in)
{
	const snapshot_t *s = &in->snap;
	if (!s->exists)
		return NULL;
	const json_t *vals = s->values;
	char ts[40], uid[40];
	int spec_replicas = s->running ? (int)json_path_int(vals, "replicaCount", 1) : 0;
	if (spec_replicas < 0)
		spec_replicas = 0;
	int total = 0, ready = 0;
	inst_pod_counts(in, &total, &ready);

	json_t *d = json_object();
	json_object_set_new(d, "apiVersion", json_string("apps/v1"));
	json_object_set_new(d, "kind", json_string("Deployment"));

	json_t *md = json_object();
	char rev[16];
	snprintf(rev, sizeof rev, "%d", revision_of(in));
	json_object_set_new(md, "annotations", json_pack("{s:s,s:s,s:s}",
		"deployment.kubernetes.io/revision", rev,
		"meta.helm.sh/release-name", in->code,
		"meta.helm.sh/release-namespace", in->env->code));
	fmt_iso_k8s(s->created_ms, ts);
	json_object_set_new(md, "creationTimestamp", json_string(ts));
	json_object_set_new(md, "generation", json_integer(revision_of(in) + (int)s->gen));
	json_object_set_new(md, "labels", labels_of(in, s->version, vals));
	json_object_set_new(md, "name", json_string(in->code));
	json_object_set_new(md, "namespace", json_string(in->env->code));
	char rv[24];
	snprintf(rv, sizeof rv, "%llu", (unsigned long long)(mix64(s->tmpl_hash + s->gen) % 90000000 + 10000000));
	json_object_set_new(md, "resourceVersion", json_string(rv));
	uid_of(hash_str(in->id), uid);
	json_object_set_new(md, "uid", json_string(uid));
	json_object_set_new(d, "metadata", md);

	/* container */
	json_t *c = json_object();
	json_t *env = container_env(vals);
	if (json_array_size(env))
		json_object_set_new(c, "env", env);
	else
		json_decref(env);
	char *img = image_of(in, s->version, vals);
	json_object_set_new(c, "image", json_string(img));
	free(img);
	const char *pull = json_path_str(vals, "image.pullPolicy");
	json_object_set_new(c, "imagePullPolicy", json_string(pull ? pull : "IfNotPresent"));
	const char *probes[] = {"livenessProbe", "readinessProbe"};
	json_object_set_new(c, "name", json_string(in->app->code));
	json_object_set_new(c, "ports", container_ports(vals));
	for (int i = 0; i < 2; i++) {
		json_t *p = json_object_get(vals, probes[i]);
		if (json_is_object(p)) {
			json_t *pc = json_deep_copy(p);
			/* the API server fills in these defaults */
			static const char *const dk[] = {"failureThreshold", "periodSeconds",
							 "successThreshold", "timeoutSeconds"};
			static const int dv[] = {3, 10, 1, 1};
			for (int k = 0; k < 4; k++)
				if (!json_object_get(pc, dk[k]))
					json_object_set_new(pc, dk[k], json_integer(dv[k]));
			json_object_set_new(c, probes[i], pc);
		}
	}
	json_t *res = json_object_get(vals, "resources");
	json_object_set_new(c, "resources", json_is_object(res) ? json_deep_copy(res) : json_object());
	json_t *sc = json_object_get(vals, "securityContext");
	if (json_is_object(sc))
		json_object_set_new(c, "securityContext", json_deep_copy(sc));
	json_object_set_new(c, "terminationMessagePath", json_string("/dev/termination-log"));
	json_object_set_new(c, "terminationMessagePolicy", json_string("File"));

	json_t *mounts = json_array(), *volumes = json_array();
	if (json_path_bool(vals, "persistence.enabled", false)) {
		const char *mp = json_path_str(vals, "persistence.mountPath");
		json_array_append_new(mounts, json_pack("{s:s,s:s}", "mountPath", mp ? mp : "/data", "name", "data"));
		char *pn = pvc_name(in);
		json_array_append_new(volumes, json_pack("{s:s,s:{s:s}}", "name", "data",
							 "persistentVolumeClaim", "claimName", pn));
		free(pn);
	}
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(vals, "volumeMounts"), i, x) json_array_append_new(mounts, json_deep_copy(x));
	json_array_foreach(json_object_get(vals, "volumes"), i, x) json_array_append_new(volumes, json_deep_copy(x));
	if (json_array_size(mounts))
		json_object_set_new(c, "volumeMounts", mounts);
	else
		json_decref(mounts);

	json_t *pod_labels = labels_of(in, s->version, vals);
	json_t *tmeta = json_object();
	json_t *pa = json_object_get(vals, "podAnnotations");
	if (json_is_object(pa))
		json_object_set_new(tmeta, "annotations", json_deep_copy(pa));
	json_object_set_new(tmeta, "labels", pod_labels);

	json_t *pspec = json_object();
	json_object_set_new(pspec, "containers", json_pack("[o]", c));
	json_object_set_new(pspec, "dnsPolicy", json_string("ClusterFirst"));
	if (json_path_bool(vals, "hostIPC", false))
		json_object_set_new(pspec, "hostIPC", json_true());
	if (json_path_bool(vals, "hostNetwork", false))
		json_object_set_new(pspec, "hostNetwork", json_true());
	json_object_set_new(pspec, "restartPolicy", json_string("Always"));
	json_object_set_new(pspec, "schedulerName", json_string("default-scheduler"));
	json_object_set_new(pspec, "securityContext", json_object());
	json_object_set_new(pspec, "terminationGracePeriodSeconds", json_integer(30));
	if (json_array_size(volumes))
		json_object_set_new(pspec, "volumes", volumes);
	else
		json_decref(volumes);

	json_t *spec = json_object();
	json_object_set_new(spec, "progressDeadlineSeconds", json_integer(600));
	json_object_set_new(spec, "replicas", json_integer(spec_replicas));
	json_object_set_new(spec, "revisionHistoryLimit", json_integer(10));
	json_object_set_new(spec, "selector", json_pack("{s:{s:s}}", "matchLabels", "choerodon.io/release", in->code));
	json_object_set_new(spec, "strategy", json_pack("{s:{s:s,s:s},s:s}", "rollingUpdate", "maxSurge", "25%",
							"maxUnavailable", "25%", "type", "RollingUpdate"));
	json_object_set_new(spec, "template", json_pack("{s:o,s:o}", "metadata", tmeta, "spec", pspec));
	json_object_set_new(d, "spec", spec);

	/* status */
	json_t *st = json_object();
	char tr[40];
	fmt_iso_k8s(s->rs_ms + 20000, tr);
	char *rsn = inst_rs_name(in);
	char msg[256];
	json_t *conds = json_array();
	bool avail = ready >= spec_replicas;
	json_array_append_new(conds, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}",
		"lastTransitionTime", tr, "lastUpdateTime", tr,
		"message", avail ? "Deployment has minimum availability." : "Deployment does not have minimum availability.",
		"reason", avail ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
		"status", avail ? "True" : "False", "type", "Available"));
	snprintf(msg, sizeof msg, "ReplicaSet \"%s\" has successfully progressed.", rsn);
	fmt_iso_k8s(s->created_ms, ts);
	json_array_append_new(conds, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}",
		"lastTransitionTime", ts, "lastUpdateTime", tr, "message", msg,
		"reason", "NewReplicaSetAvailable", "status", "True", "type", "Progressing"));
	free(rsn);
	json_object_set_new(st, "availableReplicas", json_integer(ready));
	json_object_set_new(st, "conditions", conds);
	json_object_set_new(st, "observedGeneration", json_integer(revision_of(in) + (int)s->gen));
	json_object_set_new(st, "readyReplicas", json_integer(ready));
	json_object_set_new(st, "replicas", json_integer(total));
	if (total - ready > 0)
		json_object_set_new(st, "unavailableReplicas", json_integer(total - ready));
	json_object_set_new(st, "updatedReplicas", json_integer(total));
	json_object_set_new(d, "status", st);
	return d;
}

/* ------------------------------------------------------------- resources */

json_t *k8s_pod_vo(const instance_t *in, const pod_info *p)
{
	char date[32];
	fmt_date(p->created_ms, date);
	char *pid = make_id(ID_POD, hash_str(p->name) & 0xffffffffffULL);
	char logid[64];
	snprintf(logid, sizeof logid, "containerd://%016llx%016llx",
		 (unsigned long long)hash_str(p->name), (unsigned long long)mix64(hash_str(p->name)));
	json_t *cont = json_pack("{s:s,s:b,s:s,s:s}", "name", in->app->code, "ready", p->ready,
				 "logId", logid, "registry", in->app->image);
	if (!p->status[0] || strcmp(p->status, "Pending") == 0)
		json_object_set_new(cont, "logId", json_null());
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(pid));
	free(pid);
	json_object_set_new(o, "instanceId", json_string(in->id));
	json_object_set_new(o, "name", json_string(p->name));
	json_object_set_new(o, "ip", p->ip[0] ? json_string(p->ip) : json_null());
	json_object_set_new(o, "ready", json_boolean(p->ready));
	json_object_set_new(o, "status", json_string(p->status));
	json_object_set_new(o, "creationDate", json_string(date));
	json_object_set_new(o, "appServiceName", json_string(in->app->name));
	json_object_set_new(o, "appServiceVersion", json_string(in->snap.version ? in->snap.version->version : ""));
	json_object_set_new(o, "instanceCode", json_string(in->code));
	json_object_set_new(o, "namespace", json_string(in->env->code));
	json_object_set_new(o, "envId", json_string(in->env->id));
	json_object_set_new(o, "envCode", json_string(in->env->code));
	json_object_set_new(o, "envName", json_string(in->env->name));
	json_object_set_new(o, "projectId", json_integer(in->env->project->id));
	json_object_set_new(o, "connect", json_boolean(in->env->connected));
	json_object_set_new(o, "clusterId", json_string(in->env->cluster_id));
	json_object_set_new(o, "containers", json_pack("[o]", cont));
	json_object_set_new(o, "nodeName", p->node[0] ? json_string(p->node) : json_null());
	json_object_set_new(o, "restartCount", json_integer(p->restarts));
	json_object_set_new(o, "objectVersionNumber", json_integer(1));
	return o;
}

#define MAXPODS 32

json_t *k8s_resources(const instance_t *in)
{
	json_t *r = json_object();
	json_t *pods = json_array(), *deps = json_array(), *rss = json_array(), *svcs = json_array(),
	       *ings = json_array(), *pvcs = json_array();
	const snapshot_t *s = &in->snap;
	if (s->exists) {
		const json_t *vals = s->values;
		pod_info pi[MAXPODS];
		size_t np = inst_pods(in, pi, MAXPODS);
		char age[40];
		int total = 0, ready = 0;
		inst_pod_counts(in, &total, &ready);
		json_t *dpods = json_array();
		for (size_t i = 0; i < np; i++) {
			fmt_iso_ms(pi[i].created_ms, age);
			json_array_append_new(pods, json_pack("{s:s,s:I,s:I,s:s,s:I,s:s}", "name", pi[i].name,
				"ready", (json_int_t)(pi[i].ready ? 1 : 0), "desire", (json_int_t)1,
				"status", pi[i].status, "restarts", (json_int_t)pi[i].restarts, "age", age));
			json_array_append_new(dpods, k8s_pod_vo(in, &pi[i]));
		}
		/* Deployment */
		int spec_replicas = s->running ? (int)json_path_int(vals, "replicaCount", 1) : 0;
		json_t *ports = json_array();
		json_t *cps = container_ports(vals);
		size_t i;
		json_t *x;
		json_array_foreach(cps, i, x) json_array_append_new(ports, json_integer(json_integer_value(json_object_get(x, "containerPort"))));
		json_decref(cps);
		fmt_iso_ms(s->rs_ms + 20000, age);
		json_array_append_new(deps, json_pack("{s:n,s:s,s:I,s:I,s:I,s:I,s:s,s:o,s:{s:s},s:o,s:s}",
			"id", "name", in->code, "desired", (json_int_t)spec_replicas, "current", (json_int_t)total,
			"upToDate", (json_int_t)total, "available", (json_int_t)ready, "age", age,
			"ports", ports, "labels", "choerodon.io/release", in->code, "devopsEnvPodVOS", dpods,
			"instanceId", in->id));
		/* ReplicaSet (skipped when scaled to 0, as the server does) */
		if (spec_replicas > 0) {
			char *rsn = inst_rs_name(in);
			fmt_iso_ms(s->rs_ms, age);
			json_array_append_new(rss, json_pack("{s:s,s:I,s:I,s:I,s:s}", "name", rsn,
				"desired", (json_int_t)spec_replicas, "current", (json_int_t)total,
				"ready", (json_int_t)ready, "age", age));
			free(rsn);
		}
		/* Service */
		fmt_iso_ms(s->created_ms, age);
		if (json_path_bool(vals, "service.enabled", true)) {
			uint64_t h = hash_str(in->id);
			char ip[24], port[48], tport[16];
			snprintf(ip, sizeof ip, "10.96.%u.%u", (unsigned)((h >> 8) % 254 + 1), (unsigned)(h % 254 + 1));
			const char *type = json_path_str(vals, "service.type");
			if (!type)
				type = "ClusterIP";
			int sport = (int)json_path_int(vals, "service.port", 8080);
			if (strcmp(type, "NodePort") == 0 || strcmp(type, "LoadBalancer") == 0)
				snprintf(port, sizeof port, "%d:%d/TCP", sport,
					 (int)json_path_int(vals, "service.nodePort", 30000 + (int64_t)(h % 2767)));
			else
				snprintf(port, sizeof port, "%d/TCP", sport);
			snprintf(tport, sizeof tport, "%d", main_port(vals));
			json_array_append_new(svcs, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "name", in->code,
				"type", type, "clusterIp", ip, "externalIp", "<none>", "port", port,
				"targetPort", tport, "age", age));
		}
		/* Ingress */
		if (json_path_bool(vals, "ingress.enabled", false)) {
			const char *host = json_path_str(vals, "ingress.host");
			char *h2 = host ? xstrdup(host) : xasprintf("%s.%s.c7n.example.com", in->code, in->env->code);
			bool tls = json_path_bool(vals, "ingress.tls", false) || json_is_array(json_path(vals, "ingress.tls"));
			json_array_append_new(ings, json_pack("{s:s,s:s,s:s,s:s,s:s,s:[s]}", "name", in->code,
				"hosts", h2, "address", "192.168.100.21", "ports", tls ? "80, 443" : "80",
				"age", age, "services", in->code));
			free(h2);
		}
		/* PVC */
		if (json_path_bool(vals, "persistence.enabled", false)) {
			char *pn = pvc_name(in);
			const char *size = json_path_str(vals, "persistence.size");
			const char *mode = json_path_str(vals, "persistence.accessMode");
			json_array_append_new(pvcs, json_pack("{s:s,s:s,s:s,s:s,s:s}", "name", pn, "status", "Bound",
				"capacity", size ? size : "8Gi", "accessModes", mode ? mode : "ReadWriteOnce", "age", age));
			free(pn);
		}
	}
	json_object_set_new(r, "podVOS", pods);
	json_object_set_new(r, "deploymentVOS", deps);
	json_object_set_new(r, "replicaSetVOS", rss);
	json_object_set_new(r, "serviceVOS", svcs);
	json_object_set_new(r, "ingressVOS", ings);
	json_object_set_new(r, "daemonSetVOS", json_array());
	json_object_set_new(r, "statefulSetVOS", json_array());
	json_object_set_new(r, "persistentVolumeClaimVOS", pvcs);
	return r;
}

/* ---------------------------------------------------------- deploys, jobs */

void k8s_fill_deploy(command_t *c, int64_t now)
{
	instance_t *in = c->inst;
	(void)now;
	json_t *vals = yaml_to_json(c->values, strlen(c->values), NULL, NULL, NULL);
	free(c->image);
	c->image = image_of(in, c->version, vals);
	json_decref(vals);
	if (c->status != CS_SUCCESS)
		return;
	pod_info pi[MAXPODS];
	size_t n = inst_pods(in, pi, MAXPODS);
	for (size_t k = 0; k < c->npods; k++)
		free(c->pods[k]);
	free(c->pods);
	c->pods = xcalloc(n ? n : 1, sizeof(char *));
	c->npods = n;
	for (size_t i = 0; i < n; i++)
		c->pods[i] = xstrdup(pi[i].name);
	free(c->pod_status);
	const char *st = values_pod_status(in->snap.values);
	c->pod_status = xstrdup(st && *st ? st : "Running");
}

static char *db_name(const instance_t *in)
{
	char *d = xstrdup(in->app->code);
	for (char *p = d; *p; p++)
		if (*p == '-')
			*p = '_';
	return d;
}

static void stamp(strbuf *b, int64_t ms)
{
	char d[32];
	fmt_date(ms, d);
	sb_addf(b, "%s.%03d ", d, (int)(ms % 1000));
}

char *job_log(const command_t *c, const char *state)
{
	const instance_t *in = c->inst;
	char *db = db_name(in);
	const char *ver = c->version ? c->version->version : "0.0.0";
	char vu[64];
	snprintf(vu, sizeof vu, "%s", ver);
	for (char *p = vu; *p; p++)
		if (*p == '.' || *p == '-')
			*p = '_';
	int64_t t = c->created_ms + 300;
	strbuf b;
	sb_init(&b);
	stamp(&b, t);
	sb_addf(&b, " INFO 1 --- [           main] io.choerodon.liquibase.LiquibaseExecutor : "
		    "Dbtool starting, datasource jdbc:mysql://mysql.c7n-infra:3306/%s\n", db);
	stamp(&b, t + 81);
	sb_add(&b, " INFO 1 --- [           main] org.flywaydb.core.internal.license.VersionPrinter : "
		   "Flyway Community Edition 7.15.0 by Redgate\n");
	stamp(&b, t + 120);
	sb_addf(&b, " INFO 1 --- [           main] o.f.c.i.database.base.BaseDatabaseType : "
		    "Database: jdbc:mysql://mysql.c7n-infra:3306/%s (MySQL 8.0)\n", db);
	if (strcmp(state, "running") == 0) {
		stamp(&b, t + 165);
		sb_add(&b, " INFO 1 --- [           main] o.f.core.internal.command.DbValidate : "
			   "Validating migrations ...\n");
		free(db);
		return sb_steal(&b);
	}
	stamp(&b, t + 174);
	sb_addf(&b, " INFO 1 --- [           main] o.f.core.internal.command.DbValidate : "
		    "Successfully validated %u migrations (execution time 00:00.047s)\n",
		    (unsigned)(8 + (c->version ? c->version->seq % 9 : 0)));
	stamp(&b, t + 190);
	sb_addf(&b, " INFO 1 --- [           main] o.f.core.internal.command.DbMigrate : "
		    "Migrating schema `%s` to version \"%s - release %s\"\n", db, vu, ver);
	if (strcmp(state, "fail") == 0) {
		stamp(&b, t + 231);
		sb_addf(&b, "ERROR 1 --- [           main] o.f.core.internal.command.DbMigrate : "
			    "Migration of schema `%s` to version \"%s - release %s\" failed! "
			    "Changes successfully rolled back.\n", db, vu, ver);
		sb_addf(&b, "org.flywaydb.core.internal.command.DbMigrate$FlywayMigrateException: \n"
			    "Migration V%s__release.sql failed\n"
			    "--------------------------------\n"
			    "SQL State  : 42000\n"
			    "Error Code : 1061\n"
			    "Message    : Duplicate key name 'idx_%s_created'\n"
			    "Location   : db/migration/V%s__release.sql\n"
			    "Line       : 3\n"
			    "Statement  : CREATE INDEX idx_%s_created ON t_%s (creation_date)\n", vu, db, vu, db, db);
	} else {
		stamp(&b, t + 240);
		sb_addf(&b, " INFO 1 --- [           main] o.f.core.internal.command.DbMigrate : "
			    "Successfully applied 1 migration to schema `%s`, now at version v%s "
			    "(execution time 00:00.318s)\n", db, vu);
		stamp(&b, t + 241);
		sb_add(&b, " INFO 1 --- [           main] io.choerodon.liquibase.LiquibaseExecutor : "
			   "Dbtool finished\n");
	}
	free(db);
	return sb_steal(&b);
}

char *deploy_error_text(const command_t *c)
{
	const instance_t *in = c->inst;
	json_t *vals = yaml_to_json(c->values, strlen(c->values), NULL, NULL, NULL);
	const char *custom = json_path_str(vals, "c7nsim.message");
	char *r;
	int replicas = (int)json_path_int(vals, "replicaCount", 1);
	if (custom) {
		r = xstrdup(custom);
	} else {
		switch (c->type) {
		case CMD_CREATE:
			r = xasprintf("install release %s failed: failed pre-install: job %s failed: "
				      "BackoffLimitExceeded", in->code, c->job_name ? c->job_name : in->code);
			break;
		case CMD_UPDATE:
			r = xasprintf("upgrade release %s failed: UPGRADE FAILED: pre-upgrade hooks failed: "
				      "job %s failed: BackoffLimitExceeded", in->code,
				      c->job_name ? c->job_name : in->code);
			break;
		case CMD_STOP:
			r = xasprintf("stop release %s failed: scale deployment %s/%s to 0 replicas: "
				      "Operation cannot be fulfilled on deployments.apps \"%s\": the object "
				      "has been modified; please apply your changes to the latest version and "
				      "try again", in->code, in->env->code, in->code, in->code);
			break;
		case CMD_RESTART:
			r = xasprintf("start release %s failed: scale deployment %s/%s to %d replicas: "
				      "pods \"%s\" is forbidden: exceeded quota: compute-resources, requested: "
				      "limits.memory=1Gi, used: limits.memory=8Gi, limited: limits.memory=8Gi",
				      in->code, in->env->code, in->code, replicas, in->code);
			break;
		default:
			r = xasprintf("delete release %s failed: uninstall: Release not loaded: %s: "
				      "release: not found", in->code, in->code);
		}
	}
	json_decref(vals);
	return r;
}

/* ------------------------------------------------------------------ events */

static char *pod_events_text(const command_t *c, const char *pod, const char *status)
{
	char ip[24], node[32];
	pod_net(pod, status, ip, node);
	strbuf b;
	sb_init(&b);
	if (strcmp(status, "Pending") == 0) {
		sb_add(&b, "0/3 nodes are available: 3 Insufficient memory.\n");
		return sb_steal(&b);
	}
	sb_addf(&b, "Successfully assigned %s/%s to %s\n", c->inst->env->code, pod, node);
	sb_addf(&b, "Pulling image \"%s\"\n", c->image ? c->image : "");
	if (strcmp(status, "ImagePullBackOff") == 0 || strcmp(status, "ErrImagePull") == 0) {
		sb_addf(&b, "Failed to pull image \"%s\": rpc error: code = NotFound desc = failed to pull "
			    "and unpack image \"%s\": not found\n", c->image, c->image);
		sb_add(&b, "Error: ErrImagePull\n");
		sb_addf(&b, "Back-off pulling image \"%s\"\n", c->image);
		return sb_steal(&b);
	}
	sb_addf(&b, "Successfully pulled image \"%s\" in %u.%03us\n", c->image ? c->image : "",
		(unsigned)(1 + hash_str(pod) % 6), (unsigned)(hash_str(pod) % 1000));
	sb_addf(&b, "Created container %s\n", c->inst->app->code);
	sb_addf(&b, "Started container %s\n", c->inst->app->code);
	if (strcmp(status, "CrashLoopBackOff") == 0) {
		sb_addf(&b, "Readiness probe failed: Get \"http://%s:8081/actuator/health\": dial tcp %s:8081: "
			    "connect: connection refused\n", ip, ip);
		sb_add(&b, "Back-off restarting failed container\n");
	}
	return sb_steal(&b);
}

static json_t *job_entry(const command_t *c)
{
	const char *state = c->status == CS_OPERATING ? "running" : c->status == CS_SUCCESS ? "success" : "fail";
	char sfx[8], node[32], ip[24];
	k8s_suffix(hash_str(c->job_name) ^ 0x77, sfx, 5);
	char *jpod = xasprintf("%s-%s", c->job_name, sfx);
	pod_net(jpod, "Running", ip, node);
	strbuf b;
	sb_init(&b);
	sb_addf(&b, "Created pod: %s\n", jpod);
	sb_addf(&b, "Successfully assigned %s/%s to %s\n", c->inst->env->code, jpod, node);
	sb_addf(&b, "Pulling image \"%s\"\n", DBTOOL_IMAGE);
	sb_addf(&b, "Successfully pulled image \"%s\" in 1.%03us\n", DBTOOL_IMAGE, (unsigned)(hash_str(jpod) % 1000));
	sb_add(&b, "Created container init-db\nStarted container init-db\n");
	if (strcmp(state, "fail") == 0)
		sb_add(&b, "Job has reached the specified backoff limit\n");
	else if (strcmp(state, "success") == 0)
		sb_add(&b, "Job completed\n");
	free(jpod);
	char *ev = sb_steal(&b);
	char *log = job_log(c, state);
	json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "name", c->job_name, "event", ev, "log", log,
			      "jobPodStatus", state);
	free(ev);
	free(log);
	return o;
}

json_t *k8s_events(const instance_t *in)
{
	json_t *arr = json_array();
	int n = 0;
	for (size_t k = in->ncmds; k-- > 0 && n < 30;) {
		const command_t *c = in->cmds[k];
		if (c->type != CMD_CREATE && c->type != CMD_UPDATE && c->type != CMD_DELETE)
			continue;
		n++;
		char date[32];
		fmt_date(c->created_ms, date);
		json_t *pe = json_array();
		if (c->job_name)
			json_array_append_new(pe, job_entry(c));
		for (size_t i = 0; i < c->npods && i < 5; i++) {
			char *ev = pod_events_text(c, c->pods[i], c->pod_status ? c->pod_status : "Running");
			json_array_append_new(pe, json_pack("{s:s,s:s,s:n,s:n}", "name", c->pods[i], "event", ev,
							    "log", "jobPodStatus"));
			free(ev);
		}
		json_t *o = json_object();
		json_object_set_new(o, "commandId", json_string(c->id));
		json_object_set_new(o, "type", json_string(cmd_type_names[c->type]));
		json_object_set_new(o, "status", json_string(cmd_status_names[c->status]));
		json_object_set_new(o, "commandError", c->error ? json_string(c->error) : json_null());
		json_object_set_new(o, "createTime", json_string(date));
		json_object_set_new(o, "userImage", json_null());
		json_object_set_new(o, "loginName", json_string(c->user ? c->user->login : "admin"));
		json_object_set_new(o, "realName", json_string(c->user ? c->user->real_name : "admin"));
		json_object_set_new(o, "podEventVO", pe);
		json_array_append_new(arr, o);
	}
	return arr;
}
