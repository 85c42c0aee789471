/* test_http.c: http.c on a real event_base against HTTP and SMTP responders forked by the test. */
#define _GNU_SOURCE /* strcasestr */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <event2/event.h>

#include "core/json.h"
#include "worker/breaker.h"
#include "worker/channel.h"
#include "worker/http.h"
#include "tests/unit/unit.h"

static int http_port, smtp_port;
static pid_t http_pid, smtp_pid;
static char mail_dir[] = "/tmp/ok-test-http-XXXXXX";

/* --- the responders (child processes) ---------------------------------------------------- */

static void write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);

		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static void reply(int fd, int status, const char *body, size_t n)
{
	char head[256];
	int len = snprintf(head, sizeof(head),
		"HTTP/1.1 %d X\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n", status, n);

	write_all(fd, head, (size_t)len);
	write_all(fd, body, n);
}

static void serve_http(int fd)
{
	static char req[1 << 16];
	size_t len = 0, need = 0;
	char *end = NULL, *cl;

	for (;;) { /* read the head and Content-Length bytes of body */
		ssize_t r = read(fd, req + len, sizeof(req) - 1 - len);

		if (r <= 0)
			break;
		len += (size_t)r;
		req[len] = '\0';
		if (!end && (end = strstr(req, "\r\n\r\n"))) {
			cl = strcasestr(req, "\r\nContent-Length:");
			need = (size_t)(end + 4 - req) + (cl ? strtoul(cl + 17, NULL, 10) : 0);
		}
		if (end && len >= need)
			break;
	}
	if (strstr(req, " /echo ")) {
		reply(fd, 200, req, len);
	} else if (strstr(req, " /fail ")) {
		reply(fd, 500, "boom", 4);
	} else if (strstr(req, " /busy ")) {
		reply(fd, 429, "slow down", 9);
	} else if (strstr(req, " /missing ")) {
		reply(fd, 404, "nope", 4);
	} else if (strstr(req, " /big ")) {
		size_t n = 100 * 1024;
		char *big = malloc(n);

		memset(big, 'b', n);
		reply(fd, 200, big, n);
		free(big);
	} else if (strstr(req, " /hang ")) {
		struct pollfd p = {fd, POLLIN, 0};

		poll(&p, 1, 10000); /* until the client gives up and closes */
	} else {
		reply(fd, 200, "ok", 2);
	}
}

static int smtp_line(int fd, char *buf, size_t n)
{
	size_t i = 0;
	char c;

	while (i + 1 < n && read(fd, &c, 1) == 1) {
		buf[i++] = c;
		if (c == '\n')
			break;
	}
	buf[i] = '\0';
	return (int)i;
}

static void serve_smtp(int fd)
{
	char line[1024], path[256];
	static int count;
	FILE *f = NULL;

	write_all(fd, "220 test ESMTP\r\n", 16);
	while (smtp_line(fd, line, sizeof(line)) > 0) {
		if (!strncasecmp(line, "EHLO", 4) || !strncasecmp(line, "HELO", 4)) {
			write_all(fd, "250-test\r\n250 8BITMIME\r\n", 24);
		} else if (!strncasecmp(line, "MAIL", 4)) {
			write_all(fd, "250 ok\r\n", 8);
		} else if (!strncasecmp(line, "RCPT", 4)) {
			if (strstr(line, "reject"))
				write_all(fd, "550 no such user\r\n", 18);
			else if (strstr(line, "later"))
				write_all(fd, "451 try later\r\n", 15);
			else
				write_all(fd, "250 ok\r\n", 8);
		} else if (!strncasecmp(line, "DATA", 4)) {
			write_all(fd, "354 go\r\n", 8);
			snprintf(path, sizeof(path), "%s/mail-%d-%d", mail_dir, (int)getpid(),
				count++);
			f = fopen(path, "w");
			while (smtp_line(fd, line, sizeof(line)) > 0 && strcmp(line, ".\r\n"))
				fputs(line, f);
			fclose(f);
			write_all(fd, "250 queued\r\n", 12);
		} else if (!strncasecmp(line, "QUIT", 4)) {
			write_all(fd, "221 bye\r\n", 9);
			break;
		} else {
			write_all(fd, "250 ok\r\n", 8);
		}
	}
}

/* Forks a server on 127.0.0.1 (any free port) that forks again per connection. */
static pid_t start_server(void (*serve)(int), int *port)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	pid_t pid;

	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 64) < 0)
		abort();
	getsockname(s, (struct sockaddr *)&a, &alen);
	*port = ntohs(a.sin_port);
	pid = fork();
	if (pid == 0) {
		/* not Check's handlers: its SIGTERM handler signals the whole process group */
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGALRM, SIG_DFL);
		signal(SIGCHLD, SIG_IGN);
		signal(SIGPIPE, SIG_IGN);
		for (;;) {
			int c = accept(s, NULL, NULL);

			if (c < 0)
				continue;
			if (fork() == 0) {
				close(s);
				serve(c);
				close(c);
				_exit(0);
			}
			close(c);
		}
	}
	close(s);
	return pid;
}

static void servers_up(void)
{
	signal(SIGPIPE, SIG_IGN);
	if (!mkdtemp(mail_dir))
		abort();
	http_pid = start_server(serve_http, &http_port);
	smtp_pid = start_server(serve_smtp, &smtp_port);
}

static void servers_down(void)
{
	char cmd[300];

	kill(http_pid, SIGKILL);
	kill(smtp_pid, SIGKILL);
	waitpid(http_pid, NULL, 0);
	waitpid(smtp_pid, NULL, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", mail_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", mail_dir);
}

/* --- the client side ----------------------------------------------------------------------- */

struct result {
	int called;
	long status;
	char *error;
	char *body;
	size_t body_len;
	int retryable;
	int circuit_open;
	double at; /* seconds since the test started */
};

static struct event_base *base;
static int outstanding;
static struct timespec t0;

static double elapsed(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9;
}

static void on_done(const struct http_response *r, void *arg)
{
	struct result *res = arg;

	res->called++;
	res->status = r->status;
	res->error = r->error ? strdup(r->error) : NULL;
	res->body = malloc(r->body_len + 1);
	memcpy(res->body, r->body ? r->body : "", r->body_len);
	res->body[r->body_len] = '\0';
	res->body_len = r->body_len;
	res->retryable = r->retryable;
	res->circuit_open = r->circuit_open;
	res->at = elapsed();
	if (--outstanding == 0)
		event_base_loopbreak(base);
}

static void result_release(struct result *r)
{
	free(r->error);
	free(r->body);
	memset(r, 0, sizeof(*r));
}

static void on_safety(evutil_socket_t fd, short what, void *arg)
{
	event_base_loopbreak(base);
}

/* Runs the loop until every expected done() ran (or 8 s passed). */
static void run(void)
{
	struct event *safety = evtimer_new(base, on_safety, NULL);
	struct timeval tv = {8, 0};

	evtimer_add(safety, &tv);
	event_base_dispatch(base);
	event_free(safety);
	ck_assert_int_eq(outstanding, 0);
}

static struct http *client(int allow_loopback)
{
	struct http_policy p = {.allow_loopback = allow_loopback};

	base = event_base_new();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	return http_new(base, &p);
}

static void client_free(struct http *h)
{
	http_free(h);
	event_base_free(base);
	base = NULL;
}

static void request(struct http *h, const char *method, const char *path, const char *body,
	long timeout_ms, struct result *res)
{
	static const char *const headers[] = {"Content-Type: text/plain", "X-Test: yes", NULL};
	char url[128];
	struct http_request rq = {
		.method = method,
		.url = url,
		.body = body,
		.body_len = body ? strlen(body) : 0,
		.headers = headers,
		.timeout_ms = timeout_ms,
	};

	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", http_port, path);
	outstanding++;
	http_send(h, &rq, on_done, res);
}

START_TEST(test_ok_echo)
{
	struct http *h = client(1);
	struct result r = {0}, g = {0};
	char body[] = "hello \x01 world";

	request(h, "POST", "/echo", body, 0, &r);
	request(h, "GET", "/echo", NULL, 0, &g);
	ck_assert_int_eq(r.called, 0); /* never from inside http_send */
	ck_assert_uint_eq(http_pending(h), 2);
	run();
	ck_assert_int_eq(r.called, 1);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_null(r.error);
	ck_assert_int_eq(r.retryable, 0);
	ck_assert(strncmp(r.body, "POST /echo HTTP/1.1\r\n", 21) == 0);
	ck_assert_ptr_nonnull(strstr(r.body, "\r\nX-Test: yes\r\n"));
	ck_assert_ptr_nonnull(strstr(r.body, "\r\nUser-Agent: OpsKnight/1.0\r\n"));
	ck_assert_ptr_nonnull(strstr(r.body, "\r\nContent-Length: 13\r\n"));
	ck_assert_ptr_null(strstr(r.body, "Expect:"));
	ck_assert(r.body_len > 13 && !memcmp(r.body + r.body_len - 13, body, 13));
	ck_assert_int_eq(g.status, 200);
	ck_assert(strncmp(g.body, "GET /echo HTTP/1.1\r\n", 20) == 0);
	ck_assert_uint_eq(http_pending(h), 0);
	result_release(&r);
	result_release(&g);
	client_free(h);
}
END_TEST

START_TEST(test_statuses)
{
	struct http *h = client(1);
	struct result e500 = {0}, e429 = {0}, e404 = {0}, put = {0};

	request(h, "POST", "/fail", "x", 0, &e500);
	request(h, "POST", "/busy", "x", 0, &e429);
	request(h, "POST", "/missing", "x", 0, &e404);
	request(h, "PUT", "/echo", "put-body", 0, &put);
	run();
	ck_assert_int_eq(e500.status, 500);
	ck_assert_ptr_nonnull(e500.error);
	ck_assert_int_eq(e500.retryable, 1);
	ck_assert_str_eq(e500.body, "boom");
	ck_assert_int_eq(e429.status, 429);
	ck_assert_int_eq(e429.retryable, 1);
	ck_assert_int_eq(e404.status, 404);
	ck_assert_ptr_nonnull(e404.error);
	ck_assert_int_eq(e404.retryable, 0);
	ck_assert_int_eq(put.status, 200);
	ck_assert(strncmp(put.body, "PUT /echo HTTP/1.1\r\n", 20) == 0);
	result_release(&e500);
	result_release(&e429);
	result_release(&e404);
	result_release(&put);
	client_free(h);
}
END_TEST

START_TEST(test_timeout_does_not_block)
{
	struct http *h = client(1);
	struct result hang = {0}, ok[10];
	int i;

	memset(ok, 0, sizeof(ok));
	request(h, "POST", "/hang", "x", 300, &hang);
	for (i = 0; i < 10; i++)
		request(h, "POST", "/ok", "x", 0, &ok[i]);
	run();
	ck_assert_int_eq(hang.status, 0);
	ck_assert_ptr_nonnull(hang.error);
	ck_assert_msg(strstr(hang.error, "imed out") != NULL, "error: %s", hang.error);
	ck_assert_int_eq(hang.retryable, 1);
	ck_assert_msg(hang.at >= 0.25 && hang.at < 2.0, "cut off after %.3f s", hang.at);
	for (i = 0; i < 10; i++) {
		ck_assert_int_eq(ok[i].status, 200);
		ck_assert_msg(ok[i].at < hang.at, "a fast request waited for the hanging one");
		result_release(&ok[i]);
	}
	result_release(&hang);
	client_free(h);
}
END_TEST

START_TEST(test_ssrf_refused)
{
	struct http *h = client(0);
	struct result r = {0}, named = {0};
	char url[128];
	struct http_request rq = {.url = url};

	request(h, "POST", "/ok", "x", 0, &r);
	snprintf(url, sizeof(url), "http://localhost:%d/ok", http_port);
	outstanding++;
	http_send(h, &rq, on_done, &named);
	run();
	ck_assert_int_eq(r.status, 0);
	ck_assert_int_eq(r.retryable, 0);
	ck_assert_msg(
		r.error && strstr(r.error, "loopback address 127.0.0.1"), "error: %s", r.error);
	ck_assert_int_eq(named.status, 0);
	ck_assert_int_eq(named.retryable, 0);
	ck_assert_msg(named.error && strstr(named.error, "loopback"), "error: %s", named.error);
	result_release(&r);
	result_release(&named);
	client_free(h);
}
END_TEST

START_TEST(test_bad_requests_answer_later)
{
	struct http *h = client(1);
	struct result ftp = {0}, none = {0}, big = {0};
	struct http_request rq = {.url = "ftp://127.0.0.1/x"}, empty = {.url = NULL};

	outstanding += 2;
	http_send(h, &rq, on_done, &ftp);
	http_send(h, &empty, on_done, &none);
	request(h, "GET", "/big", NULL, 0, &big);
	ck_assert_int_eq(ftp.called + none.called, 0);
	run();
	ck_assert_int_eq(ftp.called, 1);
	ck_assert_int_eq(ftp.status, 0);
	ck_assert_ptr_nonnull(ftp.error);
	ck_assert_int_eq(ftp.retryable, 0);
	ck_assert_int_eq(none.retryable, 0);
	ck_assert_str_eq(none.error, "no URL");
	ck_assert_int_eq(big.status, 200);
	ck_assert_uint_eq(big.body_len, HTTP_BODY_MAX);
	result_release(&ftp);
	result_release(&none);
	result_release(&big);
	client_free(h);
}
END_TEST

START_TEST(test_defer_and_free_cancels)
{
	struct http *h = client(1);
	struct result d = {0}, hang = {0};
	struct http_response r = {
		.status = 0, .error = "made up", .retryable = 1, .circuit_open = 1};
	struct timeval tv = {0, 200000};

	outstanding++;
	http_defer(h, &r, on_done, &d);
	ck_assert_int_eq(d.called, 0);
	request(h, "POST", "/hang", "x", 5000, &hang);
	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
	ck_assert_int_eq(d.called, 1);
	ck_assert_str_eq(d.error, "made up");
	ck_assert_int_eq(d.circuit_open, 1);
	ck_assert_int_eq(hang.called, 0);
	http_free(h); /* answers the transfer in flight */
	ck_assert_int_eq(hang.called, 1);
	ck_assert_str_eq(hang.error, "cancelled");
	ck_assert_int_eq(hang.retryable, 1);
	event_base_free(base);
	result_release(&d);
	result_release(&hang);
}
END_TEST

static int count_mail(const char *needle)
{
	char cmd[512], out[64] = "0";
	FILE *p;

	snprintf(cmd, sizeof(cmd), "grep -l -F -- '%s' %s/mail-* 2>/dev/null | wc -l", needle,
		mail_dir);
	p = popen(cmd, "r");
	if (!fgets(out, sizeof(out), p))
		out[0] = '\0';
	pclose(p);
	return atoi(out);
}

START_TEST(test_smtp)
{
	struct http *h = client(1);
	struct result ok = {0}, rej = {0}, later = {0};
	char url[64];
	static const char message[] = "From: a@example.com\r\nTo: b@example.com\r\n"
				      "Subject: hello-smtp-test\r\n\r\nline one\r\n.dot line\r\n";
	struct mail m = {
		.url = url,
		.from = "a@example.com",
		.to = "b@example.com",
		.message = message,
		.message_len = sizeof(message) - 1,
	};

	snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", smtp_port);
	outstanding += 3;
	http_send_mail(h, &m, on_done, &ok);
	m.to = "reject@example.com";
	http_send_mail(h, &m, on_done, &rej);
	m.to = "later@example.com";
	http_send_mail(h, &m, on_done, &later);
	run();
	ck_assert_msg(ok.error == NULL, "error: %s", ok.error);
	ck_assert_int_eq(ok.status, 250);
	ck_assert_int_eq(count_mail("Subject: hello-smtp-test"), 1);
	ck_assert_int_eq(count_mail("..dot line"), 1); /* dot-stuffed on the wire */
	ck_assert_ptr_nonnull(rej.error);
	ck_assert_int_eq(rej.status, 550);
	ck_assert_int_eq(rej.retryable, 0);
	ck_assert_ptr_nonnull(later.error);
	ck_assert_int_eq(later.status, 451);
	ck_assert_int_eq(later.retryable, 1);
	result_release(&ok);
	result_release(&rej);
	result_release(&later);
	client_free(h);
}
END_TEST

START_TEST(test_smtp_starttls_required)
{
	struct http *h = client(1);
	struct result r = {0};
	char url[64];
	struct mail m = {.url = url,
		.use_starttls = 1,
		.from = "a@x.org",
		.to = "b@x.org",
		.message = "x\r\n",
		.message_len = 3};

	snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", smtp_port);
	outstanding++;
	http_send_mail(h, &m, on_done, &r);
	run();
	ck_assert_ptr_nonnull(r.error); /* the responder offers no STARTTLS */
	ck_assert_int_eq(r.retryable, 0);
	result_release(&r);
	client_free(h);
}
END_TEST

START_TEST(test_channel_send)
{
	static const char inc_json[] =
		"{\"id\":\"i-1\",\"title\":\"T\",\"status\":\"OPEN\","
		"\"urgency\":\"HIGH\",\"service\":{\"id\":\"s\",\"name\":\"S\"},"
		"\"assignee\":null}";
	struct http *h = client(1);
	struct breaker *b = breaker_new(2, 60000);
	struct result ok = {0}, f1 = {0}, f2 = {0}, open = {0}, bad = {0}, mail = {0};
	enum json_parse_error e;
	struct json_object *inc = json_parse(inc_json, sizeof(inc_json) - 1, &e, NULL);
	struct json_object *prov = json_object_new_object();
	char url[128], fail_url[128], key[BREAKER_KEY_MAX];
	struct channel_msg m = {.event = "triggered",
		.incident = inc,
		.target = url,
		.secret = "k",
		.idempotency_key = "job-1",
		.now_ms = 1000};

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/echo", http_port);
	snprintf(fail_url, sizeof(fail_url), "http://127.0.0.1:%d/fail", http_port);
	outstanding++;
	channel_send(h, b, &channel_webhook, &m, on_done, &ok);
	run();
	ck_assert_int_eq(ok.status, 200);
	ck_assert_ptr_nonnull(strstr(ok.body, "\r\nX-OpsKnight-Signature: sha256="));
	ck_assert_ptr_nonnull(strstr(ok.body, "\r\nIdempotency-Key: job-1\r\n"));
	ck_assert_ptr_nonnull(strstr(ok.body, "{\"event\":{\"type\":\"triggered\""));

	/* two 500s open the circuit for the destination; the third call is refused */
	m.target = fail_url;
	outstanding += 2;
	channel_send(h, b, &channel_webhook, &m, on_done, &f1);
	channel_send(h, b, &channel_webhook, &m, on_done, &f2);
	run();
	ck_assert_int_eq(f1.status, 500);
	ck_assert_int_eq(f2.status, 500);
	breaker_key(fail_url, key, sizeof(key));
	ck_assert_int_eq(breaker_state(b, key, 2000), BREAKER_OPEN);
	m.target = url; /* same host and port: same destination */
	outstanding++;
	channel_send(h, b, &channel_webhook, &m, on_done, &open);
	ck_assert_int_eq(open.called, 0);
	run();
	ck_assert_int_eq(open.circuit_open, 1);
	ck_assert_int_eq(open.retryable, 1);
	ck_assert_int_eq(open.status, 0);
	ck_assert_msg(strstr(open.error, "circuit open") != NULL, "error: %s", open.error);

	/* a render failure: not retryable */
	m.target = "not a url";
	outstanding++;
	channel_send(h, b, &channel_webhook, &m, on_done, &bad);
	run();
	ck_assert_int_eq(bad.retryable, 0);
	ck_assert_int_eq(bad.circuit_open, 0);
	ck_assert_ptr_nonnull(bad.error);

	/* e-mail through the SMTP responder */
	json_object_object_add(prov, "host", json_object_new_string("127.0.0.1"));
	json_object_object_add(prov, "port", json_object_new_int(smtp_port));
	json_object_object_add(prov, "secure", json_object_new_string("none"));
	json_object_object_add(prov, "from", json_object_new_string("alerts@example.com"));
	m.target = "oncall@example.com";
	m.provider = prov;
	m.idempotency_key = "job-mail-1";
	outstanding++;
	channel_send(h, b, &channel_email, &m, on_done, &mail);
	run();
	ck_assert_msg(mail.error == NULL, "error: %s", mail.error);
	ck_assert_int_eq(count_mail("Message-ID: <job-mail-1@opsknight>"), 1);
	ck_assert_int_eq(count_mail("Subject: [CRITICAL] T"), 1);

	result_release(&ok);
	result_release(&f1);
	result_release(&f2);
	result_release(&open);
	result_release(&bad);
	result_release(&mail);
	json_object_put(inc);
	json_object_put(prov);
	client_free(h);
	breaker_free(b);
}
END_TEST

static enum http_addr_class classify(const char *text)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	if (strchr(text, ':')) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		ck_assert_int_eq(inet_pton(AF_INET6, text, &a->sin6_addr), 1);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		ck_assert_int_eq(inet_pton(AF_INET, text, &a->sin_addr), 1);
	}
	return http_addr_classify((struct sockaddr *)&ss);
}

START_TEST(test_addr_classify)
{
	static const struct {
		const char *addr;
		enum http_addr_class c;
	} cases[] = {
		{"127.0.0.1", HTTP_ADDR_LOOPBACK},
		{"127.255.0.9", HTTP_ADDR_LOOPBACK},
		{"0.0.0.0", HTTP_ADDR_LOOPBACK},
		{"10.1.2.3", HTTP_ADDR_PRIVATE},
		{"172.16.0.1", HTTP_ADDR_PRIVATE},
		{"172.31.255.255", HTTP_ADDR_PRIVATE},
		{"172.32.0.1", HTTP_ADDR_PUBLIC},
		{"172.15.255.255", HTTP_ADDR_PUBLIC},
		{"192.168.1.1", HTTP_ADDR_PRIVATE},
		{"169.254.169.254", HTTP_ADDR_PRIVATE},
		{"100.64.0.1", HTTP_ADDR_PRIVATE},
		{"100.128.0.1", HTTP_ADDR_PUBLIC},
		{"8.8.8.8", HTTP_ADDR_PUBLIC},
		{"::1", HTTP_ADDR_LOOPBACK},
		{"::", HTTP_ADDR_LOOPBACK},
		{"::ffff:127.0.0.1", HTTP_ADDR_LOOPBACK},
		{"::ffff:10.0.0.1", HTTP_ADDR_PRIVATE},
		{"::ffff:8.8.8.8", HTTP_ADDR_PUBLIC},
		{"fe80::1", HTTP_ADDR_PRIVATE},
		{"fc00::1", HTTP_ADDR_PRIVATE},
		{"fd12:3456::1", HTTP_ADDR_PRIVATE},
		{"fec0::1", HTTP_ADDR_PRIVATE},
		{"2001:4860:4860::8888", HTTP_ADDR_PUBLIC},
	};
	struct sockaddr unix_sa = {.sa_family = AF_UNIX};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(classify(cases[i].addr) == cases[i].c, "%s", cases[i].addr);
	ck_assert_int_eq(http_addr_classify(&unix_sa), HTTP_ADDR_PRIVATE);
}
END_TEST

static Suite *http_suite(void)
{
	Suite *s = suite_create("http");
	TCase *tc = tcase_create("loop");

	tcase_add_unchecked_fixture(tc, servers_up, servers_down);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_ok_echo);
	tcase_add_test(tc, test_statuses);
	tcase_add_test(tc, test_timeout_does_not_block);
	tcase_add_test(tc, test_ssrf_refused);
	tcase_add_test(tc, test_bad_requests_answer_later);
	tcase_add_test(tc, test_defer_and_free_cancels);
	tcase_add_test(tc, test_smtp);
	tcase_add_test(tc, test_smtp_starttls_required);
	tcase_add_test(tc, test_channel_send);
	tcase_add_test(tc, test_addr_classify);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(http_suite)
