/* test_conf.c: unit tests of the configuration table, file parser and environment overrides. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/conf.h"
#include "tests/unit/unit.h"

static const char *const env_names[] = {
	"OPSKNIGHT_CONFIG",
	"OPSKNIGHT_DATABASE_URL",
	"OPSKNIGHT_LISTEN",
	"OPSKNIGHT_WORKERS",
	"OPSKNIGHT_API_KEY_PEPPER",
	"OPSKNIGHT_LOG_LEVEL",
	"OPSKNIGHT_RATE_LIMIT_PER_SEC",
	"OPSKNIGHT_RATE_LIMIT_BURST",
	"OPSKNIGHT_SQL_DIR",
	"OPSKNIGHT_APP_URL",
	"OPSKNIGHT_STATEMENT_TIMEOUT_MS",
	"OPSKNIGHT_MAX_BODY_BYTES",
};

static char tmpdir[64];
static char cfpath[128];

static void setup(void)
{
	size_t i;

	for (i = 0; i < sizeof(env_names) / sizeof(env_names[0]); i++)
		unsetenv(env_names[i]);
	strcpy(tmpdir, "/tmp/okconfXXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(cfpath, sizeof(cfpath), "%s/opsknight.conf", tmpdir);
}

static void teardown(void)
{
	unlink(cfpath);
	rmdir(tmpdir);
}

static void write_file(const char *text)
{
	FILE *f = fopen(cfpath, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(test_defaults)
{
	struct conf c;

	conf_defaults(&c);
	ck_assert_str_eq(c.database_url, "postgresql:///opsknight");
	ck_assert_str_eq(c.listen, OK_RUNSTATEDIR "/opsknight/fcgi.sock");
	ck_assert_int_eq(c.workers, 0);
	ck_assert_str_eq(c.api_key_pepper, "");
	ck_assert_int_eq(c.log_level, LOG_INFO);
	ck_assert_int_eq(c.rate_limit_per_sec, 100);
	ck_assert_int_eq(c.rate_limit_burst, 1000);
	ck_assert_str_eq(c.sql_dir, OK_SQL_DIR);
	ck_assert_str_eq(c.app_url, "http://localhost:8080");
	ck_assert_int_eq(c.statement_timeout_ms, 5000);
	ck_assert_int_eq(c.max_body_bytes, 524288);
	conf_release(&c);
	ck_assert_ptr_null(c.database_url);
}
END_TEST

START_TEST(test_every_key)
{
	struct conf c;
	char err[256] = "";

	write_file("# OpsKnight configuration\n"
		   "\n"
		   "database_url = postgresql://ok@db/opsknight?sslmode=require\n"
		   "listen=127.0.0.1:9000\n"
		   "  workers\t=\t8   # trailing comment\n"
		   "api_key_pepper = \"a secret # not a comment\"\n"
		   "log_level = debug\n"
		   "rate_limit_per_sec = 50\n"
		   "rate_limit_burst = 500\n"
		   "sql_dir = /opt/ok/sql\n"
		   "app_url = \"https://ops.example.com\"\n"
		   "statement_timeout_ms = 0\n"
		   "max_body_bytes = 1048576\r\n"
		   "   # indented comment\n");
	ck_assert_int_eq(conf_load(&c, cfpath, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "");
	ck_assert_str_eq(c.database_url, "postgresql://ok@db/opsknight?sslmode=require");
	ck_assert_str_eq(c.listen, "127.0.0.1:9000");
	ck_assert_int_eq(c.workers, 8);
	ck_assert_str_eq(c.api_key_pepper, "a secret # not a comment");
	ck_assert_int_eq(c.log_level, LOG_DEBUG);
	ck_assert_int_eq(c.rate_limit_per_sec, 50);
	ck_assert_int_eq(c.rate_limit_burst, 500);
	ck_assert_str_eq(c.sql_dir, "/opt/ok/sql");
	ck_assert_str_eq(c.app_url, "https://ops.example.com");
	ck_assert_int_eq(c.statement_timeout_ms, 0);
	ck_assert_int_eq(c.max_body_bytes, 1048576);
	conf_release(&c);
}
END_TEST

START_TEST(test_parse_line)
{
	struct conf c;
	char err[256];

	conf_defaults(&c);
	ck_assert_int_eq(conf_parse_line(&c, "", err, sizeof(err)), 0);
	ck_assert_int_eq(conf_parse_line(&c, "   \t\n", err, sizeof(err)), 0);
	ck_assert_int_eq(conf_parse_line(&c, "# workers = x", err, sizeof(err)), 0);
	ck_assert_int_eq(
		conf_parse_line(&c, "app_url = \"say \\\"hi\\\" \\\\\"", err, sizeof(err)), 0);
	ck_assert_str_eq(c.app_url, "say \"hi\" \\");
	ck_assert_int_eq(conf_parse_line(&c, "api_key_pepper = \"\"", err, sizeof(err)), 0);
	ck_assert_str_eq(c.api_key_pepper, "");
	ck_assert_int_eq(conf_parse_line(&c, "api_key_pepper =", err, sizeof(err)), 0);
	ck_assert_str_eq(c.api_key_pepper, "");
	ck_assert_int_eq(conf_parse_line(&c, "workers = 256", err, sizeof(err)), 0);
	ck_assert_int_eq(c.workers, 256);
	ck_assert_int_eq(conf_parse_line(&c, "log_level = error", err, sizeof(err)), 0);
	ck_assert_int_eq(c.log_level, LOG_ERROR);

	ck_assert_int_eq(conf_parse_line(&c, "nosuch = 1", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "unknown key \"nosuch\"");
	ck_assert_int_eq(conf_parse_line(&c, "workers = abc", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "invalid value for workers: \"abc\" (expected an integer)");
	ck_assert_int_eq(conf_parse_line(&c, "workers = 12x", err, sizeof(err)), -1);
	ck_assert_int_eq(conf_parse_line(&c, "workers =", err, sizeof(err)), -1);
	ck_assert_int_eq(
		conf_parse_line(&c, "workers = 99999999999999999999", err, sizeof(err)), -1);
	ck_assert_int_eq(conf_parse_line(&c, "workers = 257", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "workers must be between 0 and 256 (got 257)");
	ck_assert_int_eq(conf_parse_line(&c, "workers = -1", err, sizeof(err)), -1);
	ck_assert_int_eq(conf_parse_line(&c, "max_body_bytes = 1023", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "max_body_bytes must be between 1024 and 67108864 (got 1023)");
	ck_assert_int_eq(conf_parse_line(&c, "rate_limit_per_sec = 0", err, sizeof(err)), -1);
	ck_assert_int_eq(conf_parse_line(&c, "log_level = verbose", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "log_level"));
	ck_assert_int_eq(conf_parse_line(&c, "just words", err, sizeof(err)), -1);
	ck_assert_int_eq(conf_parse_line(&c, "= 5", err, sizeof(err)), -1);
	ck_assert_int_eq(conf_parse_line(&c, "app_url = \"open", err, sizeof(err)), -1);
	ck_assert_int_eq(conf_parse_line(&c, "app_url = \"a\" b", err, sizeof(err)), -1);
	/* failures left the earlier values alone */
	ck_assert_int_eq(c.workers, 256);
	ck_assert_str_eq(c.app_url, "say \"hi\" \\");
	conf_release(&c);
}
END_TEST

START_TEST(test_error_position)
{
	struct conf c;
	char err[512], want[256];

	write_file("workers = 4\n# comment\nbogus_key = 1\n");
	ck_assert_int_eq(conf_load(&c, cfpath, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:3: unknown key \"bogus_key\"", cfpath);
	ck_assert_str_eq(err, want);
	conf_release(&c);

	write_file("\n\n\n\nstatement_timeout_ms = 600001\n");
	ck_assert_int_eq(conf_load(&c, cfpath, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:5: ", cfpath);
	ck_assert_int_eq(strncmp(err, want, strlen(want)), 0);
	ck_assert_ptr_nonnull(strstr(err, "statement_timeout_ms must be between 0 and 600000"));
	conf_release(&c);
}
END_TEST

START_TEST(test_files)
{
	struct conf c;
	char err[512];

	/* an explicit file must exist */
	ck_assert_int_eq(conf_load(&c, "/nonexistent/opsknight.conf", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/opsknight.conf"));
	conf_release(&c);

	/* OPSKNIGHT_CONFIG names the file when path is NULL */
	write_file("workers = 3\n");
	setenv("OPSKNIGHT_CONFIG", cfpath, 1);
	ck_assert_int_eq(conf_load(&c, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(c.workers, 3);
	conf_release(&c);
	setenv("OPSKNIGHT_CONFIG", "/nonexistent/x.conf", 1);
	ck_assert_int_eq(conf_load(&c, NULL, err, sizeof(err)), -1);
	conf_release(&c);
	unsetenv("OPSKNIGHT_CONFIG");
}
END_TEST

START_TEST(test_env_override)
{
	struct conf c;
	char err[512];

	write_file("workers = 4\ndatabase_url = postgresql://file/db\nlog_level = warn\n");
	setenv("OPSKNIGHT_WORKERS", "16", 1);
	setenv("OPSKNIGHT_DATABASE_URL", "postgresql://env/db", 1);
	setenv("OPSKNIGHT_API_KEY_PEPPER", "p3pp3r", 1);
	ck_assert_int_eq(conf_load(&c, cfpath, err, sizeof(err)), 0);
	ck_assert_int_eq(c.workers, 16);
	ck_assert_str_eq(c.database_url, "postgresql://env/db");
	ck_assert_str_eq(c.api_key_pepper, "p3pp3r");
	ck_assert_int_eq(c.log_level, LOG_WARN); /* from the file, not overridden */
	conf_release(&c);

	setenv("OPSKNIGHT_WORKERS", "many", 1);
	ck_assert_int_eq(conf_load(&c, cfpath, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "OPSKNIGHT_WORKERS"));
	ck_assert_ptr_nonnull(strstr(err, "expected an integer"));
	conf_release(&c);
	unsetenv("OPSKNIGHT_WORKERS");
	unsetenv("OPSKNIGHT_DATABASE_URL");
	unsetenv("OPSKNIGHT_API_KEY_PEPPER");
}
END_TEST

START_TEST(test_load_or_exit)
{
	struct conf c;

	write_file("workers = lots\n");
	close(STDERR_FILENO); /* keep the log line out of the test output */
	conf_load_or_exit(&c, cfpath);
}
END_TEST

static Suite *conf_suite(void)
{
	Suite *s = suite_create("conf");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_every_key);
	tcase_add_test(tc, test_parse_line);
	tcase_add_test(tc, test_error_position);
	tcase_add_test(tc, test_files);
	tcase_add_test(tc, test_env_override);
	tcase_add_exit_test(tc, test_load_or_exit, 78);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(conf_suite)
