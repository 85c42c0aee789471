/* main.c: opsknight-fcgi, a prefork master over N FastCGI responders (one DB connection each). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <fcgiapp.h>

#include "conf.h"
#include "db.h"
#include "log.h"
#include "wrapper.h"
#include "req.h"
#include "resp.h"
#include "router.h"
#include "ratelimit.h"
#include "metrics.h"
#include "sns.h"

#define RATELIMIT_SLOTS 8192
#define MAX_CHILDREN 256

static volatile sig_atomic_t got_term, got_hup, got_chld;
static struct metrics *metrics; /* mapped before fork: shared by every responder */
static sigset_t unblocked; /* the mask children run with */

static void on_signal(int sig)
{
	if (sig == SIGTERM || sig == SIGINT)
		got_term = 1;
	else if (sig == SIGHUP)
		got_hup = 1;
	else if (sig == SIGCHLD)
		got_chld = 1;
}

static void on_child_term(int sig)
{
	got_term = 1;
	FCGX_ShutdownPending();
}

/* Installs fn for sig without SA_RESTART, so a blocking accept()/waitpid() returns EINTR. */
static void handle_signal(int sig, void (*fn)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

/* Reads the body into the arena, at most limit bytes. Returns 0, or -1 when it is larger. */
static int read_body(struct req *rq, FCGX_Stream *in, size_t limit)
{
	const char *cl = req_param(rq, "CONTENT_LENGTH");
	long n = cl ? strtol(cl, NULL, 10) : 0;

	if (n <= 0)
		return 0;
	if ((size_t)n > limit)
		return -1;
	char *buf = arena_alloc(&rq->arena, (size_t)n + 1);
	int got = FCGX_GetStr(buf, (int)n, in);
	buf[got > 0 ? got : 0] = '\0';
	rq->body = buf;
	rq->body_len = got > 0 ? (size_t)got : 0;
	return 0;
}

static void serve_one(struct req *rq, struct app *app, FCGX_Request *fr)
{
	req_begin(rq, app, fr->envp);
	rq->stream = fr->out;
	log_set_request_id(req_param(rq, "REQUEST_ID"));
	if (read_body(rq, fr->in, (size_t)app->conf->max_body_bytes) < 0) {
		struct api_err err = { 0 };
		api_fail(&err, 413, "payload_too_large", "request body exceeds %d bytes",
			app->conf->max_body_bytes);
		router_render_error(rq, ERR_NATIVE, &err);
	} else {
		router_dispatch(rq);
	}
	resp_write(rq, fr->out);
	FCGX_Finish_r(fr);
	req_end(rq);
	log_set_request_id(NULL);
}

static void child_main(int listen_fd, const struct conf *conf, struct ratelimit *rl)
{
	struct app app = { conf, NULL, rl, metrics };
	struct req rq = { 0 };
	struct db_error dberr;
	FCGX_Request fr;

	prctl(PR_SET_PDEATHSIG, SIGTERM);
	handle_signal(SIGTERM, on_child_term);
	handle_signal(SIGINT, on_child_term);
	signal(SIGHUP, SIG_IGN);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	sigprocmask(SIG_SETMASK, &unblocked, NULL);
	if (getppid() == 1)
		return; /* the master died before we got here */
	app.db = db_new(conf->database_url, "opsknight-fcgi", conf->statement_timeout_ms);
	if (db_ensure(app.db, &dberr) < 0)
		log_msg(LOG_WARN, "responder starting without a database connection", NULL);
	FCGX_InitRequest(&fr, listen_fd, 0);
	while (!got_term && FCGX_Accept_r(&fr) >= 0)
		serve_one(&rq, &app, &fr);
	FCGX_Free(&fr, 1);
	req_release(&rq);
	sns_cache_clear();
	db_free(app.db);
}

/* Opens the listening socket, or adopts an inherited one on fd 0 (spawn-fcgi, systemd). */
static int open_listener(const char *listen)
{
	struct stat st;
	int type;
	socklen_t len = sizeof(type);

	if (fstat(0, &st) == 0 && S_ISSOCK(st.st_mode) &&
		getsockopt(0, SOL_SOCKET, SO_TYPE, &type, &len) == 0) {
		log_msg(LOG_INFO, "using the listening socket inherited on fd 0", NULL);
		return 0;
	}
	if (listen[0] == '/' && stat(listen, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(listen);
	int fd = FCGX_OpenSocket(listen, 1024);
	if (fd < 0)
		return -1;
	if (listen[0] == '/')
		chmod(listen, 0666);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	return fd;
}

/* Slots [0, n) are kept filled; after a reload that shrinks the pool, children in higher slots
 * finish and are not replaced. */
struct pool {
	pid_t pids[MAX_CHILDREN];
	time_t started[MAX_CHILDREN];
	int n;
};

static int online_children(const struct conf *c)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	/* responders mostly wait for their commit: more of them than cores feeds group commit */
	int n = c->workers > 0 ? c->workers : (int)(cores > 0 ? 4 * cores : 4);
	return n > MAX_CHILDREN ? MAX_CHILDREN : n;
}

static void spawn(struct pool *p, int slot, int fd, const struct conf *c, struct ratelimit *rl)
{
	pid_t pid = fork();

	if (pid < 0) {
		log_fmt(LOG_ERROR, "fork failed: %s", strerror(errno));
		p->pids[slot] = 0;
		return;
	}
	if (pid == 0) {
		child_main(fd, c, rl);
		exit(0);
	}
	p->pids[slot] = pid;
	p->started[slot] = time(NULL);
}

static void signal_all(struct pool *p, int sig)
{
	for (int i = 0; i < MAX_CHILDREN; i++)
		if (p->pids[i] > 0)
			kill(p->pids[i], sig);
}

static int alive(const struct pool *p)
{
	int k = 0;
	for (int i = 0; i < MAX_CHILDREN; i++)
		k += p->pids[i] > 0;
	return k;
}

/* Empties the slot of an exited child, logging an abnormal exit. */
static void forget(struct pool *p, pid_t pid, int status)
{
	for (int i = 0; i < MAX_CHILDREN; i++) {
		if (p->pids[i] != pid)
			continue;
		p->pids[i] = 0;
		if (WIFSIGNALED(status) || WEXITSTATUS(status))
			log_fmt(LOG_WARN, "responder %d exited (%s %d)", (int)pid,
				WIFSIGNALED(status) ? "signal" : "status",
				WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	}
}

int main(int argc, char **argv)
{
	struct conf conf;
	struct pool pool = { 0 };
	sigset_t block, old;

	log_init("fcgi", LOG_INFO);
	conf_load_or_exit(&conf, NULL);
	log_set_level(conf.log_level);
	if (!*conf.api_key_pepper) {
		log_msg(LOG_ERROR, "api_key_pepper is not set", NULL);
		return 78;
	}
	int fd = open_listener(conf.listen);
	if (fd < 0) {
		log_fmt(LOG_ERROR, "cannot listen on %s: %s", conf.listen, strerror(errno));
		return 1;
	}
	if (FCGX_Init() != 0) {
		log_msg(LOG_ERROR, "FCGX_Init failed", NULL);
		return 1;
	}
	struct ratelimit *rl = ratelimit_new(RATELIMIT_SLOTS);
	if (!rl) {
		log_msg(LOG_ERROR, "cannot map the shared rate-limit table", NULL);
		return 1;
	}
	metrics = metrics_new(router_count() + 1);
	if (!metrics) {
		log_msg(LOG_ERROR, "cannot map the shared metrics table", NULL);
		return 1;
	}
	handle_signal(SIGTERM, on_signal);
	handle_signal(SIGINT, on_signal);
	handle_signal(SIGHUP, on_signal);
	handle_signal(SIGCHLD, on_signal);
	signal(SIGPIPE, SIG_IGN);

	/* Signals are only delivered inside sigsuspend(), so none is lost between checks. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &old);
	unblocked = old;

	pool.n = online_children(&conf);
	for (int i = 0; i < pool.n; i++)
		spawn(&pool, i, fd, &conf, rl);
	log_fmt(LOG_INFO, "listening on %s with %d responders", conf.listen, pool.n);

	while (!got_term) {
		sigsuspend(&old);
		if (got_chld) {
			int status;
			pid_t pid;
			got_chld = 0;
			while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
				forget(&pool, pid, status);
		}
		if (got_hup) {
			got_hup = 0;
			struct conf fresh;
			char err[256];
			if (conf_load(&fresh, NULL, err, sizeof(err)) < 0) {
				log_msg(LOG_ERROR, "reload failed; keeping the running config", "error",
					err, NULL);
				conf_release(&fresh);
			} else {
				signal_all(&pool, SIGTERM); /* they finish their request and are replaced */
				conf_release(&conf);
				conf = fresh;
				pool.n = online_children(&conf);
				log_set_level(conf.log_level);
				log_msg(LOG_INFO, "configuration reloaded", NULL);
			}
		}
		if (got_term)
			break;
		for (int i = 0; i < pool.n; i++) {
			if (pool.pids[i])
				continue;
			if (time(NULL) - pool.started[i] < 1)
				sleep(1); /* a responder that dies at once must not spin the master */
			spawn(&pool, i, fd, &conf, rl);
		}
	}
	log_msg(LOG_INFO, "stopping: responders finish the request in hand", NULL);
	signal_all(&pool, SIGTERM);
	while (alive(&pool)) {
		int status;
		pid_t pid = waitpid(-1, &status, 0);
		if (pid < 0 && errno != EINTR)
			break;
		if (pid > 0)
			forget(&pool, pid, status);
	}
	if (conf.listen[0] == '/' && fd != 0)
		unlink(conf.listen);
	ratelimit_free(rl);
	metrics_free(metrics);
	conf_release(&conf);
	(void)argc;
	(void)argv;
	return 0;
}
