/* provision.h: creating what an operator provisions (users, teams, policies, schedules,
 * services, integrations, API keys). Used by opsknight-admin; each call is one statement. */
#ifndef OK_PROVISION_H
#define OK_PROVISION_H

struct db;
struct db_error;

#define PROVISION_ID_LEN 37 /* UUID text + NUL */

/*
 * Each function writes the row's id into id and returns 0, or returns -1 with err filled
 * (nothing written). Functions named *_ensure are idempotent: they update the row found by its
 * unique name (or e-mail) instead of failing.
 */
int provision_user_ensure(struct db *db, const char *email, const char *name, const char *role,
	char id[PROVISION_ID_LEN], struct db_error *err) __attribute__((warn_unused_result));
int provision_team_ensure(struct db *db, const char *name, char id[PROVISION_ID_LEN],
	struct db_error *err) __attribute__((warn_unused_result));
/* Adds user to team (no-op when already a member). */
int provision_team_member(struct db *db, const char *team_id, const char *user_id,
	struct db_error *err) __attribute__((warn_unused_result));
/* A policy whose only step pages user_id at once. */
int provision_policy_ensure(struct db *db, const char *name, const char *user_id,
	char id[PROVISION_ID_LEN], struct db_error *err) __attribute__((warn_unused_result));
/* A schedule with one daily-rotation layer holding user_id. */
int provision_schedule_ensure(struct db *db, const char *name, const char *time_zone,
	const char *user_id, char id[PROVISION_ID_LEN], struct db_error *err)
	__attribute__((warn_unused_result));
/* team_id and policy_id may be NULL. */
int provision_service_ensure(struct db *db, const char *name, const char *team_id,
	const char *policy_id, char id[PROVISION_ID_LEN], struct db_error *err)
	__attribute__((warn_unused_result));

struct provision_integration {
	const char *service_id;
	const char *name;
	const char *type;        /* NULL = EVENTS_API_V2 */
	const char *key_hash;    /* keys_hash() of the key handed out */
	const char *key_prefix;
	const char *rate_limit;  /* decimal text or NULL (server default) */
	const char *rate_burst;
	int enabled;
	int replace;             /* 1: re-key the integration of that name on that service */
	const char *signature_secret; /* webhook signing secret (spec §2.3), or NULL */
	int no_sns_verify;       /* 1: accept unsigned SNS messages (tests without AWS) */
};
int provision_integration(struct db *db, const struct provision_integration *in,
	char id[PROVISION_ID_LEN], struct db_error *err) __attribute__((warn_unused_result));

/* scopes is a comma-separated list ("events:write,incidents:read"). replace re-keys the user's
 * key of that name. */
int provision_api_key(struct db *db, const char *user_email, const char *name, const char *scopes,
	const char *key_hash, const char *prefix, int replace, char id[PROVISION_ID_LEN],
	struct db_error *err) __attribute__((warn_unused_result));

#endif
