/*
 * test_render.c — exact text of every renderer, from hand-built api structs
 * shaped like the demo data (choerodon-api.md §7), with a fixed `now` and
 * TZ=UTC so ages are deterministic.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "render.h"

/* 2026-12-04 10:31:07 UTC */
#define NOW ((time_t)1796380267)

/* Checks the buffer's text and error, then empties it for the next case. */
#define EXPECT_TEXT(sb, want)                                                \
	do {                                                                 \
		CHECK_INT(sbuf_error(sb), 0);                                \
		CHECK_STR((sb)->buf, want);                                  \
		sbuf_setlen(sb, 0);                                          \
	} while (0)

/* ---- fixtures ---------------------------------------------------------------- */

static struct api_env staging = {
	.id = "env-1", .code = "staging", .name = "预发布环境",
	.description = "Pre-release environment", .cluster_id = "c-1",
	.cluster_name = "demo-cluster", .active = true, .connect = true,
	.synchro = true, .permission = true,
};

/* Every string "" (the decoder's promise), then the given identity. */
static void instance_init(struct api_instance *i, const char *code, const char *app,
			  const char *version, const char *type, const char *status)
{
	char **fields[] = {
		&i->id, &i->code, &i->name, &i->status, &i->app_service_id,
		&i->app_service_name, &i->app_service_type, &i->app_service_version_id,
		&i->version_name, &i->command_version_id, &i->command_version,
		&i->command_type, &i->command_status, &i->error, &i->effect_command_id,
		&i->effect_command_version, &i->effect_command_status,
		&i->environment_id, &i->last_update_date, &i->source,
	};
	size_t k;

	memset(i, 0, sizeof(*i));
	for (k = 0; k < sizeof(fields) / sizeof(fields[0]); k++)
		*fields[k] = "";
	i->code = (char *)code;
	i->app_service_name = (char *)app;
	i->version_name = (char *)version;
	i->command_version = (char *)version;
	i->command_type = (char *)type;
	i->command_status = (char *)status;
	i->connect = true;
}

/* demo-api-7f3k2: updated to 0.2.1, 2 of 3 pods running, 0.3.0 exists. */
static void demo_api(struct api_instance *i)
{
	instance_init(i, "demo-api-7f3k2", "demo-api", "0.2.1", "update", "success");
	i->id = "ins-7";
	i->status = "running";
	i->app_service_version_id = "ver-021";
	i->command_version_id = "ver-021";
	i->last_update_date = "2026-12-04 10:31:07";
	i->pod_count = 3;
	i->pod_running_count = 2;
}

static struct api_version version_v[] = {
	{ .id = "ver-030", .version = "0.3.0", .app_service_id = "app-1",
	  .creation_date = "2026-12-01 09:00:00" },
	{ .id = "ver-021", .version = "0.2.1", .app_service_id = "app-1",
	  .creation_date = "2026-11-20 14:12:00" },
	{ .id = "ver-010", .version = "0.1.0", .app_service_id = "app-1",
	  .creation_date = "2026-10-02 08:00:00" },
};
static const struct api_version_list versions = { .n = 3, .v = version_v };

static const char status_demo_api[] =
	"instance: demo-api-7f3k2\n"
	"app: demo-api\n"
	"environment: staging\n"
	"version: 0.2.1\n"
	"latest_version: 0.3.0\n"
	"upgrade_available: yes\n"
	"state: 更新完成 (update succeeded)\n"
	"status: running\n"
	"operation: update success\n"
	"pods: 2/3 running\n"
	"allowed: edit redeploy stop delete upgrade\n"
	"error:\n"
	"updated: 2026-12-04 10:31:07\n";

/* ---- text primitives ------------------------------------------------------------ */

static void test_width(void)
{
	CHECK_INT(render_text_width("", 0), 0);
	CHECK_INT(render_text_width("abc", 3), 3);
	CHECK_INT(render_text_width("更新完成", strlen("更新完成")), 8);
	CHECK_INT(strlen("更新完成"), 12);
	CHECK_INT(render_text_width("a中b", strlen("a中b")), 4);
	CHECK_INT(render_text_width("ＡＢ", strlen("ＡＢ")), 4);        /* full-width */
	CHECK_INT(render_text_width("한국", strlen("한국")), 4);        /* Hangul */
	CHECK_INT(render_text_width("é", strlen("é")), 1);
	CHECK_INT(render_text_width("\xff\xfe", 2), 2);                /* invalid bytes */
	CHECK_INT(render_text_width("\xe6\x9b", 2), 2);                /* truncated 中 */
	CHECK_INT(render_text_width("中文", 3), 2);                    /* length counts */
}

static void test_kv_and_text(void)
{
	struct sbuf sb;

	sbuf_init(&sb, 0);
	render_kv(&sb, "error", NULL);
	EXPECT_TEXT(&sb, "error:\n");
	render_kv(&sb, "error", "");
	EXPECT_TEXT(&sb, "error:\n");
	render_kv(&sb, "error", " \n ");
	EXPECT_TEXT(&sb, "error:\n");
	render_kv(&sb, "error", "helm upgrade failed:\n\tpod crashed\n");
	EXPECT_TEXT(&sb, "error: helm upgrade failed:  pod crashed\n");
	render_text(&sb, "a\x1b[31mb\x7f");
	render_text(&sb, NULL);
	EXPECT_TEXT(&sb, "a [31mb ");
	sbuf_free(&sb);
}

static void sanitized(struct sbuf *sb, const char *name)
{
	sbuf_setlen(sb, 0);
	render_sanitize_name(sb, name);
}

static void test_sanitize(void)
{
	char long_ascii[301], long_cjk[3 * 70 + 1], want[201];
	struct sbuf sb;
	size_t i;

	sbuf_init(&sb, 0);
	sanitized(&sb, "");
	CHECK_STR(sb.buf, "_");
	sanitized(&sb, NULL);
	CHECK_STR(sb.buf, "_");
	sanitized(&sb, ".");
	CHECK_STR(sb.buf, "_");
	sanitized(&sb, "..");
	CHECK_STR(sb.buf, "__");
	sanitized(&sb, "...");
	CHECK_STR(sb.buf, "...");
	sanitized(&sb, ".hidden");
	CHECK_STR(sb.buf, ".hidden");
	sanitized(&sb, "a/b");
	CHECK_STR(sb.buf, "a_b");
	sanitized(&sb, "/");
	CHECK_STR(sb.buf, "_");
	sanitized(&sb, "a\nb\tc\x7f" "d\x01");
	CHECK_STR(sb.buf, "a_b_c_d_");
	sanitized(&sb, "demo-api 预发布");
	CHECK_STR(sb.buf, "demo-api 预发布");

	memset(long_ascii, 'x', 300);
	long_ascii[300] = '\0';
	sanitized(&sb, long_ascii);
	CHECK_INT(sb.len, 200);
	memset(want, 'x', 200);
	want[200] = '\0';
	CHECK_STR(sb.buf, want);

	/* 200 is not a character boundary here: cut back to 66 whole chars */
	for (i = 0; i < 70; i++)
		memcpy(long_cjk + 3 * i, "中", 3);
	long_cjk[210] = '\0';
	sanitized(&sb, long_cjk);
	CHECK_INT(sb.len, 198);
	CHECK(strncmp(sb.buf, long_cjk, 198) == 0);

	/* only what was appended is touched */
	sbuf_setlen(&sb, 0);
	sbuf_adds(&sb, "../");
	render_sanitize_name(&sb, "..");
	EXPECT_TEXT(&sb, "../__");
	sbuf_free(&sb);
}

static void aged(struct sbuf *sb, const char *ts, time_t now)
{
	sbuf_setlen(sb, 0);
	render_age(sb, ts, now);
}

static void test_age(void)
{
	struct sbuf sb;
	time_t t;

	sbuf_init(&sb, 0);
	aged(&sb, "2026-12-04T10:30:22.000Z", NOW);
	CHECK_STR(sb.buf, "45s");
	aged(&sb, "2026-12-04T10:19:07Z", NOW);
	CHECK_STR(sb.buf, "12m");
	aged(&sb, "2026-12-04T15:31:07+08:00", NOW);
	CHECK_STR(sb.buf, "3h");
	aged(&sb, "2026-12-04T15:31:07+0800", NOW);
	CHECK_STR(sb.buf, "3h");
	aged(&sb, "2026-12-04T05:31:07-02:00", NOW);
	CHECK_STR(sb.buf, "3h");
	aged(&sb, "2026-11-29T10:31:07.123456Z", NOW);
	CHECK_STR(sb.buf, "5d");
	aged(&sb, "2026-12-04T10:31:07", NOW);          /* ISO without zone: UTC */
	CHECK_STR(sb.buf, "0s");
	aged(&sb, "2026-12-04 10:31:07", NOW);          /* server format: local (UTC here) */
	CHECK_STR(sb.buf, "0s");
	aged(&sb, "2026-12-04T10:32:07Z", NOW);         /* server clock ahead */
	CHECK_STR(sb.buf, "0s");
	/* unit boundaries */
	aged(&sb, "2026-12-04T10:30:08Z", NOW);
	CHECK_STR(sb.buf, "59s");
	aged(&sb, "2026-12-04T10:30:07Z", NOW);
	CHECK_STR(sb.buf, "1m");
	aged(&sb, "2026-12-04T09:31:08Z", NOW);
	CHECK_STR(sb.buf, "59m");
	aged(&sb, "2026-12-04T09:31:07Z", NOW);
	CHECK_STR(sb.buf, "1h");
	aged(&sb, "2026-12-03T10:31:08Z", NOW);
	CHECK_STR(sb.buf, "23h");
	aged(&sb, "2026-12-03T10:31:07Z", NOW);
	CHECK_STR(sb.buf, "1d");
	/* unparsable */
	aged(&sb, "", NOW);
	CHECK_STR(sb.buf, "<unknown>");
	aged(&sb, NULL, NOW);
	CHECK_STR(sb.buf, "<unknown>");
	aged(&sb, "yesterday", NOW);
	CHECK_STR(sb.buf, "<unknown>");
	aged(&sb, "2026-13-01T00:00:00Z", NOW);
	CHECK_STR(sb.buf, "<unknown>");
	aged(&sb, "2026-12-04T10:31", NOW);
	CHECK_STR(sb.buf, "<unknown>");
	aged(&sb, "2026-12-04T10:31:07Zjunk", NOW);
	CHECK_STR(sb.buf, "<unknown>");
	aged(&sb, "2026-12-04T10:31:07+8", NOW);
	CHECK_STR(sb.buf, "<unknown>");
	aged(&sb, "2026-12-04T10:31:07.Z", NOW);
	CHECK_STR(sb.buf, "<unknown>");
	aged(&sb, " 2026-12-04T10:31:07Z", NOW);
	CHECK_STR(sb.buf, "<unknown>");

	CHECK_INT(render_parse_time("2026-12-04T10:31:07Z", &t), 0);
	CHECK_INT(t, NOW);
	CHECK_INT(render_parse_time("2026-12-04 10:31", &t), -EINVAL);
	/* the server's local format follows TZ */
	setenv("TZ", "CST-8", 1);
	tzset();
	CHECK_INT(render_parse_time("2026-12-04 18:31:07", &t), 0);
	CHECK_INT(t, NOW);
	setenv("TZ", "UTC", 1);
	tzset();
	sbuf_free(&sb);
}

static void test_table(void)
{
	static const char *const header[] = { "A", "LONG-HEADER" };
	struct render_table t = { .header = header, .ncols = 2, .nrows = 0 };
	struct sbuf sb;

	sbuf_init(&sb, 0);
	render_table(&sb, &t);
	EXPECT_TEXT(&sb, "A   LONG-HEADER\n");
	sbuf_free(&sb);
}

/* ---- instance views ----------------------------------------------------------------- */

static void test_status(void)
{
	struct api_instance inst;
	struct render_instance ri = {
		.env = &staging, .inst = &inst, .versions = &versions,
		.env_code = "staging", .project_code = "demo",
	};
	struct sbuf sb;

	sbuf_init(&sb, 0);
	demo_api(&inst);
	render_status(&sb, &ri);
	EXPECT_TEXT(&sb, status_demo_api);

	/* versions unknown */
	ri.versions = NULL;
	render_status(&sb, &ri);
	EXPECT_TEXT(&sb,
		"instance: demo-api-7f3k2\n"
		"app: demo-api\n"
		"environment: staging\n"
		"version: 0.2.1\n"
		"latest_version:\n"
		"upgrade_available: unknown\n"
		"state: 更新完成 (update succeeded)\n"
		"status: running\n"
		"operation: update success\n"
		"pods: 2/3 running\n"
		"allowed: edit redeploy stop delete\n"
		"error:\n"
		"updated: 2026-12-04 10:31:07\n");

	/* an upgrade to 0.3.0 in flight; env code from the env when not given */
	ri.versions = &versions;
	ri.env_code = NULL;
	inst.command_status = "operating";
	inst.command_version = "0.3.0";
	inst.status = "operating";
	render_status(&sb, &ri);
	EXPECT_TEXT(&sb,
		"instance: demo-api-7f3k2\n"
		"app: demo-api\n"
		"environment: staging\n"
		"version: 0.2.1\n"
		"latest_version: 0.3.0\n"
		"upgrade_available: yes\n"
		"state: 更新中 (updating)\n"
		"status: operating\n"
		"operation: update operating\n"
		"pods: 2/3 running\n"
		"allowed:\n"
		"error:\n"
		"updated: 2026-12-04 10:31:07\n"
		"target_version: 0.3.0\n");

	/* failed upgrade, multi-line error, latest deployed */
	demo_api(&inst);
	inst.version_name = "0.3.0";
	inst.app_service_version_id = "ver-030";
	inst.command_status = "failed";
	inst.error = "helm upgrade failed:\nInit:CrashLoopBackOff\n";
	render_status(&sb, &ri);
	EXPECT_TEXT(&sb,
		"instance: demo-api-7f3k2\n"
		"app: demo-api\n"
		"environment: staging\n"
		"version: 0.3.0\n"
		"latest_version: 0.3.0\n"
		"upgrade_available: no\n"
		"state: 更新失败 (update failed)\n"
		"status: running\n"
		"operation: update failed\n"
		"pods: 2/3 running\n"
		"allowed: edit redeploy stop delete\n"
		"error: helm upgrade failed: Init:CrashLoopBackOff\n"
		"updated: 2026-12-04 10:31:07\n");

	/* no command yet */
	instance_init(&inst, "bare", "", "", "", "");
	ri.env = NULL;
	ri.versions = NULL;
	ri.env_code = "dev";
	render_status(&sb, &ri);
	EXPECT_TEXT(&sb,
		"instance: bare\n"
		"app:\n"
		"environment: dev\n"
		"version:\n"
		"latest_version:\n"
		"upgrade_available: unknown\n"
		"state: 未知 (unknown)\n"
		"status:\n"
		"operation:\n"
		"pods: 0/0 running\n"
		"allowed:\n"
		"error:\n"
		"updated:\n");
	sbuf_free(&sb);
}

static void test_state_input(void)
{
	struct api_instance inst;
	struct api_env env = staging;
	struct render_instance ri = { .env = &env, .inst = &inst, .versions = &versions };
	struct state_input in;
	struct api_version nameless[] = { { .id = "", .version = "0.2.1",
					    .app_service_id = "", .creation_date = "" } };
	struct api_version_list by_name = { .n = 1, .v = nameless };
	struct api_version_list empty = { 0 };

	demo_api(&inst);
	render_state_input(&ri, &in);
	CHECK_INT(in.state, C7_STATE_UPDATED);
	CHECK_STR(in.instance_status, "running");
	CHECK(in.env_connected);
	CHECK(in.may_deploy);
	CHECK(in.newer_version);

	env.connect = false;
	env.permission = false;
	env.skip_check_permission = true;      /* open to all members */
	ri.versions = &by_name;                /* no ids: compared by version text */
	render_state_input(&ri, &in);
	CHECK(!in.env_connected);
	CHECK(in.may_deploy);
	CHECK(!in.newer_version);

	env.skip_check_permission = false;
	ri.versions = &empty;
	render_state_input(&ri, &in);
	CHECK(!in.may_deploy);
	CHECK(!in.newer_version);
	CHECK(render_latest_version(&empty) == NULL);
	CHECK(render_latest_version(NULL) == NULL);
	CHECK(render_latest_version(&versions) == &version_v[0]);

	/* without the env, the instance's own connect flag; no permission known */
	ri.env = NULL;
	render_state_input(&ri, &in);
	CHECK(in.env_connected);
	CHECK(!in.may_deploy);
}

static void test_status_json(void)
{
	struct api_instance inst;
	struct render_instance ri = {
		.env = &staging, .inst = &inst, .versions = &versions, .env_code = "staging",
	};
	struct sbuf sb;

	sbuf_init(&sb, 0);
	demo_api(&inst);
	render_status_json(&sb, &ri);
	EXPECT_TEXT(&sb,
		"{\n"
		"  \"instance\": \"demo-api-7f3k2\",\n"
		"  \"app\": \"demo-api\",\n"
		"  \"environment\": \"staging\",\n"
		"  \"version\": \"0.2.1\",\n"
		"  \"latest_version\": \"0.3.0\",\n"
		"  \"upgrade_available\": true,\n"
		"  \"state\": \"更新完成 (update succeeded)\",\n"
		"  \"state_zh\": \"更新完成\",\n"
		"  \"state_en\": \"update succeeded\",\n"
		"  \"status\": \"running\",\n"
		"  \"operation\": \"update success\",\n"
		"  \"pods\": \"2/3 running\",\n"
		"  \"allowed\": [\n"
		"    \"edit\",\n"
		"    \"redeploy\",\n"
		"    \"stop\",\n"
		"    \"delete\",\n"
		"    \"upgrade\"\n"
		"  ],\n"
		"  \"error\": \"\",\n"
		"  \"updated\": \"2026-12-04 10:31:07\"\n"
		"}\n");

	ri.versions = NULL;
	inst.command_type = "stop";
	inst.command_status = "operating";
	inst.status = "operating";
	inst.error = "say \"no\"";
	render_status_json(&sb, &ri);
	EXPECT_TEXT(&sb,
		"{\n"
		"  \"instance\": \"demo-api-7f3k2\",\n"
		"  \"app\": \"demo-api\",\n"
		"  \"environment\": \"staging\",\n"
		"  \"version\": \"0.2.1\",\n"
		"  \"latest_version\": \"\",\n"
		"  \"upgrade_available\": null,\n"
		"  \"state\": \"停止中 (stopping)\",\n"
		"  \"state_zh\": \"停止中\",\n"
		"  \"state_en\": \"stopping\",\n"
		"  \"status\": \"operating\",\n"
		"  \"operation\": \"stop operating\",\n"
		"  \"pods\": \"2/3 running\",\n"
		"  \"allowed\": [],\n"
		"  \"error\": \"say \\\"no\\\"\",\n"
		"  \"updated\": \"2026-12-04 10:31:07\"\n"
		"}\n");
	sbuf_free(&sb);

	/* a full buffer is reported, not truncated silently */
	sbuf_init(&sb, 64);
	ri.versions = &versions;
	render_status_json(&sb, &ri);
	CHECK_INT(sbuf_error(&sb), -EFBIG);
	sbuf_free(&sb);
}

static void test_env(void)
{
	struct api_env env = staging;
	struct sbuf sb;

	sbuf_init(&sb, 0);
	render_env(&sb, &env);
	EXPECT_TEXT(&sb,
		"code: staging\n"
		"name: 预发布环境\n"
		"description: Pre-release environment\n"
		"cluster: demo-cluster\n"
		"connected: yes\n"
		"synchronized: yes\n"
		"may_deploy: yes\n");
	env.code = "offline";
	env.name = "Offline";
	env.description = "";
	env.connect = false;
	env.synchro = false;
	env.permission = false;
	render_env(&sb, &env);
	EXPECT_TEXT(&sb,
		"code: offline\n"
		"name: Offline\n"
		"description:\n"
		"cluster: demo-cluster\n"
		"connected: no\n"
		"synchronized: no\n"
		"may_deploy: no\n");
	sbuf_free(&sb);
}

static void test_instances_table(void)
{
	struct api_instance v[3];
	struct api_instance_list l = { .n = 3, .v = v };
	struct sbuf sb;

	demo_api(&v[0]);
	instance_init(&v[1], "demo-web-a1b2c", "demo-web", "1.0.0", "stop", "success");
	instance_init(&v[2], "demo-db-x9y8z", "demo-db", "", "create", "operating");
	v[2].pod_count = 1;
	sbuf_init(&sb, 0);
	render_instances_table(&sb, &l);
	/* 更新完成 is 12 bytes but 8 columns: padded by display width */
	EXPECT_TEXT(&sb,
		"INSTANCE         APP        VERSION   STATE      PODS\n"
		"demo-api-7f3k2   demo-api   0.2.1     更新完成   2/3\n"
		"demo-web-a1b2c   demo-web   1.0.0     停止完成   0/0\n"
		"demo-db-x9y8z    demo-db    <none>    创建中     0/1\n");
	l.n = 0;
	render_instances_table(&sb, &l);
	EXPECT_TEXT(&sb, "INSTANCE   APP   VERSION   STATE   PODS\n");
	render_instances_table(&sb, NULL);
	EXPECT_TEXT(&sb, "INSTANCE   APP   VERSION   STATE   PODS\n");
	sbuf_free(&sb);
}

static void test_versions(void)
{
	struct api_instance inst;
	struct render_instance ri = { .env = &staging, .inst = &inst, .versions = &versions };
	struct sbuf sb;

	sbuf_init(&sb, 0);
	demo_api(&inst);
	render_versions(&sb, &ri);
	EXPECT_TEXT(&sb,
		"VERSION   CREATED               MARK\n"
		"0.3.0     2026-12-01 09:00:00   latest\n"
		"0.2.1     2026-11-20 14:12:00   deployed\n"
		"0.1.0     2026-10-02 08:00:00   <none>\n");
	inst.app_service_version_id = "ver-030";
	render_versions(&sb, &ri);
	EXPECT_TEXT(&sb,
		"VERSION   CREATED               MARK\n"
		"0.3.0     2026-12-01 09:00:00   deployed,latest\n"
		"0.2.1     2026-11-20 14:12:00   <none>\n"
		"0.1.0     2026-10-02 08:00:00   <none>\n");
	ri.versions = NULL;
	render_versions(&sb, &ri);
	EXPECT_TEXT(&sb, "VERSION   CREATED   MARK\n");
	sbuf_free(&sb);
}

#define USAGE                                                                              \
	"usage:\n"                                                                         \
	"  echo stop > control                   停止实例: stop the instance's pods\n"     \
	"  echo start > control                  重启实例: start a stopped instance (alias: restart)\n" \
	"  echo redeploy > control               重新部署: deploy the current values and version again\n" \
	"  echo upgrade > control                升级实例: upgrade to the latest version, values carried over\n" \
	"  echo upgrade VERSION > control        升级实例: upgrade to VERSION\n"           \
	"  echo delete demo-api-7f3k2 > control  删除实例: delete this instance (its code must follow)\n" \
	"  edit values.yaml                      修改配置: saving it redeploys with the new values\n"

static void test_control(void)
{
	struct api_instance inst;
	struct api_env env = staging;
	struct render_instance ri = { .env = &env, .inst = &inst, .versions = &versions };
	struct sbuf sb;

	sbuf_init(&sb, 0);
	demo_api(&inst);
	render_control(&sb, &ri, NULL);
	EXPECT_TEXT(&sb,
		"allowed: edit redeploy stop delete upgrade\n"
		"last_result:\n"
		"\n"
		USAGE
		"\n"
		"refused:\n"
		"  start: not allowed in state update succeeded (更新完成)\n");

	inst.command_type = "stop";
	inst.command_status = "operating";
	inst.status = "operating";
	render_control(&sb, &ri, "2026-12-04 10:32:00 stop: ok\n");
	EXPECT_TEXT(&sb,
		"allowed:\n"
		"last_result: 2026-12-04 10:32:00 stop: ok\n"
		"\n"
		USAGE
		"\n"
		"refused:\n"
		"  edit: instance is stopping (停止中)\n"
		"  redeploy: instance is stopping (停止中)\n"
		"  start: instance is stopping (停止中)\n"
		"  stop: instance is stopping (停止中)\n"
		"  delete: instance is stopping (停止中)\n"
		"  upgrade: instance is stopping (停止中)\n");

	env.connect = false;
	render_control(&sb, &ri, "");
	EXPECT_TEXT(&sb,
		"allowed:\n"
		"last_result:\n"
		"\n"
		USAGE
		"\n"
		"refused:\n"
		"  edit: environment is disconnected\n"
		"  redeploy: environment is disconnected\n"
		"  start: environment is disconnected\n"
		"  stop: environment is disconnected\n"
		"  delete: environment is disconnected\n"
		"  upgrade: environment is disconnected\n");
	sbuf_free(&sb);
}

/* ---- resources --------------------------------------------------------------------- */

static struct api_pod pods[] = {
	{ .name = "demo-api-7f3k2-5c6d7-x9zkq", .status = "Running",
	  .age = "2026-12-04T10:30:22.000Z", .ready = 1, .desire = 1, .restarts = 0 },
	{ .name = "demo-api-7f3k2-5c6d7-p2mwn", .status = "Running",
	  .age = "2026-12-04T10:19:07Z", .ready = 1, .desire = 1, .restarts = 2 },
	{ .name = "demo-api-7f3k2-5c6d7-h8v4t", .status = "CrashLoopBackOff",
	  .age = "2026-12-04T15:31:07+08:00", .ready = 0, .desire = 1, .restarts = 17 },
};
static long deployment_ports[] = { 8080, 9090 };
static struct api_kv deployment_labels[] = {
	{ .key = "choerodon.io/release", .value = "demo-api-7f3k2" },
};
static struct api_env_pod deployment_pods[] = {
	{ .id = "pod-1", .name = "demo-api-7f3k2-5c6d7-x9zkq", .ip = "10.42.0.15",
	  .status = "Running", .creation_date = "2026-12-02 10:31:07",
	  .node_name = "node-1", .ready = true, .restart_count = 0 },
	{ .id = "pod-3", .name = "demo-api-7f3k2-5c6d7-h8v4t", .ip = "",
	  .status = "CrashLoopBackOff", .creation_date = "2026-12-04 07:31:07",
	  .node_name = "", .ready = false, .restart_count = 17 },
};
static struct api_deployment deployments[] = {
	{ .name = "demo-api-7f3k2", .age = "2026-11-29T10:31:07.123Z", .desired = 3,
	  .current = 3, .up_to_date = 3, .available = 2, .n_ports = 2,
	  .ports = deployment_ports, .n_labels = 1, .labels = deployment_labels,
	  .n_pods = 2, .pods = deployment_pods },
};
static struct api_replicaset replicasets[] = {
	{ .name = "demo-api-7f3k2-5c6d7", .age = "2026-11-29T10:31:07Z", .desired = 3,
	  .current = 3, .ready = 2 },
};
static struct api_service services[] = {
	{ .name = "demo-api-7f3k2", .type = "ClusterIP", .cluster_ip = "10.43.12.7",
	  .external_ip = "", .port = "8080/TCP", .target_port = "8080",
	  .age = "2026-11-29T10:31:07Z" },
	{ .name = "demo-api-nodeport", .type = "NodePort", .cluster_ip = "10.43.99.1",
	  .external_ip = "192.168.1.20", .port = "80:30080/TCP,443:30443/TCP",
	  .target_port = "http", .age = "2026-12-04T07:31:07Z" },
};
static char *ingress_services[] = { "demo-api-7f3k2", "demo-api-nodeport" };
static struct api_ingress ingresses[] = {
	{ .name = "demo-api", .hosts = "api.staging.example.com", .address = "192.168.1.20",
	  .ports = "80", .age = "2026-11-29T10:31:07Z", .n_services = 2,
	  .services = ingress_services },
};
static struct api_statefulset statefulsets[] = {
	{ .name = "demo-api-cache", .age = "", .desired_replicas = 2, .ready_replicas = 1,
	  .current_replicas = 2 },
};
static struct api_daemonset daemonsets[] = {
	{ .name = "demo-api-agent", .age = "2026-12-04T10:19:07Z", .desired_scheduled = 4,
	  .current_scheduled = 4, .number_available = 3 },
};
static struct api_pvc pvcs[] = {
	{ .name = "demo-api-data", .status = "Bound", .capacity = "8Gi",
	  .access_modes = "ReadWriteOnce", .age = "2026-11-29T10:31:07Z" },
	{ .name = "demo-api-new", .status = "Pending", .capacity = "0Gi",
	  .access_modes = "ReadWriteOnce", .age = "2026-12-04T10:30:22Z" },
};
static const struct api_resources resources = {
	.n_pods = 3, .n_deployments = 1, .n_replicasets = 1, .n_services = 2,
	.n_ingresses = 1, .n_statefulsets = 1, .n_daemonsets = 1, .n_pvcs = 2,
	.pods = pods, .deployments = deployments, .replicasets = replicasets,
	.services = services, .ingresses = ingresses, .statefulsets = statefulsets,
	.daemonsets = daemonsets, .pvcs = pvcs,
};

static const struct {
	const char *kind;
	const char *full;
	const char *empty;
} resource_cases[] = {
	{ "pods",
	  "NAME                         READY   STATUS             RESTARTS   AGE\n"
	  "demo-api-7f3k2-5c6d7-x9zkq   1/1     Running            0          45s\n"
	  "demo-api-7f3k2-5c6d7-p2mwn   1/1     Running            2          12m\n"
	  "demo-api-7f3k2-5c6d7-h8v4t   0/1     CrashLoopBackOff   17         3h\n",
	  "NAME   READY   STATUS   RESTARTS   AGE\n" },
	{ "deployments",
	  "NAME             DESIRED   CURRENT   UP-TO-DATE   AVAILABLE   PORTS       AGE\n"
	  "demo-api-7f3k2   3         3         3            2           8080,9090   5d\n",
	  "NAME   DESIRED   CURRENT   UP-TO-DATE   AVAILABLE   PORTS   AGE\n" },
	{ "replicasets",
	  "NAME                   DESIRED   CURRENT   READY   AGE\n"
	  "demo-api-7f3k2-5c6d7   3         3         2       5d\n",
	  "NAME   DESIRED   CURRENT   READY   AGE\n" },
	{ "services",
	  "NAME                TYPE        CLUSTER-IP   EXTERNAL-IP    PORT(S)                      TARGET-PORT   AGE\n"
	  "demo-api-7f3k2      ClusterIP   10.43.12.7   <none>         8080/TCP                     8080          5d\n"
	  "demo-api-nodeport   NodePort    10.43.99.1   192.168.1.20   80:30080/TCP,443:30443/TCP   http          3h\n",
	  "NAME   TYPE   CLUSTER-IP   EXTERNAL-IP   PORT(S)   TARGET-PORT   AGE\n" },
	{ "ingresses",
	  "NAME       HOSTS                     ADDRESS        PORTS   SERVICES                           AGE\n"
	  "demo-api   api.staging.example.com   192.168.1.20   80      demo-api-7f3k2,demo-api-nodeport   5d\n",
	  "NAME   HOSTS   ADDRESS   PORTS   SERVICES   AGE\n" },
	{ "statefulsets",
	  "NAME             DESIRED   CURRENT   READY   AGE\n"
	  "demo-api-cache   2         2         1       <unknown>\n",
	  "NAME   DESIRED   CURRENT   READY   AGE\n" },
	{ "daemonsets",
	  "NAME             DESIRED   CURRENT   AVAILABLE   AGE\n"
	  "demo-api-agent   4         4         3           12m\n",
	  "NAME   DESIRED   CURRENT   AVAILABLE   AGE\n" },
	{ "pvcs",
	  "NAME            STATUS    CAPACITY   ACCESS-MODES    AGE\n"
	  "demo-api-data   Bound     8Gi        ReadWriteOnce   5d\n"
	  "demo-api-new    Pending   0Gi        ReadWriteOnce   45s\n",
	  "NAME   STATUS   CAPACITY   ACCESS-MODES   AGE\n" },
};

static void test_resources(void)
{
	const struct api_resources none = { 0 };
	struct sbuf sb;
	size_t i;

	sbuf_init(&sb, 0);
	for (i = 0; i < sizeof(resource_cases) / sizeof(resource_cases[0]); i++) {
		CHECK_STR(render_resource_kinds[i], resource_cases[i].kind);
		CHECK_INT(render_resources(&sb, &resources, resource_cases[i].kind, NOW), 0);
		EXPECT_TEXT(&sb, resource_cases[i].full);
		CHECK_INT(render_resources(&sb, &none, resource_cases[i].kind, NOW), 0);
		EXPECT_TEXT(&sb, resource_cases[i].empty);
	}
	CHECK(render_resource_kinds[8] == NULL);
	CHECK_INT(render_resources(&sb, &resources, "configmaps", NOW), -ENOENT);
	CHECK_INT(render_resources(&sb, &resources, "", NOW), -ENOENT);
	EXPECT_TEXT(&sb, "");
	sbuf_free(&sb);
}

static void test_deployment_summary(void)
{
	struct api_deployment bare = { .name = "", .age = "" };
	struct sbuf sb;

	sbuf_init(&sb, 0);
	render_deployment_summary(&sb, &deployments[0], NOW);
	EXPECT_TEXT(&sb,
		"name: demo-api-7f3k2\n"
		"desired: 3\n"
		"current: 3\n"
		"up_to_date: 3\n"
		"available: 2\n"
		"ports: 8080,9090\n"
		"age: 5d\n"
		"\n"
		"NAME                         STATUS             READY   RESTARTS   IP           NODE     AGE\n"
		"demo-api-7f3k2-5c6d7-x9zkq   Running            yes     0          10.42.0.15   node-1   2d\n"
		"demo-api-7f3k2-5c6d7-h8v4t   CrashLoopBackOff   no      17         <none>       <none>   3h\n");
	render_deployment_summary(&sb, &bare, NOW);
	EXPECT_TEXT(&sb,
		"name:\n"
		"desired: 0\n"
		"current: 0\n"
		"up_to_date: 0\n"
		"available: 0\n"
		"ports:\n"
		"age: <unknown>\n"
		"\n"
		"NAME   STATUS   READY   RESTARTS   IP   NODE   AGE\n");
	sbuf_free(&sb);
}

/* A Deployment as the agent stores it (choerodon-api.md §3.6), with every
 * field the detail panels show. */
static const char detail_text[] =
	"{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\","
	"\"metadata\":{\"name\":\"demo-api-7f3k2\",\"namespace\":\"staging\","
	"\"labels\":{\"choerodon.io/release\":\"demo-api-7f3k2\",\"choerodon.io/logs-parser\":\"spring-boot\"},"
	"\"annotations\":{\"deployment.kubernetes.io/revision\":\"3\",\"note\":\"line one\\nline two\"}},"
	"\"spec\":{\"replicas\":3,\"selector\":{\"matchLabels\":{\"choerodon.io/release\":\"demo-api-7f3k2\"}},"
	"\"template\":{\"spec\":{\"hostNetwork\":true,"
	"\"volumes\":[{\"name\":\"data\",\"persistentVolumeClaim\":{\"claimName\":\"demo-api-data\"}},"
	"{\"name\":\"config\",\"configMap\":{\"name\":\"demo-api-config\",\"defaultMode\":420}},"
	"{\"name\":\"cache\",\"emptyDir\":{}}],"
	"\"containers\":["
	"{\"name\":\"demo-api\",\"image\":\"registry.example.com/demo/demo-api:0.2.1\","
	"\"imagePullPolicy\":\"IfNotPresent\","
	"\"ports\":[{\"name\":\"http\",\"containerPort\":8080,\"protocol\":\"TCP\"},"
	"{\"name\":\"metrics\",\"containerPort\":9090,\"protocol\":\"TCP\",\"hostPort\":19090}],"
	"\"env\":[{\"name\":\"SPRING_PROFILES_ACTIVE\",\"value\":\"staging\"},"
	"{\"name\":\"DB_PASSWORD\",\"valueFrom\":{\"secretKeyRef\":{\"name\":\"demo-db\",\"key\":\"password\"}}},"
	"{\"name\":\"EMPTY\",\"value\":\"\"}],"
	"\"volumeMounts\":[{\"name\":\"data\",\"mountPath\":\"/data\"},"
	"{\"name\":\"config\",\"mountPath\":\"/etc/demo/application.yml\",\"subPath\":\"application.yml\",\"readOnly\":true}],"
	"\"readinessProbe\":{\"httpGet\":{\"path\":\"/actuator/health\",\"port\":8080,\"scheme\":\"HTTP\"},"
	"\"failureThreshold\":3,\"initialDelaySeconds\":30,\"periodSeconds\":10,\"successThreshold\":1,\"timeoutSeconds\":5},"
	"\"livenessProbe\":{\"tcpSocket\":{\"port\":8080},\"failureThreshold\":5,\"initialDelaySeconds\":60,"
	"\"periodSeconds\":20,\"successThreshold\":1,\"timeoutSeconds\":3},"
	"\"securityContext\":{\"privileged\":false,\"runAsNonRoot\":true,"
	"\"capabilities\":{\"add\":[\"NET_BIND_SERVICE\"],\"drop\":[\"ALL\"]}}},"
	"{\"name\":\"log-agent\",\"image\":\"fluent-bit:2.1\",\"imagePullPolicy\":\"Always\","
	"\"volumeMounts\":[{\"name\":\"cache\",\"mountPath\":\"/var/log/app\",\"readOnly\":false}],"
	"\"readinessProbe\":{\"exec\":{\"command\":[\"cat\",\"/tmp/ready\"]},\"initialDelaySeconds\":5,\"periodSeconds\":10}}"
	"]}}},"
	"\"status\":{\"replicas\":3,\"availableReplicas\":2}}";

static const struct {
	const char *panel;
	const char *with_detail;
	const char *fallback;
} panel_cases[] = {
	{ "ports",
	  "CONTAINER   NAME      PORT   PROTOCOL   HOST-PORT\n"
	  "demo-api    http      8080   TCP        <none>\n"
	  "demo-api    metrics   9090   TCP        19090\n",
	  "CONTAINER   NAME     PORT   PROTOCOL   HOST-PORT\n"
	  "<none>      <none>   8080   <none>     <none>\n"
	  "<none>      <none>   9090   <none>     <none>\n" },
	{ "volumes",
	  "VOLUME   TYPE                    SOURCE\n"
	  "data     persistentVolumeClaim   claimName=demo-api-data\n"
	  "config   configMap               name=demo-api-config,defaultMode=420\n"
	  "cache    emptyDir                <none>\n"
	  "\n"
	  "CONTAINER   VOLUME   MOUNT-PATH                  SUB-PATH          READ-ONLY\n"
	  "demo-api    data     /data                       <none>            <none>\n"
	  "demo-api    config   /etc/demo/application.yml   application.yml   yes\n"
	  "log-agent   cache    /var/log/app                <none>            no\n",
	  "VOLUME   TYPE   SOURCE\n"
	  "\n"
	  "CONTAINER   VOLUME   MOUNT-PATH   SUB-PATH   READ-ONLY\n" },
	{ "health",
	  "CONTAINER   PROBE       INITIAL-DELAY   PERIOD   TIMEOUT   SUCCESS-THRESHOLD   FAILURE-THRESHOLD   ACTION\n"
	  "demo-api    readiness   30              10       5         1                   3                   httpGet: http://:8080/actuator/health\n"
	  "demo-api    liveness    60              20       3         1                   5                   tcpSocket: :8080\n"
	  "log-agent   readiness   5               10       <none>    <none>              <none>              exec: cat /tmp/ready\n",
	  "CONTAINER   PROBE   INITIAL-DELAY   PERIOD   TIMEOUT   SUCCESS-THRESHOLD   FAILURE-THRESHOLD   ACTION\n" },
	{ "host",
	  "hostIPC:\n"
	  "hostNetwork: yes\n"
	  "\n"
	  "container: demo-api\n"
	  "imagePullPolicy: IfNotPresent\n"
	  "privileged: no\n"
	  "allowPrivilegeEscalation:\n"
	  "readOnlyRootFilesystem:\n"
	  "runAsNonRoot: yes\n"
	  "capabilities.add: NET_BIND_SERVICE\n"
	  "capabilities.drop: ALL\n"
	  "\n"
	  "container: log-agent\n"
	  "imagePullPolicy: Always\n"
	  "privileged:\n"
	  "allowPrivilegeEscalation:\n"
	  "readOnlyRootFilesystem:\n"
	  "runAsNonRoot:\n"
	  "capabilities.add:\n"
	  "capabilities.drop:\n",
	  "hostIPC:\n"
	  "hostNetwork:\n" },
	{ "env",
	  "# demo-api\n"
	  "SPRING_PROFILES_ACTIVE=staging\n"
	  "DB_PASSWORD=<secretKeyRef: name=demo-db,key=password>\n"
	  "EMPTY=\n"
	  "# log-agent\n",
	  "" },
	{ "labels",
	  "# labels\n"
	  "choerodon.io/release=demo-api-7f3k2\n"
	  "choerodon.io/logs-parser=spring-boot\n"
	  "# annotations\n"
	  "deployment.kubernetes.io/revision=3\n"
	  "note=line one line two\n",
	  "# labels\n"
	  "choerodon.io/release=demo-api-7f3k2\n"
	  "# annotations\n" },
};

static void test_deployment_panels(void)
{
	json_error_t jerr;
	json_t *detail = json_loads(detail_text, 0, &jerr);
	struct sbuf sb;
	size_t i;

	CHECK(detail != NULL);
	sbuf_init(&sb, 0);
	for (i = 0; i < sizeof(panel_cases) / sizeof(panel_cases[0]); i++) {
		CHECK_STR(render_deployment_panels[i], panel_cases[i].panel);
		CHECK_INT(render_deployment_panel(&sb, panel_cases[i].panel, &deployments[0],
						  detail), 0);
		EXPECT_TEXT(&sb, panel_cases[i].with_detail);
		CHECK_INT(render_deployment_panel(&sb, panel_cases[i].panel, &deployments[0],
						  NULL), 0);
		EXPECT_TEXT(&sb, panel_cases[i].fallback);
	}
	CHECK(render_deployment_panels[6] == NULL);
	CHECK_INT(render_deployment_panel(&sb, "security", &deployments[0], detail), -ENOENT);
	EXPECT_TEXT(&sb, "");
	json_decref(detail);
	sbuf_free(&sb);
}

static void test_probe_actions(void)
{
	json_t *detail = json_pack(
		"{s:{s:{s:{s:[{s:s, s:{s:{s:s, s:s, s:s, s:s}}, s:{s:{s:s, s:i}}}]}}}}",
		"spec", "template", "spec", "containers",
		"name", "web",
		"livenessProbe", "httpGet", "host", "10.0.0.1", "port", "https",
		"path", "/healthz", "scheme", "HTTPS",
		"readinessProbe", "tcpSocket", "host", "localhost", "port", 5432);
	struct api_deployment d = { .name = "web", .age = "" };
	struct sbuf sb;

	CHECK(detail != NULL);
	sbuf_init(&sb, 0);
	CHECK_INT(render_deployment_panel(&sb, "health", &d, detail), 0);
	EXPECT_TEXT(&sb,
		"CONTAINER   PROBE       INITIAL-DELAY   PERIOD   TIMEOUT   SUCCESS-THRESHOLD   FAILURE-THRESHOLD   ACTION\n"
		"web         readiness   <none>          <none>   <none>    <none>              <none>              tcpSocket: localhost:5432\n"
		"web         liveness    <none>          <none>   <none>    <none>              <none>              httpGet: https://10.0.0.1:https/healthz\n");
	json_decref(detail);
	sbuf_free(&sb);
}

static void test_json(void)
{
	json_t *j = json_loads("{\"kind\":\"Deployment\",\"zeta\":[1,2.5,true,null],"
			       "\"alpha\":{\"name\":\"预发布\",\"empty\":{}}}", 0, NULL);
	struct sbuf sb;

	CHECK(j != NULL);
	sbuf_init(&sb, 0);
	render_json(&sb, j);
	/* server order kept: "zeta" before "alpha" */
	EXPECT_TEXT(&sb,
		"{\n"
		"  \"kind\": \"Deployment\",\n"
		"  \"zeta\": [\n"
		"    1,\n"
		"    2.5,\n"
		"    true,\n"
		"    null\n"
		"  ],\n"
		"  \"alpha\": {\n"
		"    \"name\": \"预发布\",\n"
		"    \"empty\": {}\n"
		"  }\n"
		"}\n");
	render_json(&sb, NULL);
	EXPECT_TEXT(&sb, "null\n");
	render_json_compact(&sb, j);
	EXPECT_TEXT(&sb, "{\"kind\":\"Deployment\",\"zeta\":[1,2.5,true,null],"
		    "\"alpha\":{\"name\":\"预发布\",\"empty\":{}}}");
	json_decref(j);
	sbuf_free(&sb);
}

/* ---- events ------------------------------------------------------------------------ */

static struct api_pod_event pod_events[] = {
	{ .name = "demo-api-7f3k2-init-db", .job_pod_status = "fail",
	  .event = "Created pod: demo-api-7f3k2-init-db\r\n\nBack-off restarting failed container\n",
	  .log = "ERROR 1045 (28000): Access denied" },
	{ .name = "demo-api-7f3k2-5c6d7-h8v4t", .job_pod_status = "",
	  .event = "Pulling image \"registry.example.com/demo/demo-api:0.3.0\"", .log = "" },
	{ .name = "demo-api-7f3k2-5c6d7-quiet", .job_pod_status = "", .event = "", .log = "" },
};

static struct api_event failed_update = {
	.command_id = "cmd-7", .type = "update", .status = "failed",
	.command_error = "Job demo-api-7f3k2-init-db failed\n",
	.create_time = "2026-12-04 10:31:07", .login_name = "admin", .real_name = "管理员",
	.n_pod_events = 3, .pod_events = pod_events,
};

static void test_event_dirname(void)
{
	struct api_event ev = failed_update;
	char long_version[301];
	struct sbuf sb;

	sbuf_init(&sb, 0);
	render_event_dirname(&sb, 7, &ev, "0.2.1");
	EXPECT_TEXT(&sb, "0007-update-0.2.1");
	render_event_dirname(&sb, 7, &ev, "");
	EXPECT_TEXT(&sb, "0007-update");
	render_event_dirname(&sb, 7, &ev, NULL);
	EXPECT_TEXT(&sb, "0007-update");
	render_event_dirname(&sb, 12345, &ev, "1.0");
	EXPECT_TEXT(&sb, "12345-update-1.0");
	render_event_dirname(&sb, 3, &ev, "feature/x\n1");
	EXPECT_TEXT(&sb, "0003-update-feature_x_1");
	ev.type = "";
	render_event_dirname(&sb, 1, &ev, "0.1.0");
	EXPECT_TEXT(&sb, "0001-unknown-0.1.0");
	memset(long_version, '9', 300);
	long_version[300] = '\0';
	ev.type = "create";
	render_event_dirname(&sb, 2, &ev, long_version);
	CHECK_INT(sbuf_error(&sb), 0);
	CHECK_INT(sb.len, 200);
	CHECK(strncmp(sb.buf, "0002-create-999", 15) == 0);
	sbuf_free(&sb);
}

static void test_event_summary(void)
{
	struct api_event ev = failed_update;
	struct sbuf sb;

	sbuf_init(&sb, 0);
	render_event_summary(&sb, &ev, "0.3.0", false);
	EXPECT_TEXT(&sb,
		"type: update\n"
		"status: failed\n"
		"state: 更新失败 (update failed)\n"
		"who: admin (管理员)\n"
		"when: 2026-12-04 10:31:07\n"
		"error: Job demo-api-7f3k2-init-db failed\n"
		"version: 0.3.0\n"
		"values: unknown\n");
	ev.type = "create";
	ev.status = "success";
	ev.command_error = "";
	ev.real_name = "admin";
	render_event_summary(&sb, &ev, NULL, true);
	EXPECT_TEXT(&sb,
		"type: create\n"
		"status: success\n"
		"state: 创建成功 (create succeeded)\n"
		"who: admin\n"
		"when: 2026-12-04 10:31:07\n"
		"error:\n"
		"version:\n"
		"values: known\n");
	sbuf_free(&sb);
}

static void test_event_events(void)
{
	struct api_event ev = failed_update;
	struct sbuf sb;

	sbuf_init(&sb, 0);
	render_event_events(&sb, &ev);
	EXPECT_TEXT(&sb,
		"demo-api-7f3k2-init-db: fail\n"
		"  Created pod: demo-api-7f3k2-init-db\n"
		"  Back-off restarting failed container\n"
		"\n"
		"demo-api-7f3k2-5c6d7-h8v4t:\n"
		"  Pulling image \"registry.example.com/demo/demo-api:0.3.0\"\n"
		"\n"
		"demo-api-7f3k2-5c6d7-quiet:\n");
	ev.n_pod_events = 0;
	render_event_events(&sb, &ev);
	EXPECT_TEXT(&sb, "");
	sbuf_free(&sb);
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	test_width();
	test_kv_and_text();
	test_sanitize();
	test_age();
	test_table();
	test_state_input();
	test_status();
	test_status_json();
	test_env();
	test_instances_table();
	test_versions();
	test_control();
	test_resources();
	test_deployment_summary();
	test_deployment_panels();
	test_probe_actions();
	test_json();
	test_event_dirname();
	test_event_summary();
	test_event_events();
	return CHECK_DONE();
}
