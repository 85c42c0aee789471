/* channel_teams.c: Microsoft Teams message carrying an Adaptive Card 1.4. */
#include "channel.h"

#define add json_object_object_add
#define str json_object_new_string

static struct json_object *fact(const char *title, const char *value)
{
	struct json_object *f = json_object_new_object();

	add(f, "title", str(title));
	add(f, "value", str(*value ? value : "-"));
	return f;
}

static int teams_render(const struct channel_msg *m, struct channel_out *o)
{
	static const char *const colour[] = {"Attention", "Warning", "Good"};
	enum channel_tone tone = channel_tone(m);
	struct json_object *root, *atts, *att, *card, *body, *b, *facts, *actions, *a;
	struct sbuf head = SBUF_INIT;
	const char *url = channel_str(m, "url"), *d = channel_str(m, "description");

	if (!channel_is_http_url(m->target))
		return channel_out_fail(o, "Teams webhook URL is missing or not http(s)");
	sbuf_addf(&head, "%s Incident %s: %s", channel_tone_emoji(tone),
		channel_event_word(m->event), channel_str(m, "title"));

	body = json_object_new_array();
	b = json_object_new_object();
	add(b, "type", str("TextBlock"));
	add(b, "size", str("Large"));
	add(b, "weight", str("Bolder"));
	add(b, "color", str(colour[tone]));
	add(b, "wrap", json_object_new_boolean(1));
	add(b, "text", str(head.buf));
	json_object_array_add(body, b);

	b = json_object_new_object();
	add(b, "type", str("FactSet"));
	facts = json_object_new_array();
	json_object_array_add(facts, fact("Service", channel_str(m, "service.name")));
	json_object_array_add(facts, fact("Status", channel_str(m, "status")));
	json_object_array_add(facts, fact("Urgency", channel_str(m, "urgency")));
	json_object_array_add(facts, fact("Assignee", channel_assignee(m)));
	add(b, "facts", facts);
	json_object_array_add(body, b);

	if (*d) {
		b = json_object_new_object();
		add(b, "type", str("TextBlock"));
		add(b, "wrap", json_object_new_boolean(1));
		add(b, "text", str(d));
		json_object_array_add(body, b);
	}

	card = json_object_new_object();
	add(card, "$schema", str("http://adaptivecards.io/schemas/adaptive-card.json"));
	add(card, "type", str("AdaptiveCard"));
	add(card, "version", str("1.4"));
	add(card, "body", body);
	if (channel_is_http_url(url)) {
		actions = json_object_new_array();
		a = json_object_new_object();
		add(a, "type", str("Action.OpenUrl"));
		add(a, "title", str("View Incident"));
		add(a, "url", str(url));
		json_object_array_add(actions, a);
		add(card, "actions", actions);
	}

	att = json_object_new_object();
	add(att, "contentType", str("application/vnd.microsoft.card.adaptive"));
	add(att, "contentUrl", NULL);
	add(att, "content", card);
	atts = json_object_new_array();
	json_object_array_add(atts, att);
	root = json_object_new_object();
	add(root, "type", str("message"));
	add(root, "attachments", atts);
	channel_body_json(o, root);

	sbuf_addstr(&o->url, m->target);
	channel_out_header(o, "Content-Type: application/json");
	sbuf_release(&head);
	return 0;
}

const struct channel channel_teams = {"TEAMS", teams_render};
