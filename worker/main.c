/* main.c: opsknight-worker, the background daemon that drains background_job. */
#include <stddef.h>
#include "conf.h"
#include "log.h"
#include "loop.h"

int main(void)
{
	struct conf conf;

	log_init("worker", LOG_INFO);
	conf_load_or_exit(&conf, NULL);
	log_set_level(conf.log_level);
	int rc = loop_run(&conf);
	conf_release(&conf);
	return rc;
}
