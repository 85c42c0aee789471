/* conf.h: the one configuration table, read from a file and OPSKNIGHT_<KEY> environment. */
#ifndef OK_CONF_H
#define OK_CONF_H

#include <stddef.h>
#include "log.h"

struct conf {
	char *database_url;     /* libpq conninfo or URI */
	char *listen;           /* unix socket path, or host:port */
	int workers;            /* responder processes; 0 = 4 x online cores */
	char *api_key_pepper;   /* server secret mixed into every stored key hash */
	enum log_level log_level;
	int rate_limit_per_sec; /* default token-bucket rate per integration */
	int rate_limit_burst;   /* default bucket capacity */
	char *sql_dir;          /* migrations directory */
	char *app_url;          /* public base URL used in links */
	int statement_timeout_ms;
	int max_body_bytes;     /* request body limit enforced by the responder */
	int allow_private_targets; /* 1: outbound HTTP/SMTP may reach loopback/private addresses */
};

/* Config file used when OPSKNIGHT_CONFIG is unset (a missing default file is not an error). */
#define CONF_DEFAULT_PATH OK_SYSCONFDIR "/opsknight/opsknight.conf"

/* Fills c with the defaults of the key table. */
void conf_defaults(struct conf *c);
/*
 * Loads defaults, then the file (path, or $OPSKNIGHT_CONFIG, or CONF_DEFAULT_PATH when path is
 * NULL), then OPSKNIGHT_<KEY> environment variables. Lines are "key = value"; '#' starts a
 * comment; values may be double-quoted. On an unknown key, a bad value or an unreadable
 * explicit file returns -1 and writes "file:line: message" into err (size errlen); c then holds
 * partial values and must still be released.
 */
int conf_load(struct conf *c, const char *path, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* Parses one "key = value" line into c (used by conf_load and tests). Blank and comment lines
 * return 0. On error returns -1 and writes a message (without position) into err. */
int conf_parse_line(struct conf *c, const char *line, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* Frees the strings of c. */
void conf_release(struct conf *c);
/* conf_load for daemons: on error logs the message and exits 78 (EX_CONFIG). */
void conf_load_or_exit(struct conf *c, const char *path);

#endif
