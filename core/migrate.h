/* migrate.h: applying the numbered SQL migrations of a directory, each in one transaction. */
#ifndef OK_MIGRATE_H
#define OK_MIGRATE_H

struct db;

/*
 * Applies every dir/NNN_*.sql not yet recorded in schema_migrations, in name order, each file
 * inside one transaction together with its schema_migrations row; prints "applied NAME" lines
 * to stdout. Re-running is a no-op. Concurrent runs serialise on an advisory lock. Returns the
 * number applied, or -1 after logging the failing file and the server's message (that file is
 * rolled back; earlier ones stay).
 */
int migrate_run(struct db *db, const char *dir);

#endif
