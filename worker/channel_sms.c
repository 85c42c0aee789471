/* channel_sms.c: SMS through a Twilio-compatible Messages API (form POST, basic auth). */
#include <string.h>

#include "channel.h"
#include "json.h"

static const char *conf_str(const struct json_object *p, const char *key)
{
	const char *v = json_get_str(p, key, NULL);
	return v && *v ? v : NULL;
}

/* "{emoji} {label}" of appendix §D: CRITICAL / Elevated / Incident, or the ack/resolve
 * variants. */
static void add_label(struct sbuf *sb, const struct channel_msg *m)
{
	const char *ev = m->event ? m->event : "", *urgency = channel_str(m, "urgency");

	if (strstr(ev, "resolved"))
		sbuf_addstr(sb, "\xe2\x9c\x85 Resolved"); /* ✅ */
	else if (strstr(ev, "acknowledged"))
		sbuf_addstr(sb, "\xf0\x9f\x91\x80 Acknowledged"); /* 👀 */
	else if (!strcmp(urgency, "HIGH"))
		sbuf_addstr(sb, "\xf0\x9f\x9a\xa8 CRITICAL"); /* 🚨 */
	else if (!strcmp(urgency, "MEDIUM"))
		sbuf_addstr(sb, "\xe2\x9a\xa0\xef\xb8\x8f Elevated"); /* ⚠️ */
	else
		sbuf_addstr(sb, "\xf0\x9f\x94\x94 Incident"); /* 🔔 */
}

static int sms_render(const struct channel_msg *m, struct channel_out *o)
{
	const struct json_object *p = m->provider;
	const char *base = conf_str(p, "base_url"), *sid = conf_str(p, "account_sid");
	const char *token = conf_str(p, "auth_token"), *from = conf_str(p, "from_number");
	const char *url = channel_str(m, "url");
	struct sbuf text = SBUF_INIT, cred = SBUF_INIT, auth = SBUF_INIT;
	size_t blen;

	if (!p || !sid || !token || !from)
		return channel_out_fail(
			o, "SMS provider needs account_sid, auth_token and from_number");
	if (!base)
		base = "https://api.twilio.com";
	if (!channel_is_http_url(base))
		return channel_out_fail(o, "SMS provider base_url is not http(s)");
	if (!m->target || !*m->target || strpbrk(m->target, "\r\n"))
		return channel_out_fail(o, "no phone number");

	sbuf_addstr(&text, "[OpsKnight] ");
	add_label(&text, m);
	sbuf_addstr(&text, ": ");
	channel_add_trunc(&text, channel_str(m, "title"), 100);
	sbuf_addf(&text, "\n\xe2\x9a\xa0 %s", channel_str(m, "service.name")); /* ⚠ */
	if (*url)
		sbuf_addf(&text, "\n%s", url);

	blen = strlen(base);
	while (blen && base[blen - 1] == '/')
		blen--;
	sbuf_add(&o->url, base, blen);
	sbuf_addstr(&o->url, "/2010-04-01/Accounts/");
	channel_form_encode(&o->url, sid);
	sbuf_addstr(&o->url, "/Messages.json");

	sbuf_addstr(&o->body, "To=");
	channel_form_encode(&o->body, m->target);
	sbuf_addstr(&o->body, "&From=");
	channel_form_encode(&o->body, from);
	sbuf_addstr(&o->body, "&Body=");
	channel_form_encode(&o->body, text.buf);

	sbuf_addf(&cred, "%s:%s", sid, token);
	channel_base64(&auth, cred.buf, cred.len);
	channel_out_header(o, "Content-Type: application/x-www-form-urlencoded");
	channel_out_header(o, "Authorization: Basic %s", auth.buf);
	channel_out_header(o, "Accept: application/json");
	sbuf_release(&text);
	sbuf_release(&cred);
	sbuf_release(&auth);
	return 0;
}

const struct channel channel_sms = {"SMS", sms_render};
