/* resp.h: building the response of a request (status, headers, JSON body) and writing it. */
#ifndef OK_RESP_H
#define OK_RESP_H

#include <stddef.h>
#include <json-c/json.h>

struct req;

/* Adds one header line ("Retry-After: 3"); name and value must not contain CR/LF. */
void resp_header(struct req *rq, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Sets status and a JSON body given as text (copied). */
void resp_json(struct req *rq, int status, const char *json, size_t len);
/* Sets status and the compact rendering of v (v is not consumed). */
void resp_json_obj(struct req *rq, int status, const struct json_object *v);
/* Writes status line, Content-Type (rq->content_type, default application/json), headers and
 * body to the FastCGI stream (nothing for a streamed response: it is already out).
 * Returns 0, or -1 when the client went away (nothing else to do). */
struct FCGX_Stream;
int resp_write(struct req *rq, struct FCGX_Stream *out);
/*
 * Streams the body instead of buffering it: sends the status line, Content-Type
 * (rq->content_type) and rq's headers now, without Content-Length (nginx answers the client
 * chunked). The handler then writes the body piece by piece with resp_stream_write and returns
 * 0; it can no longer fail with an error response. Returns 0, or -1 when the client went away.
 */
int resp_stream_begin(struct req *rq, int status);
/* Writes n bytes of a streamed body (libfcgi sends them on as its buffer fills). Returns 0, or
 * -1 when the client went away (the handler stops). */
int resp_stream_write(struct req *rq, const void *data, size_t n);
/* The reason phrase of an HTTP status ("Accepted"). */
const char *resp_reason(int status);

#endif
