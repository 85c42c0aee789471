-- 006_ops.sql: why this migration exists — the ops-dashboard REST API (issue 5): the dead-letter
-- view of failed jobs and their retry, and the database half of /metrics (job and notification
-- gauges), each one round trip. Persisted client logs (DESIGN decision 11) use log_entry (001).

-- The dead-letter listing: FAILED jobs newest first (GET /api/jobs?status=FAILED).
CREATE INDEX IF NOT EXISTS background_job_failed ON background_job (updated_at, id)
	WHERE status = 'FAILED';

-- Retries a FAILED job: PENDING, attempts 0, due now, lease cleared, last_error kept; wakes the
-- workers. Returns NULL when no job has that id, {"error":"not_failed","status":…} when the job
-- is not FAILED, else {"job":{…}}.
CREATE OR REPLACE FUNCTION ok_job_retry(p_id uuid) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	v_status text;
	v_job jsonb;
BEGIN
	SELECT status INTO v_status FROM background_job WHERE id = p_id FOR UPDATE;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	IF v_status <> 'FAILED' THEN
		RETURN jsonb_build_object('error', 'not_failed', 'status', v_status);
	END IF;
	UPDATE background_job SET status = 'PENDING', attempts = 0, run_at = ok_now(),
		locked_by = NULL, locked_until = NULL, completed_at = NULL, updated_at = ok_now()
	WHERE id = p_id
	RETURNING jsonb_build_object('id', id, 'type', type, 'status', status,
		'attempts', attempts, 'max_attempts', max_attempts, 'run_at', ok_iso(run_at),
		'last_error', last_error, 'incident_id', incident_id,
		'created_at', ok_iso(created_at), 'updated_at', ok_iso(updated_at)) INTO v_job;
	PERFORM pg_notify('opsknight_jobs', '');
	RETURN jsonb_build_object('job', v_job);
END
$$;

-- The gauges of GET /metrics in one statement: jobs by (type, status), the due queue depth and
-- the age in seconds of the oldest due PENDING job, notifications by (channel, status).
CREATE OR REPLACE FUNCTION ok_metrics_gauges() RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object(
		'jobs', coalesce((SELECT jsonb_agg(jsonb_build_object('type', type, 'status', status,
			'n', n)) FROM (SELECT type, status, count(*) AS n FROM background_job
			GROUP BY type, status) j), '[]'),
		'queue_depth', (SELECT count(*) FROM background_job
			WHERE status = 'PENDING' AND run_at <= ok_now()),
		'oldest_due_age', (SELECT coalesce(extract(epoch FROM ok_now() - min(run_at)), 0)
			FROM background_job WHERE status = 'PENDING' AND run_at <= ok_now()),
		'notifications', coalesce((SELECT jsonb_agg(jsonb_build_object('channel', channel,
			'status', status, 'n', n)) FROM (SELECT channel, status, count(*) AS n
			FROM notification GROUP BY channel, status) x), '[]'));
$$;
