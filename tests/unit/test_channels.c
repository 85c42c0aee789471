/* test_channels.c: unit tests of every channel renderer: shapes, signatures, subjects, SMS text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto.h"
#include "core/json.h"
#include "core/sbuf.h"
#include "worker/channel.h"
#include "tests/unit/unit.h"

#define NOW 1714564800123LL /* 2024-05-01T12:00:00.123Z */
#define RED "\xf0\x9f\x94\xb4"
#define YELLOW "\xf0\x9f\x9f\xa1"
#define GREEN "\xf0\x9f\x9f\xa2"

static const char incident_json[] =
	"{\"id\":\"0b8f2c1e-1111-4222-8333-444455556666\",\"title\":\"DB down <primary> & co\","
	"\"description\":\"Connection refused on 5432\",\"status\":\"OPEN\",\"urgency\":\"HIGH\","
	"\"priority\":\"P1\",\"url\":\"https://ops.example.com/incidents/0b8f\","
	"\"created_at\":\"2024-05-01T11:59:00.000Z\",\"acknowledged_at\":null,\"resolved_at\":null,"
	"\"service\":{\"id\":\"svc-1\",\"name\":\"API\"},"
	"\"assignee\":{\"id\":\"u-1\",\"name\":\"Alice\",\"email\":\"alice@example.com\"}}";

static struct json_object *incident(void)
{
	enum json_parse_error e;
	struct json_object *o = json_parse(incident_json, strlen(incident_json), &e, NULL);

	ck_assert_ptr_nonnull(o);
	return o;
}

static struct channel_msg msg(struct json_object *inc, const char *event, const char *target)
{
	struct channel_msg m;

	memset(&m, 0, sizeof(m));
	m.event = event;
	m.incident = inc;
	m.target = target;
	m.now_ms = NOW;
	return m;
}

/* Renders with the named channel, expects success, returns the parsed JSON body (or NULL for
 * non-JSON bodies when json is 0). */
static struct json_object *render(
	const char *name, const struct channel_msg *m, struct channel_out *o, int json)
{
	const struct channel *c = channel_find(name);
	enum json_parse_error e;
	struct json_object *body;

	ck_assert_ptr_nonnull(c);
	channel_out_init(o);
	ck_assert_msg(c->render(m, o) == 0, "%s render failed: %s", name, o->err);
	ck_assert_ptr_null(o->headers[o->nheaders]);
	if (!json)
		return NULL;
	body = json_parse(o->body.buf, o->body.len, &e, NULL);
	ck_assert_msg(body != NULL, "%s body is not JSON: %s", name, o->body.buf);
	return body;
}

static void render_fails(const char *name, const struct channel_msg *m, const char *want)
{
	struct channel_out o;

	channel_out_init(&o);
	ck_assert_int_eq(channel_find(name)->render(m, &o), -1);
	ck_assert_msg(
		strstr(o.err, want) != NULL, "%s: error \"%s\" lacks \"%s\"", name, o.err, want);
	channel_out_release(&o);
}

/* The value at a path like "a.b.0.c" ("0" indexes arrays), borrowed. */
static struct json_object *at(struct json_object *o, const char *path)
{
	char buf[256], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok && o; tok = strtok_r(NULL, ".", &save)) {
		if (json_object_is_type(o, json_type_array))
			o = json_object_array_get_idx(o, (size_t)atoi(tok));
		else
			o = json_get(o, tok);
	}
	return o;
}

static const char *s_at(struct json_object *o, const char *path)
{
	struct json_object *v = at(o, path);

	ck_assert_msg(v && json_object_is_type(v, json_type_string), "%s is not a string", path);
	return json_object_get_string(v);
}

/* 1 when obj has key, also when its value is JSON null. */
static int has(struct json_object *obj, const char *key)
{
	return json_object_object_get_ex(obj, key, NULL);
}

static void hmac_hex(const char *secret, const char *data, size_t n, char out[72])
{
	unsigned char mac[SHA256_LEN];

	crypto_hmac_sha256(secret, strlen(secret), data, n, mac);
	strcpy(out, "sha256=");
	crypto_hex(mac, sizeof(mac), out + 7);
}

static void header_is(const struct channel_out *o, const char *name, const char *want)
{
	const char *v = channel_out_get_header(o, name);

	ck_assert_msg(v != NULL, "header %s missing", name);
	ck_assert_str_eq(v, want);
}

START_TEST(test_find)
{
	static const char *const names[] = {"WEBHOOK", "SLACK", "TEAMS", "DISCORD", "GOOGLE_CHAT",
		"TELEGRAM", "EMAIL", "SMS", "STATUS_PAGE"};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		ck_assert_ptr_nonnull(channel_find(names[i]));
		ck_assert_str_eq(channel_find(names[i])->name, names[i]);
	}
	ck_assert_ptr_eq(channel_find("MICROSOFT_TEAMS"), &channel_teams);
	ck_assert_ptr_eq(channel_find("GENERIC"), &channel_webhook);
	ck_assert_ptr_eq(channel_find("slack"), &channel_slack);
	ck_assert_ptr_null(channel_find("PIGEON"));
	ck_assert_ptr_null(channel_find(NULL));
}
END_TEST

START_TEST(test_webhook_signed)
{
	struct json_object *inc = incident(), *b;
	struct channel_msg m = msg(inc, "triggered", "https://hooks.example.com/in");
	struct channel_out o;
	struct sbuf signed_data = SBUF_INIT;
	char want[72];

	m.secret = "s3cret";
	m.idempotency_key = "job-42";
	b = render("WEBHOOK", &m, &o, 1);
	ck_assert_int_eq(o.kind, CHANNEL_HTTP);
	ck_assert_str_eq(o.method, "POST");
	ck_assert_str_eq(o.url.buf, "https://hooks.example.com/in");
	ck_assert_str_eq(s_at(b, "event.type"), "triggered");
	ck_assert_str_eq(s_at(b, "event.timestamp"), "2024-05-01T12:00:00.123Z");
	ck_assert_str_eq(s_at(b, "incident.id"), "0b8f2c1e-1111-4222-8333-444455556666");
	ck_assert_str_eq(s_at(b, "incident.title"), "DB down <primary> & co");
	ck_assert_str_eq(s_at(b, "incident.description"), "Connection refused on 5432");
	ck_assert_str_eq(s_at(b, "incident.status"), "OPEN");
	ck_assert_str_eq(s_at(b, "incident.urgency"), "HIGH");
	ck_assert_str_eq(s_at(b, "incident.url"), "https://ops.example.com/incidents/0b8f");
	ck_assert_str_eq(s_at(b, "incident.service.id"), "svc-1");
	ck_assert_str_eq(s_at(b, "incident.service.name"), "API");
	ck_assert_str_eq(s_at(b, "incident.assignee.id"), "u-1");
	ck_assert_str_eq(s_at(b, "incident.assignee.name"), "Alice");
	ck_assert_str_eq(s_at(b, "incident.assignee.email"), "alice@example.com");
	ck_assert_str_eq(s_at(b, "incident.timestamps.created"), "2024-05-01T11:59:00.000Z");
	ck_assert(json_object_is_type(at(b, "incident.timestamps.acknowledged"), json_type_null));
	ck_assert(has(at(b, "incident.timestamps"), "resolved"));
	ck_assert(!has(at(b, "incident"), "priority")); /* not in the generic shape */
	ck_assert_ptr_null(strstr(o.body.buf, "\\/"));	/* URLs are not escaped */

	header_is(&o, "Content-Type", "application/json");
	header_is(&o, "User-Agent", "OpsKnight/1.0");
	header_is(&o, "X-OpsKnight-Timestamp", "1714564800123");
	header_is(&o, "Idempotency-Key", "job-42");
	sbuf_addf(&signed_data, "%s.%s", "1714564800123", o.body.buf);
	hmac_hex("s3cret", signed_data.buf, signed_data.len, want);
	header_is(&o, "X-OpsKnight-Signature", want);

	/* pure: the same input renders the same bytes */
	{
		struct channel_out again;
		struct json_object *b2 = render("GENERIC", &m, &again, 1);

		ck_assert_str_eq(again.body.buf, o.body.buf);
		json_object_put(b2);
		channel_out_release(&again);
	}
	sbuf_release(&signed_data);
	json_object_put(b);
	channel_out_release(&o);
	json_object_put(inc);
}
END_TEST

START_TEST(test_webhook_unsigned_no_assignee)
{
	struct json_object *inc = incident(), *b;
	struct channel_msg m = msg(inc, "resolved", "http://127.0.0.1:9/x");
	struct channel_out o;

	json_object_object_add(inc, "assignee", NULL);
	json_object_object_add(inc, "resolved_at", json_object_new_string("2024-05-01T12:30:00Z"));
	b = render("WEBHOOK", &m, &o, 1);
	ck_assert(json_object_is_type(at(b, "incident.assignee"), json_type_null));
	ck_assert(has(at(b, "incident"), "assignee"));
	ck_assert_str_eq(s_at(b, "incident.timestamps.resolved"), "2024-05-01T12:30:00Z");
	ck_assert_ptr_null(channel_out_get_header(&o, "X-OpsKnight-Signature"));
	ck_assert_ptr_null(channel_out_get_header(&o, "Idempotency-Key"));
	ck_assert_ptr_nonnull(channel_out_get_header(&o, "X-OpsKnight-Timestamp"));
	json_object_put(b);
	channel_out_release(&o);

	m.target = "ftp://example.com/";
	render_fails("WEBHOOK", &m, "URL");
	m.target = NULL;
	render_fails("WEBHOOK", &m, "URL");
	json_object_put(inc);
}
END_TEST

START_TEST(test_slack)
{
	struct json_object *inc = incident(), *b, *blocks;
	struct channel_msg m = msg(inc, "triggered", "https://hooks.slack.com/services/T/B/X");
	struct channel_out o;

	b = render("SLACK", &m, &o, 1);
	ck_assert_str_eq(s_at(b, "attachments.0.color"), "#d32f2f");
	blocks = at(b, "attachments.0.blocks");
	ck_assert(json_object_is_type(blocks, json_type_array));
	ck_assert_uint_eq(json_object_array_length(blocks), 4);
	ck_assert_str_eq(s_at(blocks, "0.type"), "header");
	ck_assert_str_eq(s_at(blocks, "0.text.type"), "plain_text");
	ck_assert_str_eq(
		s_at(blocks, "0.text.text"), RED " Incident Triggered: DB down <primary> & co");
	ck_assert_str_eq(s_at(blocks, "1.type"), "section");
	ck_assert_str_eq(s_at(blocks, "1.fields.0.text"), "*Service:*\nAPI");
	ck_assert_str_eq(s_at(blocks, "1.fields.1.text"), "*Status:*\nOPEN");
	ck_assert_str_eq(s_at(blocks, "1.fields.2.text"), "*Urgency:*\nHIGH");
	ck_assert_str_eq(s_at(blocks, "1.fields.3.text"), "*Assignee:*\nAlice");
	ck_assert_str_eq(s_at(blocks, "2.text.text"), "Connection refused on 5432");
	ck_assert_str_eq(s_at(blocks, "3.type"), "actions");
	ck_assert_str_eq(s_at(blocks, "3.elements.0.text.text"), "View Incident");
	ck_assert_str_eq(
		s_at(blocks, "3.elements.0.url"), "https://ops.example.com/incidents/0b8f");
	ck_assert_str_eq(o.url.buf, "https://hooks.slack.com/services/T/B/X");
	header_is(&o, "Content-Type", "application/json");
	json_object_put(b);
	channel_out_release(&o);

	/* acknowledged: yellow; mrkdwn escaping; no assignee; a 300-character title is cut */
	{
		char title[301];

		memset(title, 'x', 300);
		title[300] = '\0';
		json_object_object_add(inc, "title", json_object_new_string(title));
		json_object_object_add(inc, "description", json_object_new_string("a<b>&c"));
		json_object_object_add(inc, "assignee", NULL);
		m.event = "acknowledged";
		m.extra = "#ops";
		b = render("SLACK", &m, &o, 1);
		ck_assert_str_eq(s_at(b, "attachments.0.color"), "#f9a825");
		ck_assert_str_eq(s_at(b, "channel"), "#ops");
		blocks = at(b, "attachments.0.blocks");
		const char *h = s_at(blocks, "0.text.text");
		ck_assert(strncmp(h, YELLOW " Incident Acknowledged: xxx", 20) == 0);
		size_t chars = 0;
		for (const char *p = h; *p; p++)
			chars += ((unsigned char)*p & 0xc0) != 0x80;
		ck_assert_uint_eq(chars, 150);
		ck_assert(strstr(h, "\xe2\x80\xa6") != NULL);
		ck_assert_str_eq(s_at(blocks, "1.fields.3.text"), "*Assignee:*\nUnassigned");
		ck_assert_str_eq(s_at(blocks, "2.text.text"), "a&lt;b&gt;&amp;c");
		json_object_put(b);
		channel_out_release(&o);
	}
	m.event = "resolved";
	b = render("SLACK", &m, &o, 1);
	ck_assert_str_eq(s_at(b, "attachments.0.color"), "#388e3c");
	ck_assert(strncmp(s_at(b, "attachments.0.blocks.0.text.text"), GREEN, 4) == 0);
	json_object_put(b);
	channel_out_release(&o);
	json_object_put(inc);
}
END_TEST

START_TEST(test_teams)
{
	struct json_object *inc = incident(), *b, *card;
	struct channel_msg m = msg(inc, "acknowledged", "https://example.webhook.office.com/x");
	struct channel_out o;

	b = render("MICROSOFT_TEAMS", &m, &o, 1);
	ck_assert_str_eq(s_at(b, "type"), "message");
	ck_assert_str_eq(
		s_at(b, "attachments.0.contentType"), "application/vnd.microsoft.card.adaptive");
	card = at(b, "attachments.0.content");
	ck_assert_str_eq(s_at(card, "type"), "AdaptiveCard");
	ck_assert_str_eq(s_at(card, "version"), "1.4");
	ck_assert_str_eq(
		s_at(card, "$schema"), "http://adaptivecards.io/schemas/adaptive-card.json");
	ck_assert_str_eq(s_at(card, "body.0.type"), "TextBlock");
	ck_assert_str_eq(
		s_at(card, "body.0.text"), YELLOW " Incident Acknowledged: DB down <primary> & co");
	ck_assert_str_eq(s_at(card, "body.0.color"), "Warning");
	ck_assert_str_eq(s_at(card, "body.1.type"), "FactSet");
	ck_assert_str_eq(s_at(card, "body.1.facts.0.title"), "Service");
	ck_assert_str_eq(s_at(card, "body.1.facts.0.value"), "API");
	ck_assert_str_eq(s_at(card, "body.1.facts.3.value"), "Alice");
	ck_assert_str_eq(s_at(card, "body.2.text"), "Connection refused on 5432");
	ck_assert_str_eq(s_at(card, "actions.0.type"), "Action.OpenUrl");
	ck_assert_str_eq(s_at(card, "actions.0.url"), "https://ops.example.com/incidents/0b8f");
	json_object_put(b);
	channel_out_release(&o);
	json_object_put(inc);
}
END_TEST

START_TEST(test_discord_colours)
{
	static const struct {
		const char *event;
		int colour;
	} cases[] = {
		{"triggered", 0xd32f2f},
		{"escalated", 0xd32f2f},
		{"acknowledged", 0xf9a825},
		{"warning", 0xf9a825},
		{"resolved", 0x388e3c},
	};
	struct json_object *inc = incident(), *b;
	struct channel_msg m = msg(inc, "triggered", "https://discord.com/api/webhooks/1/abc");
	struct channel_out o;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		m.event = cases[i].event;
		b = render("DISCORD", &m, &o, 1);
		ck_assert_int_eq(json_object_get_int(at(b, "embeds.0.color")), cases[i].colour);
		json_object_put(b);
		channel_out_release(&o);
	}
	/* "updated" follows the incident's status */
	m.event = "updated";
	json_object_object_add(inc, "status", json_object_new_string("RESOLVED"));
	b = render("DISCORD", &m, &o, 1);
	ck_assert_int_eq(json_object_get_int(at(b, "embeds.0.color")), 0x388e3c);
	ck_assert_str_eq(
		s_at(b, "embeds.0.title"), GREEN " Incident Updated: DB down <primary> & co");
	ck_assert_str_eq(s_at(b, "embeds.0.description"), "Connection refused on 5432");
	ck_assert_str_eq(s_at(b, "embeds.0.url"), "https://ops.example.com/incidents/0b8f");
	ck_assert_str_eq(s_at(b, "embeds.0.timestamp"), "2024-05-01T12:00:00.123Z");
	ck_assert_uint_eq(json_object_array_length(at(b, "embeds.0.fields")), 4);
	ck_assert_str_eq(s_at(b, "embeds.0.fields.0.name"), "Service");
	ck_assert_str_eq(s_at(b, "embeds.0.fields.0.value"), "API");
	ck_assert_str_eq(s_at(b, "embeds.0.fields.1.value"), "RESOLVED");
	json_object_put(b);
	channel_out_release(&o);
	json_object_put(inc);
}
END_TEST

START_TEST(test_googlechat)
{
	struct json_object *inc = incident(), *b, *w;
	struct channel_msg m =
		msg(inc, "triggered", "https://chat.googleapis.com/v1/spaces/X/messages?key=k");
	struct channel_out o;

	b = render("GOOGLE_CHAT", &m, &o, 1);
	ck_assert_str_eq(
		s_at(b, "cardsV2.0.cardId"), "incident-0b8f2c1e-1111-4222-8333-444455556666");
	ck_assert_str_eq(s_at(b, "cardsV2.0.card.header.title"), RED " Incident Triggered");
	ck_assert_str_eq(s_at(b, "cardsV2.0.card.header.subtitle"), "DB down <primary> & co");
	w = at(b, "cardsV2.0.card.sections.0.widgets");
	ck_assert_uint_eq(json_object_array_length(w), 6);
	ck_assert_str_eq(s_at(w, "0.decoratedText.topLabel"), "Service");
	ck_assert_str_eq(s_at(w, "0.decoratedText.text"), "API");
	ck_assert_str_eq(s_at(w, "4.textParagraph.text"), "Connection refused on 5432");
	ck_assert_str_eq(s_at(w, "5.buttonList.buttons.0.onClick.openLink.url"),
		"https://ops.example.com/incidents/0b8f");
	ck_assert_str_eq(o.url.buf, "https://chat.googleapis.com/v1/spaces/X/messages?key=k");
	json_object_put(b);
	channel_out_release(&o);
	json_object_put(inc);
}
END_TEST

START_TEST(test_telegram)
{
	struct json_object *inc = incident(), *b;
	struct channel_msg m =
		msg(inc, "triggered", "https://api.telegram.org/bot123:abc/sendMessage");
	struct channel_out o;
	const char *text;

	m.extra = "-1001234";
	b = render("TELEGRAM", &m, &o, 1);
	ck_assert_str_eq(o.url.buf, "https://api.telegram.org/bot123:abc/sendMessage");
	ck_assert_str_eq(s_at(b, "chat_id"), "-1001234");
	ck_assert(json_object_is_type(at(b, "disable_web_page_preview"), json_type_boolean));
	ck_assert_int_eq(json_object_get_boolean(at(b, "disable_web_page_preview")), 0);
	text = s_at(b, "text");
	ck_assert(strncmp(text, RED " Incident Triggered: DB down <primary> & co\n", 45) == 0);
	ck_assert_ptr_nonnull(strstr(text, "Service: API\n"));
	ck_assert_ptr_nonnull(strstr(text, "https://ops.example.com/incidents/0b8f"));
	json_object_put(b);
	channel_out_release(&o);
	m.extra = NULL;
	render_fails("TELEGRAM", &m, "chat id");
	json_object_put(inc);
}
END_TEST

static struct json_object *smtp_provider(const char *secure, int port)
{
	struct json_object *p = json_object_new_object();

	json_object_object_add(p, "host", json_object_new_string("mail.example.com"));
	if (port)
		json_object_object_add(p, "port", json_object_new_int(port));
	if (secure)
		json_object_object_add(p, "secure", json_object_new_string(secure));
	json_object_object_add(p, "username", json_object_new_string("mailer"));
	json_object_object_add(p, "password", json_object_new_string("pw"));
	json_object_object_add(p, "from", json_object_new_string("OpsKnight <alerts@example.com>"));
	return p;
}

/* The value of a header in an RFC 5322 message (first occurrence, no unfolding), malloc'd. */
static char *mail_header(const char *msg, const char *name)
{
	size_t n = strlen(name);
	const char *p = msg;

	while (p && *p && strncmp(p, "\r\n", 2)) {
		if (!strncasecmp(p, name, n) && p[n] == ':') {
			const char *v = p + n + 2, *e = strstr(v, "\r\n");
			return strndup(v, (size_t)(e - v));
		}
		p = strstr(p, "\r\n");
		if (p)
			p += 2;
	}
	return NULL;
}

START_TEST(test_email_subjects)
{
	static const struct {
		const char *event, *urgency, *subject;
	} cases[] = {
		{"triggered", "HIGH", "[CRITICAL] DB down <primary> & co"},
		{"escalated", "MEDIUM", "[ELEVATED] DB down <primary> & co"},
		{"triggered", "LOW", "[NEW] DB down <primary> & co"},
		{"acknowledged", "HIGH", "[ACKNOWLEDGED] DB down <primary> & co"},
		{"resolved", "LOW", "[RESOLVED] DB down <primary> & co"},
	};
	struct json_object *inc = incident(), *prov = smtp_provider("starttls", 0);
	struct channel_msg m = msg(inc, "triggered", "bob@example.org");
	struct channel_out o;
	size_t i;

	m.provider = prov;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *subj;

		m.event = cases[i].event;
		json_object_object_add(inc, "urgency", json_object_new_string(cases[i].urgency));
		render("EMAIL", &m, &o, 0);
		subj = mail_header(o.body.buf, "Subject");
		ck_assert_ptr_nonnull(subj);
		ck_assert_str_eq(subj, cases[i].subject);
		free(subj);
		channel_out_release(&o);
	}
	json_object_put(prov);
	json_object_put(inc);
}
END_TEST

START_TEST(test_email_message)
{
	struct json_object *inc = incident(), *prov = smtp_provider("starttls", 0);
	struct channel_msg m = msg(inc, "triggered", "bob@example.org");
	struct channel_out o;
	const char *body, *p;
	char *h;

	m.provider = prov;
	m.text = "[OpsKnight] Incident: DB down (Escalation Level 2)";
	m.idempotency_key = "job-7";
	render("EMAIL", &m, &o, 0);
	ck_assert_int_eq(o.kind, CHANNEL_MAIL);
	ck_assert_str_eq(o.url.buf, "smtp://mail.example.com:587");
	ck_assert_int_eq(o.use_starttls, 1);
	ck_assert_str_eq(o.mail_from, "alerts@example.com");
	ck_assert_str_eq(o.mail_to, "bob@example.org");
	ck_assert_str_eq(o.username, "mailer");
	ck_assert_str_eq(o.password, "pw");
	h = mail_header(o.body.buf, "From");
	ck_assert_str_eq(h, "OpsKnight <alerts@example.com>");
	free(h);
	h = mail_header(o.body.buf, "To");
	ck_assert_str_eq(h, "bob@example.org");
	free(h);
	h = mail_header(o.body.buf, "Date");
	ck_assert_str_eq(h, "Wed, 01 May 2024 12:00:00 +0000");
	free(h);
	h = mail_header(o.body.buf, "Message-ID");
	ck_assert_str_eq(h, "<job-7@opsknight>");
	free(h);
	h = mail_header(o.body.buf, "Content-Type");
	ck_assert_str_eq(h, "text/plain; charset=UTF-8");
	free(h);
	body = strstr(o.body.buf, "\r\n\r\n");
	ck_assert_ptr_nonnull(body);
	ck_assert_ptr_nonnull(
		strstr(body, "[OpsKnight] Incident: DB down (Escalation Level 2)\r\n"));
	ck_assert_ptr_nonnull(strstr(body, "Service:  API\r\n"));
	ck_assert_ptr_nonnull(strstr(body, "https://ops.example.com/incidents/0b8f\r\n"));
	for (p = o.body.buf; *p; p++) /* CRLF everywhere, no bare LF or CR */
		if (*p == '\n')
			ck_assert_int_eq(p[-1], '\r');
		else if (*p == '\r')
			ck_assert_int_eq(p[1], '\n');
	channel_out_release(&o);

	/* ssl and none; a default port per mode */
	json_object_put(prov);
	prov = smtp_provider("ssl", 0);
	m.provider = prov;
	render("EMAIL", &m, &o, 0);
	ck_assert_str_eq(o.url.buf, "smtps://mail.example.com:465");
	ck_assert_int_eq(o.use_starttls, 0);
	channel_out_release(&o);
	json_object_put(prov);
	prov = smtp_provider("none", 2525);
	m.provider = prov;
	render("EMAIL", &m, &o, 0);
	ck_assert_str_eq(o.url.buf, "smtp://mail.example.com:2525");
	ck_assert_int_eq(o.use_starttls, 0);
	channel_out_release(&o);
	json_object_put(prov);
	json_object_put(inc);
}
END_TEST

START_TEST(test_email_header_safety)
{
	struct json_object *inc = incident(), *prov = smtp_provider(NULL, 25);
	struct channel_msg m = msg(inc, "triggered", "bob@example.org");
	struct channel_out o;
	char *h;

	m.provider = prov;
	json_object_object_add(inc, "title", json_object_new_string("x\r\nBcc: eve@example.com"));
	render("EMAIL", &m, &o, 0);
	ck_assert_ptr_null(mail_header(o.body.buf, "Bcc"));
	h = mail_header(o.body.buf, "Subject");
	ck_assert_str_eq(h, "[CRITICAL] x  Bcc: eve@example.com");
	free(h);
	ck_assert_int_eq(o.use_starttls, 1); /* secure absent: STARTTLS */
	channel_out_release(&o);

	/* non-ASCII subject: RFC 2047 encoded-words */
	json_object_object_add(inc, "title", json_object_new_string("Datenbank f\xc3\xa4llt aus"));
	render("EMAIL", &m, &o, 0);
	h = mail_header(o.body.buf, "Subject");
	ck_assert_str_eq(h, "=?UTF-8?B?W0NSSVRJQ0FMXSBEYXRlbmJhbmsgZsOkbGx0IGF1cw==?=");
	free(h);
	channel_out_release(&o);

	m.target = "bob@example.org\r\nBcc: eve@example.com";
	render_fails("EMAIL", &m, "recipient");
	m.target = "not-an-address";
	render_fails("EMAIL", &m, "recipient");
	m.target = "bob@example.org";
	json_object_object_add(prov, "secure", json_object_new_string("maybe"));
	render_fails("EMAIL", &m, "secure");
	m.provider = NULL;
	render_fails("EMAIL", &m, "provider");
	json_object_put(prov);
	json_object_put(inc);
}
END_TEST

/* Decodes application/x-www-form-urlencoded value of key in body (malloc'd) or NULL. */
static char *form_get(const char *body, const char *key)
{
	size_t n = strlen(key);
	const char *p = body;

	while (p && *p) {
		const char *end = strchr(p, '&');

		if (!end)
			end = p + strlen(p);
		if (!strncmp(p, key, n) && p[n] == '=') {
			char *out = malloc((size_t)(end - p) + 1), *o = out;

			for (p += n + 1; p < end; p++) {
				if (*p == '+') {
					*o++ = ' ';
				} else if (*p == '%') {
					unsigned v;

					sscanf(p + 1, "%2x", &v);
					*o++ = (char)v;
					p += 2;
				} else {
					*o++ = *p;
				}
			}
			*o = '\0';
			return out;
		}
		p = *end ? end + 1 : NULL;
	}
	return NULL;
}

static struct json_object *twilio(const char *base)
{
	struct json_object *p = json_object_new_object();

	if (base)
		json_object_object_add(p, "base_url", json_object_new_string(base));
	json_object_object_add(p, "account_sid", json_object_new_string("AC123"));
	json_object_object_add(p, "auth_token", json_object_new_string("tok"));
	json_object_object_add(p, "from_number", json_object_new_string("+15550001"));
	return p;
}

START_TEST(test_sms)
{
	static const struct {
		const char *event, *urgency, *text;
	} cases[] = {
		{"triggered", "HIGH",
			"[OpsKnight] \xf0\x9f\x9a\xa8 CRITICAL: DB down <primary> & co\n"
			"\xe2\x9a\xa0 API\nhttps://ops.example.com/incidents/0b8f"},
		{"escalated", "MEDIUM",
			"[OpsKnight] \xe2\x9a\xa0\xef\xb8\x8f Elevated: DB down <primary> & co\n"
			"\xe2\x9a\xa0 API\nhttps://ops.example.com/incidents/0b8f"},
		{"triggered", "LOW",
			"[OpsKnight] \xf0\x9f\x94\x94 Incident: DB down <primary> & co\n"
			"\xe2\x9a\xa0 API\nhttps://ops.example.com/incidents/0b8f"},
		{"acknowledged", "HIGH",
			"[OpsKnight] \xf0\x9f\x91\x80 Acknowledged: DB down <primary> & co\n"
			"\xe2\x9a\xa0 API\nhttps://ops.example.com/incidents/0b8f"},
		{"resolved", "HIGH",
			"[OpsKnight] \xe2\x9c\x85 Resolved: DB down <primary> & co\n"
			"\xe2\x9a\xa0 API\nhttps://ops.example.com/incidents/0b8f"},
	};
	struct json_object *inc = incident(), *prov = twilio("http://127.0.0.1:8025/");
	struct channel_msg m = msg(inc, "triggered", "+4915112345678");
	struct channel_out o;
	size_t i;
	char *v;

	m.provider = prov;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		m.event = cases[i].event;
		json_object_object_add(inc, "urgency", json_object_new_string(cases[i].urgency));
		render("SMS", &m, &o, 0);
		ck_assert_str_eq(
			o.url.buf, "http://127.0.0.1:8025/2010-04-01/Accounts/AC123/Messages.json");
		v = form_get(o.body.buf, "Body");
		ck_assert_str_eq(v, cases[i].text);
		free(v);
		v = form_get(o.body.buf, "To");
		ck_assert_str_eq(v, "+4915112345678");
		free(v);
		v = form_get(o.body.buf, "From");
		ck_assert_str_eq(v, "+15550001");
		free(v);
		header_is(&o, "Content-Type", "application/x-www-form-urlencoded");
		header_is(&o, "Authorization", "Basic QUMxMjM6dG9r"); /* base64("AC123:tok") */
		channel_out_release(&o);
	}
	json_object_put(prov);
	prov = twilio(NULL);
	m.provider = prov;
	render("SMS", &m, &o, 0);
	ck_assert_str_eq(
		o.url.buf, "https://api.twilio.com/2010-04-01/Accounts/AC123/Messages.json");
	channel_out_release(&o);
	json_object_object_del(prov, "auth_token");
	render_fails("SMS", &m, "auth_token");
	json_object_put(prov);
	json_object_put(inc);
}
END_TEST

START_TEST(test_statuspage)
{
	struct json_object *inc = incident(), *b;
	struct channel_msg m = msg(inc, "incident.created", "https://status.example.com/hook");
	struct channel_out o;
	char want[72];

	m.secret = "pagesecret";
	b = render("STATUS_PAGE", &m, &o, 1);
	ck_assert_str_eq(s_at(b, "event"), "incident.created");
	ck_assert_str_eq(s_at(b, "timestamp"), "2024-05-01T12:00:00.123Z");
	ck_assert_str_eq(s_at(b, "data.id"), "0b8f2c1e-1111-4222-8333-444455556666");
	ck_assert_str_eq(s_at(b, "data.title"), "DB down <primary> & co");
	ck_assert_str_eq(s_at(b, "data.priority"), "P1");
	ck_assert_str_eq(s_at(b, "data.urgency"), "HIGH");
	ck_assert_str_eq(s_at(b, "data.service.name"), "API");
	ck_assert_str_eq(s_at(b, "data.assignee.email"), "alice@example.com");
	ck_assert_str_eq(s_at(b, "data.createdAt"), "2024-05-01T11:59:00.000Z");
	ck_assert(!has(at(b, "data"), "acknowledgedAt"));
	ck_assert(!has(at(b, "data"), "resolvedAt"));
	header_is(&o, "User-Agent", "OpsKnight-StatusPage/1.0");
	header_is(&o, "X-Webhook-Event", "incident.created");
	hmac_hex("pagesecret", o.body.buf, o.body.len, want);
	header_is(&o, "X-Webhook-Signature", want);
	json_object_put(b);
	channel_out_release(&o);

	json_object_object_add(
		inc, "acknowledged_at", json_object_new_string("2024-05-01T12:01:00Z"));
	json_object_object_add(inc, "assignee", NULL);
	m.event = "incident.acknowledged";
	m.secret = NULL;
	b = render("STATUS_PAGE", &m, &o, 1);
	ck_assert_str_eq(s_at(b, "data.acknowledgedAt"), "2024-05-01T12:01:00Z");
	ck_assert(json_object_is_type(at(b, "data.assignee"), json_type_null));
	ck_assert(has(at(b, "data"), "assignee"));
	ck_assert_ptr_null(channel_out_get_header(&o, "X-Webhook-Signature"));
	json_object_put(b);
	channel_out_release(&o);
	m.event = "triggered";
	render_fails("STATUS_PAGE", &m, "incident.");
	json_object_put(inc);
}
END_TEST

START_TEST(test_helpers)
{
	static const struct {
		const char *in, *out;
	} b64[] = {{"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"foob", "Zm9vYg=="},
		{"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
	struct sbuf sb = SBUF_INIT;
	char iso[32];
	size_t i;

	for (i = 0; i < sizeof(b64) / sizeof(b64[0]); i++) {
		sbuf_reset(&sb);
		channel_base64(&sb, b64[i].in, strlen(b64[i].in));
		ck_assert_str_eq(sb.buf, b64[i].out);
	}
	sbuf_reset(&sb);
	channel_form_encode(&sb, "a b&c=d+\xc3\xa4~");
	ck_assert_str_eq(sb.buf, "a+b%26c%3Dd%2B%C3%A4~");
	sbuf_reset(&sb);
	channel_add_trunc(&sb, "h\xc3\xa4llo", 5);
	ck_assert_str_eq(sb.buf, "h\xc3\xa4llo");
	sbuf_reset(&sb);
	channel_add_trunc(&sb, "h\xc3\xa4llo!", 5);
	ck_assert_str_eq(sb.buf, "h\xc3\xa4ll\xe2\x80\xa6");
	sbuf_reset(&sb);
	channel_add_trunc(&sb, "abc", 0);
	ck_assert_str_eq(sb.buf, "");
	channel_iso(0, iso);
	ck_assert_str_eq(iso, "1970-01-01T00:00:00.000Z");
	channel_iso(NOW, iso);
	ck_assert_str_eq(iso, "2024-05-01T12:00:00.123Z");
	ck_assert_int_eq(channel_is_http_url("https://x"), 1);
	ck_assert_int_eq(channel_is_http_url("HTTP://x"), 1);
	ck_assert_int_eq(channel_is_http_url("file:///etc/passwd"), 0);
	ck_assert_int_eq(channel_is_http_url("http://x y"), 0);
	sbuf_release(&sb);
}
END_TEST

static Suite *channels_suite(void)
{
	Suite *s = suite_create("channels");
	TCase *tc = tcase_create("render");

	tcase_add_test(tc, test_find);
	tcase_add_test(tc, test_webhook_signed);
	tcase_add_test(tc, test_webhook_unsigned_no_assignee);
	tcase_add_test(tc, test_slack);
	tcase_add_test(tc, test_teams);
	tcase_add_test(tc, test_discord_colours);
	tcase_add_test(tc, test_googlechat);
	tcase_add_test(tc, test_telegram);
	tcase_add_test(tc, test_email_subjects);
	tcase_add_test(tc, test_email_message);
	tcase_add_test(tc, test_email_header_safety);
	tcase_add_test(tc, test_sms);
	tcase_add_test(tc, test_statuspage);
	tcase_add_test(tc, test_helpers);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(channels_suite)
