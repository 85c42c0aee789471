/* export.h: the streamed incidents export (CSV or JSON) read through a server-side cursor, so
 * any number of rows is written with flat memory. */
#ifndef OK_EXPORT_H
#define OK_EXPORT_H

#include <stddef.h>

struct db;
struct db_error;
struct sbuf;

enum export_format { EXPORT_CSV, EXPORT_JSON };

/* Receives the next piece of the document; returns 0, or -1 to stop (the client went away). */
typedef int export_write_fn(void *ctx, const void *data, size_t n);

/*
 * Appends s as one CSV cell (RFC 4180): a cell starting with = + - @ TAB or CR gets a leading
 * ' (no spreadsheet formula), and a cell holding , " CR or LF is quoted with "" for ".
 */
void export_csv_cell(struct sbuf *sb, const char *s);

/*
 * Checks filters (JSON text, see ok_incident_list: status, urgency, service_id, team_id,
 * assignee_id, created_from, created_to, q) for what only the database can judge. Returns 0
 * with refusal set to "" when they are fine or to the refusal in words; -1 with err filled on
 * a database failure.
 */
int export_check(struct db *db, const char *filters, char *refusal, size_t refusal_len,
	struct db_error *err) __attribute__((warn_unused_result));

/*
 * Streams the incidents key_id may see under filters, newest first, as fmt: CSV (UTF-8 BOM,
 * header row, CRLF, ISO-8601 UTC times) or a JSON array of objects. Opens a read-only
 * transaction with a cursor and fetches 1000 rows at a time; write receives pieces of about
 * 64 KiB. Nothing is written before the first fetch succeeded, so a failure there leaves the
 * response to the caller. Returns the number of rows, -1 with err filled on a database
 * failure (then *started tells whether write was already called), -2 when write asked to stop.
 */
long export_incidents(struct db *db, const char *key_id, const char *filters,
	enum export_format fmt, export_write_fn *write, void *ctx, int *started,
	struct db_error *err) __attribute__((warn_unused_result));

#endif
