/* log.h: JSON-line logging on stderr, one write(2) per line, secrets and e-mails redacted. */
#ifndef OK_LOG_H
#define OK_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Sets the component name ("fcgi", "worker", "admin") and the minimum level. */
void log_init(const char *component, enum log_level min);
void log_set_level(enum log_level min);
/* Parses "debug|info|warn|error"; returns -1 on anything else. */
int log_level_parse(const char *s, enum log_level *out);
/* The request id attached to every following line of this process (NULL clears it). */
void log_set_request_id(const char *id);

/*
 * Writes {"ts","level","component","msg",["request_id"], k1: v1, ...} to fd 2.
 * After the format arguments come context pairs (const char *key, const char *value),
 * terminated by NULL. A value whose key looks secret (pass|token|secret|key|auth|cookie|
 * session) is written as "[REDACTED]"; e-mail addresses in msg and values become
 * "[EMAIL_REDACTED]". A NULL value is written as JSON null.
 * Example: log_msg(LOG_WARN, "db reconnect failed", "sqlstate", st, NULL);
 */
void log_msg(enum log_level lvl, const char *msg, ...) __attribute__((sentinel));
/* printf-style message without context pairs. */
void log_fmt(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Redaction used by log_msg, exposed for the log-ingest endpoint and tests: appends s to out
 * with e-mail addresses replaced. */
struct sbuf;
void log_redact_emails(struct sbuf *out, const char *s);
/* 1 when a context key names a secret (case-insensitive substring match). */
int log_key_is_secret(const char *key);

#endif
