/* test_journal.c — events.log lines for a realistic sequence, SEQ, offsets, cap. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "journal.h"
#include "state.h"

/* "YYYY-MM-DD HH:MM:SS" (UTC) → time_t */
static time_t at(const char *stamp)
{
	struct tm tm = { 0 };

	if (!strptime(stamp, "%Y-%m-%d %H:%M:%S", &tm))
		abort();
	return timegm(&tm);
}

static char *text_of(struct journal *j)
{
	size_t n = journal_size(j);
	char *p = malloc(n + 1);

	if (!p)
		abort();
	CHECK_INT(journal_read(j, 0, p, n + 16), n);
	p[n] = '\0';
	return p;
}

/* Checks the whole text is what the test accumulated in want. */
#define CHECK_TEXT(j, want)                                                  \
	do {                                                                 \
		char *got_ = text_of(j);                                     \
		CHECK_STR(got_, want);                                       \
		free(got_);                                                  \
	} while (0)

struct instance_obs {
	const char *status, *type, *cstatus, *version, *error;
	long running, pods;
	const char *effect_id, *effect_version;
};

static struct api_instance instance(struct instance_obs o)
{
	return (struct api_instance){
		.id = "=i1=", .code = "demo-api-7f3k2", .status = (char *)o.status,
		.command_type = (char *)o.type, .command_status = (char *)o.cstatus,
		.command_version = (char *)o.version, .version_name = "0.2.0",
		.error = (char *)(o.error ? o.error : ""),
		.effect_command_id = (char *)(o.effect_id ? o.effect_id : ""),
		.effect_command_version = (char *)(o.effect_version ? o.effect_version : ""),
		.pod_count = o.pods, .pod_running_count = o.running,
	};
}

static struct api_event event(const char *id, const char *type, const char *status,
			      const char *created, const char *error)
{
	return (struct api_event){
		.command_id = (char *)id, .type = (char *)type, .status = (char *)status,
		.create_time = (char *)created, .command_error = (char *)(error ? error : ""),
		.login_name = "admin", .real_name = "Admin",
	};
}

static void with_pods(struct api_event *ev, struct api_pod_event *pe, size_t n)
{
	ev->pod_events = pe;
	ev->n_pod_events = n;
}

static size_t last_size;
static int shrank;

static void note_size(struct journal *j)
{
	size_t n = journal_size(j);

	shrank += n < last_size;
	last_size = n;
}

static void test_sequence(void)
{
	char want[8192] = "";
	struct journal *j;
	struct api_instance inst;
	struct api_event ev[4];
	/* one array per command: each event keeps pointing at its own */
	struct api_pod_event pe2[1], pe3[2], pe4[1];
	struct api_event_list l;
	char part[32];
	size_t size;

	CHECK_INT(journal_new(0, &j), 0);
	CHECK_INT(journal_size(j), 0);
	CHECK_INT(journal_mtime(j), 0);

	/* 1. First sight: the state now, then the known commands, oldest first. */
	inst = instance((struct instance_obs){ "running", "update", "success", "0.2.0", NULL,
					       1, 1, "=c2=", "0.2.0" });
	journal_observe_instance(j, &inst, at("2026-12-04 10:30:00"));
	ev[0] = event("=c2=", "update", "success", "2026-12-04 09:00:00", NULL);
	pe2[0] = (struct api_pod_event){ .name = "demo-api-init-db", .event =
		"Created pod demo-api-init-db\nStarted container init-db\n" };
	with_pods(&ev[0], pe2, 1);
	ev[1] = event("=c1=", "create", "success", "2026-12-04 08:00:00", NULL);
	ev[1].login_name = "";
	l = (struct api_event_list){ .n = 2, .v = ev };
	journal_observe_events(j, &l, at("2026-12-04 10:30:00"));
	strcat(want,
	       "2026-12-04 10:30:00 state 更新完成 (update succeeded)\n"
	       "2026-12-04 10:30:00 status running\n"
	       "2026-12-04 10:30:00 pods 1/1\n"
	       "2026-12-04 08:00:00 command 0001 create success by Admin\n"
	       "2026-12-04 09:00:00 command 0002 update 0.2.0 success by admin\n"
	       "2026-12-04 09:00:00 event demo-api-init-db: Created pod demo-api-init-db\n"
	       "2026-12-04 09:00:00 event demo-api-init-db: Started container init-db\n");
	CHECK_TEXT(j, want);
	note_size(j);
	CHECK_INT(journal_mtime(j), at("2026-12-04 10:30:00"));

	/* Nothing changed: nothing written, mtime kept. */
	journal_observe_instance(j, &inst, at("2026-12-04 10:30:05"));
	journal_observe_events(j, &l, at("2026-12-04 10:30:05"));
	CHECK_TEXT(j, want);
	CHECK_INT(journal_mtime(j), at("2026-12-04 10:30:00"));

	/* 2. An upgrade starts: a new command, the same job name again. */
	inst = instance((struct instance_obs){ "operating", "update", "operating", "0.2.1",
					       NULL, 1, 2, "=c2=", "0.2.0" });
	journal_observe_instance(j, &inst, at("2026-12-04 10:31:08"));
	ev[2] = ev[1];
	ev[1] = ev[0];
	ev[0] = event("=c3=", "update", "operating", "2026-12-04 10:31:07", NULL);
	pe3[0] = (struct api_pod_event){ .name = "demo-api-init-db", .event =
		"Created pod demo-api-init-db\n" };
	with_pods(&ev[0], pe3, 1);
	l.n = 3;
	journal_observe_events(j, &l, at("2026-12-04 10:31:08"));
	strcat(want,
	       "2026-12-04 10:31:08 state 更新完成 (update succeeded) -> 更新中 (updating)\n"
	       "2026-12-04 10:31:08 status running -> operating\n"
	       "2026-12-04 10:31:08 pods 1/1 -> 1/2\n"
	       "2026-12-04 10:31:07 command 0003 update 0.2.1 operating by admin\n"
	       "2026-12-04 10:31:07 event demo-api-init-db: Created pod demo-api-init-db\n");
	CHECK_TEXT(j, want);
	note_size(j);

	/* 3. Cumulative event text: only the new lines, once. */
	pe3[0].event = "Created pod demo-api-init-db\nStarted container init-db\n";
	pe3[1] = (struct api_pod_event){ .name = "demo-api-5c6d7-x9z", .event =
		"Pulling image \"demo-api:0.2.1\"\r\n" };
	with_pods(&ev[0], pe3, 2);
	journal_observe_events(j, &l, at("2026-12-04 10:31:09"));
	journal_observe_events(j, &l, at("2026-12-04 10:31:09"));
	strcat(want,
	       "2026-12-04 10:31:09 event demo-api-init-db: Started container init-db\n"
	       "2026-12-04 10:31:09 event demo-api-5c6d7-x9z: Pulling image \"demo-api:0.2.1\"\n");
	CHECK_TEXT(j, want);
	note_size(j);

	/* 4. operating -> success. */
	inst = instance((struct instance_obs){ "running", "update", "success", "0.2.1", NULL,
					       2, 2, "=c3=", "0.2.1" });
	journal_observe_instance(j, &inst, at("2026-12-04 10:31:10"));
	ev[0].status = "success";
	journal_observe_events(j, &l, at("2026-12-04 10:31:10"));
	strcat(want,
	       "2026-12-04 10:31:10 state 更新中 (updating) -> 更新完成 (update succeeded)\n"
	       "2026-12-04 10:31:10 status operating -> running\n"
	       "2026-12-04 10:31:10 pods 1/2 -> 2/2\n"
	       "2026-12-04 10:31:10 command 0003 update 0.2.1 success\n");
	CHECK_TEXT(j, want);
	note_size(j);

	/* 5. A failure with the server's error; a repeated cluster line. */
	inst = instance((struct instance_obs){ "operating", "update", "operating", "0.3.0",
					       NULL, 2, 2, "=c3=", "0.2.1" });
	journal_observe_instance(j, &inst, at("2026-12-04 10:40:00"));
	ev[3] = ev[2];
	ev[2] = ev[1];
	ev[1] = ev[0];
	ev[0] = event("=c4=", "update", "operating", "2026-12-04 10:39:58", NULL);
	l.n = 4;
	journal_observe_events(j, &l, at("2026-12-04 10:40:00"));
	strcat(want,
	       "2026-12-04 10:40:00 state 更新完成 (update succeeded) -> 更新中 (updating)\n"
	       "2026-12-04 10:40:00 status running -> operating\n"
	       "2026-12-04 10:39:58 command 0004 update 0.3.0 operating by admin\n");
	CHECK_TEXT(j, want);
	note_size(j);

	inst = instance((struct instance_obs){ "failed", "update", "failed", "0.3.0",
					       "helm: timed out waiting for the condition",
					       2, 2, "=c3=", "0.2.1" });
	journal_observe_instance(j, &inst, at("2026-12-04 10:41:00"));
	ev[0] = event("=c4=", "update", "failed", "2026-12-04 10:39:58",
		      "helm: timed out waiting for the condition");
	pe4[0] = (struct api_pod_event){ .name = "demo-api-7d9f-abc", .event =
		"Back-off restarting failed container\nBack-off restarting failed container\n" };
	with_pods(&ev[0], pe4, 1);
	journal_observe_events(j, &l, at("2026-12-04 10:41:00"));
	strcat(want,
	       "2026-12-04 10:41:00 state 更新中 (updating) -> 更新失败 (update failed)\n"
	       "2026-12-04 10:41:00 status operating -> failed\n"
	       "2026-12-04 10:41:00 command 0004 update 0.3.0 failed\n"
	       "2026-12-04 10:41:00 command 0004 failed: helm: timed out waiting for the condition\n"
	       "2026-12-04 10:41:00 event demo-api-7d9f-abc: Back-off restarting failed container\n"
	       "2026-12-04 10:41:00 event demo-api-7d9f-abc: Back-off restarting failed container\n");
	CHECK_TEXT(j, want);
	note_size(j);

	pe4[0].event = "Back-off restarting failed container\n\n"
		      "Back-off restarting failed container\nBack-off restarting failed container";
	journal_observe_events(j, &l, at("2026-12-04 10:41:30"));
	journal_observe_events(j, &l, at("2026-12-04 10:41:40"));
	strcat(want,
	       "2026-12-04 10:41:30 event demo-api-7d9f-abc: Back-off restarting failed container\n");
	CHECK_TEXT(j, want);
	note_size(j);
	CHECK_INT(journal_mtime(j), at("2026-12-04 10:41:30"));

	/* 6. stop is not in the event list: its error comes from the instance,
	 * on one line. */
	inst = instance((struct instance_obs){ "running", "stop", "failed", "0.3.0",
					       "env disconnected\nretry later", 2, 2,
					       "=c3=", "0.2.1" });
	journal_observe_instance(j, &inst, at("2026-12-04 10:50:00"));
	journal_observe_instance(j, &inst, at("2026-12-04 10:50:02"));
	journal_note(j, at("2026-12-04 10:51:00"), "control: %s by c7nfs", "stop");
	strcat(want,
	       "2026-12-04 10:50:00 state 更新失败 (update failed) -> 停止失败 (stop failed)\n"
	       "2026-12-04 10:50:00 status failed -> running\n"
	       "2026-12-04 10:50:00 command stop failed: env disconnected retry later\n"
	       "2026-12-04 10:51:00 control: stop by c7nfs\n");
	CHECK_TEXT(j, want);
	note_size(j);
	CHECK_STR(state_name_zh(C7_STATE_STOP_FAILED), "停止失败");
	CHECK_INT(journal_mtime(j), at("2026-12-04 10:51:00"));
	CHECK_INT(shrank, 0);

	/* SEQ numbers: stable, new ids get the next one. */
	CHECK_INT(journal_command_seq(j, "=c1="), 1);
	CHECK_INT(journal_command_seq(j, "=c4="), 4);
	CHECK_INT(journal_command_seq(j, ""), 0);
	CHECK_INT(journal_command_seq(j, "=c9="), 5);
	CHECK_INT(journal_command_seq(j, "=c9="), 5);

	/* Reads at offsets. */
	size = journal_size(j);
	CHECK_INT(size, strlen(want));
	CHECK_INT(journal_read(j, 20, part, 5), 5);
	CHECK_INT(memcmp(part, "state", 5), 0);
	CHECK_INT(journal_read(j, size - 8, part, sizeof(part)), 8);
	CHECK_INT(memcmp(part, "y c7nfs\n", 8), 0);
	CHECK_INT(journal_read(j, size, part, sizeof(part)), 0);
	CHECK_INT(journal_read(j, size + 1000, part, sizeof(part)), 0);
	journal_free(j);
}

/* The server keeps the last 30 commands: as the window slides, numbers stay. */
static void test_window_slides(void)
{
	enum { W = 30 };
	struct api_event ev[W];
	char ids[W + 1][16], times[W + 1][32];
	struct api_event_list l = { .n = W, .v = ev };
	struct journal *j;
	size_t before;
	char last[80];
	int i;

	for (i = 0; i <= W; i++) {
		snprintf(ids[i], sizeof(ids[i]), "=c%02d=", i + 1);
		snprintf(times[i], sizeof(times[i]), "2026-12-01 00:%02d:00", i + 1);
	}
	CHECK_INT(journal_new(0, &j), 0);
	for (i = 0; i < W; i++)         /* newest first: c30 … c01 */
		ev[i] = event(ids[W - 1 - i], "update", "success", times[W - 1 - i], NULL);
	journal_observe_events(j, &l, at("2026-12-02 00:00:00"));
	CHECK_INT(journal_command_seq(j, "=c01="), 1);
	CHECK_INT(journal_command_seq(j, "=c30="), 30);
	before = journal_size(j);
	CHECK_INT(before, (size_t)W * strlen("2026-12-01 00:01:00 command 0001 update "
					    "success by admin\n"));

	for (i = 0; i < W; i++)         /* c31 … c02 */
		ev[i] = event(ids[W - i], "update", "success", times[W - i], NULL);
	journal_observe_events(j, &l, at("2026-12-02 00:00:10"));
	CHECK_INT(journal_command_seq(j, "=c31="), 31);
	CHECK_INT(journal_command_seq(j, "=c02="), 2);
	CHECK_INT(journal_command_seq(j, "=c30="), 30);
	CHECK_INT(journal_command_seq(j, "=c01="), 1);   /* gone from the window, kept */
	CHECK_INT(journal_size(j) - before, 57);
	CHECK_INT(journal_read(j, before, last, sizeof(last) - 1), 57);
	last[57] = '\0';
	CHECK_STR(last, "2026-12-01 00:31:00 command 0031 update success by admin\n");
	journal_free(j);
}

/* createTime in ISO-8601 is accepted; a missing or odd one means "now". */
static void test_times(void)
{
	struct api_event ev[3];
	struct api_event_list l = { .n = 3, .v = ev };
	struct journal *j;

	CHECK_INT(journal_new(0, &j), 0);
	ev[0] = event("=a=", "delete", "operating", "", NULL);
	ev[1] = event("=b=", "update", "success", "2026-12-04 1:02:03", NULL);
	ev[2] = event("=c=", "create", "success", "2026-12-04T10:31:07.000+08:00", NULL);
	ev[1].login_name = ev[1].real_name = "";
	journal_observe_events(j, &l, at("2026-12-05 12:00:00"));
	CHECK_TEXT(j,
		   "2026-12-04 10:31:07 command 0001 create success by admin\n"
		   "2026-12-05 12:00:00 command 0002 update success\n"
		   "2026-12-05 12:00:00 command 0003 delete operating by admin\n");
	journal_free(j);
}

static void test_cap(void)
{
	struct journal *j;
	size_t prev = 0;
	char *text;
	int i, shrinks = 0;

	CHECK_INT(journal_new(300, &j), 0);
	for (i = 0; i < 30; i++) {
		journal_note(j, at("2026-12-04 10:00:00") + i, "note %02d", i);  /* 28 bytes */
		shrinks += journal_size(j) < prev;
		prev = journal_size(j);
	}
	CHECK_INT(shrinks, 0);
	/* 9 notes (252) leave no room for a 10th plus the 33-byte full line. */
	CHECK_INT(journal_size(j), 9 * 28 + 33);
	text = text_of(j);
	CHECK_STR(text + 9 * 28, "2026-12-04 10:00:09 journal full\n");
	CHECK(strstr(text, "note 08\n") != NULL && strstr(text, "note 09") == NULL);
	free(text);
	CHECK_INT(journal_mtime(j), at("2026-12-04 10:00:09"));
	journal_note(j, at("2026-12-04 11:00:00"), "more");
	CHECK_INT(journal_size(j), 9 * 28 + 33);
	CHECK_INT(journal_mtime(j), at("2026-12-04 10:00:09"));
	journal_free(j);
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	test_sequence();
	test_window_slides();
	test_times();
	test_cap();
	return CHECK_DONE();
}
