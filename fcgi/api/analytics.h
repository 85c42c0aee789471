/* analytics.h: what the analytics surfaces (analytics.c, report.c) share. */
#ifndef OK_API_ANALYTICS_H
#define OK_API_ANALYTICS_H

#include <json-c/json.h>

struct req;
struct api_err;

/*
 * Authenticates (analytics:read), reads the filters of the query string (names in extra are
 * left to the caller), adds the fields of set (may be NULL) over them, and computes the metrics
 * (core/sla). Returns 0 with *data (the metrics) and *filters (the filter object applied), both
 * borrowed from the request's arena; or -1 with err filled (422 invalid_parameter naming the
 * parameter, 403, 401, 503/500).
 */
int analytics_compute(struct req *rq, const char *const *extra, struct json_object *set,
	struct json_object **data, struct json_object **filters, struct api_err *err)
	__attribute__((warn_unused_result));

#endif
