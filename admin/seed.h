/* seed.h: the demo data set of the dev stack. */
#ifndef OK_SEED_H
#define OK_SEED_H

struct db;
struct conf;

/* Creates or updates the demo team, users, policy, schedule, service, Events-API-v2
 * integration and admin API key; rotates the demo secrets and prints them as OPSKNIGHT_*=…
 * lines. Returns 0, or -1 after logging. */
int seed_demo(struct db *db, const struct conf *conf);

#endif
