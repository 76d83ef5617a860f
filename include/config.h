/*
 * config.h — mount configuration and credentials.
 *
 * Sources, in order of precedence for the token: C7NFS_TOKEN in the environment,
 * -o token_file=PATH, then the config file (-o config=PATH, default
 * $XDG_CONFIG_HOME/c7nfs/config or ~/.config/c7nfs/config) which holds either
 * `token = …` or `username = …` / `password = …` / `client_id = …` for the OAuth
 * password grant. Credential files (token file, config file) are refused with
 * -EACCES when group or world readable, with a reason naming the file and its
 * mode. Secrets never go to argv, the log or error files.
 *
 * Config file syntax: `key = value` lines, '#' comments, blank lines; keys:
 * server, token, username, password, client_id, project, insecure (yes/no),
 * and the TTL/timeout keys below with the same names as the -o options.
 */
#ifndef C7NFS_CONFIG_H
#define C7NFS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

struct c7_config {
	char *server;           /* base URL, e.g. http://127.0.0.1:8080 */
	char *token;            /* bearer token (secret) */
	char *token_file;
	char *config_file;
	char *username;
	char *password;         /* secret */
	char *client_id;        /* default "c7nfs" */
	char *project;          /* -o project=CODE: mount one project at the root */
	char *cache_dir;        /* values history; default $XDG_CACHE_HOME/c7nfs */
	long ttl_status_ms;     /* default 2000 */
	long ttl_list_ms;       /* default 10000 */
	long ttl_static_ms;     /* versions, user, projects: default 60000 */
	long connect_timeout_ms;/* default 3000 */
	long timeout_ms;        /* default 10000 */
	long op_timeout_ms;     /* default 30000 */
	int max_threads;        /* default 16 */
	bool insecure;          /* TLS verification off: explicit only */
	bool debug_http;
};

/* Fills defaults; every pointer NULL except client_id. */
int config_init(struct c7_config *cfg);
void config_free(struct c7_config *cfg);

/* Reads a token file (first line, surrounding white space stripped). -EACCES if
 * group/world readable, -ENOENT, -EINVAL if empty. why gets a git-style reason. */
int config_read_token_file(const char *path, char **token, char *why, size_t whylen);

/* Merges a config file into cfg (keys already set in cfg win). A missing file
 * at the default path is not an error (returns 0); at an explicit path it is. */
int config_load_file(struct c7_config *cfg, const char *path, bool explicit_path,
		     char *why, size_t whylen);

/* Default config file path (malloc'd) and cache dir (malloc'd). */
char *config_default_path(void);
char *config_default_cache_dir(void);

/* Parses one "key=value" mount option that this module knows (TTLs, timeouts,
 * server, token_file, project, config, insecure, client_id, cache_dir,
 * max_threads, debug_http). Returns 1 if consumed, 0 if not ours, -EINVAL for a
 * bad value (why says which). */
int config_set_option(struct c7_config *cfg, const char *opt, char *why, size_t whylen);

/* Resolves the token: env C7NFS_TOKEN, token_file, config file token. Returns
 * 0 with cfg->token set, 1 when a password grant is needed (username+password
 * present), -ENOENT when no credential at all, or the error of a refused file. */
int config_resolve_token(struct c7_config *cfg, char *why, size_t whylen);

#endif
