/* db.c: the process's PostgreSQL connection: lazy prepares, reconnect backoff, SQLSTATE table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libpq-fe.h>

#include "db.h"
#include "json.h"
#include "log.h"
#include "wrapper.h"

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000
#define MAX_PREPARED 64

struct db {
	PGconn *conn;
	char *conninfo;
	char *app_name;
	char options[64];
	long backoff_ms;       /* current delay between attempts; 0 = try at once */
	long next_attempt_ms;  /* monotonic time before which we do not try again */
	const struct db_stmt *prepared[MAX_PREPARED];
	int nprepared;
};

/* The one SQLSTATE table: prefix match, first hit wins. */
static const struct {
	const char *prefix;
	enum db_fail kind;
	int status;
} sqlstates[] = {
	{ "23505", DB_FAIL_CONFLICT, 409 },
	{ "23503", DB_FAIL_REFERENCE, 422 },
	{ "40001", DB_FAIL_RETRY, 503 },
	{ "40P01", DB_FAIL_RETRY, 503 },
	{ "57P01", DB_FAIL_UNAVAILABLE, 503 }, /* admin shutdown */
	{ "57P02", DB_FAIL_UNAVAILABLE, 503 }, /* crash shutdown */
	{ "57P03", DB_FAIL_UNAVAILABLE, 503 }, /* cannot connect now */
	{ "57014", DB_FAIL_UNAVAILABLE, 503 }, /* statement timeout */
	{ "08", DB_FAIL_UNAVAILABLE, 503 },    /* connection exceptions */
	{ "53", DB_FAIL_UNAVAILABLE, 503 },    /* insufficient resources */
	{ "22", DB_FAIL_INPUT, 400 },          /* data exceptions */
	{ "", DB_FAIL_INTERNAL, 500 },
};

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

void db_classify(const char *sqlstate, struct db_error *err)
{
	const char *st = sqlstate ? sqlstate : "";

	for (size_t i = 0; i < ARRAY_SIZE(sqlstates); i++) {
		if (!strncmp(st, sqlstates[i].prefix, strlen(sqlstates[i].prefix))) {
			err->kind = sqlstates[i].kind;
			err->http_status = sqlstates[i].status;
			break;
		}
	}
	snprintf(err->sqlstate, sizeof(err->sqlstate), "%s", st);
}

static void fail_unavailable(struct db_error *err, const char *msg)
{
	err->kind = DB_FAIL_UNAVAILABLE;
	err->http_status = 503;
	snprintf(err->sqlstate, sizeof(err->sqlstate), "08006");
	snprintf(err->message, sizeof(err->message), "%s", msg ? msg : "no connection");
	/* libpq messages end with a newline */
	err->message[strcspn(err->message, "\n")] = '\0';
}

struct db *db_new(const char *conninfo, const char *application_name, int statement_timeout_ms)
{
	struct db *db = xcalloc(1, sizeof(*db));

	db->conninfo = xstrdup(conninfo);
	db->app_name = xstrdup(application_name);
	snprintf(db->options, sizeof(db->options), "-c TimeZone=UTC -c statement_timeout=%d",
		statement_timeout_ms);
	return db;
}

static void disconnect(struct db *db)
{
	if (db->conn)
		PQfinish(db->conn);
	db->conn = NULL;
	db->nprepared = 0;
}

void db_free(struct db *db)
{
	if (!db)
		return;
	disconnect(db);
	free(db->conninfo);
	free(db->app_name);
	free(db);
}

PGconn *db_conn(struct db *db)
{
	return db->conn;
}

int db_retry_after(const struct db *db)
{
	long s = (db->backoff_ms + 999) / 1000;
	return s < 1 ? 1 : (int)s;
}

/* libpq reports what arrives unasked (e.g. "FATAL: terminating connection due to administrator
 * command" when PostgreSQL stops) through the notice processor, whose default writes a raw line
 * to stderr, i.e. into the JSON log. Log it as JSON instead. */
static void on_notice(void *arg, const char *message)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "%s", message);
	msg[strcspn(msg, "\n")] = '\0';
	log_msg(LOG_WARN, "database notice", "message", msg, NULL);
}

int db_ensure(struct db *db, struct db_error *err)
{
	if (db->conn && PQstatus(db->conn) == CONNECTION_OK)
		return 0;
	disconnect(db);
	long now = now_ms();
	if (db->backoff_ms && now < db->next_attempt_ms) {
		fail_unavailable(err, "database unreachable (waiting before reconnecting)");
		return -1;
	}
	const char *keys[] = { "dbname", "application_name", "options", "connect_timeout", NULL };
	const char *vals[] = { db->conninfo, db->app_name, db->options, "5", NULL };
	db->conn = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(db->conn) != CONNECTION_OK) {
		fail_unavailable(err, PQerrorMessage(db->conn));
		disconnect(db);
		db->backoff_ms = db->backoff_ms ? db->backoff_ms * 2 : BACKOFF_MIN_MS;
		if (db->backoff_ms > BACKOFF_MAX_MS)
			db->backoff_ms = BACKOFF_MAX_MS;
		db->next_attempt_ms = now + db->backoff_ms;
		log_msg(LOG_WARN, "database connection failed", "error", err->message, NULL);
		return -1;
	}
	PQsetNoticeProcessor(db->conn, on_notice, NULL);
	if (db->backoff_ms)
		log_msg(LOG_INFO, "database connection restored", NULL);
	db->backoff_ms = 0;
	return 0;
}

/* Fills err from a failed result (or the connection when res is NULL) and clears res. */
static void fail_result(struct db *db, PGresult *res, struct db_error *err)
{
	const char *st = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(db->conn);

	if (PQstatus(db->conn) != CONNECTION_OK) {
		fail_unavailable(err, msg);
		disconnect(db);
	} else {
		db_classify(st, err);
		snprintf(err->message, sizeof(err->message), "%s", msg ? msg : "");
		err->message[strcspn(err->message, "\n")] = '\0';
	}
	PQclear(res);
}

static int is_prepared(struct db *db, const struct db_stmt *st)
{
	for (int i = 0; i < db->nprepared; i++)
		if (db->prepared[i] == st)
			return 1;
	return 0;
}

static int prepare(struct db *db, const struct db_stmt *st, struct db_error *err)
{
	PGresult *res = PQprepare(db->conn, st->name, st->sql, st->nparams, NULL);

	if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
		fail_result(db, res, err);
		return -1;
	}
	PQclear(res);
	if (db->nprepared < MAX_PREPARED)
		db->prepared[db->nprepared++] = st;
	return 0;
}

PGresult *db_exec(struct db *db, const struct db_stmt *st, const char *const *params,
	struct db_error *err)
{
	if (db_ensure(db, err) < 0)
		return NULL;
	if (!is_prepared(db, st) && prepare(db, st, err) < 0)
		return NULL;
	PGresult *res = PQexecPrepared(db->conn, st->name, st->nparams, params, NULL, NULL, 0);
	ExecStatusType s = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) {
		fail_result(db, res, err);
		return NULL;
	}
	return res;
}

int db_exec_json(struct db *db, const struct db_stmt *st, const char *const *params,
	struct json_object **out, struct db_error *err)
{
	enum json_parse_error perr;
	PGresult *res = db_exec(db, st, params, err);

	*out = NULL;
	if (!res)
		return -1;
	int row = PQntuples(res) > 0 && !PQgetisnull(res, 0, 0);
	if (row)
		*out = json_parse(PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0), &perr, NULL);
	PQclear(res);
	if (*out)
		return 1;
	db_classify(NULL, err);
	if (!row) {
		snprintf(err->message, sizeof(err->message), "%s returned no row", st->name);
		return 0;
	}
	snprintf(err->message, sizeof(err->message), "%s returned bad JSON: %s", st->name,
		json_parse_error_str(perr));
	return -1;
}

int db_exec_simple(struct db *db, const char *sql, struct db_error *err)
{
	if (db_ensure(db, err) < 0)
		return -1;
	PGresult *res = PQexec(db->conn, sql);
	ExecStatusType s = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) {
		fail_result(db, res, err);
		return -1;
	}
	PQclear(res);
	return 0;
}

int db_ping(struct db *db, struct db_error *err)
{
	static const struct db_stmt ping = { "ok_ping", "SELECT 1", 0 };
	PGresult *res = db_exec(db, &ping, NULL, err);

	if (!res)
		return -1;
	PQclear(res);
	return 0;
}
