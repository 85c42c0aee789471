/* api.h: the handlers of fcgi/api/, one file per resource, referenced by the route table. */
#ifndef OK_API_H
#define OK_API_H

#include "router.h"

/* events.c: Events API v2 (PagerDuty-compatible) and the native /api/events */
handler_fn events_enqueue;        /* POST /v2/enqueue and the /api/integrations/pagerduty aliases */
handler_fn events_change_enqueue; /* POST /v2/change/enqueue */
handler_fn events_native;         /* POST /api/events */

/* integrations.c: the vendor webhooks (fcgi/integrations/) */
handler_fn integrations_post;     /* POST /api/integrations/:name */

/* health.c */
handler_fn health_get;            /* GET /api/health[?mode=liveness|readiness] */

/* health.c: Prometheus text of the shared counters and the database gauges */
handler_fn health_metrics;        /* GET /metrics and /api/metrics */

/* logs.c: persisted client logs (redacted) */
handler_fn logs_ingest;           /* POST /api/logs/ingest (public, rate-limited per IP) */
handler_fn logs_list;             /* GET /api/public-logs[?limit&level&since&cursor] (admin) */

/* jobs.c: the dead-letter view of background jobs (admin) */
handler_fn jobs_list;             /* GET /api/jobs[?status&type&limit&cursor] */
handler_fn jobs_retry;            /* POST /api/jobs/:id/retry */

/* incidents.c: the incidents API of ops dashboards (issue 5) */
handler_fn incidents_list_get;        /* GET /api/incidents[?status&urgency&service_id&team_id&…] */
handler_fn incidents_export;          /* GET /api/incidents/export?format=csv|json[&filters] */
handler_fn incidents_create;          /* POST /api/incidents */
handler_fn incidents_bulk_acknowledge; /* POST /api/incidents/bulk/acknowledge {ids} */
handler_fn incidents_bulk_resolve;    /* POST /api/incidents/bulk/resolve {ids} */
handler_fn incidents_get_one;         /* GET /api/incidents/:id (alerts, notes, timeline) */
handler_fn incidents_patch;           /* PATCH /api/incidents/:id */
handler_fn incidents_note;            /* POST /api/incidents/:id/notes */
handler_fn incidents_snooze;          /* POST /api/incidents/:id/snooze */
handler_fn incidents_acknowledge;     /* POST /api/incidents/:id/acknowledge */
handler_fn incidents_resolve;         /* POST /api/incidents/:id/resolve */

/* schedules.c */
handler_fn schedules_oncall;      /* GET /api/schedules/:id/oncall[?at=ISO-8601] */
handler_fn schedules_oncall_all;   /* GET /api/oncall[?at=] — every schedule */

/* rest.c: the configuration resources (resources.h); the route's arg names the resource */
handler_fn rest_list;                  /* GET    …/things[?limit&cursor&q&<filters>] */
handler_fn rest_get;                   /* GET    …/things/:id (ETag, If-None-Match → 304) */
handler_fn rest_create;                /* POST   …/things (201 + Location) */
handler_fn rest_patch;                 /* PATCH  …/things/:id (If-Match) */
handler_fn rest_delete;                /* DELETE …/things/:id (204; API keys: revoked, 200) */
handler_fn integrations_rotate_key;    /* POST …/integrations/:id/rotate-key */
handler_fn integrations_rotate_secret; /* POST …/integrations/:id/rotate-secret */
handler_fn notifications_read;         /* POST /api/notifications/read {ids | all} */

/* rollups.c: daily rollups, retention, SLA compliance (issue 6) */
handler_fn rollups_backfill;      /* POST /api/admin/rollups/backfill {days | start[, end]} */
handler_fn rollups_health;        /* GET /api/admin/rollups/health */
handler_fn retention_get;         /* GET /api/settings/retention */
handler_fn retention_put;         /* PUT /api/settings/retention (clamped) */
handler_fn retention_run;         /* POST /api/settings/retention {dry_run} */
handler_fn sla_compliance;        /* GET /api/sla/compliance (analytics:read) */

/* analytics.c, report.c: the SLA/analytics surfaces (issue 6) */
handler_fn analytics_get;         /* GET /api/analytics and /api/reports/metrics[?filters] */
handler_fn analytics_export;      /* GET /api/analytics/export?format=csv|json[&filters] */
handler_fn report_executive;      /* GET /reports/executive[?window=30&filters] (HTML + SVG) */

#endif
