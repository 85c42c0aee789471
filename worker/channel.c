/* channel.c: the channel table, channel_send (render → breaker → http) and renderer helpers. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "breaker.h"
#include "channel.h"
#include "crypto.h"
#include "json.h"
#include "wrapper.h"

static const struct {
	const char *name;
	const struct channel *channel;
} channels[] = {
	{"WEBHOOK", &channel_webhook},
	{"GENERIC", &channel_webhook},
	{"SLACK", &channel_slack},
	{"TEAMS", &channel_teams},
	{"MICROSOFT_TEAMS", &channel_teams},
	{"DISCORD", &channel_discord},
	{"GOOGLE_CHAT", &channel_googlechat},
	{"TELEGRAM", &channel_telegram},
	{"EMAIL", &channel_email},
	{"SMS", &channel_sms},
	{"STATUS_PAGE", &channel_statuspage},
};

const struct channel *channel_find(const char *name)
{
	size_t i;

	for (i = 0; name && i < ARRAY_SIZE(channels); i++)
		if (!strcasecmp(name, channels[i].name))
			return channels[i].channel;
	return NULL;
}

/* --- struct channel_out ------------------------------------------------------------------- */

/* The header list of an output that has none yet (aheaders == 0: not ours to free). */
static char *no_headers[] = {NULL};

void channel_out_init(struct channel_out *o)
{
	memset(o, 0, sizeof(*o));
	o->kind = CHANNEL_HTTP;
	o->method = "POST";
	sbuf_init(&o->url, 0);
	sbuf_init(&o->body, 0);
	o->headers = no_headers;
}

void channel_out_release(struct channel_out *o)
{
	size_t i;

	sbuf_release(&o->url);
	sbuf_release(&o->body);
	for (i = 0; i < o->nheaders; i++)
		free(o->headers[i]);
	if (o->aheaders)
		free(o->headers);
	free(o->mail_from);
	free(o->mail_to);
	free(o->username);
	free(o->password);
	channel_out_init(o);
}

void channel_out_header(struct channel_out *o, const char *fmt, ...)
{
	struct sbuf sb = SBUF_INIT;
	va_list ap;
	char *p;

	va_start(ap, fmt);
	sbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	for (p = sb.buf; *p; p++)
		if (*p == '\r' || *p == '\n')
			*p = ' ';
	if (o->nheaders + 2 > o->aheaders) {
		size_t n = o->aheaders ? 2 * o->aheaders : 8;

		o->headers = xrealloc(o->aheaders ? o->headers : NULL, n * sizeof(*o->headers));
		o->aheaders = n;
	}
	o->headers[o->nheaders++] = sbuf_detach(&sb, NULL);
	o->headers[o->nheaders] = NULL;
}

int channel_out_fail(struct channel_out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(o->err, sizeof(o->err), fmt, ap);
	va_end(ap);
	return -1;
}

const char *channel_out_get_header(const struct channel_out *o, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < o->nheaders; i++)
		if (!strncasecmp(o->headers[i], name, n) && o->headers[i][n] == ':')
			return o->headers[i] + n + 1 + (o->headers[i][n + 1] == ' ');
	return NULL;
}

/* --- channel_send --------------------------------------------------------------------------- */

struct send_ctx {
	struct breaker *breaker;
	char key[BREAKER_KEY_MAX];
	int64_t now_ms;
	struct timespec started;
	http_done_fn *done;
	void *arg;
};

static void on_sent(const struct http_response *r, void *arg)
{
	struct send_ctx *c = arg;
	struct timespec t;
	int64_t elapsed;

	if (c->breaker && c->key[0]) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		elapsed = (int64_t)(t.tv_sec - c->started.tv_sec) * 1000 +
			  (t.tv_nsec - c->started.tv_nsec) / 1000000;
		if (!r->error || (!r->retryable && r->status))
			breaker_success(
				c->breaker, c->key); /* delivered, or the receiver answered */
		else if (r->retryable)
			breaker_failure(c->breaker, c->key, c->now_ms + elapsed);
	}
	c->done(r, c->arg);
	free(c);
}

void channel_send(struct http *h, struct breaker *b, const struct channel *c,
	const struct channel_msg *m, http_done_fn *done, void *arg)
{
	struct channel_out out;
	struct http_response r;
	struct send_ctx *ctx;

	memset(&r, 0, sizeof(r));
	channel_out_init(&out);
	if (!c || c->render(m, &out) < 0) {
		r.error = c ? out.err : "unknown channel";
		http_defer(h, &r, done, arg);
		channel_out_release(&out);
		return;
	}
	ctx = xcalloc(1, sizeof(*ctx));
	ctx->done = done;
	ctx->arg = arg;
	ctx->now_ms = m->now_ms;
	clock_gettime(CLOCK_MONOTONIC, &ctx->started);
	if (b && breaker_key(out.url.buf, ctx->key, sizeof(ctx->key)) == 0) {
		if (!breaker_allow(b, ctx->key, m->now_ms)) {
			char msg[BREAKER_KEY_MAX + 64];

			snprintf(msg, sizeof(msg), "service unavailable (circuit open): %s",
				ctx->key);
			r.error = msg;
			r.retryable = 1;
			r.circuit_open = 1;
			http_defer(h, &r, done, arg);
			free(ctx);
			channel_out_release(&out);
			return;
		}
		ctx->breaker = b;
	}
	if (out.kind == CHANNEL_MAIL) {
		struct mail mail = {
			.url = out.url.buf,
			.use_starttls = out.use_starttls,
			.username = out.username,
			.password = out.password,
			.from = out.mail_from,
			.to = out.mail_to,
			.message = out.body.buf,
			.message_len = out.body.len,
		};
		http_send_mail(h, &mail, on_sent, ctx);
	} else {
		struct http_request rq = {
			.method = out.method,
			.url = out.url.buf,
			.body = out.body.buf,
			.body_len = out.body.len,
			.headers = (const char *const *)out.headers,
		};
		http_send(h, &rq, on_sent, ctx);
	}
	channel_out_release(&out);
}

/* --- helpers for renderers ------------------------------------------------------------------ */

enum channel_tone channel_tone(const struct channel_msg *m)
{
	const char *ev = m->event ? m->event : "", *st = channel_str(m, "status");

	if (strstr(ev, "resolved"))
		return CHANNEL_GREEN;
	if (strstr(ev, "acknowledged") || !strcmp(ev, "warning"))
		return CHANNEL_YELLOW;
	if (!strcmp(ev, "triggered") || !strcmp(ev, "escalated") || strstr(ev, "created"))
		return CHANNEL_RED;
	if (!strcmp(st, "RESOLVED"))
		return CHANNEL_GREEN;
	if (!strcmp(st, "ACKNOWLEDGED") || !strcmp(st, "SNOOZED") || !strcmp(st, "SUPPRESSED"))
		return CHANNEL_YELLOW;
	return CHANNEL_RED;
}

const char *channel_tone_emoji(enum channel_tone t)
{
	static const char *const e[] = {"\xf0\x9f\x94\xb4", "\xf0\x9f\x9f\xa1", "\xf0\x9f\x9f\xa2"};
	return e[t];
}

const char *channel_tone_hex(enum channel_tone t)
{
	static const char *const c[] = {"d32f2f", "f9a825", "388e3c"};
	return c[t];
}

const char *channel_event_word(const char *event)
{
	static const struct {
		const char *event, *word;
	} words[] = {
		{"triggered", "Triggered"},
		{"acknowledged", "Acknowledged"},
		{"resolved", "Resolved"},
		{"updated", "Updated"},
		{"warning", "Warning"},
		{"escalated", "Escalated"},
		{"incident.created", "Triggered"},
		{"incident.acknowledged", "Acknowledged"},
		{"incident.resolved", "Resolved"},
		{"incident.snoozed", "Snoozed"},
		{"incident.suppressed", "Suppressed"},
	};
	size_t i;

	for (i = 0; event && i < ARRAY_SIZE(words); i++)
		if (!strcmp(event, words[i].event))
			return words[i].word;
	return "Updated";
}

static struct json_object *lookup(const struct channel_msg *m, const char *key)
{
	char head[64];
	const char *dot = strchr(key, '.');
	struct json_object *o;

	if (!dot)
		return json_get(m->incident, key);
	if ((size_t)(dot - key) >= sizeof(head))
		return NULL;
	memcpy(head, key, (size_t)(dot - key));
	head[dot - key] = '\0';
	o = json_get(m->incident, head);
	return o ? json_get(o, dot + 1) : NULL;
}

const char *channel_str(const struct channel_msg *m, const char *key)
{
	struct json_object *v = lookup(m, key);

	if (!v || json_object_is_type(v, json_type_null) ||
		json_object_is_type(v, json_type_object) || json_object_is_type(v, json_type_array))
		return "";
	return json_object_get_string(v);
}

const char *channel_assignee(const struct channel_msg *m)
{
	const char *name = channel_str(m, "assignee.name");

	if (!*name)
		name = channel_str(m, "assignee.email");
	return *name ? name : "Unassigned";
}

struct json_object *channel_ref(const struct channel_msg *m, const char *key)
{
	return json_object_get(lookup(m, key));
}

struct json_object *channel_service_json(const struct channel_msg *m)
{
	struct json_object *svc = json_object_new_object();

	json_object_object_add(svc, "id", channel_ref(m, "service.id"));
	json_object_object_add(svc, "name", channel_ref(m, "service.name"));
	return svc;
}

struct json_object *channel_assignee_json(const struct channel_msg *m)
{
	struct json_object *who = lookup(m, "assignee");

	if (!who || !json_object_is_type(who, json_type_object))
		return NULL;
	struct json_object *a = json_object_new_object();
	json_object_object_add(a, "id", channel_ref(m, "assignee.id"));
	json_object_object_add(a, "name", channel_ref(m, "assignee.name"));
	json_object_object_add(a, "email", channel_ref(m, "assignee.email"));
	return a;
}

void channel_iso(int64_t ms, char out[32])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char date[24];

	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, 32, "%s.%03dZ", date, (int)(ms % 1000));
}

void channel_add_trunc(struct sbuf *sb, const char *s, size_t max)
{
	size_t i = 0, chars = 0, cut = 0;

	if (!s || !max)
		return;
	for (i = 0; s[i]; i++) {
		if (((unsigned char)s[i] & 0xc0) == 0x80)
			continue; /* continuation byte */
		if (chars == max - 1)
			cut = i; /* room for "…" if the string turns out too long */
		if (chars++ == max) {
			sbuf_add(sb, s, cut);
			sbuf_addstr(sb, "\xe2\x80\xa6");
			return;
		}
	}
	sbuf_add(sb, s, i);
}

void channel_body_json(struct channel_out *o, struct json_object *root)
{
	sbuf_reset(&o->body);
	sbuf_addstr(&o->body, json_object_to_json_string_ext(root,
				      JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
}

void channel_sign(const char *secret, const char *a, const char *b, char out[72])
{
	struct sbuf sb = SBUF_INIT;
	unsigned char mac[SHA256_LEN];

	sbuf_addstr(&sb, a);
	if (b)
		sbuf_addstr(&sb, b);
	crypto_hmac_sha256(secret, strlen(secret), sb.buf, sb.len, mac);
	memcpy(out, "sha256=", 7);
	crypto_hex(mac, sizeof(mac), out + 7);
	sbuf_release(&sb);
}

void channel_base64(struct sbuf *sb, const void *data, size_t n)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = data;
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		sbuf_addch(sb, tab[p[i] >> 2]);
		sbuf_addch(sb, tab[(p[i] & 3) << 4 | p[i + 1] >> 4]);
		sbuf_addch(sb, tab[(p[i + 1] & 15) << 2 | p[i + 2] >> 6]);
		sbuf_addch(sb, tab[p[i + 2] & 63]);
	}
	if (n - i == 1) {
		sbuf_addch(sb, tab[p[i] >> 2]);
		sbuf_addch(sb, tab[(p[i] & 3) << 4]);
		sbuf_addstr(sb, "==");
	} else if (n - i == 2) {
		sbuf_addch(sb, tab[p[i] >> 2]);
		sbuf_addch(sb, tab[(p[i] & 3) << 4 | p[i + 1] >> 4]);
		sbuf_addch(sb, tab[(p[i + 1] & 15) << 2]);
		sbuf_addch(sb, '=');
	}
}

void channel_form_encode(struct sbuf *sb, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			c == '-' || c == '_' || c == '.' || c == '~') {
			sbuf_addch(sb, c);
		} else if (c == ' ') {
			sbuf_addch(sb, '+');
		} else {
			sbuf_addch(sb, '%');
			sbuf_addch(sb, hex[c >> 4]);
			sbuf_addch(sb, hex[c & 15]);
		}
	}
}

int channel_is_http_url(const char *s)
{
	return s && (skip_prefix_ci(s, "https://") || skip_prefix_ci(s, "http://")) &&
	       !strpbrk(s, " \r\n\t");
}
