/* prometheus.c: Prometheus Alertmanager webhook (v4) → one event per alert of alerts[]. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vendor.h"
#include "normalize.h"
#include "arena.h"
#include "sbuf.h"

#define SOURCE "Prometheus Alertmanager"


static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "prometheus-" + 16 hex digits of SHA-256 over the sorted "k=v,k=v" labels, or NULL when the
 * alert has no labels. */
static const char *labels_key(const struct vendor_ctx *c, struct json_object *labels)
{
	size_t n = (size_t)json_object_object_length(labels), i = 0;
	struct sbuf sb = SBUF_INIT;
	const char *key;

	if (!n)
		return NULL;
	const char **names = arena_alloc(c->arena, n * sizeof(*names));
	json_object_object_foreach(labels, k, v)
	{
		(void)v;
		names[i++] = k;
	}
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		struct json_object *val = NULL;
		json_object_object_get_ex(labels, names[i], &val);
		sbuf_addf(&sb, "%s%s=%s", i ? "," : "", names[i],
			val ? json_object_get_string(val) : "");
	}
	key = arena_printf(c->arena, "prometheus-%s", norm_sha256_prefix(c->arena, sb.buf, 16));
	sbuf_release(&sb);
	return key;
}

static enum event_severity severity(const char *s)
{
	if (s && (!strcasecmp(s, "critical") || !strcasecmp(s, "page")))
		return SEV_CRITICAL;
	if (s && !strcasecmp(s, "error"))
		return SEV_ERROR;
	return SEV_WARNING;
}

int map_prometheus(
	struct json_object *body, const struct vendor_ctx *c, struct event **evs, size_t *n)
{
	struct json_object *alerts = norm_get(body, "alerts");
	size_t len;

	if (norm_check_body(c, body))
		return -1;
	if (!json_object_is_type(alerts, json_type_array) || !json_object_array_length(alerts)) {
		verrs_add(c->errs, "'alerts' must be a non-empty array");
		return -1;
	}
	if (norm_check_alerts(c, alerts))
		return -1;
	len = json_object_array_length(alerts);

	struct event *ev = norm_events(c, len);
	for (size_t i = 0; i < len; i++) {
		struct json_object *a = json_object_array_get_idx(alerts, i);
		const char *summary = NORM_FIRST(c->arena, a, "annotations.summary",
			"annotations.description", "labels.alertname");
		const char *key = norm_str(c->arena, a, "fingerprint");

		if (!key)
			key = labels_key(c, norm_get(a, "labels"));
		if (!key)
			key = arena_printf(c->arena, "prometheus-%s",
				norm_slug(c->arena, summary ? summary : "alert"));
		norm_event(c, &ev[i], norm_alert_resolved(c, body, a) ? EV_RESOLVE : EV_TRIGGER, key,
			summary, SOURCE, severity(norm_str(c->arena, a, "labels.severity")), a);
	}
	*evs = ev;
	*n = len;
	return 0;
}
