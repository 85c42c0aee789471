/* metrics.h: request, latency and event counters in memory shared by every process of the pool,
 * and their Prometheus text rendering (with the database gauges added at scrape time). */
#ifndef OK_METRICS_H
#define OK_METRICS_H

#include <stdint.h>

struct sbuf;
struct json_object;
struct metrics;

/* Maps a zeroed table for nroutes routes (call in the master before fork, so children share
 * it). Returns NULL when the mapping cannot be created. */
struct metrics *metrics_new(int nroutes);
void metrics_free(struct metrics *m);

/* Counts one request of route (0..nroutes-1; out of range is ignored) answered with status
 * after usec microseconds. Lock-free (relaxed atomics); m may be NULL. */
void metrics_observe(struct metrics *m, int route, int status, uint64_t usec);
/* Counts one ingested event by its result action ("triggered", "deduplicated", "acknowledged",
 * "resolved", "ignored"; anything else counts as "other"). m may be NULL. */
void metrics_count_action(struct metrics *m, const char *action);

/* The (method, route pattern) label of route i, for rendering. */
typedef void metrics_label_fn(int i, const char **method, const char **route);

/* Appends the shared counters in Prometheus text format 0.0.4: opsknight_http_requests_total
 * {method,route,status}, opsknight_http_request_duration_seconds{method,route} histograms and
 * opsknight_events_ingested_total{action}. */
void metrics_render(const struct metrics *m, metrics_label_fn *label, struct sbuf *sb);
/* Appends opsknight_database_up and, when gauges is not NULL (the object of ops_gauges), the
 * job, queue and notification gauges. */
void metrics_render_gauges(const struct json_object *gauges, struct sbuf *sb);

#endif
