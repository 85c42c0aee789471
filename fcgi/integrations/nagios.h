/* nagios.h: the Nagios/Icinga rules of appendix §B, implemented once (nagios.c) for both
 * vendors: they differ only in their field aliases, messages, key prefix and source, and in
 * Icinga's event-stream check_result (its extra). */
#ifndef OK_NAGIOS_H
#define OK_NAGIOS_H

#include <stddef.h>
#include <json-c/json.h>
#include "event.h"

struct vendor_ctx;

/* The fields of a notification as read by their aliases (NULL when absent). */
struct nagios_read {
	const char *type, *host, *host_state, *service, *service_state, *output;
};

struct nagios_fields {
	const char *prefix; /* dedup key {prefix}-{slug(host)}[-{slug(service)}] */
	const char *source; /* the events' source ("Nagios") */
	/* The aliases of each field, NULL-terminated; the first non-blank one is read and every
	 * one holding an object, array or boolean is a violation. */
	const char *const *type;
	const char *const *host;
	const char *const *host_state;
	const char *const *service;
	const char *const *service_state;
	const char *const *output;
	const char *no_host;  /* the violation when no host alias is there */
	const char *not_ours; /* the violation when there is no type, no state and no marker */
	/* Optional: the vendor's own fields, read after the aliases into r (filling only what is
	 * NULL). Returns -1 after recording a violation, 1 when the body carries the vendor's
	 * marker (it stands in for a type or state), else 0. */
	int (*extra)(const struct vendor_ctx *c, struct json_object *body, struct nagios_read *r);
};

/* A NULL-terminated alias list for struct nagios_fields. */
#define NAGIOS_ALIASES(...) ((const char *const[]){__VA_ARGS__, NULL})

/* A vendor_map_fn for the vendor described by f. */
int nagios_map_with(const struct nagios_fields *f, struct json_object *body,
	const struct vendor_ctx *c, struct event **evs, size_t *n);

#endif
