/* event.h: the normalised event every source is turned into, and the validators of the
 * PagerDuty Events v2 bodies (alert and change events). Pure: no I/O. */
#ifndef OK_EVENT_H
#define OK_EVENT_H

#include <stddef.h>
#include <json-c/json.h>

struct arena;
struct sbuf;

enum event_action { EV_TRIGGER, EV_ACKNOWLEDGE, EV_RESOLVE };
enum event_severity { SEV_NONE = 0, SEV_CRITICAL, SEV_ERROR, SEV_WARNING, SEV_INFO };

#define EVENT_DEDUP_MAX 255      /* code points */
#define EVENT_SUMMARY_MAX 1024   /* code points */
#define EVENT_SOURCE_MAX 1024
#define EVENT_FIELD_MAX 1024     /* component, group, class, client, client_url */
#define EVENT_MAX_ERRORS 16

/* A normalised alert event. Strings live in the arena given to the parser; json pointers are
 * borrowed from the parsed body and live as long as it does. */
struct event {
	enum event_action action;
	const char *dedup_key;      /* never NULL after a successful parse */
	int dedup_generated;        /* 1 when we generated a UUID (trigger without dedup_key) */
	const char *summary;        /* control characters stripped; NULL for ack/resolve without one */
	const char *source;
	enum event_severity severity;
	const char *occurred_at;    /* payload.timestamp as sent (validated), or NULL */
	struct json_object *custom_details; /* or NULL */
	struct json_object *payload;        /* the whole event object as received */
};

/* A PagerDuty change event (/v2/change/enqueue). */
struct change_event {
	const char *summary;
	const char *source;         /* may be NULL */
	const char *occurred_at;    /* may be NULL */
	struct json_object *custom_details;
	struct json_object *payload;
};

/* Validation messages, one per violation, worded as PagerDuty does ("'payload.summary' is
 * missing or blank"). */
struct verrs {
	int n;
	char msg[EVENT_MAX_ERRORS][192];
};
void verrs_add(struct verrs *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Validates an Events API v2 alert body (also the /api/events body) and fills ev. The routing
 * key is not checked here. A trigger without dedup_key gets a generated UUID. Text fields are
 * sanitised (control characters removed). Returns 0, or -1 with every violation in errs.
 */
int event_parse(struct json_object *body, struct arena *a, struct event *ev, struct verrs *errs)
	__attribute__((warn_unused_result));
/* Validates a change-event body. Returns 0, or -1 with errs filled. */
int event_parse_change(struct json_object *body, struct arena *a, struct change_event *ce,
	struct verrs *errs) __attribute__((warn_unused_result));

/* Appends the JSON object the ingest SQL function takes for one event:
 * {"action","dedup_key","summary","source","severity","custom_details","payload","occurred_at"}. */
void event_to_json(const struct event *ev, struct sbuf *out);
void event_change_to_json(const struct change_event *ce, struct sbuf *out);

const char *event_action_name(enum event_action a);      /* "trigger", ... */
const char *event_severity_name(enum event_severity s); /* "critical", ..., NULL for NONE */
int event_severity_parse(const char *s, enum event_severity *out);

/* Copies s[0..n) (valid UTF-8) into the arena with every C0 control character and DEL removed.
 * Returns the copy. */
char *event_clean_text(struct arena *a, const char *s, size_t n);
/* Number of code points in valid UTF-8 s[0..n). */
size_t event_utf8_len(const char *s, size_t n);
/* 1 when s is an ISO-8601 timestamp PagerDuty accepts (date, 'T', time, optional fraction,
 * optional 'Z' or +hh:mm / +hhmm offset). */
int event_timestamp_valid(const char *s);

#endif
