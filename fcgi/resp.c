/* resp.c: response building and the one place that writes responses to FastCGI. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <fcgiapp.h>

#include "resp.h"
#include "req.h"

static const struct {
	int status;
	const char *reason;
} reasons[] = {
	{ 200, "OK" }, { 201, "Created" }, { 202, "Accepted" }, { 204, "No Content" },
	{ 304, "Not Modified" }, { 400, "Bad Request" }, { 401, "Unauthorized" }, { 403, "Forbidden" },
	{ 404, "Not Found" }, { 405, "Method Not Allowed" }, { 409, "Conflict" },
	{ 412, "Precondition Failed" }, { 413, "Payload Too Large" }, { 415, "Unsupported Media Type" },
	{ 422, "Unprocessable Entity" }, { 429, "Too Many Requests" },
	{ 500, "Internal Server Error" }, { 503, "Service Unavailable" },
};

const char *resp_reason(int status)
{
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].status == status)
			return reasons[i].reason;
	return "Unknown";
}

void resp_header(struct req *rq, const char *name, const char *fmt, ...)
{
	va_list ap;

	sbuf_addf(&rq->headers, "%s: ", name);
	va_start(ap, fmt);
	sbuf_vaddf(&rq->headers, fmt, ap);
	va_end(ap);
	sbuf_addstr(&rq->headers, "\r\n");
}

void resp_json(struct req *rq, int status, const char *json, size_t len)
{
	rq->status = status;
	sbuf_reset(&rq->out);
	sbuf_add(&rq->out, json, len);
}

void resp_json_obj(struct req *rq, int status, const struct json_object *v)
{
	size_t len;
	const char *s = json_object_to_json_string_length((struct json_object *)v,
		JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	resp_json(rq, status, s, len);
}

/* Writes the head: status, Content-Type, Content-Length when known (len >= 0), headers. */
static int write_head(struct req *rq, struct FCGX_Stream *out, long len)
{
	int status = rq->status ? rq->status : 500;
	char head[256], clen[48] = "";

	/* libfcgi's own FCGX_FPrintF knows no %zu: format here */
	if (len >= 0)
		snprintf(clen, sizeof(clen), "Content-Length: %ld\r\n", len);
	int n = snprintf(head, sizeof(head),
		"Status: %d %s\r\nContent-Type: %.100s\r\n%sCache-Control: no-store\r\n", status,
		resp_reason(status), rq->content_type ? rq->content_type : "application/json", clen);
	FCGX_PutStr(head, n, out);
	FCGX_PutStr(rq->headers.buf, (int)rq->headers.len, out);
	return FCGX_PutStr("\r\n", 2, out) < 0 ? -1 : 0;
}

int resp_write(struct req *rq, struct FCGX_Stream *out)
{
	if (rq->streamed)
		return 0;
	write_head(rq, out, (long)rq->out.len);
	return FCGX_PutStr(rq->out.buf, (int)rq->out.len, out) < 0 ? -1 : 0;
}

int resp_stream_begin(struct req *rq, int status)
{
	rq->status = status;
	rq->streamed = 1;
	sbuf_reset(&rq->out);
	return rq->stream ? write_head(rq, rq->stream, -1) : 0;
}

int resp_stream_write(struct req *rq, const void *data, size_t n)
{
	if (!rq->stream) {
		sbuf_add(&rq->out, data, n);
		return 0;
	}
	return FCGX_PutStr(data, (int)n, rq->stream) < 0 ? -1 : 0;
}
