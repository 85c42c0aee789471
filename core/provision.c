/* provision.c: one statement per provisioned object; upserts keyed by the unique names. */
#include <stdio.h>
#include <string.h>
#include <libpq-fe.h>

#include "provision.h"
#include "db.h"

static const struct db_stmt stmt_user = {
	"prov_user",
	"INSERT INTO app_user (email, name, role, status) VALUES ($1, $2, $3, 'ACTIVE') "
	"ON CONFLICT (email) DO UPDATE SET name = excluded.name, role = excluded.role, "
	"status = 'ACTIVE', updated_at = ok_now() RETURNING id",
	3,
};

static const struct db_stmt stmt_team = {
	"prov_team",
	"INSERT INTO team (name) VALUES ($1) "
	"ON CONFLICT (name) DO UPDATE SET updated_at = ok_now() RETURNING id",
	1,
};

static const struct db_stmt stmt_member = {
	"prov_member",
	"INSERT INTO team_member (team_id, user_id) VALUES ($1, $2) "
	"ON CONFLICT (user_id, team_id) DO UPDATE SET role = team_member.role RETURNING id",
	2,
};

static const struct db_stmt stmt_policy = {
	"prov_policy",
	"WITH p AS (INSERT INTO escalation_policy (name) VALUES ($1) "
	"  ON CONFLICT (name) DO UPDATE SET updated_at = ok_now() RETURNING id), "
	"gone AS (DELETE FROM escalation_rule WHERE policy_id = (SELECT id FROM p)), "
	"r AS (INSERT INTO escalation_rule (policy_id, step_order, delay_minutes, target_type, "
	"  target_user_id) SELECT id, 0, 0, 'USER', $2 FROM p) "
	"SELECT id FROM p",
	2,
};

static const struct db_stmt stmt_schedule = {
	"prov_schedule",
	"WITH s AS (INSERT INTO oncall_schedule (name, time_zone) VALUES ($1, $2) "
	"  ON CONFLICT (name) DO UPDATE SET time_zone = excluded.time_zone, updated_at = ok_now() "
	"  RETURNING id), "
	"gone AS (DELETE FROM oncall_layer WHERE schedule_id = (SELECT id FROM s)), "
	"l AS (INSERT INTO oncall_layer (schedule_id, name, start_at, rotation_length_hours) "
	"  SELECT id, 'Primary', date_trunc('day', ok_now()), 24 FROM s RETURNING id), "
	"u AS (INSERT INTO oncall_layer_user (layer_id, user_id, position) SELECT id, $3, 0 FROM l) "
	"SELECT id FROM s",
	3,
};

static const struct db_stmt stmt_service = {
	"prov_service",
	"INSERT INTO service (name, team_id, escalation_policy_id) VALUES ($1, $2, $3) "
	"ON CONFLICT (name) DO UPDATE SET team_id = excluded.team_id, "
	"escalation_policy_id = excluded.escalation_policy_id, updated_at = ok_now() RETURNING id",
	3,
};

static const struct db_stmt stmt_integration = {
	"prov_integration",
	"WITH u AS (UPDATE integration SET key_hash = $4, key_prefix = $5, type = $3, "
	"  rate_limit_per_sec = $6::int, rate_limit_burst = $7::int, enabled = $8::boolean, "
	"  signature_secret = $10, sns_verify = $11::boolean, updated_at = ok_now() "
	"  WHERE $9::boolean AND id = (SELECT id FROM integration WHERE service_id = $1 AND name = $2 "
	"  ORDER BY created_at LIMIT 1) RETURNING id), "
	"i AS (INSERT INTO integration (service_id, name, type, key_hash, key_prefix, "
	"  rate_limit_per_sec, rate_limit_burst, enabled, signature_secret, sns_verify) "
	"  SELECT $1, $2, $3, $4, $5, $6::int, $7::int, $8::boolean, $10, $11::boolean "
	"  WHERE NOT EXISTS (SELECT 1 FROM u) RETURNING id) "
	"SELECT id FROM u UNION ALL SELECT id FROM i",
	11,
};

static const struct db_stmt stmt_api_key = {
	"prov_api_key",
	"WITH usr AS (SELECT id FROM app_user WHERE email = $1), "
	"u AS (UPDATE api_key SET key_hash = $4, prefix = $5, scopes = string_to_array($3, ','), "
	"  revoked_at = NULL WHERE $6::boolean AND user_id = (SELECT id FROM usr) AND name = $2 "
	"  RETURNING id), "
	"i AS (INSERT INTO api_key (user_id, name, scopes, key_hash, prefix) "
	"  SELECT id, $2, string_to_array($3, ','), $4, $5 FROM usr "
	"  WHERE NOT EXISTS (SELECT 1 FROM u) RETURNING id) "
	"SELECT id FROM u UNION ALL SELECT id FROM i",
	6,
};

/* Runs st and copies the id of its single row. A statement that returns no row names a
 * missing referenced object (e.g. an unknown user e-mail). */
static int one_id(struct db *db, const struct db_stmt *st, const char *const *params,
	char id[PROVISION_ID_LEN], struct db_error *err)
{
	PGresult *res = db_exec(db, st, params, err);

	if (!res)
		return -1;
	if (PQntuples(res) < 1) {
		PQclear(res);
		db_classify("23503", err);
		snprintf(err->message, sizeof(err->message), "%s: referenced row not found",
			st->name);
		return -1;
	}
	snprintf(id, PROVISION_ID_LEN, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

int provision_user_ensure(struct db *db, const char *email, const char *name, const char *role,
	char id[PROVISION_ID_LEN], struct db_error *err)
{
	const char *p[] = { email, name, role };
	return one_id(db, &stmt_user, p, id, err);
}

int provision_team_ensure(struct db *db, const char *name, char id[PROVISION_ID_LEN],
	struct db_error *err)
{
	const char *p[] = { name };
	return one_id(db, &stmt_team, p, id, err);
}

int provision_team_member(struct db *db, const char *team_id, const char *user_id,
	struct db_error *err)
{
	char id[PROVISION_ID_LEN];
	const char *p[] = { team_id, user_id };
	return one_id(db, &stmt_member, p, id, err);
}

int provision_policy_ensure(struct db *db, const char *name, const char *user_id,
	char id[PROVISION_ID_LEN], struct db_error *err)
{
	const char *p[] = { name, user_id };
	return one_id(db, &stmt_policy, p, id, err);
}

int provision_schedule_ensure(struct db *db, const char *name, const char *time_zone,
	const char *user_id, char id[PROVISION_ID_LEN], struct db_error *err)
{
	const char *p[] = { name, time_zone, user_id };
	return one_id(db, &stmt_schedule, p, id, err);
}

int provision_service_ensure(struct db *db, const char *name, const char *team_id,
	const char *policy_id, char id[PROVISION_ID_LEN], struct db_error *err)
{
	const char *p[] = { name, team_id, policy_id };
	return one_id(db, &stmt_service, p, id, err);
}

int provision_integration(struct db *db, const struct provision_integration *in,
	char id[PROVISION_ID_LEN], struct db_error *err)
{
	const char *p[] = { in->service_id, in->name, in->type ? in->type : "EVENTS_API_V2",
		in->key_hash, in->key_prefix, in->rate_limit, in->rate_burst,
		in->enabled ? "t" : "f", in->replace ? "t" : "f", in->signature_secret,
		in->no_sns_verify ? "f" : "t" };
	return one_id(db, &stmt_integration, p, id, err);
}

int provision_api_key(struct db *db, const char *user_email, const char *name, const char *scopes,
	const char *key_hash, const char *prefix, int replace, char id[PROVISION_ID_LEN],
	struct db_error *err)
{
	const char *p[] = { user_email, name, scopes, key_hash, prefix, replace ? "t" : "f" };
	return one_id(db, &stmt_api_key, p, id, err);
}
