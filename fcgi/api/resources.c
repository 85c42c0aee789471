/* resources.c: the descriptors of the configuration resources (resources.h) — each one's
 * body fields, list filters and scopes — and the secrets a create generates. */
#include <string.h>

#include "resources.h"
#include "req.h"
#include "apikey.h"
#include "conf.h"
#include "crypto.h"
#include "intake.h"
#include "keys.h"
#include "wrapper.h"
#include "../integrations/vendor.h"

#define NAME_MAX_CHARS 100
#define TEXT_MAX_CHARS 1000
#define URL_MAX_CHARS 2048
#define SECRET_MAX_CHARS 256

#define FIELDS(a) a, ARRAY_SIZE(a)

static const char *const service_statuses[] = {"OPERATIONAL", "DEGRADED", "PARTIAL_OUTAGE",
	"MAJOR_OUTAGE", "MAINTENANCE", NULL};
static const char *const channels[] = {"EMAIL", "SMS", "PUSH", "SLACK", "WEBHOOK", "WHATSAPP",
	NULL};
static const char *const webhook_types[] = {"GENERIC", "SLACK", "TEAMS", "MICROSOFT_TEAMS",
	"DISCORD", "GOOGLE_CHAT", "TELEGRAM", NULL};
static const char *const team_roles[] = {"OWNER", "ADMIN", "MEMBER", NULL};
static const char *const user_roles[] = {"USER", "RESPONDER", "ADMIN", NULL};
static const char *const user_statuses[] = {"INVITED", "ACTIVE", "DISABLED", NULL};
static const char *const target_types[] = {"USER", "TEAM", "SCHEDULE", NULL};
/* what the incident outbox queues for status pages (sql/005_incidents.sql) */
static const char *const page_events[] = {"incident.created", "incident.acknowledged",
	"incident.resolved", "incident.updated", "incident.snoozed", "incident.suppressed", NULL};
static const char *const scopes[] = {"events:write", "incidents:read", "incidents:write",
	"services:read", "services:write", "schedules:read", "schedules:write", "analytics:read",
	"admin", NULL};
static const char *const priorities[] = {"P1", "P2", "P3", "P4", "P5", NULL};
static const char *const sla_windows[] = {"7d", "30d", "90d", "quarterly", "yearly", NULL};
static const char *const sla_metrics[] = {"UPTIME", "AVAILABILITY", "LATENCY_P99", "MTTA", "MTTR",
	NULL};

/* --- generated secrets ---------------------------------------------------------------------- */

static void add_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
}

/* A new integration key: stored as its hash, shown once with the URL of every endpoint. */
static void new_integration_key(struct req *rq, struct json_object *args, struct json_object *gen,
	struct json_object *reveal)
{
	char key[KEYS_INTEGRATION_LEN + 1], prefix[7];
	const char *base = rq->app->conf->app_url;
	int n = (int)strlen(base);

	(void)args;
	keys_new_integration(key);
	memcpy(prefix, key, 6);
	prefix[6] = '\0';
	add_str(gen, "key_hash", intake_key_hash(rq, key));
	add_str(gen, "key_prefix", prefix);
	add_str(reveal, "key", key);
	while (n > 0 && base[n - 1] == '/')
		n--;
	struct json_object *urls = json_object_new_object();
	json_object_object_add(reveal, "urls", urls);
	/* Events API v2 clients put the key in the body (routing_key); the others in the URL */
	add_str(urls, "events_api_v2", arena_printf(&rq->arena, "%.*s/v2/enqueue", n, base));
	add_str(urls, "events", arena_printf(&rq->arena, "%.*s/api/events?integration_key=%s", n,
					base, key));
	for (size_t i = 0; i < vendor_count(); i++)
		add_str(urls, vendor_at(i)->name,
			arena_printf(&rq->arena, "%.*s/api/integrations/%s?integration_key=%s", n,
				base, vendor_at(i)->name, key));
}

/* 32 random bytes as 64 hex characters, into gen[col] and reveal[col]. */
static void new_secret(struct json_object *gen, struct json_object *reveal, const char *col)
{
	unsigned char raw[32];
	char hex[sizeof(raw) * 2 + 1];

	crypto_random(raw, sizeof(raw));
	crypto_hex(raw, sizeof(raw), hex);
	add_str(gen, col, hex);
	add_str(reveal, col, hex);
}

void rest_new_signature_secret(struct req *rq, struct json_object *args,
	struct json_object *gen, struct json_object *reveal)
{
	(void)rq;
	(void)args;
	new_secret(gen, reveal, "signature_secret");
}

/* A status-page webhook signs with its secret: generated (and shown once) when not given. */
static void new_page_secret(struct req *rq, struct json_object *args, struct json_object *gen,
	struct json_object *reveal)
{
	(void)rq;
	if (!json_object_object_get_ex(args, "secret", NULL))
		new_secret(gen, reveal, "secret");
}

/* A new API token: stored as its hash, shown once. */
static void new_api_token(struct req *rq, struct json_object *args, struct json_object *gen,
	struct json_object *reveal)
{
	char token[48], prefix[9];

	(void)args;
	keys_new_api_token(token);
	memcpy(prefix, token, 8);
	prefix[8] = '\0';
	add_str(gen, "key_hash", intake_key_hash(rq, token));
	add_str(gen, "prefix", prefix);
	add_str(reveal, "token", token);
}

/* --- the resources -------------------------------------------------------------------------- */

static const struct field service_fields[] = {
	{.name = "name", .type = F_STRING, .min = 1, .max = NAME_MAX_CHARS, .required = 1},
	{.name = "description", .type = F_STRING, .nullable = 1, .max = TEXT_MAX_CHARS,
		.multiline = 1},
	{.name = "region", .type = F_STRING, .nullable = 1, .max = NAME_MAX_CHARS},
	{.name = "sla_tier", .type = F_STRING, .nullable = 1, .max = NAME_MAX_CHARS},
	{.name = "status", .type = F_STRING, .one_of = service_statuses},
	{.name = "target_ack_minutes", .type = F_INT, .min = 1, .max = 10080},
	{.name = "target_resolve_minutes", .type = F_INT, .min = 1, .max = 525600},
	{.name = "team_id", .type = F_UUID, .nullable = 1},
	{.name = "escalation_policy_id", .type = F_UUID, .nullable = 1},
	{.name = "slack_webhook_url", .type = F_URL, .nullable = 1, .max = URL_MAX_CHARS},
	{.name = "slack_channel", .type = F_STRING, .nullable = 1, .max = NAME_MAX_CHARS},
	{.name = "webhook_url", .type = F_URL, .nullable = 1, .max = URL_MAX_CHARS},
	{.name = "notification_channels", .type = F_ENUM_ARRAY, .one_of = channels, .max = 6},
	{.name = "notify_on_triggered", .type = F_BOOL},
	{.name = "notify_on_acknowledged", .type = F_BOOL},
	{.name = "notify_on_resolved", .type = F_BOOL},
	{.name = "notify_on_sla_breach", .type = F_BOOL},
	{.name = "auto_create_war_room", .type = F_BOOL},
};
static const struct field service_filters[] = {
	{.name = "team_id", .type = F_UUID},
	{.name = "status", .type = F_STRING, .one_of = service_statuses},
};
const struct rest_resource rest_service = {
	.name = "service", .label = "service",
	.read_scope = APIKEY_SERVICES_READ, .write_scope = APIKEY_SERVICES_WRITE,
	.fields = FIELDS(service_fields), .filters = FIELDS(service_filters), .searchable = 1,
};

static const struct field integration_fields[] = {
	{.name = "name", .type = F_STRING, .min = 1, .max = NAME_MAX_CHARS, .required = 1},
	{.name = "type", .type = F_STRING, .min = 1, .max = 64},
	{.name = "enabled", .type = F_BOOL},
	{.name = "signature_secret", .type = F_STRING, .nullable = 1, .min = 1,
		.max = SECRET_MAX_CHARS},
	{.name = "rate_limit_per_sec", .type = F_INT, .nullable = 1, .min = 1, .max = 100000},
	{.name = "rate_limit_burst", .type = F_INT, .nullable = 1, .min = 1, .max = 1000000},
	{.name = "sns_verify", .type = F_BOOL},
};
const struct rest_resource rest_integration = {
	.name = "integration", .label = "integration",
	.read_scope = APIKEY_SERVICES_READ, .write_scope = APIKEY_SERVICES_WRITE,
	.fields = FIELDS(integration_fields), .searchable = 1, .generate = new_integration_key,
};

static const struct field webhook_fields[] = {
	{.name = "name", .type = F_STRING, .min = 1, .max = NAME_MAX_CHARS, .required = 1},
	{.name = "type", .type = F_STRING, .one_of = webhook_types, .required = 1},
	{.name = "url", .type = F_URL, .max = URL_MAX_CHARS, .required = 1},
	{.name = "secret", .type = F_STRING, .nullable = 1, .min = 1, .max = SECRET_MAX_CHARS},
	{.name = "channel", .type = F_STRING, .nullable = 1, .max = NAME_MAX_CHARS},
	{.name = "enabled", .type = F_BOOL},
};
const struct rest_resource rest_webhook = {
	.name = "webhook", .label = "webhook",
	.read_scope = APIKEY_SERVICES_READ, .write_scope = APIKEY_SERVICES_WRITE,
	.fields = FIELDS(webhook_fields), .searchable = 1,
};

static const struct field team_fields[] = {
	{.name = "name", .type = F_STRING, .min = 1, .max = NAME_MAX_CHARS, .required = 1},
	{.name = "description", .type = F_STRING, .nullable = 1, .max = TEXT_MAX_CHARS,
		.multiline = 1},
	{.name = "team_lead_id", .type = F_UUID, .nullable = 1},
};
const struct rest_resource rest_team = {
	.name = "team", .label = "team",
	.read_scope = APIKEY_SERVICES_READ, .write_scope = APIKEY_ADMIN,
	.fields = FIELDS(team_fields), .searchable = 1,
};

static const struct field member_fields[] = {
	{.name = "user_id", .type = F_UUID, .required = 1},
	{.name = "role", .type = F_STRING, .one_of = team_roles},
	{.name = "receive_team_notifications", .type = F_BOOL},
};
const struct rest_resource rest_team_member = {
	.name = "team_member", .label = "team member",
	.read_scope = APIKEY_SERVICES_READ, .write_scope = APIKEY_ADMIN,
	.fields = FIELDS(member_fields), .searchable = 1, .id_param = "user_id",
};

static const struct field user_fields[] = {
	{.name = "name", .type = F_STRING, .min = 1, .max = NAME_MAX_CHARS, .required = 1},
	{.name = "email", .type = F_EMAIL, .max = 254, .required = 1},
	{.name = "role", .type = F_STRING, .one_of = user_roles},
	{.name = "status", .type = F_STRING, .one_of = user_statuses},
	{.name = "time_zone", .type = F_STRING, .min = 1, .max = 64},
	{.name = "phone_number", .type = F_STRING, .nullable = 1, .min = 3, .max = 32},
	{.name = "email_notifications_enabled", .type = F_BOOL},
	{.name = "sms_notifications_enabled", .type = F_BOOL},
	{.name = "push_notifications_enabled", .type = F_BOOL},
	{.name = "whatsapp_notifications_enabled", .type = F_BOOL},
	{.name = "department", .type = F_STRING, .nullable = 1, .max = NAME_MAX_CHARS},
	{.name = "job_title", .type = F_STRING, .nullable = 1, .max = NAME_MAX_CHARS},
};
static const struct field user_filters[] = {
	{.name = "role", .type = F_STRING, .one_of = user_roles},
	{.name = "status", .type = F_STRING, .one_of = user_statuses},
};
/* Contact details and notification preferences decide how pages reach a person: writes need
 * schedules:write. The store lets a key edit its own user and keeps the rest (other users,
 * role, status, e-mail) to ADMIN keys with the admin scope. */
const struct rest_resource rest_user = {
	.name = "user", .label = "user",
	.read_scope = APIKEY_SERVICES_READ, .write_scope = APIKEY_SCHEDULES_WRITE,
	.fields = FIELDS(user_fields), .filters = FIELDS(user_filters), .searchable = 1,
};

static const struct field policy_fields[] = {
	{.name = "name", .type = F_STRING, .min = 1, .max = NAME_MAX_CHARS, .required = 1},
	{.name = "description", .type = F_STRING, .nullable = 1, .max = TEXT_MAX_CHARS,
		.multiline = 1},
	{.name = "repeat_count", .type = F_INT, .min = 0, .max = 100},
	{.name = "repeat_delay_minutes", .type = F_INT, .min = 0, .max = 1440},
};
const struct rest_resource rest_escalation_policy = {
	.name = "escalation_policy", .label = "escalation policy",
	.read_scope = APIKEY_SERVICES_READ, .write_scope = APIKEY_SERVICES_WRITE,
	.fields = FIELDS(policy_fields), .searchable = 1,
};

static const struct field rule_fields[] = {
	{.name = "step_order", .type = F_INT, .min = 0, .max = 1000},
	{.name = "delay_minutes", .type = F_INT, .min = 0, .max = 10080},
	{.name = "target_type", .type = F_STRING, .one_of = target_types, .required = 1},
	{.name = "target_user_id", .type = F_UUID, .nullable = 1},
	{.name = "target_team_id", .type = F_UUID, .nullable = 1},
	{.name = "target_schedule_id", .type = F_UUID, .nullable = 1},
	{.name = "notification_channels", .type = F_ENUM_ARRAY, .one_of = channels, .max = 6},
	{.name = "notify_only_team_lead", .type = F_BOOL},
};
const struct rest_resource rest_escalation_rule = {
	.name = "escalation_rule", .label = "escalation rule",
	.read_scope = APIKEY_SERVICES_READ, .write_scope = APIKEY_SERVICES_WRITE,
	.fields = FIELDS(rule_fields),
};

static const struct field schedule_fields[] = {
	{.name = "name", .type = F_STRING, .min = 1, .max = NAME_MAX_CHARS, .required = 1},
	{.name = "time_zone", .type = F_STRING, .min = 1, .max = 64},
};
const struct rest_resource rest_schedule = {
	.name = "schedule", .label = "schedule",
	.read_scope = APIKEY_SCHEDULES_READ, .write_scope = APIKEY_SCHEDULES_WRITE,
	.fields = FIELDS(schedule_fields), .searchable = 1,
};

static const struct field layer_fields[] = {
	{.name = "name", .type = F_STRING, .min = 1, .max = NAME_MAX_CHARS, .required = 1},
	{.name = "start_at", .type = F_TIME, .required = 1},
	{.name = "end_at", .type = F_TIME, .nullable = 1},
	{.name = "rotation_length_hours", .type = F_INT, .min = 1, .max = 8760},
	{.name = "shift_length_hours", .type = F_INT, .nullable = 1, .min = 1, .max = 8760},
	{.name = "restrictions", .type = F_OBJECT, .nullable = 1},
	{.name = "priority", .type = F_INT, .min = -1000, .max = 1000},
};
const struct rest_resource rest_layer = {
	.name = "layer", .label = "layer",
	.read_scope = APIKEY_SCHEDULES_READ, .write_scope = APIKEY_SCHEDULES_WRITE,
	.fields = FIELDS(layer_fields), .searchable = 1,
};

static const struct field layer_user_fields[] = {
	{.name = "user_id", .type = F_UUID, .required = 1},
	{.name = "position", .type = F_INT, .min = 0, .max = 1000},
};
const struct rest_resource rest_layer_user = {
	.name = "layer_user", .label = "layer user",
	.read_scope = APIKEY_SCHEDULES_READ, .write_scope = APIKEY_SCHEDULES_WRITE,
	.fields = FIELDS(layer_user_fields), .id_param = "user_id",
};

static const struct field override_fields[] = {
	{.name = "user_id", .type = F_UUID, .required = 1},
	{.name = "replaces_user_id", .type = F_UUID, .nullable = 1},
	{.name = "start_at", .type = F_TIME, .required = 1},
	{.name = "end_at", .type = F_TIME, .required = 1},
};
static const struct field override_filters[] = {
	{.name = "user_id", .type = F_UUID},
};
const struct rest_resource rest_override = {
	.name = "override", .label = "override",
	.read_scope = APIKEY_SCHEDULES_READ, .write_scope = APIKEY_SCHEDULES_WRITE,
	.fields = FIELDS(override_fields), .filters = FIELDS(override_filters),
};

static const struct field page_fields[] = {
	{.name = "name", .type = F_STRING, .min = 1, .max = NAME_MAX_CHARS, .required = 1},
	{.name = "description", .type = F_STRING, .nullable = 1, .max = TEXT_MAX_CHARS,
		.multiline = 1},
	{.name = "enabled", .type = F_BOOL},
	{.name = "settings", .type = F_OBJECT},
};
const struct rest_resource rest_status_page = {
	.name = "status_page", .label = "status page",
	.read_scope = APIKEY_SERVICES_READ, .write_scope = APIKEY_ADMIN,
	.fields = FIELDS(page_fields), .searchable = 1,
};

static const struct field page_service_fields[] = {
	{.name = "service_id", .type = F_UUID, .required = 1},
	{.name = "show_on_page", .type = F_BOOL},
	{.name = "display_name", .type = F_STRING, .nullable = 1, .max = NAME_MAX_CHARS},
	{.name = "position", .type = F_INT, .min = 0, .max = 1000},
};
const struct rest_resource rest_status_page_service = {
	.name = "status_page_service", .label = "status page service",
	.read_scope = APIKEY_SERVICES_READ, .write_scope = APIKEY_ADMIN,
	.fields = FIELDS(page_service_fields), .id_param = "service_id",
};

static const struct field page_webhook_fields[] = {
	{.name = "url", .type = F_URL, .max = URL_MAX_CHARS, .required = 1},
	{.name = "secret", .type = F_STRING, .min = 16, .max = SECRET_MAX_CHARS},
	{.name = "events", .type = F_ENUM_ARRAY, .one_of = page_events, .min = 1, .max = 6,
		.required = 1},
	{.name = "enabled", .type = F_BOOL},
};
const struct rest_resource rest_status_page_webhook = {
	.name = "status_page_webhook", .label = "status page webhook",
	.read_scope = APIKEY_SERVICES_READ, .write_scope = APIKEY_ADMIN,
	.fields = FIELDS(page_webhook_fields), .generate = new_page_secret,
};

static const struct field api_key_fields[] = {
	{.name = "name", .type = F_STRING, .min = 1, .max = NAME_MAX_CHARS, .required = 1},
	{.name = "scopes", .type = F_ENUM_ARRAY, .one_of = scopes, .min = 1, .max = 9,
		.required = 1},
	{.name = "user_id", .type = F_UUID},
};
const struct rest_resource rest_api_key = {
	.name = "api_key", .label = "API key",
	.fields = FIELDS(api_key_fields), .searchable = 1, .generate = new_api_token,
};

static const struct field sla_fields[] = {
	{.name = "name", .type = F_STRING, .min = 1, .max = NAME_MAX_CHARS, .required = 1},
	{.name = "description", .type = F_STRING, .nullable = 1, .max = TEXT_MAX_CHARS,
		.multiline = 1},
	{.name = "service_id", .type = F_UUID, .nullable = 1},
	{.name = "team_id", .type = F_UUID, .nullable = 1},
	{.name = "priority", .type = F_STRING, .nullable = 1, .one_of = priorities},
	{.name = "target", .type = F_NUMBER, .min = 0, .max = 100, .required = 1},
	{.name = "window", .type = F_STRING, .one_of = sla_windows, .required = 1,
		.column = "sla_window"},
	{.name = "metric_type", .type = F_STRING, .one_of = sla_metrics, .required = 1},
	{.name = "target_ack_time", .type = F_INT, .nullable = 1, .min = 1, .max = 525600},
	{.name = "target_resolve_time", .type = F_INT, .nullable = 1, .min = 1, .max = 525600},
	{.name = "active_from", .type = F_TIME},
	{.name = "active_to", .type = F_TIME, .nullable = 1},
};
static const struct field sla_filters[] = {
	{.name = "service_id", .type = F_UUID},
};
const struct rest_resource rest_sla_definition = {
	.name = "sla_definition", .label = "SLA definition",
	.read_scope = APIKEY_ANALYTICS_READ, .write_scope = APIKEY_SERVICES_WRITE,
	.fields = FIELDS(sla_fields), .filters = FIELDS(sla_filters), .searchable = 1,
};

static const struct field notification_filters[] = {
	{.name = "read", .type = F_BOOL},
};
const struct rest_resource rest_notification = {
	.name = "notification", .label = "notification",
	.filters = FIELDS(notification_filters), .searchable = 1,
};
