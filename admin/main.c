/* main.c: opsknight-admin, the operator's command line (migrate, seed, create objects, keys). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "keys.h"
#include "log.h"
#include "migrate.h"
#include "provision.h"
#include "seed.h"
#include "wrapper.h"
#include "config.h"

/* --name value pairs and bare --flags of one invocation */
struct opts {
	int n;
	const char *key[16];
	const char *val[16];
};

struct ctx {
	struct conf conf;
	struct db *db;
	struct opts o;
};

static const char *opt(const struct ctx *c, const char *key)
{
	for (int i = 0; i < c->o.n; i++)
		if (!strcmp(c->o.key[i], key))
			return c->o.val[i];
	return NULL;
}

/* A required option; exits 2 with a message naming it when absent. */
static const char *need(const struct ctx *c, const char *key)
{
	const char *v = opt(c, key);
	if (!v || !*v) {
		fprintf(stderr, "opsknight-admin: --%s is required\n", key);
		exit(2);
	}
	return v;
}

static int fail(const char *what, const struct db_error *err)
{
	fprintf(stderr, "opsknight-admin: %s failed: %s\n", what, err->message);
	return 1;
}

static int need_uuid(const char *flag, const char *v)
{
	if (v && !crypto_is_uuid(v)) {
		fprintf(stderr, "opsknight-admin: --%s must be a UUID\n", flag);
		return 0;
	}
	return 1;
}

static int cmd_migrate(struct ctx *c)
{
	return migrate_run(c->db, c->conf.sql_dir) < 0 ? 1 : 0;
}

static int cmd_seed_demo(struct ctx *c)
{
	return seed_demo(c->db, &c->conf) < 0 ? 1 : 0;
}

static int cmd_create_user(struct ctx *c)
{
	struct db_error err = { 0 };
	char id[PROVISION_ID_LEN];
	const char *email = need(c, "email"), *team = opt(c, "team");
	const char *name = opt(c, "name") ? opt(c, "name") : email;
	const char *role = opt(c, "role") ? opt(c, "role") : "USER";

	if (!need_uuid("team", team))
		return 2;
	if (provision_user_ensure(c->db, email, name, role, id, &err) < 0)
		return fail("create-user", &err);
	if (team && provision_team_member(c->db, team, id, &err) < 0)
		return fail("adding the user to the team", &err);
	printf("USER_ID=%s\n", id);
	return 0;
}

static int cmd_create_team(struct ctx *c)
{
	struct db_error err = { 0 };
	char id[PROVISION_ID_LEN];

	if (provision_team_ensure(c->db, need(c, "name"), id, &err) < 0)
		return fail("create-team", &err);
	printf("TEAM_ID=%s\n", id);
	return 0;
}

static int cmd_create_service(struct ctx *c)
{
	struct db_error err = { 0 };
	char id[PROVISION_ID_LEN];
	const char *team = opt(c, "team"), *policy = opt(c, "policy");

	if (policy && !strcmp(policy, "none"))
		policy = NULL;
	if (!need_uuid("team", team) || !need_uuid("policy", policy))
		return 2;
	if (provision_service_ensure(c->db, need(c, "name"), team, policy, id, &err) < 0)
		return fail("create-service", &err);
	printf("SERVICE_ID=%s\n", id);
	return 0;
}

static int cmd_create_integration(struct ctx *c)
{
	struct db_error err = { 0 };
	char id[PROVISION_ID_LEN], key[KEYS_INTEGRATION_LEN + 1], hash[KEYS_HASH_HEX_LEN + 1];
	char prefix[7];
	const char *service = need(c, "service");

	if (!need_uuid("service", service))
		return 2;
	keys_new_integration(key);
	keys_hash(c->conf.api_key_pepper, key, strlen(key), hash);
	snprintf(prefix, sizeof(prefix), "%.6s", key);
	struct provision_integration in = {
		.service_id = service,
		.name = opt(c, "name") ? opt(c, "name") : "Events API v2",
		.type = opt(c, "type"),
		.key_hash = hash,
		.key_prefix = prefix,
		.rate_limit = opt(c, "rate-limit"),
		.rate_burst = opt(c, "burst"),
		.enabled = !opt(c, "disabled"),
		.signature_secret = opt(c, "signature-secret") && *opt(c, "signature-secret") ?
			opt(c, "signature-secret") : NULL,
		.no_sns_verify = opt(c, "no-sns-verify") != NULL,
	};
	if (provision_integration(c->db, &in, id, &err) < 0)
		return fail("create-integration", &err);
	printf("INTEGRATION_ID=%s\nINTEGRATION_KEY=%s\n", id, key);
	return 0;
}

static int cmd_create_api_key(struct ctx *c)
{
	struct db_error err = { 0 };
	char id[PROVISION_ID_LEN], token[48], hash[KEYS_HASH_HEX_LEN + 1], prefix[9];
	const char *user = need(c, "user"), *scopes = need(c, "scopes");

	keys_new_api_token(token);
	keys_hash(c->conf.api_key_pepper, token, strlen(token), hash);
	snprintf(prefix, sizeof(prefix), "%.8s", token); /* spec §0: the first 8 characters */
	if (provision_api_key(c->db, user, opt(c, "name") ? opt(c, "name") : "API key", scopes,
		    hash, prefix, 0, id, &err) < 0)
		return fail("create-api-key (is the user's e-mail right?)", &err);
	printf("API_KEY_ID=%s\nAPI_KEY=%s\n", id, token);
	return 0;
}

static int cmd_version(struct ctx *c)
{
	printf("opsknight %s\n", PACKAGE_VERSION);
	return 0;
}

static const struct command {
	const char *name;
	int (*fn)(struct ctx *);
	int needs_db;
	int needs_pepper;
	const char *usage;
} commands[] = {
	{ "migrate", cmd_migrate, 1, 0, "apply pending sql/NNN_*.sql migrations" },
	{ "seed-demo", cmd_seed_demo, 1, 1, "create the demo data set; prints its keys" },
	{ "create-user", cmd_create_user, 1, 0,
		"--email E [--name N] [--role USER|RESPONDER|ADMIN] [--team TEAM_ID]" },
	{ "create-team", cmd_create_team, 1, 0, "--name N" },
	{ "create-service", cmd_create_service, 1, 0,
		"--name N [--team TEAM_ID] [--policy POLICY_ID|none]" },
	{ "create-integration", cmd_create_integration, 1, 1,
		"--service SERVICE_ID [--name N] [--type T] [--rate-limit PER_SEC] [--burst N] "
		"[--disabled] [--signature-secret S] [--no-sns-verify]" },
	{ "create-api-key", cmd_create_api_key, 1, 1,
		"--user EMAIL --scopes events:write,incidents:read [--name N]" },
	{ "version", cmd_version, 0, 0, "print the version" },
};

static int usage(void)
{
	fprintf(stderr, "usage: opsknight-admin COMMAND [OPTIONS]\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(stderr, "  %-20s %s\n", commands[i].name, commands[i].usage);
	return 2;
}

static int parse_opts(struct opts *o, int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		const char *k = skip_prefix_ci(argv[i], "--");
		if (!k || !*k || o->n == (int)ARRAY_SIZE(o->key)) {
			fprintf(stderr, "opsknight-admin: unexpected argument '%s'\n", argv[i]);
			return -1;
		}
		o->key[o->n] = k;
		o->val[o->n] = (i + 1 < argc && strncmp(argv[i + 1], "--", 2)) ? argv[++i] : "";
		o->n++;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct ctx c = { 0 };
	const struct command *cmd = NULL;
	struct db_error err = { 0 };

	for (size_t i = 0; argc > 1 && i < ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			cmd = &commands[i];
	if (!cmd)
		return usage();
	if (parse_opts(&c.o, argc - 2, argv + 2) < 0)
		return usage();
	log_init("admin", LOG_INFO);
	conf_load_or_exit(&c.conf, NULL);
	log_set_level(c.conf.log_level);
	if (cmd->needs_pepper && !*c.conf.api_key_pepper) {
		fprintf(stderr, "opsknight-admin: api_key_pepper is not configured\n");
		conf_release(&c.conf);
		return 78;
	}
	int rc = 0;
	if (cmd->needs_db) {
		c.db = db_new(c.conf.database_url, "opsknight-admin", 0);
		if (db_ensure(c.db, &err) < 0)
			rc = fail("connecting to the database", &err);
	}
	if (!rc)
		rc = cmd->fn(&c);
	db_free(c.db);
	conf_release(&c.conf);
	return rc;
}
