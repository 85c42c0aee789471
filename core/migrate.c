/* migrate.c: numbered migrations, tracked in schema_migrations, one transaction per file. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <libpq-fe.h>

#include "migrate.h"
#include "db.h"
#include "log.h"
#include "sbuf.h"
#include "wrapper.h"

#define MIGRATE_LOCK "7191001" /* pg_advisory_lock key of the migrator */

static const struct db_stmt stmt_applied = {
	"migrate_applied", "SELECT 1 FROM schema_migrations WHERE name = $1", 1,
};

/* NNN_name.sql with only [A-Za-z0-9_.-]: safe to splice into the bookkeeping INSERT. */
static int is_migration(const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && !strchr("_.-", name[i]))
			return 0;
	return n > 8 && isdigit((unsigned char)name[0]) && isdigit((unsigned char)name[1]) &&
		isdigit((unsigned char)name[2]) && name[3] == '_' && !strcmp(name + n - 4, ".sql");
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int read_file(const char *path, struct sbuf *out)
{
	FILE *f = fopen(path, "r");
	char buf[8192];
	size_t n;

	if (!f)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sbuf_add(out, buf, n);
	int bad = ferror(f);
	fclose(f);
	return bad ? -1 : 0;
}

/* 1 applied now, 0 already applied, -1 failed. */
static int apply(struct db *db, const char *dir, const char *name)
{
	struct db_error err = { 0 };
	const char *params[] = { name };
	PGresult *res = db_exec(db, &stmt_applied, params, &err);

	if (!res)
		goto fail;
	int done = PQntuples(res) > 0;
	PQclear(res);
	if (done)
		return 0;

	struct sbuf sql = SBUF_INIT, path = SBUF_INIT;
	sbuf_addf(&path, "%s/%s", dir, name);
	if (read_file(path.buf, &sql) < 0) {
		log_fmt(LOG_ERROR, "cannot read %s", path.buf);
		sbuf_release(&sql);
		sbuf_release(&path);
		return -1;
	}
	sbuf_release(&path);
	/* one simple-query message: the file and its bookkeeping row commit together */
	struct sbuf txn = SBUF_INIT;
	sbuf_addstr(&txn, "BEGIN;\n");
	sbuf_add(&txn, sql.buf, sql.len);
	sbuf_addf(&txn, "\n;INSERT INTO schema_migrations (name) VALUES ('%s');\nCOMMIT;", name);
	sbuf_release(&sql);
	int rc = db_exec_simple(db, txn.buf, &err);
	sbuf_release(&txn);
	if (rc < 0) {
		struct db_error ignored;
		if (db_exec_simple(db, "ROLLBACK", &ignored) < 0)
			log_msg(LOG_WARN, "rollback failed", NULL);
		goto fail;
	}
	printf("applied %s\n", name);
	return 1;
fail:
	log_msg(LOG_ERROR, "migration failed", "file", name, "sqlstate", err.sqlstate, "error",
		err.message, NULL);
	return -1;
}

int migrate_run(struct db *db, const char *dir)
{
	struct db_error err = { 0 };
	DIR *d = opendir(dir);
	char **names = NULL;
	size_t n = 0, alloc = 0;
	int applied = 0;

	if (!d) {
		log_fmt(LOG_ERROR, "cannot open migrations directory %s", dir);
		return -1;
	}
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		if (!is_migration(e->d_name))
			continue;
		if (n == alloc)
			names = xrealloc(names, (alloc = alloc ? alloc * 2 : 16) * sizeof(*names));
		names[n++] = xstrdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp);

	if (db_exec_simple(db,
		    "SELECT pg_advisory_lock(" MIGRATE_LOCK ");"
		    "CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY,"
		    " applied_at timestamptz NOT NULL DEFAULT now())",
		    &err) < 0) {
		log_msg(LOG_ERROR, "cannot prepare schema_migrations", "error", err.message, NULL);
		applied = -1;
	}
	for (size_t i = 0; i < n && applied >= 0; i++) {
		int rc = apply(db, dir, names[i]);
		applied = rc < 0 ? -1 : applied + rc;
	}
	if (db_exec_simple(db, "SELECT pg_advisory_unlock(" MIGRATE_LOCK ")", &err) < 0)
		log_msg(LOG_WARN, "advisory unlock failed", NULL);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return applied;
}
