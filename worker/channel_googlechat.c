/* channel_googlechat.c: Google Chat webhook message with one cardsV2 card. */
#include "channel.h"

#define add json_object_object_add
#define str json_object_new_string

static struct json_object *decorated(const char *label, const char *value)
{
	struct json_object *w = json_object_new_object(), *t = json_object_new_object();

	add(t, "topLabel", str(label));
	add(t, "text", str(*value ? value : "-"));
	add(w, "decoratedText", t);
	return w;
}

static int googlechat_render(const struct channel_msg *m, struct channel_out *o)
{
	enum channel_tone tone = channel_tone(m);
	struct json_object *root, *cards, *c, *card, *header, *sections, *sec, *widgets, *w, *p;
	struct sbuf head = SBUF_INIT, cid = SBUF_INIT;
	const char *url = channel_str(m, "url"), *d = channel_str(m, "description");

	if (!channel_is_http_url(m->target))
		return channel_out_fail(o, "Google Chat webhook URL is missing or not http(s)");
	sbuf_addf(&head, "%s Incident %s", channel_tone_emoji(tone), channel_event_word(m->event));
	sbuf_addf(&cid, "incident-%s", channel_str(m, "id"));

	widgets = json_object_new_array();
	json_object_array_add(widgets, decorated("Service", channel_str(m, "service.name")));
	json_object_array_add(widgets, decorated("Status", channel_str(m, "status")));
	json_object_array_add(widgets, decorated("Urgency", channel_str(m, "urgency")));
	json_object_array_add(widgets, decorated("Assignee", channel_assignee(m)));
	if (*d) {
		w = json_object_new_object();
		p = json_object_new_object();
		add(p, "text", str(d));
		add(w, "textParagraph", p);
		json_object_array_add(widgets, w);
	}
	if (channel_is_http_url(url)) {
		struct json_object *bl = json_object_new_object(), *btns = json_object_new_array();
		struct json_object *btn = json_object_new_object(),
				   *click = json_object_new_object();
		struct json_object *link = json_object_new_object();

		add(link, "url", str(url));
		add(click, "openLink", link);
		add(btn, "text", str("View Incident"));
		add(btn, "onClick", click);
		json_object_array_add(btns, btn);
		add(bl, "buttons", btns);
		w = json_object_new_object();
		add(w, "buttonList", bl);
		json_object_array_add(widgets, w);
	}
	sec = json_object_new_object();
	add(sec, "widgets", widgets);
	sections = json_object_new_array();
	json_object_array_add(sections, sec);

	header = json_object_new_object();
	add(header, "title", str(head.buf));
	add(header, "subtitle", str(channel_str(m, "title")));
	card = json_object_new_object();
	add(card, "header", header);
	add(card, "sections", sections);
	c = json_object_new_object();
	add(c, "cardId", str(cid.buf));
	add(c, "card", card);
	cards = json_object_new_array();
	json_object_array_add(cards, c);
	root = json_object_new_object();
	add(root, "cardsV2", cards);
	channel_body_json(o, root);

	sbuf_addstr(&o->url, m->target);
	channel_out_header(o, "Content-Type: application/json; charset=UTF-8");
	sbuf_release(&head);
	sbuf_release(&cid);
	return 0;
}

const struct channel channel_googlechat = {"GOOGLE_CHAT", googlechat_render};
