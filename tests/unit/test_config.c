/* test_config.c — credential files, the config file, options, precedence. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "config.h"

static char dir[64];

/* Writes text to dir/name with mode; returns the path (static buffer per call). */
static const char *put(const char *name, const char *text, mode_t mode)
{
	static char paths[8][128];
	static int next;
	char *path = paths[next++ % 8];
	int fd;

	snprintf(path, 128, "%s/%s", dir, name);
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0);
	CHECK_INT(write(fd, text, strlen(text)), (long)strlen(text));
	close(fd);
	chmod(path, mode);
	return path;
}

static void test_defaults(void)
{
	struct c7_config c;

	CHECK_INT(config_init(&c), 0);
	CHECK_STR(c.client_id, "c7nfs");
	CHECK(!c.server && !c.token && !c.token_file && !c.config_file && !c.username &&
	      !c.password && !c.project && !c.cache_dir);
	CHECK_INT(c.ttl_status_ms, 2000);
	CHECK_INT(c.ttl_list_ms, 10000);
	CHECK_INT(c.ttl_static_ms, 60000);
	CHECK_INT(c.connect_timeout_ms, 3000);
	CHECK_INT(c.timeout_ms, 10000);
	CHECK_INT(c.op_timeout_ms, 30000);
	CHECK_INT(c.max_threads, 16);
	CHECK(!c.insecure && !c.debug_http);
	config_free(&c);
	CHECK(c.client_id == NULL);
}

static void test_token_file(void)
{
	char why[512] = "", *tok = NULL, want[160];
	const char *p;

	p = put("tok-open", "c7n-demo-admin\n", 0644);
	CHECK_INT(config_read_token_file(p, &tok, why, sizeof(why)), -EACCES);
	CHECK(tok == NULL);
	CHECK(strstr(why, "mode 0644") != NULL);
	snprintf(want, sizeof(want), "token file '%s'", p);
	CHECK(strstr(why, want) != NULL);
	CHECK(strstr(why, "c7n-demo-admin") == NULL);

	p = put("tok-group", "abc\n", 0640);
	CHECK_INT(config_read_token_file(p, &tok, why, sizeof(why)), -EACCES);
	CHECK(strstr(why, "mode 0640") != NULL);

	p = put("tok-ok", "  \n\t c7n-demo-dev \r\nsecond line\n", 0600);
	CHECK_INT(config_read_token_file(p, &tok, why, sizeof(why)), 0);
	CHECK_STR(tok, "c7n-demo-dev");
	free(tok);

	p = put("tok-ro", "tok", 0400);
	CHECK_INT(config_read_token_file(p, &tok, why, sizeof(why)), 0);
	CHECK_STR(tok, "tok");
	free(tok);

	p = put("tok-empty", " \n\n", 0600);
	CHECK_INT(config_read_token_file(p, &tok, why, sizeof(why)), -EINVAL);
	CHECK(strstr(why, "empty") != NULL);
	CHECK(tok == NULL);

	snprintf(want, sizeof(want), "%s/missing", dir);
	CHECK_INT(config_read_token_file(want, &tok, why, sizeof(why)), -ENOENT);
	CHECK(strstr(why, "missing") != NULL);
	CHECK_INT(config_read_token_file(dir, &tok, why, sizeof(why)), -EINVAL);
}

static const char *good_config =
	"# c7nfs settings\n"
	"\n"
	"server = http://127.0.0.1:8080\r\n"
	"  username=admin  \n"
	"password = p#ss=word \n"
	"client_id = cli\n"
	"project = demo\n"
	"insecure = yes\n"
	"ttl_status_ms = 500\n"
	"max_threads = 4\n"
	"debug_http = no\n"
	"   # indented comment\n";

static void test_config_file(void)
{
	struct c7_config c;
	char why[512] = "", missing[128];
	const char *p;

	config_init(&c);
	p = put("config", good_config, 0600);
	CHECK_INT(config_load_file(&c, p, true, why, sizeof(why)), 0);
	CHECK_STR(c.server, "http://127.0.0.1:8080");
	CHECK_STR(c.username, "admin");
	CHECK_STR(c.password, "p#ss=word");
	CHECK_STR(c.client_id, "cli");
	CHECK_STR(c.project, "demo");
	CHECK(c.insecure);
	CHECK(!c.debug_http);
	CHECK_INT(c.ttl_status_ms, 500);
	CHECK_INT(c.ttl_list_ms, 10000);
	CHECK_INT(c.max_threads, 4);
	CHECK(c.token == NULL);
	config_free(&c);

	config_init(&c);
	p = put("config-open", "token = abc\n", 0644);
	CHECK_INT(config_load_file(&c, p, true, why, sizeof(why)), -EACCES);
	CHECK(strstr(why, "config file") != NULL && strstr(why, "mode 0644") != NULL);
	CHECK(c.token == NULL);

	p = put("config-bad", "server = x\n\nnonsense\n", 0600);
	CHECK_INT(config_load_file(&c, p, true, why, sizeof(why)), -EINVAL);
	CHECK(strstr(why, "line 3") != NULL);
	p = put("config-key", "colour = blue\n", 0600);
	CHECK_INT(config_load_file(&c, p, true, why, sizeof(why)), -EINVAL);
	CHECK(strstr(why, "line 1: unknown key 'colour'") != NULL);
	p = put("config-optonly", "token_file = /x\n", 0600);
	CHECK_INT(config_load_file(&c, p, true, why, sizeof(why)), -EINVAL);
	p = put("config-num", "timeout_ms = soon\n", 0600);
	CHECK_INT(config_load_file(&c, p, true, why, sizeof(why)), -EINVAL);
	CHECK(strstr(why, "'timeout_ms'") != NULL && strstr(why, "'soon'") != NULL);
	CHECK_INT(c.timeout_ms, 10000);
	CHECK(c.server == NULL);

	snprintf(missing, sizeof(missing), "%s/no-such-config", dir);
	CHECK_INT(config_load_file(&c, missing, false, why, sizeof(why)), 0);
	CHECK_INT(config_load_file(&c, missing, true, why, sizeof(why)), -ENOENT);
	config_free(&c);
}

static void test_options(void)
{
	struct c7_config c;
	char why[512] = "";

	config_init(&c);
	CHECK_INT(config_set_option(&c, "ttl_status_ms=500", why, sizeof(why)), 1);
	CHECK_INT(c.ttl_status_ms, 500);
	CHECK_INT(config_set_option(&c, "ttl_list_ms=0", why, sizeof(why)), 1);
	CHECK_INT(c.ttl_list_ms, 0);
	CHECK_INT(config_set_option(&c, "ttl_static_ms=7", why, sizeof(why)), 1);
	CHECK_INT(config_set_option(&c, "connect_timeout_ms=100", why, sizeof(why)), 1);
	CHECK_INT(config_set_option(&c, "timeout_ms=200", why, sizeof(why)), 1);
	CHECK_INT(config_set_option(&c, "op_timeout_ms=300", why, sizeof(why)), 1);
	CHECK_INT(c.ttl_static_ms, 7);
	CHECK_INT(c.connect_timeout_ms, 100);
	CHECK_INT(c.timeout_ms, 200);
	CHECK_INT(c.op_timeout_ms, 300);
	CHECK_INT(config_set_option(&c, "max_threads=8", why, sizeof(why)), 1);
	CHECK_INT(c.max_threads, 8);
	CHECK_INT(config_set_option(&c, "insecure", why, sizeof(why)), 1);
	CHECK(c.insecure);
	CHECK_INT(config_set_option(&c, "insecure=no", why, sizeof(why)), 1);
	CHECK(!c.insecure);
	CHECK_INT(config_set_option(&c, "debug_http=true", why, sizeof(why)), 1);
	CHECK(c.debug_http);
	CHECK_INT(config_set_option(&c, "server=http://h:1/", why, sizeof(why)), 1);
	CHECK_INT(config_set_option(&c, "server=http://h:2", why, sizeof(why)), 1);
	CHECK_STR(c.server, "http://h:2");
	CHECK_INT(config_set_option(&c, "token_file=/t", why, sizeof(why)), 1);
	CHECK_INT(config_set_option(&c, "config=/c", why, sizeof(why)), 1);
	CHECK_INT(config_set_option(&c, "project=demo", why, sizeof(why)), 1);
	CHECK_INT(config_set_option(&c, "client_id=x", why, sizeof(why)), 1);
	CHECK_INT(config_set_option(&c, "cache_dir=/cache", why, sizeof(why)), 1);
	CHECK_STR(c.token_file, "/t");
	CHECK_STR(c.config_file, "/c");
	CHECK_STR(c.project, "demo");
	CHECK_STR(c.client_id, "x");
	CHECK_STR(c.cache_dir, "/cache");

	CHECK_INT(config_set_option(&c, "allow_other", why, sizeof(why)), 0);
	CHECK_INT(config_set_option(&c, "ttl=5", why, sizeof(why)), 0);
	CHECK_INT(config_set_option(&c, "timeout_ms=abc", why, sizeof(why)), -EINVAL);
	CHECK(strstr(why, "'timeout_ms'") != NULL);
	CHECK_INT(config_set_option(&c, "timeout_ms=0", why, sizeof(why)), -EINVAL);
	CHECK_INT(config_set_option(&c, "timeout_ms=", why, sizeof(why)), -EINVAL);
	CHECK_INT(config_set_option(&c, "max_threads=100000", why, sizeof(why)), -EINVAL);
	CHECK_INT(config_set_option(&c, "insecure=maybe", why, sizeof(why)), -EINVAL);
	CHECK_INT(config_set_option(&c, "server=", why, sizeof(why)), -EINVAL);
	CHECK_INT(c.timeout_ms, 200);
	CHECK_INT(c.max_threads, 8);
	CHECK_STR(c.server, "http://h:2");
	/* secrets never come through argv */
	CHECK_INT(config_set_option(&c, "token=hunter2", why, sizeof(why)), -EINVAL);
	CHECK(strstr(why, "'token'") != NULL && strstr(why, "hunter2") == NULL);
	CHECK_INT(config_set_option(&c, "password=hunter2", why, sizeof(why)), -EINVAL);
	CHECK(c.token == NULL && c.password == NULL);
	config_free(&c);
}

/* Options win over the config file; the file fills what options left at
 * their defaults. */
static void test_file_vs_options(void)
{
	struct c7_config c;
	char why[256];
	const char *p;

	config_init(&c);
	config_set_option(&c, "server=http://opt", why, sizeof(why));
	config_set_option(&c, "ttl_list_ms=1", why, sizeof(why));
	p = put("config-prec", "server = http://file\nttl_list_ms = 99\ntimeout_ms = 77\n"
		"token = file-token\nclient_id = file-client\n", 0600);
	CHECK_INT(config_load_file(&c, p, true, why, sizeof(why)), 0);
	CHECK_STR(c.server, "http://opt");
	CHECK_INT(c.ttl_list_ms, 1);
	CHECK_INT(c.timeout_ms, 77);
	CHECK_STR(c.token, "file-token");
	CHECK_STR(c.client_id, "file-client");
	config_free(&c);
}

static void test_resolve_token(void)
{
	struct c7_config c;
	char why[512];

	/* env beats a token file, even one that would be refused */
	config_init(&c);
	c.token_file = strdup(put("tok-refused", "file-token\n", 0644));
	c.token = strdup("config-token");
	setenv("C7NFS_TOKEN", "env-token", 1);
	CHECK_INT(config_resolve_token(&c, why, sizeof(why)), 0);
	CHECK_STR(c.token, "env-token");
	unsetenv("C7NFS_TOKEN");
	CHECK_INT(config_resolve_token(&c, why, sizeof(why)), -EACCES);
	CHECK(strstr(why, "mode 0644") != NULL);
	config_free(&c);

	/* token file beats the config file's token */
	config_init(&c);
	c.token_file = strdup(put("tok-private", "file-token\n", 0600));
	c.token = strdup("config-token");
	CHECK_INT(config_resolve_token(&c, why, sizeof(why)), 0);
	CHECK_STR(c.token, "file-token");
	config_free(&c);

	config_init(&c);
	c.token = strdup("config-token");
	c.username = strdup("admin");
	c.password = strdup("admin");
	CHECK_INT(config_resolve_token(&c, why, sizeof(why)), 0);
	CHECK_STR(c.token, "config-token");
	free(c.token);
	c.token = NULL;
	CHECK_INT(config_resolve_token(&c, why, sizeof(why)), 1);
	free(c.password);
	c.password = NULL;
	CHECK_INT(config_resolve_token(&c, why, sizeof(why)), -EINVAL);
	CHECK(strstr(why, "password") != NULL);
	config_free(&c);

	config_init(&c);
	CHECK_INT(config_resolve_token(&c, why, sizeof(why)), -ENOENT);
	CHECK(strstr(why, "C7NFS_TOKEN") != NULL);
	config_free(&c);
}

static void test_default_paths(void)
{
	char *p;

	setenv("XDG_CONFIG_HOME", "/xdg/conf", 1);
	setenv("XDG_CACHE_HOME", "/xdg/cache", 1);
	p = config_default_path();
	CHECK_STR(p, "/xdg/conf/c7nfs/config");
	free(p);
	p = config_default_cache_dir();
	CHECK_STR(p, "/xdg/cache/c7nfs");
	free(p);
	unsetenv("XDG_CONFIG_HOME");
	setenv("XDG_CACHE_HOME", "relative/ignored", 1);
	setenv("HOME", "/home/u", 1);
	p = config_default_path();
	CHECK_STR(p, "/home/u/.config/c7nfs/config");
	free(p);
	p = config_default_cache_dir();
	CHECK_STR(p, "/home/u/.cache/c7nfs");
	free(p);
}

static void remove_dir(void)
{
	static const char *const names[] = {
		"tok-open", "tok-group", "tok-ok", "tok-ro", "tok-empty", "config",
		"config-open", "config-bad", "config-key", "config-optonly", "config-num",
		"config-prec", "tok-refused", "tok-private",
	};
	char path[128];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	CHECK_INT(rmdir(dir), 0);
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/c7nfs-test-config-XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	unsetenv("C7NFS_TOKEN");
	test_defaults();
	test_token_file();
	test_config_file();
	test_options();
	test_file_vs_options();
	test_resolve_token();
	test_default_paths();
	remove_dir();
	return CHECK_DONE();
}
