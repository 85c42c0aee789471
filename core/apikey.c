/* apikey.c: the API-key lookup statement and the scope names. */
#include <stdio.h>
#include <string.h>
#include <libpq-fe.h>

#include "apikey.h"
#include "db.h"
#include "wrapper.h"

/* One round trip: the key and its user, and the at-most-once-a-minute last_used_at stamp. */
static const struct db_stmt stmt_auth = {
	"apikey_auth",
	"WITH k AS (SELECT k.id, k.revoked_at IS NOT NULL AS revoked, k.last_used_at, "
	"  array_to_string(k.scopes, ',') AS scopes, u.id AS user_id, u.role, "
	"  u.status = 'ACTIVE' AS active "
	"  FROM api_key k JOIN app_user u ON u.id = k.user_id WHERE k.key_hash = $1), "
	"touch AS (UPDATE api_key a SET last_used_at = ok_now() "
	"  WHERE a.id = (SELECT x.id FROM api_key x JOIN k ON k.id = x.id "
	"    WHERE NOT k.revoked AND k.active "
	"    AND (k.last_used_at IS NULL OR k.last_used_at < ok_now() - interval '1 minute') "
	"    FOR UPDATE OF x SKIP LOCKED) "
	"  RETURNING a.id) "
	"SELECT id, user_id, role, revoked, active, scopes FROM k",
	1,
};

static const struct {
	unsigned bit;
	const char *name;
} scopes[] = {
	{APIKEY_EVENTS_WRITE, "events:write"},
	{APIKEY_INCIDENTS_READ, "incidents:read"},
	{APIKEY_INCIDENTS_WRITE, "incidents:write"},
	{APIKEY_SERVICES_READ, "services:read"},
	{APIKEY_SERVICES_WRITE, "services:write"},
	{APIKEY_SCHEDULES_READ, "schedules:read"},
	{APIKEY_SCHEDULES_WRITE, "schedules:write"},
	{APIKEY_ANALYTICS_READ, "analytics:read"},
	{APIKEY_ADMIN, "admin"},
};

static const struct {
	const char *name;
	enum apikey_role role;
} roles[] = {
	{"USER", APIKEY_ROLE_USER},
	{"RESPONDER", APIKEY_ROLE_RESPONDER},
	{"ADMIN", APIKEY_ROLE_ADMIN},
};

unsigned apikey_scope_parse(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(scopes); i++)
		if (!strcmp(scopes[i].name, name))
			return scopes[i].bit;
	return 0;
}

const char *apikey_scope_name(unsigned scope)
{
	for (size_t i = 0; i < ARRAY_SIZE(scopes); i++)
		if (scopes[i].bit == scope)
			return scopes[i].name;
	return NULL;
}

int apikey_has_scope(unsigned mask, unsigned scope)
{
	return (mask & APIKEY_ADMIN) || (mask & scope) == scope;
}

const char *apikey_status_code(enum apikey_status st)
{
	switch (st) {
	case APIKEY_OK:
		return NULL;
	case APIKEY_UNKNOWN:
		return "invalid_api_key";
	case APIKEY_REVOKED:
		return "api_key_revoked";
	case APIKEY_USER_INACTIVE:
		return "user_inactive";
	}
	return "invalid_api_key";
}

/* The mask of a comma-separated scope list. */
static unsigned parse_scopes(const char *list)
{
	unsigned mask = 0;

	while (*list) {
		size_t n = strcspn(list, ",");
		char name[32];
		if (n < sizeof(name)) {
			memcpy(name, list, n);
			name[n] = '\0';
			mask |= apikey_scope_parse(name);
		}
		list += n + (list[n] == ',');
	}
	return mask;
}

int apikey_authenticate(
	struct db *db, const char *key_hash, struct apikey *out, struct db_error *err)
{
	const char *p[] = {key_hash};

	memset(out, 0, sizeof(*out));
	PGresult *res = db_exec(db, &stmt_auth, p, err);
	if (!res)
		return -1;
	if (PQntuples(res) < 1) {
		PQclear(res);
		out->status = APIKEY_UNKNOWN;
		return 0;
	}
	if (!strcmp(PQgetvalue(res, 0, 3), "t"))
		out->status = APIKEY_REVOKED;
	else if (strcmp(PQgetvalue(res, 0, 4), "t"))
		out->status = APIKEY_USER_INACTIVE;
	else
		out->status = APIKEY_OK;
	if (out->status == APIKEY_OK) {
		snprintf(out->id, sizeof(out->id), "%s", PQgetvalue(res, 0, 0));
		snprintf(out->user_id, sizeof(out->user_id), "%s", PQgetvalue(res, 0, 1));
		const char *role = PQgetvalue(res, 0, 2);
		for (size_t i = 0; i < ARRAY_SIZE(roles); i++)
			if (!strcmp(roles[i].name, role))
				out->role = roles[i].role;
		out->scopes = parse_scopes(PQgetvalue(res, 0, 5));
	}
	PQclear(res);
	return 0;
}
