/* apikey.h: authenticating REST callers by API token (spec §0): key → user, role, scopes. */
#ifndef OK_APIKEY_H
#define OK_APIKEY_H

struct db;
struct db_error;

/* The scopes an API key may hold, as bits of a mask (spec §0 plus our write/analytics/admin). */
enum apikey_scope {
	APIKEY_EVENTS_WRITE = 1u << 0,
	APIKEY_INCIDENTS_READ = 1u << 1,
	APIKEY_INCIDENTS_WRITE = 1u << 2,
	APIKEY_SERVICES_READ = 1u << 3,
	APIKEY_SERVICES_WRITE = 1u << 4,
	APIKEY_SCHEDULES_READ = 1u << 5,
	APIKEY_SCHEDULES_WRITE = 1u << 6,
	APIKEY_ANALYTICS_READ = 1u << 7,
	APIKEY_ADMIN = 1u << 8, /* satisfies every scope */
};

enum apikey_role { APIKEY_ROLE_USER, APIKEY_ROLE_RESPONDER, APIKEY_ROLE_ADMIN };

/* What the lookup found. Only APIKEY_OK fills the identity fields of struct apikey. */
enum apikey_status {
	APIKEY_OK = 0,
	APIKEY_UNKNOWN,	      /* no key has that hash */
	APIKEY_REVOKED,	      /* revoked_at is set */
	APIKEY_USER_INACTIVE, /* the owning user is not ACTIVE */
};

#define APIKEY_ID_LEN 37 /* UUID text + NUL */

struct apikey {
	enum apikey_status status;
	char id[APIKEY_ID_LEN];
	char user_id[APIKEY_ID_LEN];
	enum apikey_role role;
	unsigned scopes; /* mask of enum apikey_scope; unknown scope names are ignored */
};

/*
 * Looks up the key whose stored hash is key_hash (keys_hash() of the presented token) in one
 * statement, which also stamps last_used_at when it is unset or older than a minute (only
 * for a usable key; a concurrent stamp of the same key is skipped, not waited for). Returns 0
 * and fills out (out->status says whether the key may be used), or -1 with err filled.
 */
int apikey_authenticate(struct db *db, const char *key_hash, struct apikey *out,
	struct db_error *err) __attribute__((warn_unused_result));

/* The bit of a scope name ("schedules:read"), or 0 when the name is unknown. */
unsigned apikey_scope_parse(const char *name);
/* The name of a single scope bit, or NULL. Static storage. */
const char *apikey_scope_name(unsigned scope);
/* 1 when mask grants scope: every bit of scope is held, or the mask holds APIKEY_ADMIN. */
int apikey_has_scope(unsigned mask, unsigned scope);
/* The refusal code for a status that is not APIKEY_OK ("invalid_api_key", "api_key_revoked",
 * "user_inactive"), NULL for APIKEY_OK. */
const char *apikey_status_code(enum apikey_status st);

#endif
