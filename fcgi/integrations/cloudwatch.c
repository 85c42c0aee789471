/* cloudwatch.c: AWS CloudWatch alarms, bare or inside an SNS Notification envelope. */
#include <string.h>

#include "vendor.h"
#include "normalize.h"
#include "arena.h"
#include "json.h"

static void put_json(void *o)
{
	json_object_put(o);
}

/* Checks the fields a CloudWatch alarm must carry; prefix names where it came from. */
static int check_alarm(struct json_object *m, const struct vendor_ctx *c, const char *prefix)
{
	static const char *const states[] = {"OK", "ALARM", "INSUFFICIENT_DATA"};
	static const char *const required[] = {"AlarmName", "StateChangeTime", "Region"};
	const char *state = norm_str(c->arena, m, "NewStateValue");
	int bad = 0;

	for (size_t i = 0; i < sizeof(required) / sizeof(*required); i++) {
		if (!norm_str(c->arena, m, required[i])) {
			verrs_add(c->errs, "'%s%s' is missing", prefix, required[i]);
			bad++;
		}
	}
	if (!state) {
		verrs_add(c->errs, "'%sNewStateValue' is missing", prefix);
		return -1;
	}
	for (size_t i = 0; i < sizeof(states) / sizeof(*states); i++)
		if (!strcmp(state, states[i]))
			return bad ? -1 : 0;
	verrs_add(c->errs, "'%sNewStateValue' must be OK, ALARM or INSUFFICIENT_DATA", prefix);
	return -1;
}

static enum event_severity severity(
	const struct vendor_ctx *c, const char *state, struct json_object *m)
{
	const char *desc = norm_str(c->arena, m, "AlarmDescription");

	if (!strcmp(state, "OK"))
		return SEV_INFO;
	if (!strcmp(state, "INSUFFICIENT_DATA"))
		return SEV_WARNING;
	if (norm_contains(desc, "CRITICAL") || norm_contains(desc, "HIGH"))
		return SEV_CRITICAL;
	if (norm_contains(desc, "WARNING") || norm_contains(desc, "MEDIUM") ||
		norm_contains(desc, "ERROR"))
		return SEV_ERROR;
	if (norm_contains(desc, "INFO") || norm_contains(desc, "LOW"))
		return SEV_INFO;
	return SEV_CRITICAL;
}

/* The alarm of an SNS Notification (its Message, parsed), or NULL with c->errs filled. */
static struct json_object *sns_alarm(struct json_object *body, const struct vendor_ctx *c)
{
	const char *type = norm_str(c->arena, body, "Type");
	struct json_object *msg = norm_get(body, "Message");
	struct json_object *alarm;
	enum json_parse_error perr;

	if (!strcmp(type, "SubscriptionConfirmation")) {
		/* Recognised by the pipeline, which confirms the subscription itself. */
		verrs_add(c->errs, "SNS SubscriptionConfirmation");
		return NULL;
	}
	if (strcmp(type, "Notification")) {
		verrs_add(c->errs,
			"'Type' must be \"Notification\" for an SNS delivery, not \"%.64s\"", type);
		return NULL;
	}
	if (!json_object_is_type(msg, json_type_string)) {
		verrs_add(c->errs, "'Message' must be a string holding the alarm JSON");
		return NULL;
	}
	alarm = json_parse(
		json_object_get_string(msg), (size_t)json_object_get_string_len(msg), &perr, NULL);
	if (!alarm) {
		verrs_add(c->errs, "'Message' is not JSON: %s", json_parse_error_str(perr));
		return NULL;
	}
	arena_on_reset(c->arena, put_json, alarm);
	if (!json_object_is_type(alarm, json_type_object)) {
		verrs_add(c->errs, "'Message' must hold a JSON object");
		return NULL;
	}
	return alarm;
}

int map_cloudwatch(
	struct json_object *body, const struct vendor_ctx *c, struct event **evs, size_t *n)
{
	struct json_object *alarm = body;
	const char *prefix = "";

	if (norm_check_body(c, body))
		return -1;
	if (norm_str(c->arena, body, "Type") && !norm_get(body, "AlarmName")) {
		if (!(alarm = sns_alarm(body, c)))
			return -1;
		prefix = "Message.";
	}
	if (check_alarm(alarm, c, prefix) < 0)
		return -1;

	const char *name = norm_str(c->arena, alarm, "AlarmName");
	const char *region = norm_str(c->arena, alarm, "Region");
	const char *account = norm_str(c->arena, alarm, "AWSAccountId");
	const char *state = norm_str(c->arena, alarm, "NewStateValue");
	const char *key = arena_printf(c->arena, "cloudwatch-%s%s%s-%s", account ? account : "",
		account ? "-" : "", region, name);
	struct event *ev = norm_events(c, 1);

	norm_event(c, ev, !strcmp(state, "OK") ? EV_RESOLVE : EV_TRIGGER, key, name,
		arena_printf(c->arena, "AWS CloudWatch (%s)", region), severity(c, state, alarm),
		alarm);
	ev->payload = body; /* as received: the SNS envelope when there was one */
	*evs = ev;
	*n = 1;
	return 0;
}
