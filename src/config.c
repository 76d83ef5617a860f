/* config.c — see include/config.h for the contract. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "sbuf.h"

#define MAX_FILE (1u << 20)     /* settings and credentials, never more */
#define DEFAULT_CLIENT_ID "c7nfs"

enum opt_type { O_STR, O_LONG, O_INT, O_BOOL };

/* Where a key may appear. Secrets are file-only: argv is world-readable. */
enum opt_where { IN_OPTION = 1, IN_FILE = 2, ANYWHERE = 3 };

struct opt {
	const char *key;
	enum opt_type type;
	size_t off;
	enum opt_where where;
	long min, max;          /* numbers */
	bool secret;
};

#define STR(k, m, w) { (k), O_STR, offsetof(struct c7_config, m), (w), 0, 0, false }
#define SECRET(k, m) { (k), O_STR, offsetof(struct c7_config, m), IN_FILE, 0, 0, true }
#define NUM(k, m, lo, hi) { (k), O_LONG, offsetof(struct c7_config, m), ANYWHERE, (lo), (hi), false }
#define BOOL(k, m) { (k), O_BOOL, offsetof(struct c7_config, m), ANYWHERE, 0, 0, false }

static const struct opt opts[] = {
	STR("server", server, ANYWHERE),
	SECRET("token", token),
	STR("token_file", token_file, IN_OPTION),
	STR("config", config_file, IN_OPTION),
	STR("username", username, IN_FILE),
	SECRET("password", password),
	STR("client_id", client_id, ANYWHERE),
	STR("project", project, ANYWHERE),
	STR("cache_dir", cache_dir, ANYWHERE),
	NUM("ttl_status_ms", ttl_status_ms, 0, 86400000),
	NUM("ttl_list_ms", ttl_list_ms, 0, 86400000),
	NUM("ttl_static_ms", ttl_static_ms, 0, 86400000),
	NUM("connect_timeout_ms", connect_timeout_ms, 1, 600000),
	NUM("timeout_ms", timeout_ms, 1, 3600000),
	NUM("op_timeout_ms", op_timeout_ms, 1, 3600000),
	{ "max_threads", O_INT, offsetof(struct c7_config, max_threads), ANYWHERE, 1, 1024, false },
	BOOL("insecure", insecure),
	BOOL("debug_http", debug_http),
};

#define FIELD(cfg, o, type) ((type *)((char *)(cfg) + (o)->off))

static void wipe_free(char *s)
{
	if (s)
		explicit_bzero(s, strlen(s));
	free(s);
}

int config_init(struct c7_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->ttl_status_ms = 2000;
	cfg->ttl_list_ms = 10000;
	cfg->ttl_static_ms = 60000;
	cfg->connect_timeout_ms = 3000;
	cfg->timeout_ms = 10000;
	cfg->op_timeout_ms = 30000;
	cfg->max_threads = 16;
	cfg->client_id = strdup(DEFAULT_CLIENT_ID);
	return cfg->client_id ? 0 : -ENOMEM;
}

void config_free(struct c7_config *cfg)
{
	size_t i;

	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (opts[i].type == O_STR)
			wipe_free(*FIELD(cfg, &opts[i], char *));
	memset(cfg, 0, sizeof(*cfg));
}

/* ---- values -------------------------------------------------------------------- */

static const struct opt *find_opt(const char *key, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (strlen(opts[i].key) == len && strncmp(opts[i].key, key, len) == 0)
			return &opts[i];
	return NULL;
}

static int parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcmp(v, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcmp(v, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

static int parse_long(const char *v, long min, long max, long *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < min || n > max)
		return -EINVAL;
	*out = n;
	return 0;
}

static int set_str(struct c7_config *cfg, const struct opt *o, const char *v)
{
	char **field = FIELD(cfg, o, char *);
	char *copy = strdup(v);

	if (!copy)
		return -ENOMEM;
	wipe_free(*field);
	*field = copy;
	return 0;
}

/* Sets one value; v is the text after '=' (NULL: the key stood alone). */
static int opt_set(struct c7_config *cfg, const struct opt *o, const char *v,
		   char *why, size_t whylen)
{
	long n;

	if (!v && o->type == O_BOOL)
		v = "yes";
	if (!v || !*v) {
		c7_why(why, whylen, "'%s' needs a value", o->key);
		return -EINVAL;
	}
	switch (o->type) {
	case O_STR:
		return set_str(cfg, o, v);
	case O_BOOL:
		if (!parse_bool(v, FIELD(cfg, o, bool)))
			return 0;
		c7_why(why, whylen, "'%s' must be yes or no, not '%s'", o->key, v);
		return -EINVAL;
	case O_LONG:
	case O_INT:
		if (parse_long(v, o->min, o->max, &n)) {
			c7_why(why, whylen, "'%s' must be a number from %ld to %ld, not '%s'",
			    o->key, o->min, o->max, v);
			return -EINVAL;
		}
		if (o->type == O_INT)
			*FIELD(cfg, o, int) = (int)n;
		else
			*FIELD(cfg, o, long) = n;
		return 0;
	}
	return -EINVAL;
}

int config_set_option(struct c7_config *cfg, const char *opt, char *why, size_t whylen)
{
	const char *eq = strchr(opt, '=');
	const struct opt *o = find_opt(opt, eq ? (size_t)(eq - opt) : strlen(opt));
	int ret;

	if (!o)
		return 0;
	if (!(o->where & IN_OPTION)) {
		c7_why(why, whylen, o->secret ?
		    "'%s' is not accepted as a mount option (the process list would "
		    "show it): use C7NFS_TOKEN, token_file= or the config file" :
		    "'%s' belongs in the config file, not in the mount options", o->key);
		return -EINVAL;
	}
	ret = opt_set(cfg, o, eq ? eq + 1 : NULL, why, whylen);
	return ret ? ret : 1;
}

/* ---- credential files -------------------------------------------------------------- */

static int read_fd(int fd, const char *what, const char *path, char **text,
		   char *why, size_t whylen)
{
	struct sbuf sb;
	char buf[4096];
	ssize_t n;
	int ret;

	sbuf_init(&sb, MAX_FILE);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		sbuf_add(&sb, buf, (size_t)n);
	ret = n < 0 ? -errno : sbuf_error(&sb);
	explicit_bzero(buf, sizeof(buf));
	if (ret) {
		c7_why(why, whylen, "cannot read %s '%s': %s", what, path, strerror(-ret));
		if (sb.alloc)
			explicit_bzero(sb.buf, sb.len);
		sbuf_free(&sb);
		return ret;
	}
	*text = sbuf_detach(&sb, NULL);
	return *text ? 0 : -ENOMEM;
}

/* Reads a file that holds secrets, refusing it unless only its owner can
 * access it. *text is malloc'd; the caller wipes it. */
static int read_private_file(const char *what, const char *path, char **text,
			     char *why, size_t whylen)
{
	struct stat st;
	int fd, ret;

	*text = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		ret = -errno;
		c7_why(why, whylen, "cannot open %s '%s': %s", what, path, strerror(errno));
		return ret;
	}
	if (fstat(fd, &st)) {
		ret = -errno;
		c7_why(why, whylen, "cannot stat %s '%s': %s", what, path, strerror(errno));
	} else if (!S_ISREG(st.st_mode)) {
		ret = -EINVAL;
		c7_why(why, whylen, "%s '%s' is not a regular file", what, path);
	} else if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		ret = -EACCES;
		c7_why(why, whylen, "%s '%s' is accessible by group or others (mode %04o): "
		    "run chmod 600 on it", what, path, (unsigned)(st.st_mode & 07777));
	} else {
		ret = read_fd(fd, what, path, text, why, whylen);
	}
	close(fd);
	return ret;
}

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' ||
			   end[-1] == '\n'))
		*--end = '\0';
	return s;
}

int config_read_token_file(const char *path, char **token, char *why, size_t whylen)
{
	char *text, *line;
	int ret;

	*token = NULL;
	ret = read_private_file("token file", path, &text, why, whylen);
	if (ret)
		return ret;
	line = text + strspn(text, " \t\r\n");
	line[strcspn(line, "\n")] = '\0';
	line = trim(line);
	if (!*line) {
		c7_why(why, whylen, "token file '%s' is empty", path);
		ret = -EINVAL;
	} else {
		*token = strdup(line);
		ret = *token ? 0 : -ENOMEM;
	}
	wipe_free(text);
	return ret;
}

/* ---- config file ------------------------------------------------------------------ */

/* One "key = value" line into cfg; empty lines and '#' comments are skipped. */
static int parse_line(struct c7_config *cfg, char *line, char *why, size_t whylen)
{
	const struct opt *o;
	char *eq, *key;

	line = trim(line);
	if (!*line || *line == '#')
		return 0;
	eq = strchr(line, '=');
	if (!eq) {
		c7_why(why, whylen, "expected 'key = value'");
		return -EINVAL;
	}
	*eq = '\0';
	key = trim(line);
	o = find_opt(key, strlen(key));
	if (!o || !(o->where & IN_FILE)) {
		c7_why(why, whylen, "unknown key '%s'", key);
		return -EINVAL;
	}
	return opt_set(cfg, o, trim(eq + 1), why, whylen);
}

static int parse_config(struct c7_config *cfg, const char *path, char *text,
			char *why, size_t whylen)
{
	char *line, *next, reason[256] = "";
	int lineno = 0, ret = 0;

	for (line = text; line && !ret; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		ret = parse_line(cfg, line, reason, sizeof(reason));
	}
	if (ret)
		c7_why(why, whylen, "config file '%s' line %d: %s", path, lineno, reason);
	return ret;
}

/* A value that is still its default counts as unset (the struct has no
 * "was given" flags). */
static bool is_default(const struct opt *o, struct c7_config *cfg, struct c7_config *def)
{
	const char *a, *b;

	switch (o->type) {
	case O_STR:
		a = *FIELD(cfg, o, char *);
		b = *FIELD(def, o, char *);
		return !a || (b && strcmp(a, b) == 0);
	case O_LONG:
		return *FIELD(cfg, o, long) == *FIELD(def, o, long);
	case O_INT:
		return *FIELD(cfg, o, int) == *FIELD(def, o, int);
	case O_BOOL:
		return *FIELD(cfg, o, bool) == *FIELD(def, o, bool);
	}
	return false;
}

/* Moves the file's values into cfg where cfg still holds the default. */
static void merge(struct c7_config *cfg, struct c7_config *file, struct c7_config *def)
{
	const struct opt *o;
	size_t i;

	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		o = &opts[i];
		if (!is_default(o, cfg, def) || is_default(o, file, def))
			continue;
		if (o->type == O_STR) {
			wipe_free(*FIELD(cfg, o, char *));
			*FIELD(cfg, o, char *) = *FIELD(file, o, char *);
			*FIELD(file, o, char *) = NULL;
		} else if (o->type == O_LONG) {
			*FIELD(cfg, o, long) = *FIELD(file, o, long);
		} else if (o->type == O_INT) {
			*FIELD(cfg, o, int) = *FIELD(file, o, int);
		} else {
			*FIELD(cfg, o, bool) = *FIELD(file, o, bool);
		}
	}
}

int config_load_file(struct c7_config *cfg, const char *path, bool explicit_path,
		     char *why, size_t whylen)
{
	struct c7_config file, def;
	char *text = NULL, *fallback = NULL;
	int ret;

	if (!path) {
		path = fallback = config_default_path();
		explicit_path = false;
		if (!path)
			return 0;
	}
	ret = read_private_file("config file", path, &text, why, whylen);
	if (ret) {
		free(fallback);
		return ret == -ENOENT && !explicit_path ? 0 : ret;
	}
	ret = config_init(&file);
	if (!ret)
		ret = config_init(&def);
	if (!ret)
		ret = parse_config(&file, path, text, why, whylen);
	if (!ret)
		merge(cfg, &file, &def);
	config_free(&file);
	config_free(&def);
	wipe_free(text);
	free(fallback);
	return ret;
}

/* ---- defaults and the token ---------------------------------------------------- */

static char *xdg_path(const char *var, const char *fallback, const char *leaf)
{
	const char *base = getenv(var), *home = getenv("HOME");
	struct passwd *pw;
	char *path;

	if (base && base[0] == '/')
		return asprintf(&path, "%s/c7nfs%s", base, leaf) < 0 ? NULL : path;
	if (!home || !*home) {
		pw = getpwuid(getuid());
		home = pw ? pw->pw_dir : NULL;
	}
	if (!home)
		return NULL;
	return asprintf(&path, "%s/%s/c7nfs%s", home, fallback, leaf) < 0 ? NULL : path;
}

char *config_default_path(void)
{
	return xdg_path("XDG_CONFIG_HOME", ".config", "/config");
}

char *config_default_cache_dir(void)
{
	return xdg_path("XDG_CACHE_HOME", ".cache", "");
}

int config_resolve_token(struct c7_config *cfg, char *why, size_t whylen)
{
	const char *env = getenv("C7NFS_TOKEN");
	char *token;
	int ret;

	if (env && *env) {
		token = strdup(env);
		if (!token)
			return -ENOMEM;
		wipe_free(cfg->token);
		cfg->token = token;
		return 0;
	}
	if (cfg->token_file) {
		ret = config_read_token_file(cfg->token_file, &token, why, whylen);
		if (ret)
			return ret;
		wipe_free(cfg->token);
		cfg->token = token;
		return 0;
	}
	if (cfg->token && *cfg->token)
		return 0;
	if (cfg->username && cfg->password)
		return 1;
	if (cfg->username) {
		c7_why(why, whylen, "the config file names user '%s' but no password",
		    cfg->username);
		return -EINVAL;
	}
	c7_why(why, whylen, "no credentials: set C7NFS_TOKEN, use -o token_file=PATH, "
	    "or put a token or username and password in the config file");
	return -ENOENT;
}
