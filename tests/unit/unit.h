/* unit.h: scaffolding shared by the Check unit tests (one suite per module file). */
#ifndef OK_UNIT_H
#define OK_UNIT_H

#include <check.h>
#include <stdlib.h>

/* Defines main() running the suite returned by suite_fn; exit status 1 when any check failed. */
#define UNIT_MAIN(suite_fn)                                                                  \
	int main(void)                                                                       \
	{                                                                                    \
		SRunner *sr = srunner_create(suite_fn());                                    \
		srunner_run_all(sr, CK_NORMAL);                                              \
		int failed = srunner_ntests_failed(sr);                                      \
		srunner_free(sr);                                                            \
		return failed ? EXIT_FAILURE : EXIT_SUCCESS;                                 \
	}

#endif
