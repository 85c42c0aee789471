/* channel_telegram.c: Telegram Bot API sendMessage ({chat_id, text}) POSTed to the given URL. */
#include "channel.h"

#define add json_object_object_add
#define str json_object_new_string

static int telegram_render(const struct channel_msg *m, struct channel_out *o)
{
	struct json_object *root;
	struct sbuf text = SBUF_INIT, full = SBUF_INIT;
	const char *url = channel_str(m, "url"), *d = channel_str(m, "description");

	if (!channel_is_http_url(m->target))
		return channel_out_fail(o, "Telegram URL is missing or not http(s)");
	if (!m->extra || !*m->extra)
		return channel_out_fail(o, "Telegram needs a chat id");
	sbuf_addf(&full, "%s Incident %s: %s\n", channel_tone_emoji(channel_tone(m)),
		channel_event_word(m->event), channel_str(m, "title"));
	sbuf_addf(&full, "Service: %s\nStatus: %s\nUrgency: %s\nAssignee: %s\n",
		channel_str(m, "service.name"), channel_str(m, "status"), channel_str(m, "urgency"),
		channel_assignee(m));
	if (*d)
		sbuf_addf(&full, "\n%s\n", d);
	if (*url)
		sbuf_addf(&full, "\n%s", url);
	channel_add_trunc(&text, full.buf, 4096); /* sendMessage's limit */

	root = json_object_new_object();
	add(root, "chat_id", str(m->extra));
	add(root, "text", str(text.buf));
	add(root, "disable_web_page_preview", json_object_new_boolean(0));
	channel_body_json(o, root);

	sbuf_addstr(&o->url, m->target);
	channel_out_header(o, "Content-Type: application/json");
	sbuf_release(&text);
	sbuf_release(&full);
	return 0;
}

const struct channel channel_telegram = {"TELEGRAM", telegram_render};
