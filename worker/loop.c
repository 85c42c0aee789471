/* loop.c: the worker's event loop: LISTEN socket, claim pump, due timer, batched completion,
 * periodic tasks, signals and the drain on SIGTERM (PgBouncer's shape). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <event2/event.h>
#include <libpq-fe.h>

#include "loop.h"
#include "worker.h"
#include "jobq.h"
#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "log.h"

#define IDLE_RECHECK_S 60.0  /* with nothing queued, look again this often (NOTIFY is faster) */
#define BUSY_RECHECK_S 0.25  /* due rows held by other workers: look again soon, not at once */
#define PERIODIC_S 30        /* how often this worker makes sure this period's tasks exist */

static void arm(struct event *ev, double s)
{
	struct timeval tv = { (time_t)s, (suseconds_t)((s - (double)(time_t)s) * 1e6) };
	evtimer_add(ev, &tv);
}

void loop_wake(struct worker *w)
{
	if (!w->stopping)
		event_active(w->pump_ev, 0, 0);
}

static void listen_drop(struct worker *w)
{
	if (w->listen_ev) {
		event_free(w->listen_ev);
		w->listen_ev = NULL;
	}
}

static void on_listen(evutil_socket_t fd, short what, void *arg);

/* (Re)opens the LISTEN connection; on failure the due timer retries it. */
static int listen_open(struct worker *w)
{
	struct db_error err;

	if (db_exec_simple(w->listen_db, "LISTEN " LOOP_JOB_CHANNEL, &err) < 0)
		return -1;
	PQsetnonblocking(db_conn(w->listen_db), 1);
	w->listen_ev = event_new(w->base, PQsocket(db_conn(w->listen_db)), EV_READ | EV_PERSIST,
		on_listen, w);
	event_add(w->listen_ev, NULL);
	log_msg(LOG_INFO, "listening for jobs", "channel", LOOP_JOB_CHANNEL, NULL);
	return 0;
}

static void on_listen(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;
	PGconn *conn = db_conn(w->listen_db);
	PGnotify *n;
	int woke = 0;

	if (!PQconsumeInput(conn)) {
		log_msg(LOG_WARN, "lost the LISTEN connection", "error", PQerrorMessage(conn), NULL);
		listen_drop(w);
		arm(w->due_ev, db_retry_after(w->listen_db));
		return;
	}
	while ((n = PQnotifies(conn)) != NULL) {
		/* the test clock moved (ok_clock_set): this period's tasks may not exist yet */
		if (!strcmp(n->extra, "clock") && !w->stopping)
			job_task_schedule(w);
		woke = 1;
		PQfreemem(n);
	}
	if (woke)
		loop_wake(w);
}

/* Sets the due timer to the next job's run_at (or a recheck interval). */
static void arm_due(struct worker *w, int short_claim)
{
	struct db_error err;
	double s = jobq_next_due(w, &err);

	if (s < -1)
		s = db_retry_after(w->db);
	else if (s < 0)
		s = IDLE_RECHECK_S;
	else if (s < BUSY_RECHECK_S && short_claim)
		s = BUSY_RECHECK_S;
	arm(w->due_ev, s > IDLE_RECHECK_S ? IDLE_RECHECK_S : s);
}

static void on_pump(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;
	struct db_error err = { 0 };
	struct jobq_row *rows;

	if (w->stopping)
		return;
	if (!w->listen_ev && listen_open(w) < 0) {
		arm(w->due_ev, db_retry_after(w->listen_db));
		return;
	}
	int room = WORKER_MAX_INFLIGHT - w->inflight;
	if (room <= 0)
		return; /* job_finish wakes us when there is room */
	int want = room < WORKER_CLAIM_BATCH ? room : WORKER_CLAIM_BATCH;
	int n = jobq_claim(w, want, &rows, &err);
	if (n < 0) {
		log_msg(LOG_WARN, "claiming jobs failed", "error", err.message, NULL);
		arm(w->due_ev, db_retry_after(w->db));
		return;
	}
	for (int i = 0; i < n; i++)
		jobs_start(w, rows[i].id, rows[i].type, rows[i].attempts, rows[i].max_attempts,
			rows[i].payload);
	jobq_claimed_free(rows, n);
	if (n == want)
		loop_wake(w); /* there may be more due */
	else
		arm_due(w, n < want && n > 0);
}

static void on_due(evutil_socket_t fd, short what, void *arg)
{
	on_pump(fd, what, arg);
}

static void finish_stop(struct worker *w);

static void on_flush(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;
	struct db_error err = { 0 };

	if (w->ndone && jobq_complete(w, w->done, w->ndone, &err) < 0) {
		/* kept; the leases bring the rows back if this never succeeds */
		log_msg(LOG_WARN, "completing jobs failed", "error", err.message, NULL);
		struct timeval tv = { 1, 0 };
		event_add(w->flush_ev, &tv);
		return;
	}
	w->ndone = 0;
	if (w->stopping && w->inflight == 0)
		finish_stop(w);
}

static void on_periodic(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;

	job_task_schedule(w);
	loop_wake(w);
}

static void finish_stop(struct worker *w)
{
	struct db_error err = { 0 };

	if (w->inflight && jobq_release(w, &err) < 0)
		log_msg(LOG_WARN, "releasing unfinished jobs failed (their leases will expire)",
			"error", err.message, NULL);
	event_base_loopbreak(w->base);
}

static void on_drain_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;

	log_fmt(LOG_WARN, "%d jobs still running after %d s: released", w->inflight,
		WORKER_DRAIN_S);
	finish_stop(w);
}

static void on_stop(evutil_socket_t sig, short what, void *arg)
{
	struct worker *w = arg;

	if (w->stopping)
		return;
	log_fmt(LOG_INFO, "stopping: no new claims, %d jobs in flight", w->inflight);
	w->stopping = 1;
	evtimer_del(w->due_ev);
	evtimer_del(w->periodic_ev);
	if (w->inflight == 0 && w->ndone == 0)
		finish_stop(w);
	else
		arm(w->drain_ev, WORKER_DRAIN_S);
}

static void on_reload(evutil_socket_t sig, short what, void *arg)
{
	struct worker *w = arg;
	struct conf fresh;
	char err[256];

	if (conf_load(&fresh, NULL, err, sizeof(err)) < 0) {
		log_msg(LOG_ERROR, "reload failed; keeping the running config", "error", err, NULL);
		conf_release(&fresh);
		return;
	}
	conf_release(w->conf);
	*w->conf = fresh;
	log_set_level(w->conf->log_level);
	log_msg(LOG_INFO, "configuration reloaded", NULL);
}

int loop_run(struct conf *conf)
{
	struct worker w;
	char host[64] = "worker";
	unsigned char rnd[4];
	char hex[9];

	memset(&w, 0, sizeof(w));
	gethostname(host, sizeof(host) - 1);
	crypto_random(rnd, sizeof(rnd));
	crypto_hex(rnd, sizeof(rnd), hex);
	snprintf(w.id, sizeof(w.id), "%.40s:%d:%s", host, (int)getpid(), hex);
	w.conf = conf;
	w.base = event_base_new();
	w.db = db_new(conf->database_url, "opsknight-worker", conf->statement_timeout_ms);
	w.listen_db = db_new(conf->database_url, "opsknight-worker-listen", 0);
	if (worker_outbound_init(&w) < 0) {
		db_free(w.db);
		db_free(w.listen_db);
		event_base_free(w.base);
		return 1;
	}
	w.pump_ev = event_new(w.base, -1, 0, on_pump, &w);
	w.flush_ev = event_new(w.base, -1, 0, on_flush, &w);
	w.due_ev = evtimer_new(w.base, on_due, &w);
	w.drain_ev = evtimer_new(w.base, on_drain_timeout, &w);
	w.periodic_ev = event_new(w.base, -1, EV_PERSIST, on_periodic, &w);
	struct event *term = evsignal_new(w.base, SIGTERM, on_stop, &w);
	struct event *intr = evsignal_new(w.base, SIGINT, on_stop, &w);
	struct event *hup = evsignal_new(w.base, SIGHUP, on_reload, &w);
	event_add(term, NULL);
	event_add(intr, NULL);
	event_add(hup, NULL);
	struct timeval every = { PERIODIC_S, 0 };
	event_add(w.periodic_ev, &every);
	signal(SIGPIPE, SIG_IGN);
	log_msg(LOG_INFO, "worker started", "worker_id", w.id, NULL);

	job_task_schedule(&w);
	loop_wake(&w);
	event_base_dispatch(w.base);

	worker_outbound_free(&w); /* ends transfers in flight: their jobs finish (released rows) */
	on_flush(-1, 0, &w);
	listen_drop(&w);
	event_free(term);
	event_free(intr);
	event_free(hup);
	event_free(w.pump_ev);
	event_free(w.flush_ev);
	event_free(w.due_ev);
	event_free(w.drain_ev);
	event_free(w.periodic_ev);
	free(w.done);
	db_free(w.db);
	db_free(w.listen_db);
	event_base_free(w.base);
	log_msg(LOG_INFO, "worker stopped", NULL);
	return 0;
}
