/* channel_discord.c: Discord webhook message with one coloured embed. */
#include <stdlib.h>

#include "channel.h"

#define add json_object_object_add
#define str json_object_new_string

static struct json_object *field(const char *name, const char *value)
{
	struct json_object *f = json_object_new_object();
	struct sbuf sb = SBUF_INIT;

	channel_add_trunc(&sb, *value ? value : "-", 1024); /* Discord's field value limit */
	add(f, "name", str(name));
	add(f, "value", str(sb.buf));
	add(f, "inline", json_object_new_boolean(1));
	sbuf_release(&sb);
	return f;
}

static int discord_render(const struct channel_msg *m, struct channel_out *o)
{
	enum channel_tone tone = channel_tone(m);
	struct json_object *root, *embeds, *e, *fields, *footer;
	struct sbuf full = SBUF_INIT, title = SBUF_INIT, desc = SBUF_INIT;
	const char *url = channel_str(m, "url"), *d = channel_str(m, "description");
	char iso[32];

	if (!channel_is_http_url(m->target))
		return channel_out_fail(o, "Discord webhook URL is missing or not http(s)");
	sbuf_addf(&full, "%s Incident %s: %s", channel_tone_emoji(tone),
		channel_event_word(m->event), channel_str(m, "title"));
	channel_add_trunc(&title, full.buf, 256);
	channel_add_trunc(&desc, d, 4096);
	channel_iso(m->now_ms, iso);

	e = json_object_new_object();
	add(e, "title", str(title.buf));
	if (desc.len)
		add(e, "description", str(desc.buf));
	if (channel_is_http_url(url))
		add(e, "url", str(url));
	add(e, "color", json_object_new_int((int)strtol(channel_tone_hex(tone), NULL, 16)));
	fields = json_object_new_array();
	json_object_array_add(fields, field("Service", channel_str(m, "service.name")));
	json_object_array_add(fields, field("Status", channel_str(m, "status")));
	json_object_array_add(fields, field("Urgency", channel_str(m, "urgency")));
	json_object_array_add(fields, field("Assignee", channel_assignee(m)));
	add(e, "fields", fields);
	add(e, "timestamp", str(iso));
	footer = json_object_new_object();
	add(footer, "text", str("OpsKnight"));
	add(e, "footer", footer);
	embeds = json_object_new_array();
	json_object_array_add(embeds, e);
	root = json_object_new_object();
	add(root, "username", str("OpsKnight"));
	add(root, "embeds", embeds);
	channel_body_json(o, root);

	sbuf_addstr(&o->url, m->target);
	channel_out_header(o, "Content-Type: application/json");
	sbuf_release(&full);
	sbuf_release(&title);
	sbuf_release(&desc);
	return 0;
}

const struct channel channel_discord = {"DISCORD", discord_render};
