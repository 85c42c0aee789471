/* channel_webhook.c: the generic incident webhook (§8.5), signed over "{ts}.{body}". */
#include <inttypes.h>
#include <stdio.h>

#include "channel.h"

static void add(struct json_object *o, const char *key, struct json_object *v)
{
	json_object_object_add(o, key, v);
}

static int webhook_render(const struct channel_msg *m, struct channel_out *o)
{
	struct json_object *root, *ev, *inc, *ts;
	char iso[32], ms[24], sig[72];

	if (!channel_is_http_url(m->target))
		return channel_out_fail(o, "webhook URL is missing or not http(s)");
	channel_iso(m->now_ms, iso);
	snprintf(ms, sizeof(ms), "%" PRId64, m->now_ms);

	root = json_object_new_object();
	ev = json_object_new_object();
	add(ev, "type", json_object_new_string(m->event ? m->event : "updated"));
	add(ev, "timestamp", json_object_new_string(iso));
	add(root, "event", ev);

	inc = json_object_new_object();
	add(inc, "id", channel_ref(m, "id"));
	add(inc, "title", channel_ref(m, "title"));
	add(inc, "description", channel_ref(m, "description"));
	add(inc, "status", channel_ref(m, "status"));
	add(inc, "urgency", channel_ref(m, "urgency"));
	add(inc, "url", channel_ref(m, "url"));
	add(inc, "service", channel_service_json(m));
	add(inc, "assignee", channel_assignee_json(m));
	ts = json_object_new_object();
	add(ts, "created", channel_ref(m, "created_at"));
	add(ts, "acknowledged", channel_ref(m, "acknowledged_at"));
	add(ts, "resolved", channel_ref(m, "resolved_at"));
	add(inc, "timestamps", ts);
	add(root, "incident", inc);
	channel_body_json(o, root);

	sbuf_addstr(&o->url, m->target);
	channel_out_header(o, "Content-Type: application/json");
	channel_out_header(o, "User-Agent: OpsKnight/1.0");
	channel_out_header(o, "X-OpsKnight-Timestamp: %s", ms);
	if (m->secret && *m->secret) {
		struct sbuf data = SBUF_INIT;

		sbuf_addf(&data, "%s.", ms);
		sbuf_add(&data, o->body.buf, o->body.len);
		channel_sign(m->secret, data.buf, NULL, sig);
		sbuf_release(&data);
		channel_out_header(o, "X-OpsKnight-Signature: %s", sig);
	}
	if (m->idempotency_key && *m->idempotency_key)
		channel_out_header(o, "Idempotency-Key: %s", m->idempotency_key);
	return 0;
}

const struct channel channel_webhook = {"WEBHOOK", webhook_render};
