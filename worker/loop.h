/* loop.h: the worker's libevent loop: the LISTEN socket, reconnect timer and signals. */
#ifndef OK_LOOP_H
#define OK_LOOP_H

struct conf;

/* Runs until SIGTERM/SIGINT. Holds one connection LISTENing on the job channel, reconnecting with
 * backoff when it is lost; SIGHUP re-reads the config. Returns the process exit status. */
int loop_run(struct conf *conf);

/* The channel the ingest transaction NOTIFYs when it enqueues jobs. */
#define LOOP_JOB_CHANNEL "opsknight_jobs"

#endif
