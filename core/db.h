/* db.h: one libpq connection per process: prepared statements, reconnect with backoff,
 * and the one SQLSTATE table. Only core/ uses this header. */
#ifndef OK_DB_H
#define OK_DB_H

/* libpq types by their struct names, so this header does not pull in libpq-fe.h */
typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;

/* A statement with compile-time constant SQL, prepared lazily once per connection. */
struct db_stmt {
	const char *name;
	const char *sql;
	int nparams;
};

/* How a failed call should be answered. */
enum db_fail {
	DB_FAIL_NONE = 0,
	DB_FAIL_UNAVAILABLE, /* connection lost / server shutting down: 503 + Retry-After */
	DB_FAIL_RETRY,       /* serialization failure or deadlock: safe to run again */
	DB_FAIL_CONFLICT,    /* 23505 unique violation: 409 */
	DB_FAIL_REFERENCE,   /* 23503 foreign key: 422 */
	DB_FAIL_INPUT,       /* 22xxx data exception from a parameter: 400 */
	DB_FAIL_INTERNAL,    /* anything else: 500, server text to the log only */
};

struct db_error {
	enum db_fail kind;
	int http_status;   /* from the SQLSTATE table */
	char sqlstate[6];
	char message[256]; /* server text: for the log, never for a client */
};

struct db;

/* A handle that is not yet connected (conninfo is copied). statement_timeout_ms 0 = none. */
struct db *db_new(const char *conninfo, const char *application_name, int statement_timeout_ms);
void db_free(struct db *db);
/*
 * Ensures a usable connection: returns 0 when connected; otherwise tries to connect unless the
 * backoff (doubling from 100 ms to 5 s) has not yet expired, and returns -1 with err filled
 * (kind DB_FAIL_UNAVAILABLE). Never sleeps.
 */
int db_ensure(struct db *db, struct db_error *err) __attribute__((warn_unused_result));
/* The connection for modules that own their results (core store modules only), or NULL. */
PGconn *db_conn(struct db *db);

/*
 * Runs a prepared statement with text parameters (NULL = SQL NULL) and returns the result (the
 * caller PQclear()s it in the same function). Prepares the statement on first use per
 * connection. On a lost connection marks the handle broken (the next db_ensure reconnects).
 * On error returns NULL, fills err; nothing is committed.
 */
PGresult *db_exec(struct db *db, const struct db_stmt *st, const char *const *params,
	struct db_error *err) __attribute__((warn_unused_result));
/*
 * Runs st, whose result is at most one row with one JSON (json/jsonb) column, and parses it.
 * Returns 1 with *out set (the caller puts it); 0 when there was no row or SQL NULL (*out NULL,
 * err filled with an internal "returned no row", which callers that expect a row report); -1
 * with err filled on a database failure or text that does not parse.
 */
struct json_object;
int db_exec_json(struct db *db, const struct db_stmt *st, const char *const *params,
	struct json_object **out, struct db_error *err) __attribute__((warn_unused_result));
/* Runs plain SQL (no parameters, may hold several statements). Returns 0 or -1 + err. */
int db_exec_simple(struct db *db, const char *sql, struct db_error *err)
	__attribute__((warn_unused_result));
/* Checks the server answers (SELECT 1). Returns 0, or -1 with err filled. */
int db_ping(struct db *db, struct db_error *err) __attribute__((warn_unused_result));
/* Maps a SQLSTATE to (kind, http status) using the one table. */
void db_classify(const char *sqlstate, struct db_error *err);
/* Seconds a client should wait before retrying while the database is unavailable. */
int db_retry_after(const struct db *db);

#endif
