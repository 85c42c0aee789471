/* channel_slack.c: Slack incoming-webhook message: a coloured attachment holding Block Kit blocks.
 */
#include <string.h>

#include "channel.h"

#define add json_object_object_add
#define str json_object_new_string

/* Slack mrkdwn needs &, < and > escaped. */
static void add_mrkdwn(struct sbuf *sb, const char *s)
{
	for (; *s; s++) {
		if (*s == '&')
			sbuf_addstr(sb, "&amp;");
		else if (*s == '<')
			sbuf_addstr(sb, "&lt;");
		else if (*s == '>')
			sbuf_addstr(sb, "&gt;");
		else
			sbuf_addch(sb, *s);
	}
}

static struct json_object *field(const char *label, const char *value)
{
	struct json_object *f = json_object_new_object();
	struct sbuf sb = SBUF_INIT;

	sbuf_addf(&sb, "*%s:*\n", label);
	add_mrkdwn(&sb, value);
	add(f, "type", str("mrkdwn"));
	add(f, "text", json_object_new_string_len(sb.buf, (int)sb.len));
	sbuf_release(&sb);
	return f;
}

static int slack_render(const struct channel_msg *m, struct channel_out *o)
{
	enum channel_tone tone = channel_tone(m);
	struct json_object *root, *att, *atts, *blocks, *b, *t, *fields, *el, *btn;
	struct sbuf head = SBUF_INIT, color = SBUF_INIT, desc = SBUF_INIT, full = SBUF_INIT;
	const char *url = channel_str(m, "url"), *d = channel_str(m, "description");

	if (!channel_is_http_url(m->target))
		return channel_out_fail(o, "Slack webhook URL is missing or not http(s)");
	sbuf_addf(&full, "%s Incident %s: %s", channel_tone_emoji(tone),
		channel_event_word(m->event), channel_str(m, "title"));
	channel_add_trunc(&head, full.buf, 150); /* Slack's header limit */
	sbuf_addf(&color, "#%s", channel_tone_hex(tone));

	blocks = json_object_new_array();
	b = json_object_new_object();
	add(b, "type", str("header"));
	t = json_object_new_object();
	add(t, "type", str("plain_text"));
	add(t, "text", str(head.buf));
	add(t, "emoji", json_object_new_boolean(1));
	add(b, "text", t);
	json_object_array_add(blocks, b);

	b = json_object_new_object();
	add(b, "type", str("section"));
	fields = json_object_new_array();
	json_object_array_add(fields, field("Service", channel_str(m, "service.name")));
	json_object_array_add(fields, field("Status", channel_str(m, "status")));
	json_object_array_add(fields, field("Urgency", channel_str(m, "urgency")));
	json_object_array_add(fields, field("Assignee", channel_assignee(m)));
	add(b, "fields", fields);
	json_object_array_add(blocks, b);

	if (*d) {
		struct sbuf esc = SBUF_INIT;

		add_mrkdwn(&esc, d);
		channel_add_trunc(&desc, esc.buf, 3000); /* section text limit */
		sbuf_release(&esc);
		b = json_object_new_object();
		add(b, "type", str("section"));
		t = json_object_new_object();
		add(t, "type", str("mrkdwn"));
		add(t, "text", str(desc.buf));
		add(b, "text", t);
		json_object_array_add(blocks, b);
	}
	if (channel_is_http_url(url)) {
		b = json_object_new_object();
		add(b, "type", str("actions"));
		el = json_object_new_array();
		btn = json_object_new_object();
		add(btn, "type", str("button"));
		t = json_object_new_object();
		add(t, "type", str("plain_text"));
		add(t, "text", str("View Incident"));
		add(btn, "text", t);
		add(btn, "url", str(url));
		add(btn, "style", str("primary"));
		json_object_array_add(el, btn);
		add(b, "elements", el);
		json_object_array_add(blocks, b);
	}

	root = json_object_new_object();
	if (m->extra && *m->extra)
		add(root, "channel", str(m->extra));
	add(root, "text", str(head.buf)); /* notification fallback */
	atts = json_object_new_array();
	att = json_object_new_object();
	add(att, "color", str(color.buf));
	add(att, "blocks", blocks);
	json_object_array_add(atts, att);
	add(root, "attachments", atts);
	channel_body_json(o, root);

	sbuf_addstr(&o->url, m->target);
	channel_out_header(o, "Content-Type: application/json");
	sbuf_release(&head);
	sbuf_release(&color);
	sbuf_release(&desc);
	sbuf_release(&full);
	return 0;
}

const struct channel channel_slack = {"SLACK", slack_render};
