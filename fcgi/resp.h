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
 * body to the FastCGI stream.
 * Returns 0, or -1 when the client went away (nothing else to do). */
struct FCGX_Stream;
int resp_write(struct req *rq, struct FCGX_Stream *out);
/* The reason phrase of an HTTP status ("Accepted"). */
const char *resp_reason(int status);

#endif
