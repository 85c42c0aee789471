/* req.h: one FastCGI request as the handlers see it: CGI params, query, body, arena, and the
 * response being built. Only req.c, resp.c and main.c call FCGX_*. */
#ifndef OK_REQ_H
#define OK_REQ_H

#include <stddef.h>
#include "arena.h"
#include "sbuf.h"

struct conf;
struct db;
struct ratelimit;
struct metrics;
struct route;

/* What every handler may use beyond its request: shared by all requests of one process. */
struct app {
	const struct conf *conf;
	struct db *db;
	struct ratelimit *rl;
	struct metrics *metrics; /* shared counters of /metrics, or NULL */
};

struct req {
	struct app *app;
	struct arena arena;  /* reset after each request */
	char **envp;         /* CGI params "NAME=value"; borrowed, valid until the request ends */
	const char *method;
	const char *path;    /* DOCUMENT_URI (no query) */
	const char *query;   /* QUERY_STRING, "" when absent */
	const char *body;    /* NUL-terminated copy of the body (arena), "" when none */
	size_t body_len;
	const struct route *route; /* the matched route (router.c), or NULL */
	/* ":name" segments of the matched route (router.c), arena copies */
	int nparams;
	const char *param_name[4];
	const char *param_value[4];
	/* response under construction (see resp.h) */
	int status;
	const char *content_type; /* NULL = application/json (static or arena string) */
	struct sbuf headers; /* extra header lines, each ending in "\r\n" */
	struct sbuf out;     /* response body */
	/* streamed responses (resp_stream_begin): the FastCGI output stream (main.c sets it; NULL
	 * in unit tests, where a stream goes to out) and whether the head was sent */
	struct FCGX_Stream *stream;
	int streamed;
};

/* Prepares rq for a request whose params are envp (NULL-terminated). Allocates nothing new
 * when the buffers of a previous request can be reused. */
void req_begin(struct req *rq, struct app *app, char **envp);
/* Clears the response buffers and resets the arena (memory is kept for reuse). */
void req_end(struct req *rq);
/* Frees everything rq owns. */
void req_release(struct req *rq);

/* The value of CGI param name ("CONTENT_TYPE", "HTTP_X_ROUTING_KEY"), or NULL; borrowed. */
const char *req_param(const struct req *rq, const char *name);
/* The value of request header name ("X-Routing-Key") via its HTTP_* param, or NULL. */
const char *req_header(const struct req *rq, const char *name);
/* The URL-decoded value of query parameter name (first occurrence, arena copy), or NULL. */
const char *req_query(struct req *rq, const char *name);
/* The value of the route's ":name" segment (URL-decoded), or NULL. */
const char *req_path_param(const struct req *rq, const char *name);
/* Decodes %XX and '+' of s[0..n) into an arena string. */
char *req_urldecode(struct arena *a, const char *s, size_t n);

#endif
