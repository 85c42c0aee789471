/* http.c: libcurl multi on libevent (socket and timer callbacks), SSRF guard, capped bodies. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <curl/curl.h>
#include <event2/event.h>

#include "http.h"
#include "sbuf.h"
#include "wrapper.h"

/* One call of http_send / http_send_mail / http_defer, from start until done() returned. */
struct xfer {
	struct http *h;
	CURL *easy; /* NULL once the transfer finished, or for deferred answers */
	struct curl_slist *headers;
	struct curl_slist *rcpt;
	http_done_fn *done;
	void *arg;
	int is_mail;
	long timeout_ms;
	struct sbuf body; /* response body (capped) */
	char *upload;	  /* mail message being sent */
	size_t upload_len, upload_pos;
	int refused; /* the SSRF guard refused an address */
	char refused_addr[INET6_ADDRSTRLEN];
	enum http_addr_class refused_class;
	char errbuf[CURL_ERROR_SIZE];
	char error[CURL_ERROR_SIZE + 128];
	struct http_response resp;
	struct xfer *prev, *next; /* in h->active, or next in h->finished */
};

/* The libevent event watching one of curl's sockets. */
struct sockwatch {
	struct event *ev;
	struct sockwatch *prev, *next;
};

struct http {
	struct event_base *base;
	CURLM *multi;
	struct event *timer;   /* curl's single timeout */
	struct event *flush;   /* runs the finished queue */
	struct xfer *active;   /* transfers curl owns */
	struct xfer *fin_head; /* answered, done() not yet called */
	struct xfer **fin_tail;
	struct sockwatch *socks;
	unsigned pending;
	int closing; /* inside http_free: new calls are answered "cancelled" */
	int allow_loopback, allow_private;
	long timeout_ms;
	char *user_agent;
};

enum http_addr_class http_addr_classify(const struct sockaddr *sa)
{
	const unsigned char *b;
	uint32_t v4;

	if (sa->sa_family == AF_INET) {
		v4 = ntohl(((const struct sockaddr_in *)(const void *)sa)->sin_addr.s_addr);
		goto classify_v4;
	}
	if (sa->sa_family != AF_INET6)
		return HTTP_ADDR_PRIVATE;
	b = ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr;
	static const unsigned char zero[16];
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (!memcmp(b, zero, 15) && (b[15] == 0 || b[15] == 1))
		return HTTP_ADDR_LOOPBACK; /* :: and ::1 */
	if (!memcmp(b, mapped, 12) || !memcmp(b, zero, 12)) {
		/* v4-mapped (::ffff:a.b.c.d) and the deprecated v4-compatible (::a.b.c.d) forms */
		v4 = (uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 | (uint32_t)b[14] << 8 | b[15];
		goto classify_v4;
	}
	if ((b[0] & 0xfe) == 0xfc)
		return HTTP_ADDR_PRIVATE; /* fc00::/7 unique local */
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
		return HTTP_ADDR_PRIVATE; /* fe80::/10 link-local */
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)
		return HTTP_ADDR_PRIVATE; /* fec0::/10 site-local (deprecated) */
	return HTTP_ADDR_PUBLIC;

classify_v4:
	if ((v4 >> 24) == 127 || (v4 >> 24) == 0)
		return HTTP_ADDR_LOOPBACK; /* 127/8; 0/8 reaches this host */
	if ((v4 >> 24) == 10 || (v4 >> 20) == (172u << 4 | 1) || (v4 >> 16) == (192u << 8 | 168) ||
		(v4 >> 16) == (169u << 8 | 254) || (v4 >> 22) == (100u << 2 | 1))
		return HTTP_ADDR_PRIVATE; /* 10/8 172.16/12 192.168/16 169.254/16 100.64/10 */
	return HTTP_ADDR_PUBLIC;
}

static void queue_finished(struct xfer *x)
{
	struct http *h = x->h;

	x->next = NULL;
	*h->fin_tail = x;
	h->fin_tail = &x->next;
	event_active(h->flush, EV_TIMEOUT, 0);
}

static void xfer_free(struct xfer *x)
{
	if (x->easy)
		curl_easy_cleanup(x->easy);
	curl_slist_free_all(x->headers);
	curl_slist_free_all(x->rcpt);
	sbuf_release(&x->body);
	free(x->upload);
	free(x);
}

/* Runs every finished call's done() in order; done() may start new calls. */
static void run_finished(struct http *h)
{
	struct xfer *list = h->fin_head, *x;

	h->fin_head = NULL;
	h->fin_tail = &h->fin_head;
	while ((x = list) != NULL) {
		list = x->next;
		h->pending--;
		x->done(&x->resp, x->arg);
		xfer_free(x);
	}
}

static void on_flush(evutil_socket_t fd, short what, void *arg)
{
	run_finished(arg);
}

static struct xfer *xfer_new(struct http *h, http_done_fn *done, void *arg)
{
	struct xfer *x = xcalloc(1, sizeof(*x));

	x->h = h;
	x->done = done;
	x->arg = arg;
	sbuf_init(&x->body, 0);
	h->pending++;
	return x;
}

/* Answers a call that never reached curl. */
static void fail_now(struct xfer *x, const char *error, int retryable)
{
	snprintf(x->error, sizeof(x->error), "%s", error);
	x->resp.error = x->error;
	x->resp.retryable = retryable;
	queue_finished(x);
}

static void active_unlink(struct xfer *x)
{
	if (x->prev)
		x->prev->next = x->next;
	else
		x->h->active = x->next;
	if (x->next)
		x->next->prev = x->prev;
	x->prev = x->next = NULL;
}

static int curl_code_retryable(CURLcode rc)
{
	switch (rc) {
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_LOGIN_DENIED:
	case CURLE_BAD_FUNCTION_ARGUMENT:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_USE_SSL_FAILED:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_REMOTE_ACCESS_DENIED:
		return 0;
	default:
		return 1;
	}
}

static const char *class_name(enum http_addr_class c)
{
	return c == HTTP_ADDR_LOOPBACK ? "loopback" : "private";
}

/* Turns curl's result into x->resp, detaches the easy handle and queues done(). */
static void complete(struct xfer *x, CURLcode rc)
{
	struct http *h = x->h;
	long code = 0;

	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
	x->resp.status = code;
	x->resp.body = x->body.buf;
	x->resp.body_len = x->body.len;
	if (rc != CURLE_OK && x->refused) {
		snprintf(x->error, sizeof(x->error), "refused to connect to %s address %s",
			class_name(x->refused_class), x->refused_addr);
		x->resp.error = x->error;
		x->resp.status = 0;
		x->resp.retryable = 0;
	} else if (rc != CURLE_OK) {
		snprintf(x->error, sizeof(x->error), "%s",
			x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
		x->resp.error = x->error;
		if (x->is_mail && code >= 400 && code < 600)
			x->resp.retryable = code < 500; /* SMTP: 4xx transient, 5xx permanent */
		else
			x->resp.retryable = curl_code_retryable(rc);
	} else if (!x->is_mail && (code < 200 || code > 299)) {
		snprintf(x->error, sizeof(x->error), "receiver answered HTTP %ld", code);
		x->resp.error = x->error;
		x->resp.retryable = code >= 500 || code == 429;
	}
	curl_multi_remove_handle(h->multi, x->easy);
	curl_easy_cleanup(x->easy);
	x->easy = NULL;
	active_unlink(x);
	queue_finished(x);
}

static void check_done(struct http *h)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(h->multi, &left)) != NULL) {
		char *priv = NULL;
		CURLcode rc = msg->data.result;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
		complete((struct xfer *)(void *)priv, rc);
	}
}

static void on_socket_event(evutil_socket_t fd, short what, void *arg)
{
	struct http *h = arg;
	int running, action = 0;

	if (what & EV_READ)
		action |= CURL_CSELECT_IN;
	if (what & EV_WRITE)
		action |= CURL_CSELECT_OUT;
	curl_multi_socket_action(h->multi, fd, action, &running);
	check_done(h);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct http *h = arg;
	int running;

	curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_done(h);
}

/* CURLMOPT_SOCKETFUNCTION: watch s for what curl asks, or stop watching it. */
static int on_curl_socket(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct http *h = userp;
	struct sockwatch *w = socketp;
	short kind = EV_PERSIST;

	if (what == CURL_POLL_REMOVE) {
		if (w) {
			event_free(w->ev);
			if (w->prev)
				w->prev->next = w->next;
			else
				h->socks = w->next;
			if (w->next)
				w->next->prev = w->prev;
			free(w);
		}
		return 0;
	}
	if (what & CURL_POLL_IN)
		kind |= EV_READ;
	if (what & CURL_POLL_OUT)
		kind |= EV_WRITE;
	if (!w) {
		w = xcalloc(1, sizeof(*w));
		w->ev = event_new(h->base, s, kind, on_socket_event, h);
		w->next = h->socks;
		if (h->socks)
			h->socks->prev = w;
		h->socks = w;
		curl_multi_assign(h->multi, s, w);
	} else {
		event_del(w->ev);
		event_assign(w->ev, h->base, s, kind, on_socket_event, h);
	}
	event_add(w->ev, NULL);
	return 0;
}

/* CURLMOPT_TIMERFUNCTION: (re)arm or cancel the single timeout. */
static int on_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
	struct http *h = userp;
	struct timeval tv;

	if (timeout_ms < 0) {
		evtimer_del(h->timer);
		return 0;
	}
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	evtimer_add(h->timer, &tv);
	return 0;
}

/* CURLOPT_OPENSOCKETFUNCTION: the SSRF guard sees every address curl is about to connect to. */
static curl_socket_t on_open_socket(void *clientp, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct xfer *x = clientp;
	enum http_addr_class c = http_addr_classify(&a->addr);

	if ((c == HTTP_ADDR_LOOPBACK && !x->h->allow_loopback) ||
		(c == HTTP_ADDR_PRIVATE && !x->h->allow_private)) {
		const void *in =
			a->family == AF_INET6
				? (const void *)&((struct sockaddr_in6 *)(void *)&a->addr)
					  ->sin6_addr
				: (const void *)&((struct sockaddr_in *)(void *)&a->addr)->sin_addr;

		x->refused = 1;
		x->refused_class = c;
		if (!inet_ntop(a->family, in, x->refused_addr, sizeof(x->refused_addr)))
			snprintf(x->refused_addr, sizeof(x->refused_addr), "?");
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

static size_t on_write(char *p, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	size_t len = size * n;

	if (x->body.len < HTTP_BODY_MAX)
		sbuf_add(&x->body, p,
			len < HTTP_BODY_MAX - x->body.len ? len : HTTP_BODY_MAX - x->body.len);
	return len;
}

static size_t on_read(char *buf, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	size_t room = size * n, left = x->upload_len - x->upload_pos;

	if (room > left)
		room = left;
	memcpy(buf, x->upload + x->upload_pos, room);
	x->upload_pos += room;
	return room;
}

/* Options shared by HTTP and SMTP transfers. */
static CURL *easy_new(struct xfer *x, const char *url, const char *protocols)
{
	CURL *e = curl_easy_init();

	if (!e)
		return NULL;
	curl_easy_setopt(e, CURLOPT_PRIVATE, x);
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, protocols);
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, protocols);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_PROXY, ""); /* no proxy from the environment */
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, x->timeout_ms);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, x);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	return e;
}

static void start(struct xfer *x)
{
	struct http *h = x->h;

	if (curl_multi_add_handle(h->multi, x->easy) != CURLM_OK) {
		curl_easy_cleanup(x->easy);
		x->easy = NULL;
		fail_now(x, "could not start the transfer", 1);
		return;
	}
	x->next = h->active;
	if (h->active)
		h->active->prev = x;
	h->active = x;
}

void http_send(struct http *h, const struct http_request *rq, http_done_fn *done, void *arg)
{
	struct xfer *x = xfer_new(h, done, arg);
	const char *method = rq->method ? rq->method : (rq->body_len ? "POST" : "GET");
	const char *const *hd;

	x->timeout_ms = rq->timeout_ms > 0 ? rq->timeout_ms : h->timeout_ms;
	if (h->closing)
		return fail_now(x, "cancelled", 1);
	if (!rq->url || !*rq->url)
		return fail_now(x, "no URL", 0);
	if (!(x->easy = easy_new(x, rq->url, "http,https")))
		return fail_now(x, "could not create a transfer", 1);
	curl_easy_setopt(x->easy, CURLOPT_USERAGENT, h->user_agent);
	for (hd = rq->headers; hd && *hd; hd++)
		x->headers = curl_slist_append(x->headers, *hd);
	x->headers = curl_slist_append(x->headers, "Expect:");
	curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, x->headers);
	if (!strcmp(method, "GET")) {
		curl_easy_setopt(x->easy, CURLOPT_HTTPGET, 1L);
	} else if (!strcmp(method, "HEAD")) {
		curl_easy_setopt(x->easy, CURLOPT_NOBODY, 1L);
	} else {
		curl_easy_setopt(x->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
		curl_easy_setopt(x->easy, CURLOPT_COPYPOSTFIELDS, rq->body ? rq->body : "");
		if (strcmp(method, "POST"))
			curl_easy_setopt(x->easy, CURLOPT_CUSTOMREQUEST, method);
	}
	start(x);
}

void http_send_mail(struct http *h, const struct mail *m, http_done_fn *done, void *arg)
{
	struct xfer *x = xfer_new(h, done, arg);

	x->is_mail = 1;
	x->timeout_ms = m->timeout_ms > 0 ? m->timeout_ms : h->timeout_ms;
	if (h->closing)
		return fail_now(x, "cancelled", 1);
	if (!m->url || !*m->url || !m->from || !*m->from || !m->to || !*m->to || !m->message)
		return fail_now(
			x, "mail needs a server URL, a sender, a recipient and a message", 0);
	if (!(x->easy = easy_new(x, m->url, "smtp,smtps")))
		return fail_now(x, "could not create a transfer", 1);
	x->upload = xmalloc(m->message_len + 1);
	memcpy(x->upload, m->message, m->message_len);
	x->upload_len = m->message_len;
	x->rcpt = curl_slist_append(NULL, m->to);
	curl_easy_setopt(x->easy, CURLOPT_MAIL_FROM, m->from);
	curl_easy_setopt(x->easy, CURLOPT_MAIL_RCPT, x->rcpt);
	if (m->use_starttls)
		curl_easy_setopt(x->easy, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (m->username && *m->username) {
		curl_easy_setopt(x->easy, CURLOPT_USERNAME, m->username);
		curl_easy_setopt(x->easy, CURLOPT_PASSWORD, m->password ? m->password : "");
	}
	curl_easy_setopt(x->easy, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(x->easy, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(x->easy, CURLOPT_READDATA, x);
	curl_easy_setopt(x->easy, CURLOPT_INFILESIZE_LARGE, (curl_off_t)m->message_len);
	start(x);
}

void http_defer(struct http *h, const struct http_response *r, http_done_fn *done, void *arg)
{
	struct xfer *x = xfer_new(h, done, arg);

	x->resp = *r;
	if (r->error) {
		snprintf(x->error, sizeof(x->error), "%s", r->error);
		x->resp.error = x->error;
	}
	sbuf_add(&x->body, r->body, r->body ? r->body_len : 0);
	x->resp.body = x->body.buf;
	x->resp.body_len = x->body.len;
	queue_finished(x);
}

unsigned http_pending(const struct http *h)
{
	return h->pending;
}

struct http *http_new(struct event_base *base, const struct http_policy *policy)
{
	struct http *h;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return NULL;
	h = xcalloc(1, sizeof(*h));
	h->base = base;
	h->fin_tail = &h->fin_head;
	h->allow_loopback = policy->allow_loopback;
	h->allow_private = policy->allow_private;
	h->timeout_ms = policy->timeout_ms > 0 ? policy->timeout_ms : HTTP_TIMEOUT_MS_DEFAULT;
	h->user_agent = xstrdup(policy->user_agent ? policy->user_agent : HTTP_USER_AGENT_DEFAULT);
	h->multi = curl_multi_init();
	if (!h->multi) {
		free(h->user_agent);
		free(h);
		curl_global_cleanup();
		return NULL;
	}
	h->timer = evtimer_new(base, on_timer, h);
	h->flush = event_new(base, -1, 0, on_flush, h);
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket);
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
	return h;
}

void http_free(struct http *h)
{
	struct xfer *x;
	struct sockwatch *w;

	if (!h)
		return;
	h->closing = 1;
	while ((x = h->active) != NULL) {
		curl_multi_remove_handle(h->multi, x->easy);
		curl_easy_cleanup(x->easy);
		x->easy = NULL;
		active_unlink(x);
		memset(&x->resp, 0, sizeof(x->resp));
		x->resp.retryable = 1;
		x->resp.error = "cancelled";
		queue_finished(x);
	}
	while (h->fin_head)
		run_finished(h);
	curl_multi_cleanup(h->multi);
	while ((w = h->socks) != NULL) {
		h->socks = w->next;
		event_free(w->ev);
		free(w);
	}
	event_free(h->timer);
	event_free(h->flush);
	free(h->user_agent);
	free(h);
	curl_global_cleanup();
}
