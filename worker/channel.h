/* channel.h: notification channels: pure renderers (one channel_<name>.c each) and channel_send. */
#ifndef OK_CHANNEL_H
#define OK_CHANNEL_H

#include <stdint.h>
#include <json-c/json.h>

#include "http.h"
#include "sbuf.h"

struct breaker;

/* What to send; every pointer is borrowed for the duration of the call. */
struct channel_msg {
	/* triggered|acknowledged|resolved|updated|warning|escalated; for status pages the
	 * incident.* name (incident.created, incident.acknowledged, ...) */
	const char *event;
	/* {id,title,description,status,urgency,priority,url,created_at,acknowledged_at,resolved_at,
	 *  service:{id,name},assignee:{id,name,email}|null}; absent fields render as null or "" */
	struct json_object *incident;
	const char *text;	      /* user-notification text (e-mail intro), may be NULL */
	const char *target;	      /* URL, e-mail address or phone number */
	const char *secret;	      /* signing secret (webhook, status page), may be NULL */
	const char *extra;	      /* Telegram chat id, Slack channel; may be NULL */
	const char *idempotency_key;  /* the job id; may be NULL */
	int64_t now_ms;		      /* Unix time in ms: signatures, timestamps, breaker clock */
	struct json_object *provider; /* e-mail / SMS provider config, or NULL */
};

enum channel_kind {
	CHANNEL_HTTP,
	CHANNEL_MAIL,
};

/*
 * A rendered request. It owns all its memory: init, render, then release. For CHANNEL_MAIL,
 * url is smtp[s]://host:port and body is the RFC 5322 message (CRLF line endings).
 */
struct channel_out {
	enum channel_kind kind;
	const char *method; /* static string, "POST" */
	struct sbuf url;
	struct sbuf body;
	char **headers; /* "Name: value" strings, always NULL-terminated, owned when aheaders > 0 */
	size_t nheaders, aheaders;
	/* mail only */
	char *mail_from; /* envelope sender (bare address) */
	char *mail_to;	 /* envelope recipient */
	char *username;	 /* NULL when the server needs no AUTH */
	char *password;
	int use_starttls;
	char err[256]; /* why render failed */
};

void channel_out_init(struct channel_out *o);
/* Frees everything o owns and re-initialises it. */
void channel_out_release(struct channel_out *o);
/* Appends one header line (no CR or LF; they are removed). */
void channel_out_header(struct channel_out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Fills o->err and returns -1, for renderers. */
int channel_out_fail(struct channel_out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The value of the header name (case-insensitive) in o, borrowed, or NULL. */
const char *channel_out_get_header(const struct channel_out *o, const char *name);

struct channel {
	const char *name; /* "WEBHOOK","SLACK","TEAMS","DISCORD","GOOGLE_CHAT","TELEGRAM","EMAIL",
			     "SMS","STATUS_PAGE" */
	/* Pure: builds the request (url, headers, body) or the mail into out, which the caller has
	 * initialised. Returns 0, or -1 with out->err set (bad target or provider config). */
	int (*render)(const struct channel_msg *m, struct channel_out *out);
};

extern const struct channel channel_webhook, channel_slack, channel_teams, channel_discord,
	channel_googlechat, channel_telegram, channel_email, channel_sms, channel_statuspage;

/* The channel called name (case-insensitive; "MICROSOFT_TEAMS" and "GENERIC" are aliases),
 * or NULL. */
const struct channel *channel_find(const char *name);

/*
 * Renders m with c, asks the breaker b (may be NULL) about the destination, and sends it with
 * http_send / http_send_mail. done(r, arg) is called exactly once, later, from the loop:
 * a render failure answers error = out->err with retryable 0; an open circuit answers
 * "service unavailable (circuit open): <destination>" with retryable 1 and circuit_open 1.
 * Outcomes feed b: delivered or answered 4xx → success, retryable failures → failure.
 * b must outlive every send that uses it; m may be freed when channel_send returns.
 */
void channel_send(struct http *h, struct breaker *b, const struct channel *c,
	const struct channel_msg *m, http_done_fn *done, void *arg);

/* --- shared by the channel_<name>.c renderers ----------------------------------------------- */

enum channel_tone {
	CHANNEL_RED,	/* triggered, escalated, open */
	CHANNEL_YELLOW, /* acknowledged, warning, snoozed */
	CHANNEL_GREEN,	/* resolved */
};
enum channel_tone channel_tone(const struct channel_msg *m);
/* "🔴", "🟡", "🟢" */
const char *channel_tone_emoji(enum channel_tone t);
/* "d32f2f", "f9a825", "388e3c" */
const char *channel_tone_hex(enum channel_tone t);
/* "Triggered", "Acknowledged", ... (the event word with a capital; "Updated" when unknown). */
const char *channel_event_word(const char *event);
/* incident[key] (dotted one level: "service.name") as a string, or "" when absent or null. */
const char *channel_str(const struct channel_msg *m, const char *key);
/* The assignee's name, or "Unassigned". */
const char *channel_assignee(const struct channel_msg *m);
/* A new reference to incident[key], or NULL (renders as JSON null). */
struct json_object *channel_ref(const struct channel_msg *m, const char *key);
/* {"id","name"} of the incident's service (new object). */
struct json_object *channel_service_json(const struct channel_msg *m);
/* {"id","name","email"} of the assignee (new object), or NULL (renders as JSON null). */
struct json_object *channel_assignee_json(const struct channel_msg *m);
/* "2024-05-01T12:00:00.000Z" */
void channel_iso(int64_t ms, char out[32]);
/* Appends s cut to at most max characters (UTF-8 code points), "…" marking a cut. */
void channel_add_trunc(struct sbuf *sb, const char *s, size_t max);
/* Renders root compactly into o->body (no "\/" escaping) and drops the reference. */
void channel_body_json(struct channel_out *o, struct json_object *root);
/* Writes "sha256=" + lowercase hex HMAC-SHA256(secret, a || b) into out (b may be NULL). */
void channel_sign(const char *secret, const char *a, const char *b, char out[72]);
/* Standard base64 with padding of n bytes appended to sb. */
void channel_base64(struct sbuf *sb, const void *data, size_t n);
/* Appends s percent-encoded for application/x-www-form-urlencoded (space as '+'). */
void channel_form_encode(struct sbuf *sb, const char *s);
/* 1 when s is an http:// or https:// URL. */
int channel_is_http_url(const char *s);

#endif
