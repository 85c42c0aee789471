/* http.h: the worker's outbound HTTP and SMTP client (libcurl multi driven by libevent). */
#ifndef OK_HTTP_H
#define OK_HTTP_H

#include <stddef.h>
#include <sys/socket.h>

struct event_base;
struct http;

/* Response bodies beyond this many bytes are dropped (the transfer itself still completes). */
#define HTTP_BODY_MAX (64 * 1024)
#define HTTP_TIMEOUT_MS_DEFAULT 10000
#define HTTP_USER_AGENT_DEFAULT "OpsKnight/1.0"

struct http_policy {
	int allow_loopback;	/* permit 127.0.0.0/8, 0.0.0.0/8, ::1, :: (dev and tests) */
	int allow_private;	/* permit RFC 1918, 100.64/10, link-local, fc00::/7, fec0::/10 */
	long timeout_ms;	/* default per-transfer timeout; 0 means HTTP_TIMEOUT_MS_DEFAULT */
	const char *user_agent; /* NULL means HTTP_USER_AGENT_DEFAULT; copied by http_new */
};

struct http_request {
	const char *method; /* "POST", "GET", "PUT", ...; NULL means POST with a body, else GET */
	const char *url;    /* http:// or https:// only */
	const char *body;   /* may be NULL when body_len is 0 */
	size_t body_len;
	const char *const *headers; /* NULL-terminated "Name: value" strings, or NULL */
	long timeout_ms;	    /* 0 means the policy's timeout */
};

/*
 * What done() receives; every pointer is borrowed and dies when done() returns.
 * Delivery succeeded exactly when error is NULL (HTTP: a 2xx status; SMTP: the message was
 * accepted). status is the last HTTP status or SMTP reply code, 0 when none was received.
 * retryable is 1 for timeouts, network errors, HTTP 5xx/429, SMTP 4xx replies and an open
 * circuit; 0 for success, other HTTP statuses, SMTP 5xx, SSRF refusals, bad URLs and bad
 * configuration. circuit_open is 1 only when channel_send refused because a breaker is open.
 */
struct http_response {
	long status;
	const char *error;
	const char *body;
	size_t body_len;
	int retryable;
	int circuit_open;
};

typedef void http_done_fn(const struct http_response *r, void *arg);

struct mail {
	const char *url;      /* smtp://host:port (plain or STARTTLS) or smtps://host:port */
	int use_starttls;     /* 1: require STARTTLS on smtp:// (CURLUSESSL_ALL) */
	const char *username; /* NULL for no AUTH */
	const char *password;
	const char *from;    /* envelope sender, bare address */
	const char *to;	     /* envelope recipient, bare address */
	const char *message; /* the RFC 5322 message text, CRLF line endings */
	size_t message_len;
	long timeout_ms; /* 0 means the policy's timeout */
};

/* A new client whose sockets and timers live on base. Returns NULL if libcurl cannot start. */
struct http *http_new(struct event_base *base, const struct http_policy *policy);
/*
 * Cancels the transfers still in flight and answers every outstanding done() (status 0,
 * error "cancelled", retryable 1) before freeing h. Call it outside any done() callback.
 */
void http_free(struct http *h);

/*
 * Starts rq; returns at once. rq and everything it points at are copied, so the caller may free
 * them on return. done(r, arg) is called exactly once, always later from the event loop (never
 * from inside http_send), also for immediate failures.
 */
void http_send(struct http *h, const struct http_request *rq, http_done_fn *done, void *arg);
/* Sends one message over SMTP; the same contract as http_send. */
void http_send_mail(struct http *h, const struct mail *m, http_done_fn *done, void *arg);
/* Answers done(r, arg) later from the loop without any transfer; r is copied (error, body). */
void http_defer(struct http *h, const struct http_response *r, http_done_fn *done, void *arg);
/* Number of calls whose done() has not run yet (for draining at shutdown). */
unsigned http_pending(const struct http *h);

enum http_addr_class {
	HTTP_ADDR_PUBLIC,
	HTTP_ADDR_LOOPBACK, /* 127/8, 0/8, ::1, ::, and their v4-mapped forms */
	HTTP_ADDR_PRIVATE,  /* 10/8, 172.16/12, 192.168/16, 100.64/10, 169.254/16, fc00::/7,
			       fe80::/10,  fec0::/10 */
};
/* Classifies a socket address (AF_INET or AF_INET6; anything else counts as private). */
enum http_addr_class http_addr_classify(const struct sockaddr *sa);

#endif
