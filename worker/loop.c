/* loop.c: event_base with the LISTEN connection's socket, a reconnect timer and signal events. */
#include <signal.h>
#include <string.h>
#include <event2/event.h>
#include <libpq-fe.h>

#include "loop.h"
#include "conf.h"
#include "db.h"
#include "log.h"

struct loop {
	struct event_base *base;
	struct conf *conf;
	struct db *db;
	struct event *sock_ev;
	struct event *retry_ev;
	unsigned long notifications;
};

static void schedule_reconnect(struct loop *l);

static void drop_connection(struct loop *l)
{
	if (l->sock_ev) {
		event_free(l->sock_ev);
		l->sock_ev = NULL;
	}
	/* the db handle notices the broken connection and reconnects (with its backoff) */
}

static void on_socket(evutil_socket_t fd, short what, void *arg)
{
	struct loop *l = arg;
	PGconn *conn = db_conn(l->db);
	PGnotify *n;

	if (!PQconsumeInput(conn)) {
		log_msg(LOG_WARN, "lost the database connection", "error", PQerrorMessage(conn),
			NULL);
		drop_connection(l);
		schedule_reconnect(l);
		return;
	}
	while ((n = PQnotifies(conn)) != NULL) {
		l->notifications++;
		log_msg(LOG_DEBUG, "job notification", "channel", n->relname, NULL);
		PQfreemem(n);
	}
}

static int connect_and_listen(struct loop *l)
{
	struct db_error err;

	if (!l->db)
		l->db = db_new(l->conf->database_url, "opsknight-worker",
			l->conf->statement_timeout_ms);
	if (db_exec_simple(l->db, "LISTEN " LOOP_JOB_CHANNEL, &err) < 0)
		return -1;
	PQsetnonblocking(db_conn(l->db), 1);
	l->sock_ev = event_new(l->base, PQsocket(db_conn(l->db)), EV_READ | EV_PERSIST, on_socket,
		l);
	event_add(l->sock_ev, NULL);
	log_msg(LOG_INFO, "listening for jobs", "channel", LOOP_JOB_CHANNEL, NULL);
	return 0;
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
	struct loop *l = arg;

	if (connect_and_listen(l) < 0)
		schedule_reconnect(l);
}

static void schedule_reconnect(struct loop *l)
{
	/* db_ensure keeps the backoff; the timer only wakes us when it has expired */
	struct timeval tv = { l->db ? db_retry_after(l->db) : 1, 0 };
	evtimer_add(l->retry_ev, &tv);
}

static void on_stop(evutil_socket_t sig, short what, void *arg)
{
	struct loop *l = arg;

	log_msg(LOG_INFO, "stopping", NULL);
	event_base_loopbreak(l->base);
}

static void on_reload(evutil_socket_t sig, short what, void *arg)
{
	struct loop *l = arg;
	struct conf fresh;
	char err[256];

	if (conf_load(&fresh, NULL, err, sizeof(err)) < 0) {
		log_msg(LOG_ERROR, "reload failed; keeping the running config", "error", err, NULL);
		conf_release(&fresh);
		return;
	}
	conf_release(l->conf);
	*l->conf = fresh;
	log_set_level(l->conf->log_level);
	log_msg(LOG_INFO, "configuration reloaded", NULL);
}

int loop_run(struct conf *conf)
{
	struct loop l;

	memset(&l, 0, sizeof(l));
	l.conf = conf;
	l.base = event_base_new();
	l.retry_ev = evtimer_new(l.base, on_retry, &l);
	struct event *term = evsignal_new(l.base, SIGTERM, on_stop, &l);
	struct event *intr = evsignal_new(l.base, SIGINT, on_stop, &l);
	struct event *hup = evsignal_new(l.base, SIGHUP, on_reload, &l);
	event_add(term, NULL);
	event_add(intr, NULL);
	event_add(hup, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (connect_and_listen(&l) < 0)
		schedule_reconnect(&l);
	event_base_dispatch(l.base);

	drop_connection(&l);
	db_free(l.db);
	event_free(term);
	event_free(intr);
	event_free(hup);
	event_free(l.retry_ev);
	event_base_free(l.base);
	return 0;
}
