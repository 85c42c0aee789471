/* seed.c: the demo data set `./dev up` starts with. */
#include <stdio.h>
#include <string.h>

#include "seed.h"
#include "conf.h"
#include "db.h"
#include "keys.h"
#include "log.h"
#include "provision.h"

static int failed(const char *what, const struct db_error *err)
{
	log_msg(LOG_ERROR, "seeding failed", "step", what, "error", err->message, NULL);
	return -1;
}

int seed_demo(struct db *db, const struct conf *conf)
{
	struct db_error err = { 0 };
	char team[PROVISION_ID_LEN], admin[PROVISION_ID_LEN], user[PROVISION_ID_LEN];
	char policy[PROVISION_ID_LEN], schedule[PROVISION_ID_LEN], service[PROVISION_ID_LEN];
	char integration[PROVISION_ID_LEN], api_key_id[PROVISION_ID_LEN];
	char routing_key[KEYS_INTEGRATION_LEN + 1], token[48];
	char rk_hash[KEYS_HASH_HEX_LEN + 1], tok_hash[KEYS_HASH_HEX_LEN + 1];

	if (provision_team_ensure(db, "Demo Team", team, &err) < 0)
		return failed("team", &err);
	if (provision_user_ensure(db, "admin@example.com", "Demo Admin", "ADMIN", admin, &err) < 0)
		return failed("admin user", &err);
	if (provision_user_ensure(db, "user@example.com", "Demo User", "USER", user, &err) < 0)
		return failed("user", &err);
	if (provision_team_member(db, team, admin, &err) < 0 ||
		provision_team_member(db, team, user, &err) < 0)
		return failed("team members", &err);
	if (provision_policy_ensure(db, "Demo Policy", admin, policy, &err) < 0)
		return failed("escalation policy", &err);
	if (provision_schedule_ensure(db, "Demo Schedule", "UTC", admin, schedule, &err) < 0)
		return failed("schedule", &err);
	if (provision_service_ensure(db, "Demo Service", team, policy, service, &err) < 0)
		return failed("service", &err);

	char prefix[7];
	keys_new_integration(routing_key);
	keys_hash(conf->api_key_pepper, routing_key, strlen(routing_key), rk_hash);
	snprintf(prefix, sizeof(prefix), "%.6s", routing_key);
	struct provision_integration in = {
		.service_id = service, .name = "Demo Events API", .key_hash = rk_hash,
		.key_prefix = prefix, .enabled = 1, .replace = 1,
	};
	if (provision_integration(db, &in, integration, &err) < 0)
		return failed("integration", &err);

	keys_new_api_token(token);
	keys_hash(conf->api_key_pepper, token, strlen(token), tok_hash);
	char tprefix[12];
	snprintf(tprefix, sizeof(tprefix), "%.10s", token);
	if (provision_api_key(db, "admin@example.com", "Demo admin key",
		    "events:write,incidents:read,incidents:write,services:read,schedules:read,admin",
		    tok_hash, tprefix, 1, api_key_id, &err) < 0)
		return failed("api key", &err);

	printf("OPSKNIGHT_API_KEY=%s\nOPSKNIGHT_ROUTING_KEY=%s\nOPSKNIGHT_SERVICE_ID=%s\n"
	       "OPSKNIGHT_INTEGRATION_ID=%s\n",
		token, routing_key, service, integration);
	return 0;
}
