/* sla.h: the SLA/analytics engine (spec §6.1): the metrics of a filter set computed by one SQL
 * call (ok_analytics in sql/008_sla.sql), the on-call part computed from the schedules, and the
 * pure helpers its renderers share (CSV cells). */
#ifndef OK_SLA_H
#define OK_SLA_H

#include <stdint.h>

#include <json-c/json.h>

struct db;
struct db_error;
struct arena;
struct sbuf;

/* The answer of ok_analytics: root and strings live until the arena is reset. */
struct sla_result {
	int http;		  /* 200, or the status of a refusal */
	const char *error;	  /* refusal code ("invalid_parameter", "forbidden") or NULL */
	const char *message;	  /* the refusal in words, for the client */
	struct json_object *data; /* the metrics object (borrowed from the arena) when no error */
};

/* Bounds of the on-call part: schedules looked at, and days of the coverage outlook. */
#define SLA_SCHEDULES_MAX 200
#define SLA_COVERAGE_DAYS 14

/*
 * Computes the metrics for the API key key_id under filters (a JSON object, see ok_analytics:
 * service_ids, team_ids, assignee_id, urgency, status, priority, visibility, start, end,
 * window_days, time_zone, include, incident_limit; shapes checked by the caller), then adds the
 * on-call part (on_call_load, coverage, current_shifts). Returns 0 and fills out (out->error
 * set on a refusal), or -1 with err filled.
 */
int sla_analytics(struct db *db, struct arena *a, const char *key_id, const char *filters,
	struct sla_result *out, struct db_error *err) __attribute__((warn_unused_result));

/*
 * Appends one CSV cell: a value starting with = + - @ TAB or CR gets a leading ' (no spreadsheet
 * formula), and a value holding a comma, a quote, CR or LF is quoted with quotes doubled.
 * NULL appends nothing (an empty cell).
 */
void sla_csv_cell(struct sbuf *sb, const char *s);

/* Appends a CSV row of n cells and CRLF. */
void sla_csv_row(struct sbuf *sb, const char *const *cells, int n);

/* The text bar of the export: '=' x round(pct*width/100) then '-' up to width, then " p%"
 * (pct clamped to 0..100, one decimal). */
void sla_csv_bar(struct sbuf *sb, double pct, int width);

#endif
