/* resources.h: the configuration resources of the REST API (services, integrations, webhooks,
 * teams, users, escalation policies, schedules, status pages, API keys, SLA definitions,
 * notifications): one descriptor each, served by the generic handlers of rest.c (descriptors in resources.c) through the
 * store's ok_rest (sql/007_rest.sql). A route names its descriptor in its arg. */
#ifndef OK_RESOURCES_H
#define OK_RESOURCES_H

#include <stddef.h>
#include <json-c/json.h>
#include "body.h"

struct req;

/* What a create generates beyond the body: secrets written hashed (into gen, the store's
 * "_gen" args, kept out of the Idempotency-Key fingerprint) and shown once (into reveal,
 * merged into the answer's data, never stored). */
typedef void rest_generate_fn(struct req *rq, struct json_object *args, struct json_object *gen,
	struct json_object *reveal);

struct rest_resource {
	const char *name;	      /* rest_resource.name of the store */
	const char *label;	      /* "service", in messages */
	unsigned read_scope;	      /* enum apikey_scope bits a read needs (0: any key) */
	unsigned write_scope;	      /* … and a write */
	const struct field *fields;   /* the body of create (required ones) and patch */
	size_t nfields;
	const struct field *filters;  /* list query filters: F_UUID, F_BOOL or F_STRING one_of */
	size_t nfilters;
	int searchable;		      /* list takes ?q= (name search) */
	const char *id_param;	      /* the segment naming a row in its URL; NULL = "id" */
	rest_generate_fn *generate;   /* on create, or NULL */
};

/* Generates a new signature secret (64 hex characters) into gen and reveal. */
rest_generate_fn rest_new_signature_secret;

extern const struct rest_resource rest_service, rest_integration, rest_webhook, rest_team,
	rest_team_member, rest_user, rest_escalation_policy, rest_escalation_rule, rest_schedule,
	rest_layer, rest_layer_user, rest_override, rest_status_page, rest_status_page_service,
	rest_status_page_webhook, rest_api_key, rest_sla_definition, rest_notification;

#endif
