/* req.c: CGI params, query string and per-request state of a FastCGI request. */
#include <string.h>
#include <ctype.h>

#include "req.h"
#include "wrapper.h"

static const char *param_or(const struct req *rq, const char *name, const char *dflt)
{
	const char *v = req_param(rq, name);
	return v ? v : dflt;
}

void req_begin(struct req *rq, struct app *app, char **envp)
{
	if (!rq->arena.chunk_size) {
		arena_init(&rq->arena, 0);
		sbuf_init(&rq->headers, 256);
		sbuf_init(&rq->out, 1024);
	}
	rq->app = app;
	rq->envp = envp;
	rq->method = param_or(rq, "REQUEST_METHOD", "GET");
	rq->path = param_or(rq, "DOCUMENT_URI", param_or(rq, "SCRIPT_NAME", "/"));
	rq->query = param_or(rq, "QUERY_STRING", "");
	rq->body = "";
	rq->body_len = 0;
	rq->status = 0;
	rq->content_type = NULL;
	rq->nparams = 0;
	rq->route = NULL;
	rq->stream = NULL;
	rq->streamed = 0;
}

void req_end(struct req *rq)
{
	sbuf_reset(&rq->headers);
	sbuf_reset(&rq->out);
	arena_reset(&rq->arena);
	rq->envp = NULL;
}

void req_release(struct req *rq)
{
	sbuf_release(&rq->headers);
	sbuf_release(&rq->out);
	arena_release(&rq->arena);
}

const char *req_param(const struct req *rq, const char *name)
{
	size_t n = strlen(name);

	for (char **e = rq->envp; e && *e; e++)
		if (!strncmp(*e, name, n) && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

const char *req_header(const struct req *rq, const char *name)
{
	char key[128] = "HTTP_";
	size_t j = 5;

	for (const char *p = name; *p && j < sizeof(key) - 1; p++)
		key[j++] = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
	key[j] = '\0';
	return req_param(rq, key);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

char *req_urldecode(struct arena *a, const char *s, size_t n)
{
	char *out = arena_alloc(a, n + 1);
	size_t j = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+') {
			out[j++] = ' ';
		} else if (s[i] == '%' && i + 2 < n && hexval((unsigned char)s[i + 1]) >= 0 &&
			   hexval((unsigned char)s[i + 2]) >= 0) {
			out[j++] = (char)(hexval((unsigned char)s[i + 1]) * 16 +
					  hexval((unsigned char)s[i + 2]));
			i += 2;
		} else {
			out[j++] = s[i];
		}
	}
	out[j] = '\0';
	return out;
}

const char *req_query(struct req *rq, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = rq->query; *p;) {
		const char *end = strchr(p, '&');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len > n && !strncmp(p, name, n) && p[n] == '=')
			return req_urldecode(&rq->arena, p + n + 1, len - n - 1);
		if (len == n && !strncmp(p, name, n))
			return "";
		p += len + (end ? 1 : 0);
	}
	return NULL;
}

const char *req_path_param(const struct req *rq, const char *name)
{
	for (int i = 0; i < rq->nparams; i++)
		if (!strcmp(rq->param_name[i], name))
			return rq->param_value[i];
	return NULL;
}
