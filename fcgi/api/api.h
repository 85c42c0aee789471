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

/* schedules.c */
handler_fn schedules_oncall;      /* GET /api/schedules/:id/oncall[?at=ISO-8601] */

#endif
