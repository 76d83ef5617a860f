/*
 * main.c — c7nfs: mount the Choerodon deployment pipeline as a filesystem.
 *
 *   C7NFS_TOKEN=… c7nfs -o server=https://api.example.com MOUNTPOINT
 *   c7nfs --demo MOUNTPOINT      # the bundled emulator with its demo data
 *   fusermount3 -u MOUNTPOINT    # unmount (SIGINT/SIGTERM work too)
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "cache.h"
#include "config.h"
#include "data.h"
#include "fs.h"
#include "history.h"
#include "http.h"
#include "log.h"
#include "notify.h"
#include "tree.h"

struct mount_ctx {
	struct c7_config cfg;
	bool demo;
	pid_t sim_pid;
	struct http_transport *http;
	struct api_client *api;
	struct cache *cache;
	struct data data;
	struct tree *tree;
	struct scratch_store *scratch;
	struct history *history;
};

static void usage(const char *prog)
{
	printf("usage: %s [options] MOUNTPOINT\n"
	       "       %s --demo [options] MOUNTPOINT\n\n"
	       "Mounts the Choerodon DevOps deployment pipeline (projects, environments,\n"
	       "application instances) as a filesystem.\n\n"
	       "c7nfs options:\n"
	       "    --demo                 start the bundled emulator with demo data and mount it\n"
	       "    -o server=URL          Choerodon API gateway, e.g. https://api.example.com\n"
	       "    -o token_file=PATH     file holding the access token (mode 0600)\n"
	       "    -o config=PATH         config file (default ~/.config/c7nfs/config, mode 0600)\n"
	       "    -o project=CODE        mount one project at the mount point\n"
	       "    -o ttl_status_ms=N     cache time of status-like answers (default 2000)\n"
	       "    -o ttl_list_ms=N       cache time of lists (default 10000)\n"
	       "    -o ttl_static_ms=N     cache time of versions and projects (default 60000)\n"
	       "    -o connect_timeout_ms=N, timeout_ms=N, op_timeout_ms=N   HTTP limits\n"
	       "    -o max_threads=N       FUSE worker threads (default 16)\n"
	       "    -o cache_dir=PATH      where the values history is kept\n"
	       "    -o insecure            do not verify TLS certificates\n"
	       "    -o debug_http          log every request (never the token)\n"
	       "The token may also come from the C7NFS_TOKEN environment variable.\n\n",
	       prog, prog);
}

/* ---- the demo emulator ---------------------------------------------------- */

static char *find_sim(void)
{
	char self[PATH_MAX], *slash, *path;
	const char *env = getenv("C7NFS_SIM");
	ssize_t n;

	if (env)
		return strdup(env);
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			if (asprintf(&path, "%s/../contrib/devops-sim/c7n-devops-sim", self) < 0)
				return NULL;
			if (access(path, X_OK) == 0)
				return path;
			free(path);
		}
	}
	return strdup("c7n-devops-sim");
}

/* Starts the emulator on a free loopback port; *url receives its base URL. */
static int start_sim(struct mount_ctx *m, char **url)
{
	char line[256], *nl, *p;
	char *sim = find_sim();
	struct pollfd pfd;
	size_t got = 0;
	int fds[2], rc = -EIO;
	ssize_t n;

	if (!sim || pipe(fds))
		goto out;
	m->sim_pid = fork();
	if (m->sim_pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		execlp(sim, sim, "--listen", "127.0.0.1:0", (char *)NULL);
		fprintf(stderr, "c7nfs: cannot run '%s': %s\n", sim, strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	if (m->sim_pid < 0)
		goto out_close;
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	while (got < sizeof(line) - 1 && poll(&pfd, 1, 10000) > 0) {
		n = read(fds[0], line + got, sizeof(line) - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
		line[got] = '\0';
		nl = strchr(line, '\n');
		if (!nl)
			continue;
		*nl = '\0';
		p = strstr(line, "http://");
		if (p) {
			*url = strdup(p);
			rc = *url ? 0 : -ENOMEM;
		}
		break;
	}
	if (rc)
		fprintf(stderr, "c7nfs: the emulator '%s' did not start\n", sim);
out_close:
	/* The write end is the emulator's stdout: keep ours open so it never
	 * gets SIGPIPE; it is closed when we exit. */
	if (rc)
		close(fds[0]);
out:
	free(sim);
	return rc;
}

static void stop_sim(struct mount_ctx *m)
{
	int i;

	if (m->sim_pid <= 0)
		return;
	kill(m->sim_pid, SIGTERM);
	/* After daemonizing the emulator is no longer our child: poll for it. */
	for (i = 0; i < 100; i++) {
		if (waitpid(m->sim_pid, NULL, WNOHANG) == m->sim_pid || kill(m->sim_pid, 0))
			break;
		usleep(50000);
	}
	m->sim_pid = 0;
}

/* ---- options -------------------------------------------------------------- */

static int opt_proc(void *data, const char *arg, int key, struct fuse_args *outargs)
{
	struct mount_ctx *m = data;
	char why[256] = "";
	int rc;

	(void)outargs;
	if (key != FUSE_OPT_KEY_OPT)
		return 1;
	rc = config_set_option(&m->cfg, arg, why, sizeof(why));
	if (rc < 0) {
		fprintf(stderr, "c7nfs: %s\n", why[0] ? why : "bad option");
		return -1;
	}
	return rc == 1 ? 0 : 1;
}

/* Pulls --demo out of argv (fuse's parser does not know it). */
static bool take_flag(struct fuse_args *args, const char *flag)
{
	int i, j;

	for (i = 1; i < args->argc; i++) {
		if (strcmp(args->argv[i], flag))
			continue;
		for (j = i; j < args->argc - 1; j++)
			args->argv[j] = args->argv[j + 1];
		args->argc--;
		return true;
	}
	return false;
}

/* ---- authentication ------------------------------------------------------- */

static int renew_token(void *ctx, char **token)
{
	struct mount_ctx *m = ctx;
	struct api_error err = { 0 };
	char *refresh = NULL;
	long expires = 0;
	int rc;

	if (!m->cfg.username || !m->cfg.password) {
		c7_log(C7_LOG_ERROR, "the access token was refused or expired and cannot be "
		       "renewed: no username/password in the config file");
		return -EACCES;
	}
	rc = api_token_password(m->api, m->cfg.username, m->cfg.password, m->cfg.client_id,
				token, &refresh, &expires, &err);
	free(refresh);
	if (rc)
		c7_log(C7_LOG_ERROR, "cannot renew the access token for '%s': %s",
		       m->cfg.username, err.message[0] ? err.message : strerror(-rc));
	else
		c7_log(C7_LOG_INFO, "access token renewed for '%s'", m->cfg.username);
	return rc;
}

static int log_in(struct mount_ctx *m)
{
	struct api_error err = { 0 };
	char why[512] = "", *token = NULL, *refresh = NULL;
	long expires = 0;
	int rc;

	rc = config_resolve_token(&m->cfg, why, sizeof(why));
	if (rc == -ENOENT) {
		fprintf(stderr, "c7nfs: no credentials: set C7NFS_TOKEN, -o token_file=PATH or "
			"a config file with a token or username/password\n");
		return rc;
	}
	if (rc < 0) {
		fprintf(stderr, "c7nfs: %s\n", why);
		return rc;
	}
	if (rc == 1) {
		rc = api_token_password(m->api, m->cfg.username, m->cfg.password,
					m->cfg.client_id, &token, &refresh, &expires, &err);
		free(refresh);
		if (rc) {
			fprintf(stderr, "c7nfs: cannot log in as '%s' at '%s': %s\n",
				m->cfg.username, m->cfg.server,
				err.message[0] ? err.message : strerror(-rc));
			return rc;
		}
		free(m->cfg.token);
		m->cfg.token = token;
	}
	api_client_set_token(m->api, m->cfg.token);
	api_client_set_renew(m->api, renew_token, m);
	rc = api_user_self(m->api, &m->data.user, &err);
	if (rc) {
		fprintf(stderr, "c7nfs: cannot log in to '%s': %s\n", m->cfg.server,
			err.message[0] ? err.message : strerror(-rc));
		if (err.http_status)
			fprintf(stderr, "c7nfs: the server answered HTTP %ld%s%s\n",
				err.http_status, err.code[0] ? " " : "", err.code);
		return rc;
	}
	c7_log(C7_LOG_INFO, "logged in to '%s' as '%s'", m->cfg.server, m->data.user.login_name);
	return 0;
}

/* -o config=PATH, or the default file when it exists; options win over it. */
static int load_config_file(struct mount_ctx *m)
{
	char why[512] = "";
	int rc;

	rc = config_load_file(&m->cfg, m->cfg.config_file, m->cfg.config_file != NULL, why,
			      sizeof(why));
	if (rc)
		fprintf(stderr, "c7nfs: %s\n", why[0] ? why : strerror(-rc));
	return rc;
}

/* ---- mounting ------------------------------------------------------------- */

static int setup_client(struct mount_ctx *m)
{
	struct http_options ho = {
		.connect_timeout_ms = m->cfg.connect_timeout_ms,
		.timeout_ms = m->cfg.timeout_ms,
		.write_timeout_ms = m->cfg.op_timeout_ms,
		.insecure = m->cfg.insecure,
		.debug = m->cfg.debug_http,
	};
	int rc;

	if (!m->cfg.server) {
		fprintf(stderr, "c7nfs: no server: use -o server=URL (or server = … in the "
			"config file)\n");
		return -EINVAL;
	}
	if (m->cfg.insecure)
		c7_log(C7_LOG_WARN, "TLS certificate verification is disabled (-o insecure)");
	rc = http_transport_new(&ho, &m->http);
	if (!rc)
		rc = api_client_new(m->http, m->cfg.server, NULL, &m->api);
	if (!rc)
		rc = cache_new(&m->cache);
	if (rc)
		fprintf(stderr, "c7nfs: cannot start: %s\n", strerror(-rc));
	m->data.api = m->api;
	m->data.cache = m->cache;
	m->data.cfg = &m->cfg;
	return rc;
}

/* The values history is a convenience: without it the mount still works. */
static void open_history(struct mount_ctx *m)
{
	char root[4096];
	int rc;

	if (m->cfg.cache_dir)
		rc = snprintf(root, sizeof(root), "%s/history", m->cfg.cache_dir) <
		     (int)sizeof(root) ? 0 : -ENAMETOOLONG;
	else
		rc = history_default_root(root, sizeof(root));
	if (!rc)
		rc = history_open(root, m->cfg.server, NULL, &m->history);
	if (rc)
		c7_log(C7_LOG_WARN, "values history disabled: cannot use '%s': %s", root,
		       strerror(-rc));
}

static void print_demo_help(const char *mnt)
{
	printf("c7nfs: the demo is mounted at %s (user admin, emulated Choerodon server)\n"
	       "try:\n"
	       "  ls %s\n"
	       "  cat %s/*/*/instances\n"
	       "  grep -r '^state:' %s\n"
	       "  cat %s/.c7nfs/status\n"
	       "unmount with: fusermount3 -u %s\n",
	       mnt, mnt, mnt, mnt, mnt, mnt);
	fflush(stdout);
}

static int run_session(struct mount_ctx *m, struct fuse_args *args,
		       struct fuse_cmdline_opts *opts)
{
	struct fs fs = { .tree = m->tree, .scratch = m->scratch, .timeout = 1.0 };
	struct fuse_loop_config *lc = NULL;
	struct fuse_session *se;
	int rc = 1;

	pthread_mutex_init(&fs.alias_lock, NULL);
	se = fuse_session_new(args, &fs_ops, sizeof(fs_ops), &fs);
	if (!se) {
		pthread_mutex_destroy(&fs.alias_lock);
		return 1;
	}
	if (fuse_set_signal_handlers(se))
		goto out_destroy;
	if (fuse_session_mount(se, opts->mountpoint))
		goto out_signals;
	if (m->demo)
		print_demo_help(opts->mountpoint);
	fuse_daemonize(opts->foreground);
	/* after daemonizing: threads do not survive its fork */
	if (notifier_start(se, &fs.notify))
		c7_log(C7_LOG_WARN, "kernel cache invalidation is off: cannot start its thread");
	c7_log(C7_LOG_INFO, "mounted '%s' at '%s'", m->cfg.server, opts->mountpoint);
	if (opts->singlethread) {
		rc = fuse_session_loop(se);
	} else {
		lc = fuse_loop_cfg_create();
		fuse_loop_cfg_set_clone_fd(lc, opts->clone_fd);
		fuse_loop_cfg_set_max_threads(lc, (unsigned)m->cfg.max_threads);
		rc = fuse_session_loop_mt(se, lc);
		fuse_loop_cfg_destroy(lc);
	}
	/* the loop returns the signal that ended it: a requested, clean stop */
	if (rc == SIGINT || rc == SIGTERM || rc == SIGHUP)
		rc = 0;
	c7_log(C7_LOG_INFO, "unmounting '%s'", opts->mountpoint);
	notifier_stop(fs.notify);
	fs.notify = NULL;
	fuse_session_unmount(se);
out_signals:
	fuse_remove_signal_handlers(se);
out_destroy:
	fuse_session_destroy(se);
	pthread_mutex_destroy(&fs.alias_lock);
	return rc ? 1 : 0;
}

static void teardown(struct mount_ctx *m)
{
	tree_free(m->tree);
	scratch_free(m->scratch);
	history_close(m->history);
	cache_free(m->cache);
	api_client_free(m->api);
	http_transport_free(m->http);
	api_user_free(&m->data.user);
	stop_sim(m);
	config_free(&m->cfg);
	http_global_cleanup();
	c7_log_shutdown();
}

int main(int argc, char *argv[])
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct fuse_cmdline_opts opts;
	struct mount_ctx m;
	struct tree_options to;
	char *url = NULL;
	int ret = 1;

	memset(&m, 0, sizeof(m));
	memset(&opts, 0, sizeof(opts));
	config_init(&m.cfg);
	m.demo = take_flag(&args, "--demo");
	if (fuse_opt_parse(&args, &m, NULL, opt_proc) == -1)
		goto out;
	if (fuse_parse_cmdline(&args, &opts) != 0)
		goto out;
	if (opts.show_help) {
		usage(argv[0]);
		fflush(stdout);
		fuse_cmdline_help();
		fuse_lowlevel_help();
		ret = 0;
		goto out;
	}
	if (opts.show_version) {
		printf("c7nfs %s\n", C7NFS_VERSION);
		fflush(stdout);     /* libfuse writes its lines unbuffered */
		fuse_lowlevel_version();
		ret = 0;
		goto out;
	}
	if (!opts.mountpoint) {
		fprintf(stderr, "c7nfs: no mount point given (see %s --help)\n", argv[0]);
		goto out;
	}
	c7_log_init(opts.foreground, opts.debug || m.cfg.debug_http, 0);
	if (http_global_init())
		goto out;
	if (m.demo) {
		if (start_sim(&m, &url))
			goto out;
		free(m.cfg.server);
		m.cfg.server = url;
		if (!getenv("C7NFS_TOKEN"))
			setenv("C7NFS_TOKEN", "c7n-demo-admin", 1);
	}
	if (!m.demo && load_config_file(&m))
		goto out;
	if (setup_client(&m) || log_in(&m))
		goto out;
	if (scratch_new(NULL, FS_SCRATCH_FIRST_ID, &m.scratch))
		goto out;
	open_history(&m);
	to = (struct tree_options){ .data = &m.data, .http = m.http, .server = m.cfg.server,
				    .project_code = m.cfg.project,
				    .scratch = m.scratch, .history = m.history };
	if (tree_new(&to, &m.tree))
		goto out;
	ret = run_session(&m, &args, &opts);
out:
	teardown(&m);
	free(opts.mountpoint);
	fuse_opt_free_args(&args);
	return ret;
}
