/* test_api_decode.c — decoding of choerodon-api.md §3/§7 shapes, pure. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "check.h"

static json_t *parse(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, JSON_DECODE_ANY, &e);

	if (!j)
		fprintf(stderr, "bad fixture: %s at %d\n", e.text, e.position);
	return j;
}

/* §7 I1 item, encrypted ids as strings. */
static const char *instance_full =
	"{\"id\":\"=abc/+def=\",\"code\":\"demo-1a2b3\",\"name\":\"Demo\",\"status\":\"running\","
	"\"podCount\":2,\"podRunningCount\":1,\"appServiceId\":\"=as=\","
	"\"appServiceName\":\"demo\",\"appServiceType\":\"normal_service\","
	"\"appServiceVersionId\":\"=v1=\",\"versionName\":\"0.1.0\","
	"\"lastUpdateDate\":\"2023-01-01 10:00:00\",\"objectVersionNumber\":3,"
	"\"connect\":true,\"commandVersionId\":\"=v2=\",\"commandVersion\":\"0.2.0\","
	"\"commandType\":\"update\",\"commandStatus\":\"failed\",\"error\":\"boom\","
	"\"effectCommandId\":\"=c9=\",\"effectCommandVersion\":\"0.1.0\","
	"\"effectCommandStatus\":\"success\",\"environmentId\":\"=e1=\",\"projectId\":123,"
	"\"source\":\"normal\",\"devopsDeployAppCenterEnvDTO\":{\"id\":1},\"futureKey\":[1,2]}";

static void test_instance_full(void)
{
	struct api_instance i;
	json_t *j = parse(instance_full);

	CHECK_INT(api_decode_instance(j, &i), 0);
	CHECK_STR(i.id, "=abc/+def=");
	CHECK_STR(i.code, "demo-1a2b3");
	CHECK_STR(i.name, "Demo");
	CHECK_STR(i.status, "running");
	CHECK_INT(i.pod_count, 2);
	CHECK_INT(i.pod_running_count, 1);
	CHECK_STR(i.app_service_id, "=as=");
	CHECK_STR(i.app_service_name, "demo");
	CHECK_STR(i.app_service_type, "normal_service");
	CHECK_STR(i.app_service_version_id, "=v1=");
	CHECK_STR(i.version_name, "0.1.0");
	CHECK_STR(i.last_update_date, "2023-01-01 10:00:00");
	CHECK_INT(i.object_version_number, 3);
	CHECK(i.connect);
	CHECK_STR(i.command_version_id, "=v2=");
	CHECK_STR(i.command_version, "0.2.0");
	CHECK_STR(i.command_type, "update");
	CHECK_STR(i.command_status, "failed");
	CHECK_STR(i.error, "boom");
	CHECK_STR(i.effect_command_id, "=c9=");
	CHECK_STR(i.effect_command_version, "0.1.0");
	CHECK_STR(i.effect_command_status, "success");
	CHECK_STR(i.environment_id, "=e1=");
	CHECK_STR(i.source, "normal");
	api_instance_free(&i);
	CHECK(i.id == NULL && i.pod_count == 0 && !i.connect);
	api_instance_free(&i);
	json_decref(j);
}

/* Plain numeric ids (to_string / no-encryption modes), > 2^53 and negative;
 * nulls, missing keys and wrong types. */
static void test_instance_numbers_and_nulls(void)
{
	struct api_instance i;
	json_t *j = parse("{\"id\":1234567890123456789,\"appServiceId\":9007199254740993,"
			  "\"environmentId\":-42,\"commandVersionId\":1.5,\"code\":null,"
			  "\"status\":5,\"error\":null,\"podCount\":\"2\",\"podRunningCount\":null,"
			  "\"connect\":\"yes\",\"effectCommandId\":null}");

	CHECK_INT(api_decode_instance(j, &i), 0);
	CHECK_STR(i.id, "1234567890123456789");
	CHECK_STR(i.app_service_id, "9007199254740993");
	CHECK_STR(i.environment_id, "-42");
	CHECK_STR(i.command_version_id, "");
	CHECK_STR(i.code, "");
	CHECK_STR(i.status, "");
	CHECK_STR(i.error, "");
	CHECK_STR(i.name, "");
	CHECK_STR(i.effect_command_id, "");
	CHECK_STR(i.last_update_date, "");
	CHECK_INT(i.pod_count, 0);
	CHECK_INT(i.pod_running_count, 0);
	CHECK(!i.connect);
	api_instance_free(&i);
	json_decref(j);
}

static void test_instance_not_object(void)
{
	struct api_instance i;
	json_t *j = parse("[1]");

	CHECK_INT(api_decode_instance(j, &i), -EPROTO);
	CHECK(i.id == NULL);
	CHECK_INT(api_decode_instance(NULL, &i), -EPROTO);
	json_decref(j);
}

static void test_instance_list_shapes(void)
{
	struct api_instance_list l;
	json_t *page = parse("{\"totalPages\":1,\"totalElements\":2,\"numberOfElements\":2,"
			     "\"size\":1000,\"number\":0,\"content\":[{\"id\":\"a\",\"code\":\"x\"},"
			     "{\"id\":7,\"code\":\"y\",\"status\":\"stopped\"}]}");
	json_t *bare = parse("[{\"id\":\"b\"},null,\"junk\"]");
	json_t *empty = parse("{\"totalPages\":0,\"totalElements\":0,\"content\":[]}");
	json_t *bad = parse("{\"message\":\"hello\"}");
	json_t *null = json_null();

	CHECK_INT(api_decode_instance_list(page, &l), 0);
	CHECK_INT(l.n, 2);
	CHECK_STR(l.v[0].id, "a");
	CHECK_STR(l.v[0].code, "x");
	CHECK_STR(l.v[1].id, "7");
	CHECK_STR(l.v[1].status, "stopped");
	CHECK_STR(l.v[0].status, "");
	api_instance_list_free(&l);
	CHECK(l.v == NULL && l.n == 0);

	/* elements that are not objects decode to empty items, keeping positions */
	CHECK_INT(api_decode_instance_list(bare, &l), 0);
	CHECK_INT(l.n, 3);
	CHECK_STR(l.v[0].id, "b");
	CHECK_STR(l.v[1].id, "");
	CHECK_STR(l.v[2].code, "");
	api_instance_list_free(&l);

	CHECK_INT(api_decode_instance_list(empty, &l), 0);
	CHECK_INT(l.n, 0);
	CHECK_INT(api_decode_instance_list(null, &l), 0);
	CHECK_INT(l.n, 0);
	CHECK_INT(api_decode_instance_list(bad, &l), -EPROTO);
	CHECK(l.v == NULL && l.n == 0);
	json_decref(page);
	json_decref(bare);
	json_decref(empty);
	json_decref(bad);
}

static void test_env_list(void)
{
	struct api_env_list l;
	struct api_env copy;
	json_t *j = parse("[{\"id\":\"=e1=\",\"name\":\"Staging\",\"code\":\"staging\","
			  "\"description\":null,\"active\":true,\"connect\":true,\"connected\":true,"
			  "\"synchro\":true,\"failed\":false,\"permission\":true,"
			  "\"skipCheckPermission\":false,\"clusterId\":12,\"clusterName\":\"c1\","
			  "\"gitlabEnvProjectId\":5},"
			  "{\"id\":\"=e2=\",\"code\":\"offline\",\"connected\":true},"
			  "{\"id\":\"=e3=\",\"code\":\"down\",\"connect\":false,\"connected\":true}]");

	CHECK_INT(api_decode_env_list(j, &l), 0);
	CHECK_INT(l.n, 3);
	CHECK_STR(l.v[0].id, "=e1=");
	CHECK_STR(l.v[0].name, "Staging");
	CHECK_STR(l.v[0].code, "staging");
	CHECK_STR(l.v[0].description, "");
	CHECK_STR(l.v[0].cluster_id, "12");
	CHECK_STR(l.v[0].cluster_name, "c1");
	CHECK(l.v[0].active && l.v[0].connect && l.v[0].synchro && l.v[0].permission);
	CHECK(!l.v[0].failed && !l.v[0].skip_check_permission);
	/* "connect" missing: "connected" decides; present: "connect" wins */
	CHECK(l.v[1].connect);
	CHECK(!l.v[2].connect);
	CHECK(!l.v[1].permission);

	CHECK_INT(api_env_dup(&l.v[0], &copy), 0);
	CHECK_STR(copy.code, "staging");
	CHECK(copy.code != l.v[0].code);
	CHECK_STR(copy.description, "");
	CHECK(copy.permission && copy.connect);
	api_env_list_free(&l);
	CHECK_STR(copy.name, "Staging");
	api_env_list_free(&l);
	free(copy.id); free(copy.code); free(copy.name); free(copy.description);
	free(copy.cluster_id); free(copy.cluster_name);
	json_decref(j);
}

static void test_instance_dup(void)
{
	struct api_instance i, d;
	json_t *j = parse(instance_full);

	CHECK_INT(api_decode_instance(j, &i), 0);
	CHECK_INT(api_instance_dup(&i, &d), 0);
	api_instance_free(&i);
	CHECK_STR(d.id, "=abc/+def=");
	CHECK_STR(d.error, "boom");
	CHECK_INT(d.object_version_number, 3);
	CHECK(d.connect);
	api_instance_free(&d);
	json_decref(j);
}

/* §7 I4 example plus the pods of a deployment, and missing lists. */
static void test_resources(void)
{
	struct api_resources r;
	json_t *j = parse(
		"{\"podVOS\":[{\"name\":\"demo-1a2b3-5c6d7-x9z\",\"ready\":1,\"desire\":2,"
		"\"status\":\"Running\",\"restarts\":3,\"age\":\"2023-01-01T02:00:00.000Z\"}],"
		"\"deploymentVOS\":[{\"id\":null,\"name\":\"demo-1a2b3\",\"desired\":1,\"current\":1,"
		"\"upToDate\":1,\"available\":1,\"age\":\"t\",\"ports\":[8080,\"x\",9090],"
		"\"labels\":{\"choerodon.io/release\":\"demo-1a2b3\",\"n\":5},"
		"\"devopsEnvPodVOS\":[{\"id\":77,\"name\":\"p1\",\"ip\":\"10.0.0.1\",\"ready\":true,"
		"\"status\":\"Running\",\"creationDate\":\"2023-01-01 10:00:00\",\"nodeName\":\"n1\","
		"\"restartCount\":4,\"containers\":[{\"name\":\"c\"}]}],\"instanceId\":\"=i=\"}],"
		"\"replicaSetVOS\":[{\"name\":\"demo-1a2b3-5c6d7\",\"desired\":1,\"current\":1,"
		"\"ready\":1,\"age\":\"t\"}],"
		"\"serviceVOS\":[{\"name\":\"svc\",\"type\":\"ClusterIP\",\"clusterIp\":\"10.1.1.1\","
		"\"externalIp\":null,\"port\":\"80:30080/TCP\",\"targetPort\":\"8080\",\"age\":\"t\"}],"
		"\"ingressVOS\":[{\"name\":\"ing\",\"hosts\":\"a.example\",\"address\":\"1.2.3.4\","
		"\"ports\":\"80\",\"age\":\"t\",\"services\":[\"svc\",7,\"svc2\"]}],"
		"\"statefulSetVOS\":[{\"name\":\"ss\",\"desiredReplicas\":3,\"readyReplicas\":2,"
		"\"currentReplicas\":1,\"age\":\"t\"}],"
		"\"daemonSetVOS\":[{\"name\":\"ds\",\"desiredScheduled\":4,\"currentScheduled\":3,"
		"\"numberAvailable\":2,\"age\":\"t\"}],"
		"\"persistentVolumeClaimVOS\":[{\"name\":\"pvc\",\"status\":\"Pending\","
		"\"capacity\":\"0Gi\",\"accessModes\":\"RWO\",\"age\":\"t\"}]}");
	json_t *partial = parse("{\"podVOS\":null,\"serviceVOS\":[]}");

	CHECK_INT(api_decode_resources(j, &r), 0);
	CHECK_INT(r.n_pods, 1);
	CHECK_STR(r.pods[0].name, "demo-1a2b3-5c6d7-x9z");
	CHECK_INT(r.pods[0].ready, 1);
	CHECK_INT(r.pods[0].desire, 2);
	CHECK_INT(r.pods[0].restarts, 3);
	CHECK_STR(r.pods[0].status, "Running");
	CHECK_STR(r.pods[0].age, "2023-01-01T02:00:00.000Z");
	CHECK_INT(r.n_deployments, 1);
	CHECK_STR(r.deployments[0].name, "demo-1a2b3");
	CHECK_INT(r.deployments[0].up_to_date, 1);
	CHECK_INT(r.deployments[0].n_ports, 2);
	CHECK_INT(r.deployments[0].ports[0], 8080);
	CHECK_INT(r.deployments[0].ports[1], 9090);
	CHECK_INT(r.deployments[0].n_labels, 2);
	CHECK_STR(r.deployments[0].labels[0].key, "choerodon.io/release");
	CHECK_STR(r.deployments[0].labels[0].value, "demo-1a2b3");
	CHECK_STR(r.deployments[0].labels[1].value, "5");
	CHECK_INT(r.deployments[0].n_pods, 1);
	CHECK_STR(r.deployments[0].pods[0].id, "77");
	CHECK_STR(r.deployments[0].pods[0].ip, "10.0.0.1");
	CHECK_STR(r.deployments[0].pods[0].node_name, "n1");
	CHECK_STR(r.deployments[0].pods[0].creation_date, "2023-01-01 10:00:00");
	CHECK(r.deployments[0].pods[0].ready);
	CHECK_INT(r.deployments[0].pods[0].restart_count, 4);
	CHECK_INT(r.n_replicasets, 1);
	CHECK_STR(r.replicasets[0].name, "demo-1a2b3-5c6d7");
	CHECK_INT(r.n_services, 1);
	CHECK_STR(r.services[0].external_ip, "");
	CHECK_STR(r.services[0].port, "80:30080/TCP");
	CHECK_STR(r.services[0].cluster_ip, "10.1.1.1");
	CHECK_INT(r.n_ingresses, 1);
	CHECK_INT(r.ingresses[0].n_services, 2);
	CHECK_STR(r.ingresses[0].services[1], "svc2");
	CHECK_STR(r.ingresses[0].hosts, "a.example");
	CHECK_INT(r.n_statefulsets, 1);
	CHECK_INT(r.statefulsets[0].desired_replicas, 3);
	CHECK_INT(r.statefulsets[0].ready_replicas, 2);
	CHECK_INT(r.statefulsets[0].current_replicas, 1);
	CHECK_INT(r.n_daemonsets, 1);
	CHECK_INT(r.daemonsets[0].desired_scheduled, 4);
	CHECK_INT(r.daemonsets[0].number_available, 2);
	CHECK_INT(r.n_pvcs, 1);
	CHECK_STR(r.pvcs[0].capacity, "0Gi");
	CHECK_STR(r.pvcs[0].access_modes, "RWO");
	api_resources_free(&r);
	CHECK(r.pods == NULL && r.n_pods == 0 && r.deployments == NULL);

	CHECK_INT(api_decode_resources(partial, &r), 0);
	CHECK_INT(r.n_pods + r.n_deployments + r.n_services + r.n_pvcs, 0);
	api_resources_free(&r);
	CHECK_INT(api_decode_resources(NULL, &r), -EPROTO);
	json_decref(j);
	json_decref(partial);
}

/* §7 I8 element. */
static void test_events(void)
{
	struct api_event_list l;
	json_t *j = parse(
		"[{\"commandId\":\"=c2=\",\"type\":\"update\",\"status\":\"failed\","
		"\"commandError\":\"job failed\",\"createTime\":\"2023-01-01 10:00:00\","
		"\"userImage\":null,\"loginName\":\"admin\",\"realName\":\"Admin\","
		"\"podEventVO\":[{\"name\":\"demo-1a2b3-init-db\",\"event\":\"Created pod\\n\","
		"\"log\":\"line1\\nline2\",\"jobPodStatus\":\"fail\"},"
		"{\"name\":\"demo-pod\",\"event\":\"Pulling image\\n\",\"log\":null,"
		"\"jobPodStatus\":null}]},"
		"{\"commandId\":123456789012345678,\"type\":\"create\",\"status\":\"success\","
		"\"podEventVO\":null}]");

	CHECK_INT(api_decode_event_list(j, &l), 0);
	CHECK_INT(l.n, 2);
	CHECK_STR(l.v[0].command_id, "=c2=");
	CHECK_STR(l.v[0].type, "update");
	CHECK_STR(l.v[0].status, "failed");
	CHECK_STR(l.v[0].command_error, "job failed");
	CHECK_STR(l.v[0].create_time, "2023-01-01 10:00:00");
	CHECK_STR(l.v[0].login_name, "admin");
	CHECK_STR(l.v[0].real_name, "Admin");
	CHECK_INT(l.v[0].n_pod_events, 2);
	CHECK_STR(l.v[0].pod_events[0].name, "demo-1a2b3-init-db");
	CHECK_STR(l.v[0].pod_events[0].event, "Created pod\n");
	CHECK_STR(l.v[0].pod_events[0].log, "line1\nline2");
	CHECK_STR(l.v[0].pod_events[0].job_pod_status, "fail");
	CHECK_STR(l.v[0].pod_events[1].log, "");
	CHECK_STR(l.v[0].pod_events[1].job_pod_status, "");
	CHECK_STR(l.v[1].command_id, "123456789012345678");
	CHECK_INT(l.v[1].n_pod_events, 0);
	CHECK_STR(l.v[1].command_error, "");
	api_event_list_free(&l);
	CHECK(l.v == NULL);
	json_decref(j);
}

static void test_versions_user_projects(void)
{
	struct api_version_list vl;
	struct api_project_list pl;
	struct api_user u;
	json_t *v = parse("{\"totalPages\":1,\"content\":[{\"id\":\"=v3=\",\"version\":\"0.3.0\","
			  "\"appServiceId\":\"=as=\",\"creationDate\":\"2023-02-01 00:00:00\","
			  "\"image\":\"x\"},{\"id\":2,\"version\":\"0.2.0\"}]}");
	json_t *user = parse("{\"id\":\"=u1=\",\"loginName\":\"admin\",\"realName\":\"Admin\","
			     "\"email\":\"admin@example.com\",\"tenantId\":1}");
	json_t *projects = parse("[{\"id\":4611686018427387904,\"code\":\"demo\",\"name\":\"Demo\","
				 "\"organizationId\":1,\"organizationCode\":\"org\","
				 "\"organizationName\":\"Org\",\"enabled\":true,\"category\":\"x\"}]");

	CHECK_INT(api_decode_version_list(v, &vl), 0);
	CHECK_INT(vl.n, 2);
	CHECK_STR(vl.v[0].id, "=v3=");
	CHECK_STR(vl.v[0].version, "0.3.0");
	CHECK_STR(vl.v[0].app_service_id, "=as=");
	CHECK_STR(vl.v[0].creation_date, "2023-02-01 00:00:00");
	CHECK_STR(vl.v[1].id, "2");
	CHECK_STR(vl.v[1].creation_date, "");
	api_version_list_free(&vl);

	CHECK_INT(api_decode_user(user, &u), 0);
	CHECK_STR(u.id, "=u1=");
	CHECK_STR(u.login_name, "admin");
	CHECK_STR(u.real_name, "Admin");
	CHECK_STR(u.email, "admin@example.com");
	CHECK_STR(u.organization_id, "1");
	api_user_free(&u);
	CHECK(u.id == NULL);

	CHECK_INT(api_decode_project_list(projects, &pl), 0);
	CHECK_INT(pl.n, 1);
	CHECK_STR(pl.v[0].id, "4611686018427387904");
	CHECK_STR(pl.v[0].code, "demo");
	CHECK_STR(pl.v[0].organization_id, "1");
	CHECK_STR(pl.v[0].organization_code, "org");
	CHECK_STR(pl.v[0].organization_name, "Org");
	CHECK(pl.v[0].enabled);
	api_project_list_free(&pl);
	json_decref(v);
	json_decref(user);
	json_decref(projects);
}

static void test_error_bodies(void)
{
	struct api_error e;
	json_t *failed = parse("{\"failed\":true,\"code\":\"error.instance.resource.not.found\","
			       "\"message\":\"无法找到属于id为Deployment的实例的类型为…的资源详情\"}");
	json_t *ok = parse("{\"failed\":false,\"code\":\"x\"}");
	json_t *oauth = parse("{\"error\":\"invalid_grant\",\"error_description\":\"Bad credentials\"}");
	json_t *spring = parse("{\"timestamp\":1,\"status\":500,\"error\":\"Internal Server Error\","
			       "\"message\":\"error.key-encrypt.decrypt.abnormal_content\"}");

	CHECK_INT(api_decode_error(failed, 200, &e), -EPROTO);
	CHECK_INT(e.http_status, 200);
	CHECK_STR(e.code, "error.instance.resource.not.found");
	CHECK_STR(e.message, "无法找到属于id为Deployment的实例的类型为…的资源详情");
	CHECK_INT(api_decode_error(ok, 200, &e), 0);
	CHECK_STR(e.code, "");
	CHECK_INT(api_decode_error(NULL, 204, &e), 0);
	CHECK_INT(api_decode_error(NULL, 502, &e), -EPROTO);
	CHECK_INT(e.http_status, 502);
	CHECK_STR(e.code, "");
	CHECK_STR(e.message, "");
	CHECK_INT(api_decode_error(oauth, 400, &e), -EPROTO);
	CHECK_STR(e.code, "invalid_grant");
	CHECK_STR(e.message, "Bad credentials");
	CHECK_INT(api_decode_error(spring, 500, &e), -EPROTO);
	CHECK_STR(e.code, "error.key-encrypt.decrypt.abnormal_content");
	CHECK_STR(e.message, "error.key-encrypt.decrypt.abnormal_content");
	json_decref(failed);
	json_decref(ok);
	json_decref(oauth);
	json_decref(spring);
}

static void test_errno_table(void)
{
	CHECK_INT(api_errno_for(200, "error.env.user.permission.get"), EACCES);
	CHECK_INT(api_errno_for(403, "error.permission.accessTokenExpired"), EACCES);
	CHECK_INT(api_errno_for(200, "error.permission.anything.else"), EACCES);
	CHECK_INT(api_errno_for(200, "error.env.disconnect"), ENOTCONN);
	CHECK_INT(api_errno_for(200, "error.instance.not.running"), EBUSY);
	CHECK_INT(api_errno_for(200, "error.instance.not.stop"), EBUSY);
	CHECK_INT(api_errno_for(200, "error.app.instance.is.operating"), EBUSY);
	CHECK_INT(api_errno_for(200, "error.app.instance.is.associated.with.pipeline"), EBUSY);
	CHECK_INT(api_errno_for(200, "error.operating.resource.in.other.project"), EACCES);
	CHECK_INT(api_errno_for(200, "error.instance.resource.not.found"), ENOENT);
	CHECK_INT(api_errno_for(200, "error.version.id.not.exist"), EINVAL);
	CHECK_INT(api_errno_for(200, "error.app.service.disabled"), EPERM);
	CHECK_INT(api_errno_for(200, "error.yaml.format.invalid"), EINVAL);
	CHECK_INT(api_errno_for(200, "error.app.instance.values.null"), EINVAL);
	CHECK_INT(api_errno_for(200, "error.env.id.null"), EINVAL);
	CHECK_INT(api_errno_for(200, "error.instance.value.get"), ENOENT);
	CHECK_INT(api_errno_for(200, "error.resource.query"), ENOENT);
	CHECK_INT(api_errno_for(200, "error.event.query"), ENOENT);
	CHECK_INT(api_errno_for(500, "error.key-encrypt.decrypt.abnormal_content"), ENOENT);
	CHECK_INT(api_errno_for(401, "invalid_grant"), EACCES);
	CHECK_INT(api_errno_for(401, ""), EACCES);
	CHECK_INT(api_errno_for(403, NULL), EACCES);
	CHECK_INT(api_errno_for(404, ""), ENOENT);
	CHECK_INT(api_errno_for(409, ""), ESTALE);
	CHECK_INT(api_errno_for(429, ""), EAGAIN);
	CHECK_INT(api_errno_for(503, ""), EAGAIN);
	CHECK_INT(api_errno_for(504, ""), ETIMEDOUT);
	CHECK_INT(api_errno_for(500, ""), EIO);
	CHECK_INT(api_errno_for(502, "error.something.new"), EIO);
	CHECK_INT(api_errno_for(200, "error.something.new"), EIO);
}

int main(void)
{
	test_instance_full();
	test_instance_numbers_and_nulls();
	test_instance_not_object();
	test_instance_list_shapes();
	test_env_list();
	test_instance_dup();
	test_resources();
	test_events();
	test_versions_user_projects();
	test_error_bodies();
	test_errno_table();
	return CHECK_DONE();
}
