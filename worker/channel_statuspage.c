/* channel_statuspage.c: status-page webhook (§8.5), signed with sha256=HMAC(secret, body). */
#include <string.h>

#include "channel.h"

#define add json_object_object_add
#define str json_object_new_string

static int statuspage_render(const struct channel_msg *m, struct channel_out *o)
{
	struct json_object *root, *data, *v;
	char iso[32], sig[72];

	if (!channel_is_http_url(m->target))
		return channel_out_fail(o, "status-page webhook URL is missing or not http(s)");
	if (!m->event || strncmp(m->event, "incident.", 9))
		return channel_out_fail(o, "status-page event must be incident.*");
	channel_iso(m->now_ms, iso);

	data = json_object_new_object();
	add(data, "id", channel_ref(m, "id"));
	add(data, "title", channel_ref(m, "title"));
	add(data, "description", channel_ref(m, "description"));
	add(data, "status", channel_ref(m, "status"));
	add(data, "urgency", channel_ref(m, "urgency"));
	add(data, "priority", channel_ref(m, "priority"));
	add(data, "service", channel_service_json(m));
	add(data, "assignee", channel_assignee_json(m));
	add(data, "createdAt", channel_ref(m, "created_at"));
	if ((v = channel_ref(m, "acknowledged_at")) && !json_object_is_type(v, json_type_null))
		add(data, "acknowledgedAt", v);
	else
		json_object_put(v);
	if ((v = channel_ref(m, "resolved_at")) && !json_object_is_type(v, json_type_null))
		add(data, "resolvedAt", v);
	else
		json_object_put(v);

	root = json_object_new_object();
	add(root, "event", str(m->event));
	add(root, "timestamp", str(iso));
	add(root, "data", data);
	channel_body_json(o, root);

	sbuf_addstr(&o->url, m->target);
	channel_out_header(o, "Content-Type: application/json");
	channel_out_header(o, "User-Agent: OpsKnight-StatusPage/1.0");
	channel_out_header(o, "X-Webhook-Event: %s", m->event);
	if (m->secret && *m->secret) {
		channel_sign(m->secret, o->body.buf, NULL, sig);
		channel_out_header(o, "X-Webhook-Signature: %s", sig);
	}
	if (m->idempotency_key && *m->idempotency_key)
		channel_out_header(o, "Idempotency-Key: %s", m->idempotency_key);
	return 0;
}

const struct channel channel_statuspage = {"STATUS_PAGE", statuspage_render};
