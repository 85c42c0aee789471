/* uptime_kuma.c: Uptime Kuma webhook notifications (heartbeat + monitor) into normalised events. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vendor.h"
#include "normalize.h"
#include "arena.h"

/*
 * Appendix §B: heartbeat.status as a number or numeric string: 1 (UP) resolves, anything else
 * (0 DOWN, 2 PENDING, 3 MAINTENANCE) triggers; otherwise the status text (top-level status, else
 * a non-numeric heartbeat.status) containing "up" or "resolved" resolves. Dedup
 * heartbeat.monitorID|monitor.id else uptime-kuma-{slug(monitor.name)}; summary
 * monitor.name|msg|heartbeat.msg (else "Uptime Kuma Alert"); source "Uptime Kuma"; resolve → info
 * else critical. Refused: no monitor identity, or neither heartbeat.status nor status (Uptime
 * Kuma's "Test" notification carries neither).
 */

/* 1 and *num when v is a number or a string JavaScript's Number() reads as one ("" is 0). */
static int numeric(struct json_object *v, double *num)
{
	if (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)) {
		*num = json_object_get_double(v);
		return 1;
	}
	if (!json_object_is_type(v, json_type_string))
		return 0;
	const char *s = json_object_get_string(v);
	while (isspace((unsigned char)*s))
		s++;
	if (!*s) {
		*num = 0;
		return 1;
	}
	char *end;
	*num = strtod(s, &end);
	while (isspace((unsigned char)*end))
		end++;
	return end != s && !*end && !isnan(*num);
}

int map_uptime_kuma(
	struct json_object *body, const struct vendor_ctx *c, struct event **evs, size_t *n)
{
	if (norm_check_body(c, body))
		return -1;
	if (NORM_CHECK_ALL(norm_check_object, c, body, "heartbeat", "monitor"))
		return -1;
	if (NORM_CHECK_ALL(norm_check_scalar, c, body, "heartbeat.status", "heartbeat.monitorID",
		    "heartbeat.msg", "monitor.id", "monitor.name", "status", "msg"))
		return -1;

	const char *id = NORM_FIRST(c->arena, body, "heartbeat.monitorID", "monitor.id");
	const char *name = norm_str(c->arena, body, "monitor.name");
	struct json_object *hb = norm_get(body, "heartbeat.status");
	const char *text = norm_str(c->arena, body, "status");
	double num;
	int is_num = hb && numeric(hb, &num);
	if (!text && hb && !is_num)
		text = norm_str(c->arena, body, "heartbeat.status");
	if (!id && !name)
		verrs_add(c->errs,
			"'heartbeat.monitorID' (or 'monitor.id', 'monitor.name') is missing");
	if (!is_num && !text)
		verrs_add(c->errs, "'heartbeat.status' (or 'status') is missing");
	if ((!is_num && !text) || (!id && !name))
		return -1;

	int up = is_num ? num == 1 : norm_contains(text, "up") || norm_contains(text, "resolved");
	const char *summary = NORM_FIRST(c->arena, body, "monitor.name", "msg", "heartbeat.msg");
	const char *key =
		id ? id : arena_printf(c->arena, "uptime-kuma-%s", norm_slug(c->arena, name));

	*evs = norm_events(c, 1);
	*n = 1;
	norm_event(c, *evs, up ? EV_RESOLVE : EV_TRIGGER, key,
		summary ? summary : "Uptime Kuma Alert", "Uptime Kuma",
		up ? SEV_INFO : SEV_CRITICAL, body);
	return 0;
}
