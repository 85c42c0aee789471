/* job_notification.c: NOTIFICATION: load what to send (one round trip), send it through the
 * channels on the loop (no transaction open), record the outcome (one round trip). */
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

#include "worker.h"
#include "jobq.h"
#include "channel.h"
#include "breaker.h"
#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "json.h"
#include "log.h"
#include "sbuf.h"
#include "wrapper.h"

struct sending {
	struct job *j;
	struct json_object *load;       /* ok_delivery_load's answer (owned) */
	struct json_object *deliveries; /* borrowed from load */
	struct json_object *results;    /* [{channel, notification_id, ok, error}] (owned) */
	size_t n, next, pending;
	int first_only;                 /* non-HIGH user pages: stop at the first success */
	int delivered, retryable;
	int failed;                     /* tried and failed (counts an attempt) */
	int deferred;                   /* not tried: the destination's circuit is open */
	char error[256];
};

static int64_t now_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static void put_json(void *v)
{
	json_object_put(v);
}

/* All answers are in: record them, then complete, retry or fail the job. */
static void conclude(struct sending *s)
{
	struct job *j = s->j;
	struct db_error err = { 0 };
	const char *payload = json_object_to_json_string_ext(j->payload, JSON_C_TO_STRING_PLAIN);
	const char *results = json_object_to_json_string_ext(s->results, JSON_C_TO_STRING_PLAIN);

	if (json_object_array_length(s->results) &&
		jobq_delivery_record(j->w, payload, results, &err) < 0)
		log_msg(LOG_WARN, "recording deliveries failed", "job", j->id, "error", err.message,
			NULL);
	if ((!s->failed && !s->deferred) || (s->first_only && s->delivered))
		job_finish(j, JOB_DONE, NULL, NULL);
	else if (!s->failed)
		/* only open circuits: nothing was tried, so no attempt is spent (spec §8.3) */
		job_finish(j, JOB_DEFER, s->error, NULL);
	else
		job_finish(j, s->retryable ? JOB_RETRY : JOB_FAIL, s->error, NULL);
}

/* One delivery in flight. */
struct one {
	struct sending *s;
	struct json_object *d; /* its element of deliveries */
};

static void send_next(struct sending *s);
static void record(struct sending *s, struct json_object *d, const struct http_response *r);

static void on_sent(const struct http_response *r, void *arg)
{
	struct one *o = arg;
	struct sending *s = o->s;
	struct json_object *d = o->d;

	s->pending--;
	if (r->circuit_open) {
		/* not tried: neither the notification row nor the job's attempts count it */
		s->deferred++;
		snprintf(s->error, sizeof(s->error), "%s: %s", json_get_str(d, "channel", NULL),
			r->error);
	} else {
		record(s, d, r);
	}
	if (s->first_only && !s->delivered && s->next < s->n)
		send_next(s); /* this channel did not deliver: try the user's next one */
	else if (s->pending == 0 && (s->first_only || s->next >= s->n))
		conclude(s);
}

/* Adds the outcome of one tried delivery to s->results. */
static void record(struct sending *s, struct json_object *d, const struct http_response *r)
{
	struct json_object *res = json_object_new_object();

	json_object_object_add(res, "channel",
		json_object_new_string(json_get_str(d, "channel", NULL)));
	struct json_object *nid = json_get(d, "notification_id");
	if (nid)
		json_object_object_add(res, "notification_id", json_object_get(nid));
	json_object_object_add(res, "ok", json_object_new_boolean(r->error == NULL));
	if (r->error) {
		json_object_object_add(res, "error", json_object_new_string(r->error));
		snprintf(s->error, sizeof(s->error), "%s: %s", json_get_str(d, "channel", NULL),
			r->error);
		s->retryable |= r->retryable;
		s->failed++;
	} else {
		s->delivered++;
	}
	json_object_array_add(s->results, res);
}

/* Starts delivery s->next. */
static void send_next(struct sending *s)
{
	struct json_object *d = json_object_array_get_idx(s->deliveries, s->next++);
	const char *name = json_get_str(d, "channel", NULL);
	const struct channel *c = name ? channel_find(name) : NULL;
	struct channel_msg m = {
		.event = json_get_str(s->load, "event", NULL),
		.incident = json_get(s->load, "incident"),
		.text = json_get_str(s->load, "text", NULL),
		.target = json_get_str(d, "target", NULL),
		.secret = json_get_str(d, "secret", NULL),
		.extra = json_get_str(d, "extra", NULL),
		.idempotency_key = s->j->id,
		.now_ms = now_ms(),
		.provider = json_get(d, "provider"),
	};

	struct one *o = arena_alloc(&s->j->arena, sizeof(*o));
	o->s = s;
	o->d = d;
	s->pending++;
	if (!c) {
		struct http_response r = { .error = "no such channel", .retryable = 0 };
		http_defer(s->j->w->http, &r, on_sent, o);
		return;
	}
	channel_send(s->j->w->http, s->j->w->breaker, c, &m, on_sent, o);
}

/* What is wrong with the payload, or NULL. A malformed payload fails at once with a reason:
 * retrying cannot help, and an unknown kind or a missing id must not pass for "nothing to send"
 * (ok_delivery_load answers no deliveries for those) nor for a database error (a bad UUID). */
static const char *payload_problem(const struct job *j)
{
	static const struct {
		const char *kind, *id; /* the id member the kind needs besides incident_id */
	} kinds[] = {
		{ "user", "user_id" },
		{ "webhook_integration", "webhook_id" },
		{ "status_page", "webhook_id" },
		{ "slack", NULL },
		{ "service_webhook", NULL },
	};
	const char *kind = job_str(j, "kind"), *inc = job_str(j, "incident_id");

	if (!kind || !inc)
		return "payload needs kind and incident_id";
	if (!crypto_is_uuid(inc))
		return "payload.incident_id is not a UUID";
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		if (strcmp(kind, kinds[i].kind))
			continue;
		if (!kinds[i].id)
			return NULL;
		const char *id = job_str(j, kinds[i].id);
		if (!id || !crypto_is_uuid(id))
			return !strcmp(kinds[i].id, "user_id") ? "payload.user_id is missing or not a UUID"
							     : "payload.webhook_id is missing or not a UUID";
		return NULL;
	}
	return "unknown notification kind (user, webhook_integration, status_page, slack, "
	       "service_webhook)";
}

void job_notification_run(struct job *j)
{
	struct db_error err = { 0 };
	struct sending *s = arena_calloc(&j->arena, sizeof(*s));
	const char *payload = json_object_to_json_string_ext(j->payload, JSON_C_TO_STRING_PLAIN);

	const char *why = payload_problem(j);

	if (why) {
		job_finish(j, JOB_FAIL, why, NULL);
		return;
	}
	s->j = j;
	s->load = jobq_delivery_load(j->w, j->id, payload, &err);
	if (!s->load) {
		job_finish(j, JOB_RETRY, err.message, NULL);
		return;
	}
	arena_on_reset(&j->arena, put_json, s->load);
	s->results = json_object_new_array();
	arena_on_reset(&j->arena, put_json, s->results);
	s->deliveries = json_get(s->load, "deliveries");
	s->n = s->deliveries ? json_object_array_length(s->deliveries) : 0;
	if (s->n == 0) {
		job_finish(j, JOB_DONE, NULL, NULL); /* nobody reachable, or the target is gone */
		return;
	}
	const char *mode = json_get_str(s->load, "mode", NULL);
	s->first_only = mode && !strcmp(mode, "first");
	if (s->first_only) {
		send_next(s);
		return;
	}
	while (s->next < s->n)
		send_next(s);
}

int worker_outbound_init(struct worker *w)
{
	struct http_policy policy = {
		.allow_loopback = w->conf->allow_private_targets,
		.allow_private = w->conf->allow_private_targets,
	};

	w->http = http_new(w->base, &policy);
	w->breaker = breaker_new(5, 60000);
	if (!w->http) {
		log_msg(LOG_ERROR, "cannot start the HTTP client (libcurl)", NULL);
		breaker_free(w->breaker);
		return -1;
	}
	return 0;
}

void worker_outbound_free(struct worker *w)
{
	http_free(w->http); /* answers every send in flight: their jobs finish */
	breaker_free(w->breaker);
	w->http = NULL;
	w->breaker = NULL;
}
