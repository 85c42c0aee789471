/* router.h: the route table, the error type handlers fail with, and dispatch. */
#ifndef OK_ROUTER_H
#define OK_ROUTER_H

struct req;
struct verrs;

/* How errors of a route are rendered. */
enum err_style {
	ERR_NATIVE,    /* {"error":{"code","message"[,"details"]}} */
	ERR_PAGERDUTY, /* {"status":"invalid event","message":…,"errors":[…]} / {"status":"error",…} */
};

struct api_err {
	int status;                   /* HTTP status */
	const char *code;             /* stable machine code: "invalid_event", "not_found", … */
	char msg[256];                /* for the client: precise, names the field */
	char detail[256];             /* for the log only: SQLSTATE, errno, server text */
	const struct verrs *details;  /* optional list of violations (arena-owned) */
	int retry_after;              /* seconds; > 0 adds Retry-After */
};

/* Fills e and returns -1, so handlers can `return api_fail(...)`. */
int api_fail(struct api_err *e, int status, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Fills e for a failed database call and returns -1: 503 database_unavailable with
 * Retry-After when the database is unreachable or the call may be retried, else 500 internal;
 * the server's text goes to e->detail (the log) only. */
struct db_error;
int api_fail_db(struct req *rq, const struct db_error *dberr, struct api_err *e);

/* A handler fills rq's response and returns 0, or returns -1 with err filled (nothing sent). */
typedef int handler_fn(struct req *rq, struct api_err *err);

struct route {
	const char *method;
	const char *path;      /* exact path; ":name" segments match any one segment */
	handler_fn *handler;
	enum err_style style;
	const void *arg;       /* what a generic handler serves (fcgi/api/rest.c), or NULL */
};

/* Finds the route for (method, path). Returns it, or NULL with *path_known set to 1 when the
 * path exists under another method (405) and 0 when not (404). */
const struct route *router_match(const char *method, const char *path, int *path_known);
/* Runs the matching handler and renders any error in the route's style into rq's response. */
void router_dispatch(struct req *rq);
/* The number of routes; the metrics table has one more slot, for unmatched requests. */
int router_count(void);
/* The method and path pattern of route i; for i == router_count(), ("", "unmatched"). */
void router_label(int i, const char **method, const char **path);
/* Renders err into rq's response in the given style (used by dispatch and tests). */
void router_render_error(struct req *rq, enum err_style style, const struct api_err *err);

#endif
