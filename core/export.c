/* export.c: the incidents export, streamed from a server-side cursor as CSV or JSON. */
#include <stdio.h>
#include <string.h>
#include <libpq-fe.h>

#include "export.h"
#include "db.h"
#include "log.h"
#include "sbuf.h"

#define FETCH_ROWS "1000"
#define FLUSH_BYTES 65536

/* The columns, in order; numeric ones are bare in JSON. */
static const struct {
	const char *name;
	int numeric;
} cols[] = {
	{"id", 0},
	{"title", 0},
	{"description", 0},
	{"status", 0},
	{"urgency", 0},
	{"priority", 0},
	{"service_id", 0},
	{"service_name", 0},
	{"assignee_id", 0},
	{"assignee_name", 0},
	{"assignee_email", 0},
	{"team_id", 0},
	{"dedup_key", 0},
	{"alert_count", 1},
	{"created_at", 0},
	{"updated_at", 0},
	{"acknowledged_at", 0},
	{"resolved_at", 0},
};
#define NCOLS (sizeof(cols) / sizeof(cols[0]))

static const struct db_stmt st_check = {
	"export_check",
	"SELECT ok_incident_export_check($1::jsonb)",
	1,
};

/* $1 key id, $2 filters (validated: ok_incident_export_check). USER keys see their teams'
 * services and their own incidents (ok_incident_visible); the index on (created_at, id) gives
 * the order without a sort. */
static const struct db_stmt st_declare = {
	"export_declare",
	"DECLARE ok_export NO SCROLL CURSOR FOR"
	" SELECT i.id, i.title, i.description, i.status, i.urgency, i.priority, i.service_id,"
	"  s.name, i.assignee_id, u.name, u.email, i.team_id, i.dedup_key, i.alert_count,"
	"  ok_iso(i.created_at), ok_iso(i.updated_at), ok_iso(i.acknowledged_at),"
	"  ok_iso(i.resolved_at)"
	" FROM incident i JOIN service s ON s.id = i.service_id"
	" LEFT JOIN app_user u ON u.id = i.assignee_id"
	" CROSS JOIN (SELECT k.user_id, ku.role FROM api_key k"
	"  JOIN app_user ku ON ku.id = k.user_id WHERE k.id = $1::uuid) who"
	" WHERE (NOT $2::jsonb ? 'status'"
	"   OR i.status IN (SELECT jsonb_array_elements_text($2::jsonb->'status')))"
	"  AND (NOT $2::jsonb ? 'urgency'"
	"   OR i.urgency IN (SELECT jsonb_array_elements_text($2::jsonb->'urgency')))"
	"  AND (NOT $2::jsonb ? 'service_id' OR i.service_id = ($2::jsonb->>'service_id')::uuid)"
	"  AND (NOT $2::jsonb ? 'team_id' OR i.team_id = ($2::jsonb->>'team_id')::uuid)"
	"  AND (NOT $2::jsonb ? 'assignee_id' OR i.assignee_id = ($2::jsonb->>'assignee_id')::uuid)"
	"  AND (NOT $2::jsonb ? 'created_from'"
	"   OR i.created_at >= ($2::jsonb->>'created_from')::timestamptz)"
	"  AND (NOT $2::jsonb ? 'created_to'"
	"   OR i.created_at < ($2::jsonb->>'created_to')::timestamptz)"
	"  AND (NOT $2::jsonb ? 'q' OR strpos(lower(i.title), lower($2::jsonb->>'q')) > 0)"
	"  AND (who.role <> 'USER'"
	"   OR ok_incident_visible(i.service_id, i.assignee_id, who.user_id, who.role))"
	" ORDER BY i.created_at DESC, i.id DESC",
	2,
};
static const struct db_stmt st_fetch = {"export_fetch", "FETCH " FETCH_ROWS " FROM ok_export", 0};

void export_csv_cell(struct sbuf *sb, const char *s)
{
	int formula = strchr("=+-@\t\r", s[0]) && s[0];
	int quote = strpbrk(s, ",\"\r\n") != NULL;

	if (quote)
		sbuf_addch(sb, '"');
	if (formula)
		sbuf_addch(sb, '\'');
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			sbuf_addch(sb, '"');
		sbuf_addch(sb, *p);
	}
	if (quote)
		sbuf_addch(sb, '"');
}

int export_check(
	struct db *db, const char *filters, char *refusal, size_t refusal_len, struct db_error *err)
{
	const char *p[] = {filters};
	PGresult *res = db_exec(db, &st_check, p, err);

	if (!res)
		return -1;
	snprintf(refusal, refusal_len, "%s",
		PQntuples(res) == 1 && !PQgetisnull(res, 0, 0) ? PQgetvalue(res, 0, 0) : "");
	PQclear(res);
	return 0;
}

/* Appends row r of res in fmt; first tells whether it is the document's first row. */
static void render_row(struct sbuf *sb, PGresult *res, int r, enum export_format fmt, int first)
{
	if (fmt == EXPORT_JSON)
		sbuf_addstr(sb, first ? "\n{" : ",\n{");
	for (int c = 0; c < (int)NCOLS; c++) {
		int null = PQgetisnull(res, r, c);
		const char *v = PQgetvalue(res, r, c);
		if (fmt == EXPORT_CSV) {
			if (c)
				sbuf_addch(sb, ',');
			if (!null)
				export_csv_cell(sb, v);
			continue;
		}
		sbuf_addf(sb, "%s\"%s\":", c ? "," : "", cols[c].name);
		if (null)
			sbuf_addstr(sb, "null");
		else if (cols[c].numeric)
			sbuf_addstr(sb, v);
		else
			sbuf_add_json_str(sb, v, strlen(v));
	}
	sbuf_addstr(sb, fmt == EXPORT_CSV ? "\r\n" : "}");
}

/* The CSV head (BOM, header row) or the JSON array's opening. */
static void render_head(struct sbuf *sb, enum export_format fmt)
{
	if (fmt == EXPORT_JSON) {
		sbuf_addch(sb, '[');
		return;
	}
	sbuf_addstr(sb, "\xEF\xBB\xBF");
	for (size_t c = 0; c < NCOLS; c++)
		sbuf_addf(sb, "%s%s", c ? "," : "", cols[c].name);
	sbuf_addstr(sb, "\r\n");
}

/* Hands sb to write when it holds at least min bytes. Returns 0, or -1 when write stops. */
static int flush(struct sbuf *sb, size_t min, export_write_fn *write, void *ctx, int *started)
{
	if (sb->len < min || !sb->len)
		return 0;
	*started = 1;
	int rc = write(ctx, sb->buf, sb->len);
	sbuf_reset(sb);
	return rc;
}

/* Ends the failed export's transaction (a lost connection is reconnected by db later). */
static void rollback(struct db *db)
{
	struct db_error e;

	if (db_exec_simple(db, "ROLLBACK", &e) < 0)
		log_msg(LOG_WARN, "export rollback failed", "error", e.message, NULL);
}

long export_incidents(struct db *db, const char *key_id, const char *filters,
	enum export_format fmt, export_write_fn *write, void *ctx, int *started,
	struct db_error *err)
{
	const char *p[] = {key_id, filters};
	struct sbuf sb = SBUF_INIT;
	long rows = 0;
	int stop = 0;
	PGresult *res;

	*started = 0;
	if (db_exec_simple(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err) < 0)
		return -1;
	if (!(res = db_exec(db, &st_declare, p, err)))
		goto fail;
	PQclear(res);
	sbuf_init(&sb, FLUSH_BYTES + 4096);
	render_head(&sb, fmt);
	for (;;) {
		if (!(res = db_exec(db, &st_fetch, NULL, err)))
			goto fail;
		int n = PQntuples(res);
		for (int r = 0; r < n && !stop; r++, rows++) {
			render_row(&sb, res, r, fmt, rows == 0);
			stop = flush(&sb, FLUSH_BYTES, write, ctx, started) < 0;
		}
		PQclear(res);
		if (stop || n == 0)
			break;
	}
	if (!stop) {
		if (fmt == EXPORT_JSON)
			sbuf_addstr(&sb, rows ? "\n]\n" : "]\n");
		stop = flush(&sb, 1, write, ctx, started) < 0;
	}
	sbuf_release(&sb);
	if (db_exec_simple(db, "COMMIT", err) < 0)
		return -1;
	return stop ? -2 : rows;
fail:
	sbuf_release(&sb);
	rollback(db);
	return -1;
}
