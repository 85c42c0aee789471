/* incidents.h: the incidents REST API's store: one SQL function call per read or write. */
#ifndef OK_INCIDENTS_H
#define OK_INCIDENTS_H

#include "rest.h"

struct db;
struct db_error;
struct arena;

/*
 * Runs one write of the incidents API as the key key_id: op is "create", "patch", "note",
 * "snooze", "acknowledge", "resolve" or "bulk", args its JSON object (see sql/005_incidents.sql),
 * idem_key the request's Idempotency-Key or NULL (a replay returns the first answer with
 * "replayed": true). Returns 0 and fills out (out->error set on a refusal; nothing was
 * written), or -1 with err filled.
 */
int incidents_write(struct db *db, struct arena *a, const char *key_id, const char *idem_key,
	const char *op, const char *args, struct rest_result *out, struct db_error *err)
	__attribute__((warn_unused_result));

/* One incident (id must be a UUID) with alerts, notes and timeline, as key_id sees it.
 * Returns 0 and fills out (error "not_found" / "incident_forbidden"), or -1 with err. */
int incidents_get(struct db *db, struct arena *a, const char *key_id, const char *id,
	struct rest_result *out, struct db_error *err) __attribute__((warn_unused_result));

/* A page of incidents for key_id under filters (a JSON object, see ok_incident_list): root
 * holds "data" and "next_cursor". Returns 0 and fills out (error "invalid_parameter" for a bad
 * time or cursor), or -1 with err. */
int incidents_list(struct db *db, struct arena *a, const char *key_id, const char *filters,
	struct rest_result *out, struct db_error *err) __attribute__((warn_unused_result));

#endif
