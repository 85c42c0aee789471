/* channel_email.c: incident e-mail over SMTP: envelope, RFC 5322 headers, plain-text body. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "channel.h"
#include "json.h"
#include "wrapper.h"

/* [CRITICAL|ELEVATED|NEW|ACKNOWLEDGED|RESOLVED] (appendix §D). */
static const char *subject_tag(const struct channel_msg *m)
{
	const char *ev = m->event ? m->event : "", *urgency = channel_str(m, "urgency");

	if (strstr(ev, "resolved"))
		return "RESOLVED";
	if (strstr(ev, "acknowledged"))
		return "ACKNOWLEDGED";
	if (!strcmp(urgency, "HIGH"))
		return "CRITICAL";
	if (!strcmp(urgency, "MEDIUM"))
		return "ELEVATED";
	return "NEW";
}

/* Appends s as the Subject value: verbatim when printable ASCII, else RFC 2047 encoded-words
 * of at most 45 bytes each (75 characters encoded), never splitting a UTF-8 sequence. */
static void add_subject(struct sbuf *sb, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i, start, len;
	int plain = 1;

	for (i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] >= 0x7f)
			plain = 0;
	if (plain) {
		sbuf_add(sb, s, n);
		return;
	}
	for (start = 0; start < n; start += len) {
		len = n - start < 45 ? n - start : 45;
		while (start + len < n && (p[start + len] & 0xc0) == 0x80)
			len--; /* do not split a character */
		if (start)
			sbuf_addstr(sb, "\r\n ");
		sbuf_addstr(sb, "=?UTF-8?B?");
		channel_base64(sb, s + start, len);
		sbuf_addstr(sb, "?=");
	}
}

/* The bare address of "Name <addr>" or "addr"; caller frees. NULL when it looks wrong. */
static char *bare_address(const char *s)
{
	const char *lt = strchr(s, '<'), *gt;
	char *a;

	if (lt) {
		gt = strchr(lt, '>');
		if (!gt)
			return NULL;
		a = xstrndup(lt + 1, (size_t)(gt - lt - 1));
	} else {
		a = xstrdup(s);
	}
	if (!strchr(a, '@') || strpbrk(a, " \t\r\n<>,;\"") || a[0] == '@') {
		free(a);
		return NULL;
	}
	return a;
}

static void add_date(struct sbuf *sb, int64_t ms)
{
	static const char *const wd[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const mon[] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	sbuf_addf(sb, "%s, %02d %s %04d %02d:%02d:%02d +0000", wd[tm.tm_wday], tm.tm_mday,
		mon[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Appends text with every line ending made CRLF. */
static void add_crlf(struct sbuf *sb, const char *s)
{
	for (; *s; s++) {
		if (*s == '\r')
			continue;
		if (*s == '\n')
			sbuf_addch(sb, '\r');
		sbuf_addch(sb, *s);
	}
}

static const char *conf_str(const struct json_object *p, const char *key)
{
	const char *v = json_get_str(p, key, NULL);
	return v && *v ? v : NULL;
}

static int email_render(const struct channel_msg *m, struct channel_out *o)
{
	const struct json_object *p = m->provider;
	const char *host = conf_str(p, "host"), *secure = conf_str(p, "secure");
	const char *from = conf_str(p, "from"), *url = channel_str(m, "url");
	const char *d = channel_str(m, "description"), *created = channel_str(m, "created_at");
	struct json_object *port_j = json_get(p, "port");
	struct sbuf subject = SBUF_INIT, title = SBUF_INIT, body = SBUF_INIT;
	int port, ssl;
	char *q;

	if (!p || !host || !from)
		return channel_out_fail(o, "e-mail provider needs host and from");
	if (strpbrk(host, "/@:?# \r\n"))
		return channel_out_fail(o, "e-mail provider host is not a host name");
	if (secure && strcmp(secure, "starttls") && strcmp(secure, "ssl") && strcmp(secure, "none"))
		return channel_out_fail(o, "e-mail provider secure must be starttls, ssl or none");
	ssl = secure && !strcmp(secure, "ssl");
	port = port_j ? json_object_get_int(port_j) : 0;
	if (port_j && (port <= 0 || port > 65535))
		return channel_out_fail(o, "e-mail provider port is out of range");
	if (!port)
		port = ssl ? 465 : (secure && !strcmp(secure, "none")) ? 25 : 587;
	if (!m->target || strpbrk(m->target, "\r\n") || !(o->mail_to = bare_address(m->target)))
		return channel_out_fail(o, "recipient is not an e-mail address");
	if (strpbrk(from, "\r\n") || !(o->mail_from = bare_address(from)))
		return channel_out_fail(o, "e-mail provider from is not an e-mail address");

	o->kind = CHANNEL_MAIL;
	sbuf_addf(&o->url, "%s://%s:%d", ssl ? "smtps" : "smtp", host, port);
	o->use_starttls = !secure || !strcmp(secure, "starttls");
	if (conf_str(p, "username")) {
		o->username = xstrdup(conf_str(p, "username"));
		o->password = xstrdup(conf_str(p, "password") ? conf_str(p, "password") : "");
	}

	channel_add_trunc(&title, channel_str(m, "title"), 200);
	for (q = title.buf; *q; q++)
		if (*q == '\r' || *q == '\n' || *q == '\t')
			*q = ' ';
	sbuf_addf(&subject, "[%s] %s", subject_tag(m), title.buf);

	sbuf_addf(&o->body, "From: %s\r\nTo: %s\r\nSubject: ", from, m->target);
	add_subject(&o->body, subject.buf);
	sbuf_addstr(&o->body, "\r\nDate: ");
	add_date(&o->body, m->now_ms);
	if (m->idempotency_key && *m->idempotency_key)
		sbuf_addf(&o->body, "\r\nMessage-ID: <%s@opsknight>", m->idempotency_key);
	else
		sbuf_addf(&o->body, "\r\nMessage-ID: <%s.%" PRId64 "@opsknight>",
			channel_str(m, "id"), m->now_ms);
	sbuf_addstr(&o->body, "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
			      "Content-Transfer-Encoding: 8bit\r\n");
	if (m->idempotency_key && *m->idempotency_key)
		sbuf_addf(&o->body, "X-OpsKnight-Idempotency-Key: %s\r\n", m->idempotency_key);
	sbuf_addstr(&o->body, "\r\n");

	if (m->text && *m->text)
		sbuf_addf(&body, "%s\n\n", m->text);
	sbuf_addf(&body, "Incident %s: %s\n\n", channel_event_word(m->event),
		channel_str(m, "title"));
	sbuf_addf(&body, "Service:  %s\nStatus:   %s\nUrgency:  %s\nAssignee: %s\n",
		channel_str(m, "service.name"), channel_str(m, "status"), channel_str(m, "urgency"),
		channel_assignee(m));
	if (*created)
		sbuf_addf(&body, "Created:  %s\n", created);
	if (*d)
		sbuf_addf(&body, "\n%s\n", d);
	if (*url)
		sbuf_addf(&body, "\nView incident: %s\n", url);
	sbuf_addstr(&body, "\n-- \nOpsKnight\n");
	add_crlf(&o->body, body.buf);

	sbuf_release(&subject);
	sbuf_release(&title);
	sbuf_release(&body);
	return 0;
}

const struct channel channel_email = {"EMAIL", email_render};
