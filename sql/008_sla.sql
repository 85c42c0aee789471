-- 008_sla.sql: why this migration exists — the SLA/analytics engine of spec §6.1 (issue 6):
-- GET /api/analytics, /api/reports/metrics, the analytics export and the executive report all
-- call ok_analytics(). The heavy lifting is SQL aggregates (FILTER, percentile_cont) over the
-- incident window; the C side only validates the parameters and adds the on-call part.
--
-- Shape of the computation. Every source (live incidents, daily rollups of §6.2) yields
-- *counters* per service — additive numbers (totals, status/urgency counts, sums and counts of
-- MTTA/MTTR in ms, SLA met/breached, escalations, alerts, after-hours). The live, rollup and
-- hybrid paths differ only in which sources are summed (ok_analytics_sum); every rate, mean and
-- compliance is then derived from summed counters by one function (ok_analytics_metrics), for the
-- totals, for each service and for the previous period alike. Numbers that do not add up
-- (percentiles, MTTI, MTTK, MTBF, lists) come from the live part only.
--
-- Only CREATE OR REPLACE FUNCTION and indexes: re-applying the file is harmless.

-- Resolved incidents by resolution time: "resolved in the last 24 h" of the current-state block
-- (an index scan of a day instead of every resolved incident). Partial: a row enters it when the
-- incident is resolved, so the ingest trigger path (INSERT of an OPEN incident) pays nothing;
-- a resolve pays one index insertion.
CREATE INDEX IF NOT EXISTS incident_resolved_at ON incident (resolved_at) WHERE status = 'RESOLVED';

-- The classified timeline rows (ack, escalation, reopen, auto-resolve) by time, covering the
-- incident and type: the live path finds its window's rows with one range scan instead of one
-- index probe per incident (60 -> 6 ms for a week of 9,600 incidents). Partial: the rows every
-- ingest writes (TRIGGERED, RETRIGGERED, NOTIFICATION, …) do not enter it, so the hot path pays
-- nothing; an acknowledge, escalation, reopen or auto-resolve pays one index insertion.
CREATE INDEX IF NOT EXISTS incident_event_kind_created ON incident_event (created_at)
	INCLUDE (incident_id, type)
	WHERE type IN ('ACKNOWLEDGED', 'ESCALATED', 'REOPENED', 'AUTO_RESOLVED');

-- The business-hours zone of system_settings when PostgreSQL knows it, else UTC (the CHECK of
-- system_settings only tests the spelling).
CREATE OR REPLACE FUNCTION ok_analytics_zone(p_tz text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
	PERFORM now() AT TIME ZONE p_tz;
	RETURN p_tz;
EXCEPTION WHEN OTHERS THEN
	RETURN 'UTC';
END
$$;

-- Sums counter objects ([{"service_id":…, "total":n, …}, …]) per service_id: the merge of the
-- hybrid path and of several sources. Returns an array of counter objects.
-- (The functions of this file are plpgsql, not SQL: a SQL function that is not inlined is
-- planned again on every call — ok_analytics_metrics runs once per trend bucket: 365 plannings.)
CREATE OR REPLACE FUNCTION ok_analytics_sum(p_rows jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	RETURN (
		SELECT coalesce(jsonb_agg(o), '[]') FROM (
			SELECT jsonb_object_agg(k, s) || jsonb_build_object('service_id', svc) AS o
			FROM (
				SELECT e->>'service_id' AS svc, kv.key AS k, sum(kv.value::numeric) AS s
				FROM jsonb_array_elements(p_rows) e, jsonb_each(e - 'service_id') kv
				GROUP BY 1, 2
			) x GROUP BY svc
		) y
	);
END
$$;

-- The totals of counter objects (every service summed) as one object.
CREATE OR REPLACE FUNCTION ok_analytics_total(p_rows jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	RETURN (
		SELECT coalesce(jsonb_object_agg(k, s), '{}') FROM (
			SELECT kv.key AS k, sum(kv.value::numeric) AS s
			FROM jsonb_array_elements(p_rows) e, jsonb_each(e - 'service_id') kv
			GROUP BY 1
		) x
	);
END
$$;

-- a / b * 100 rounded to 2 dp, NULL when b is 0.
CREATE OR REPLACE FUNCTION ok_analytics_pct(a numeric, b numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN coalesce(b, 0) = 0 THEN NULL ELSE round(coalesce(a, 0) / b * 100, 2) END
$$;

-- sum_ms / count in minutes rounded to 2 dp; NULL when nothing was measured (or the mean is 0,
-- as the reference reports 0-valued means).
CREATE OR REPLACE FUNCTION ok_analytics_mean_min(sum_ms numeric, n numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN coalesce(n, 0) = 0 OR coalesce(sum_ms, 0) = 0 THEN NULL
		ELSE round(sum_ms / n / 60000, 2) END
$$;

-- The metrics of spec §6.1 derived from one counter object. Counters carry the names of the
-- answer's fields (total_incidents, ack_breaches, …) plus the internal acked, mtta_sum/count,
-- mttr_sum/count and events; an absent counter reads as 0. Rates are over total_incidents,
-- reopen/auto-resolve rates over resolved incidents.
CREATE OR REPLACE FUNCTION ok_analytics_metrics(c jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	n jsonb := '{"total_incidents": 0, "open_incidents": 0, "acknowledged_incidents": 0,
		"resolved_incidents": 0, "snoozed_incidents": 0, "suppressed_incidents": 0,
		"high_urgency_count": 0, "medium_urgency_count": 0, "low_urgency_count": 0,
		"ack_sla_met": 0, "ack_breaches": 0, "resolve_sla_met": 0, "resolve_breaches": 0,
		"escalation_count": 0, "reopen_count": 0, "auto_resolved_count": 0, "alert_count": 0,
		"after_hours_count": 0, "acked": 0, "mtta_sum": 0, "mtta_count": 0, "mttr_sum": 0,
		"mttr_count": 0}'::jsonb || c;
BEGIN
	-- one expression (no query), so plpgsql evaluates it without the executor: it runs once
	-- per service and per trend bucket
	RETURN (n - ARRAY['acked', 'mtta_sum', 'mtta_count', 'mttr_sum', 'mttr_count', 'events',
			'service_id', 'day'])
		|| jsonb_build_object(
		'mtta', ok_analytics_mean_min((n->>'mtta_sum')::numeric, (n->>'mtta_count')::numeric),
		'mttr', ok_analytics_mean_min((n->>'mttr_sum')::numeric, (n->>'mttr_count')::numeric),
		'ack_compliance', ok_analytics_pct((n->>'ack_sla_met')::numeric,
			(n->>'ack_sla_met')::numeric + (n->>'ack_breaches')::numeric),
		'resolve_compliance', ok_analytics_pct((n->>'resolve_sla_met')::numeric,
			(n->>'resolve_sla_met')::numeric + (n->>'resolve_breaches')::numeric),
		'ack_rate', ok_analytics_pct((n->>'acked')::numeric, (n->>'total_incidents')::numeric),
		'resolve_rate', ok_analytics_pct((n->>'resolved_incidents')::numeric,
			(n->>'total_incidents')::numeric),
		'high_urgency_rate', ok_analytics_pct((n->>'high_urgency_count')::numeric,
			(n->>'total_incidents')::numeric),
		'after_hours_rate', ok_analytics_pct((n->>'after_hours_count')::numeric,
			(n->>'total_incidents')::numeric),
		'alerts_per_incident', CASE WHEN (n->>'total_incidents')::numeric = 0 THEN NULL
			ELSE round((n->>'alert_count')::numeric / (n->>'total_incidents')::numeric, 2) END,
		'escalation_rate', ok_analytics_pct((n->>'escalation_count')::numeric,
			(n->>'total_incidents')::numeric),
		'reopen_rate', ok_analytics_pct((n->>'reopen_count')::numeric,
			(n->>'resolved_incidents')::numeric),
		'manual_resolved_count', greatest(0, (n->>'resolved_incidents')::numeric
			- (n->>'auto_resolved_count')::numeric),
		'auto_resolve_rate', ok_analytics_pct((n->>'auto_resolved_count')::numeric,
			(n->>'resolved_incidents')::numeric));
END
$$;

-- Counters from the daily rollups (§6.2) of the days [p_from_day, p_to_day) of the services
-- p_svcs, per service ({"service_id", …}) or, p_by_day, per day ({"day", …}). Rows with a
-- service and no team are the per-service rows; summing them gives the global numbers for any
-- set of services (the global row is not needed).
-- Differences from the live definitions (generator's, not ours): MTTA from acknowledged_at only,
-- escalation/reopen/auto-resolve are event-row counts, "acked" is the ACKNOWLEDGED+RESOLVED
-- status count (the reference's approximation), an unacked open incident is judged at the end
-- of its day, SNOOZED/SUPPRESSED are not in the status counts.
CREATE OR REPLACE FUNCTION ok_analytics_rollup_counts(p_svcs uuid[], p_from_day date, p_to_day date,
	p_by_day boolean DEFAULT false) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (
		SELECT coalesce(jsonb_agg(o), '[]') FROM (
			SELECT jsonb_build_object(CASE WHEN p_by_day THEN 'day' ELSE 'service_id' END, k,
				'total_incidents', sum(r.total_incidents), 'open_incidents', sum(r.open_incidents),
				'acknowledged_incidents', sum(r.acknowledged_incidents),
				'resolved_incidents', sum(r.resolved_incidents),
				'high_urgency_count', sum(r.high_urgency_incidents),
				'medium_urgency_count', sum(r.medium_urgency_incidents),
				'low_urgency_count', sum(r.low_urgency_incidents),
				'acked', sum(r.acknowledged_incidents + r.resolved_incidents),
				'mtta_sum', sum(r.mtta_sum), 'mtta_count', sum(r.mtta_count),
				'mttr_sum', sum(r.mttr_sum), 'mttr_count', sum(r.mttr_count),
				'ack_sla_met', sum(r.ack_sla_met), 'ack_breaches', sum(r.ack_sla_breached),
				'resolve_sla_met', sum(r.resolve_sla_met), 'resolve_breaches', sum(r.resolve_sla_breached),
				'escalation_count', sum(r.escalation_count), 'reopen_count', sum(r.reopen_count),
				'auto_resolved_count', sum(r.auto_resolve_count), 'alert_count', sum(r.alert_count),
				'after_hours_count', sum(r.after_hours_count)) AS o
			FROM incident_metric_rollup r,
				LATERAL (SELECT CASE WHEN p_by_day THEN r.day::text ELSE r.service_id::text END AS k) g
			WHERE r.service_id = ANY(p_svcs) AND r.team_id IS NULL AND r.granularity = 'daily'
				AND r.day >= p_from_day AND r.day < p_to_day
			GROUP BY k ORDER BY k
		) t
	);
END
$$;

-- Daily trend buckets from the rollups (UTC days; keys YYYY-MM-DD), derived like the totals.
CREATE OR REPLACE FUNCTION ok_analytics_rollup_trend(p_svcs uuid[], p_from_day date, p_to_day date)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (
		SELECT coalesce(jsonb_agg(jsonb_build_object('key', e->>'day',
			'label', to_char((e->>'day')::date, 'Mon DD'), 'source', 'rollup',
			'count', m->'total_incidents', 'mtta', m->'mtta', 'mttr', m->'mttr',
			'ack_rate', m->'ack_rate', 'resolve_rate', m->'resolve_rate',
			'ack_compliance', m->'ack_compliance', 'resolve_compliance', m->'resolve_compliance',
			'resolve_count', m->'resolved_incidents', 'escalation_rate', m->'escalation_rate')
			ORDER BY e->>'day'), '[]')
		FROM jsonb_array_elements(ok_analytics_rollup_counts(p_svcs, p_from_day, p_to_day, true)) e,
			ok_analytics_metrics(e) m
	);
END
$$;

-- 1 when incident i passes the incident filters of p_f (assignee_id, urgency, status, priority,
-- visibility); the window and the services are the caller's. SQL simple enough to be inlined
-- into the caller's WHERE (no FROM), so the filters stay index-friendly plain conditions.
CREATE OR REPLACE FUNCTION ok_analytics_match(i incident, p_f jsonb) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT (p_f->>'assignee_id' IS NULL OR i.assignee_id = (p_f->>'assignee_id')::uuid)
		AND (p_f->>'urgency' IS NULL OR i.urgency = p_f->>'urgency')
		AND (p_f->>'status' IS NULL OR i.status = p_f->>'status')
		AND (p_f->>'priority' IS NULL OR i.priority = p_f->>'priority')
		AND (coalesce(p_f->>'visibility', 'ALL') = 'ALL' OR i.visibility = p_f->>'visibility')
$$;

-- The live part over incidents created in [p_from, p_to) of services p_svcs that match the
-- incident filters of p_f (assignee_id, urgency, status, visibility, priority). Returns
-- {"counts": [counter objects per service], and when p_full: "stats", "trend", "lists"}.
-- Per incident (spec §6.1): ack = acknowledged_at, else the first ACKNOWLEDGED timeline row;
-- resolution = resolved_at of a RESOLVED incident. Ack SLA: acked → met iff ack ≤ target;
-- not acked but resolved → judged on the resolve time against the ack target; neither →
-- breached iff now − created > target, else pending (not counted). Resolve SLA: resolved → met
-- iff resolve ≤ target; unresolved → breached iff now − created > target, else pending.
-- Snoozed time is not subtracted (wall clock, as the reference's metrics).
-- Durations are float8 milliseconds (date_part: extract() yields numeric, whose arithmetic cost
-- a third of the time per row on the bench data).
-- p_tz buckets the trend (caller's zone; hourly when p_f._hourly, which ok_analytics sets from
-- the whole window), p_bh is the business-hours zone (after-hours:
-- Saturday/Sunday or outside 08:00–18:00 there).
CREATE OR REPLACE FUNCTION ok_analytics_live(p_svcs uuid[], p_f jsonb, p_from timestamptz,
	p_to timestamptz, p_now timestamptz, p_tz text, p_bh text, p_full boolean) RETURNS jsonb
LANGUAGE plpgsql STABLE
-- JIT: the planner's cost of this statement is far above jit_above_cost, and compiling it took
-- 1.25 s of a 1.4 s call (measured on the bench data); execution alone is ~150 ms. Custom
-- plans: after five calls plpgsql may switch to a generic plan, which does not know how many
-- services or days the parameters hold and took minutes on the bench data (set here only: in
-- ok_analytics it would also re-plan every small function of every trend bucket). work_mem: the
-- hash aggregates of a 30-day window (40,000 incidents) spilled to disk with the default 4 MB.
SET jit = off SET plan_cache_mode = force_custom_plan SET work_mem = '32MB' AS $$
DECLARE
	v_hourly boolean := coalesce((p_f->>'_hourly')::boolean, (p_to - p_from) <= interval '1 day');
	v_out jsonb;
BEGIN
	WITH w AS MATERIALIZED (
		SELECT i.id, i.service_id, i.status, i.urgency, i.title, i.assignee_id, i.created_at,
			s.target_ack_minutes * 60000.0 AS ta, s.target_resolve_minutes * 60000.0 AS tr,
			i.acknowledged_at,
			CASE WHEN i.status = 'RESOLVED'
				THEN date_part('epoch', i.resolved_at - i.created_at) * 1000 END AS res_ms,
			date_part('epoch', p_now - i.created_at) * 1000 AS age_ms,
			(date_part('isodow', i.created_at AT TIME ZONE p_bh) > 5
				OR date_part('hour', i.created_at AT TIME ZONE p_bh) NOT BETWEEN 8 AND 17)
				AS after_hours
		FROM incident i JOIN service s ON s.id = i.service_id
		WHERE i.created_at >= p_from AND i.created_at < p_to AND i.service_id = ANY(p_svcs)
			AND ok_analytics_match(i, p_f)
	), ev AS (
		-- the classified timeline rows since the window's start, by one range scan of the
		-- partial index incident_event_kind_created (a row is never older than its incident);
		-- the hash join below keeps those of the window's incidents
		SELECT e.incident_id, min(e.created_at) FILTER (WHERE e.type = 'ACKNOWLEDGED') AS ack_at,
			bool_or(e.type = 'ESCALATED') AS esc, bool_or(e.type = 'REOPENED') AS reo,
			bool_or(e.type = 'AUTO_RESOLVED') AS auto, count(*) AS n
		FROM incident_event e
		WHERE e.type IN ('ACKNOWLEDGED', 'ESCALATED', 'REOPENED', 'AUTO_RESOLVED')
			AND e.created_at >= p_from
		GROUP BY e.incident_id
	), y AS (
		SELECT w.*, coalesce(ev.esc, false) AS esc, coalesce(ev.reo, false) AS reo,
			coalesce(ev.auto, false) AS auto, coalesce(ev.n, 0) AS nev,
			date_part('epoch', coalesce(w.acknowledged_at, ev.ack_at) - w.created_at) * 1000
				AS ack_ms
		FROM w LEFT JOIN ev ON ev.incident_id = w.id
	), x AS MATERIALIZED (
		SELECT y.*,
			CASE WHEN y.ack_ms IS NOT NULL THEN y.ack_ms <= y.ta
				WHEN y.res_ms IS NOT NULL THEN y.res_ms <= y.ta
				WHEN y.age_ms > y.ta THEN false END AS ack_ok,
			CASE WHEN y.res_ms IS NOT NULL THEN y.res_ms <= y.tr
				WHEN y.age_ms > y.tr THEN false END AS res_ok
		FROM y
	), alerts AS (
		SELECT a.service_id, count(*) AS n FROM alert a
		WHERE p_full AND a.service_id = ANY(p_svcs) AND a.created_at >= p_from
			AND a.created_at < p_to
		GROUP BY a.service_id
	), counts AS (
		SELECT jsonb_build_object('service_id', coalesce(c.service_id, al.service_id),
			'total_incidents', coalesce(c.total, 0), 'alert_count', coalesce(al.n, 0))
			|| coalesce(c.o, '{}') AS o
		FROM (
			SELECT x.service_id, count(*) AS total, jsonb_build_object(
				'open_incidents', count(*) FILTER (WHERE x.status = 'OPEN'),
				'acknowledged_incidents', count(*) FILTER (WHERE x.status = 'ACKNOWLEDGED'),
				'resolved_incidents', count(*) FILTER (WHERE x.status = 'RESOLVED'),
				'snoozed_incidents', count(*) FILTER (WHERE x.status = 'SNOOZED'),
				'suppressed_incidents', count(*) FILTER (WHERE x.status = 'SUPPRESSED'),
				'high_urgency_count', count(*) FILTER (WHERE x.urgency = 'HIGH'),
				'medium_urgency_count', count(*) FILTER (WHERE x.urgency = 'MEDIUM'),
				'low_urgency_count', count(*) FILTER (WHERE x.urgency = 'LOW'),
				'acked', count(x.ack_ms),
				'mtta_sum', coalesce(sum(x.ack_ms) FILTER (WHERE x.ack_ms >= 0), 0),
				'mtta_count', count(*) FILTER (WHERE x.ack_ms >= 0),
				'mttr_sum', coalesce(sum(x.res_ms) FILTER (WHERE x.res_ms >= 0), 0),
				'mttr_count', count(*) FILTER (WHERE x.res_ms >= 0),
				'ack_sla_met', count(*) FILTER (WHERE x.ack_ok),
				'ack_breaches', count(*) FILTER (WHERE NOT x.ack_ok),
				'resolve_sla_met', count(*) FILTER (WHERE x.res_ok),
				'resolve_breaches', count(*) FILTER (WHERE NOT x.res_ok),
				'escalation_count', count(*) FILTER (WHERE x.esc),
				'reopen_count', count(*) FILTER (WHERE x.reo),
				'auto_resolved_count', count(*) FILTER (WHERE x.auto AND x.status = 'RESOLVED'),
				'events', sum(x.nev),
				'after_hours_count', count(*) FILTER (WHERE x.after_hours)) AS o
			FROM x GROUP BY x.service_id
		) c FULL JOIN alerts al ON al.service_id = c.service_id
	)
	SELECT jsonb_build_object('counts', (SELECT coalesce(jsonb_agg(o), '[]') FROM counts))
		|| CASE WHEN NOT p_full THEN '{}'::jsonb ELSE jsonb_build_object(
		'stats', CASE WHEN NOT p_f ? '_no_stats' THEN (SELECT jsonb_build_object(
			'mtta_p50', round((percentile_cont(0.5) WITHIN GROUP (ORDER BY x.ack_ms)
				FILTER (WHERE x.ack_ms >= 0) / 60000)::numeric, 2),
			'mtta_p95', round((percentile_cont(0.95) WITHIN GROUP (ORDER BY x.ack_ms)
				FILTER (WHERE x.ack_ms >= 0) / 60000)::numeric, 2),
			'mttr_p50', round((percentile_cont(0.5) WITHIN GROUP (ORDER BY x.res_ms)
				FILTER (WHERE x.res_ms >= 0) / 60000)::numeric, 2),
			'mttr_p95', round((percentile_cont(0.95) WITHIN GROUP (ORDER BY x.res_ms)
				FILTER (WHERE x.res_ms >= 0) / 60000)::numeric, 2),
			'mtbf_ms', CASE WHEN count(DISTINCT x.created_at) >= 2 THEN round(date_part('epoch',
				 max(x.created_at) - min(x.created_at)) * 1000 / count(*)) END,
			'events_count', count(*) FILTER (WHERE x.esc OR x.reo OR x.auto),
			'events_per_incident', CASE WHEN count(*) > 0
				THEN round(sum(x.nev)::numeric / count(*), 2) END)
			FROM x) END,
		-- (OFFSET 0 keeps each sub-select from being evaluated twice, for the filter and avg)
		'mtti', CASE WHEN NOT p_f ? '_no_stats' THEN (SELECT round((avg(m) / 60000)::numeric, 2)
			FROM (SELECT date_part('epoch', (SELECT min(n.created_at) FROM incident_note n
				WHERE n.incident_id = x.id) - x.created_at) * 1000 AS m FROM x OFFSET 0) t
			WHERE m >= 0) END,
		-- first alerts by one range scan of the window's alerts (from a day before it: ingest
		-- never links an alert older than its incident by more than the 5-minute orphan window)
		'mttk', CASE WHEN NOT p_f ? '_no_stats' THEN (SELECT round((avg(date_part('epoch',
				 x.created_at - fa.first_at) * 1000) / 60000)::numeric, 2)
			FROM x JOIN (SELECT a.incident_id, min(a.created_at) AS first_at FROM alert a
				WHERE a.service_id = ANY(p_svcs) AND a.created_at >= p_from - interval '1 day'
					AND a.created_at < p_to AND a.incident_id IS NOT NULL
				GROUP BY a.incident_id) fa ON fa.incident_id = x.id
			WHERE fa.first_at <= x.created_at) END,
		'status_mix', (SELECT jsonb_agg(jsonb_build_object('status', st, 'count',
				(SELECT count(*) FROM x WHERE x.status = st)) ORDER BY ord)
			FROM unnest(ARRAY['OPEN', 'ACKNOWLEDGED', 'SNOOZED', 'SUPPRESSED', 'RESOLVED'])
				WITH ORDINALITY AS u(st, ord)),
		'urgency_mix', (SELECT jsonb_agg(jsonb_build_object('urgency', ur, 'count',
				(SELECT count(*) FROM x WHERE x.urgency = ur)) ORDER BY ord)
			FROM unnest(ARRAY['HIGH', 'MEDIUM', 'LOW']) WITH ORDINALITY AS u(ur, ord)),
		'status_ages', (SELECT coalesce(jsonb_agg(jsonb_build_object('status', g.status,
				'count', g.n, 'avg_age_ms', g.avg_ms) ORDER BY g.status), '[]')
			FROM (SELECT x.status, count(*) AS n, round(avg(CASE WHEN x.status = 'RESOLVED'
				THEN x.res_ms ELSE x.age_ms END)) AS avg_ms FROM x GROUP BY x.status) g),
		'assignee_load', (SELECT coalesce(jsonb_agg(jsonb_build_object('user_id', g.assignee_id,
				'name', u.name, 'email', u.email, 'active_count', g.n) ORDER BY g.n DESC, u.name),
				'[]')
			FROM (SELECT x.assignee_id, count(*) AS n FROM x
				WHERE x.assignee_id IS NOT NULL
					AND x.status NOT IN ('RESOLVED', 'SNOOZED', 'SUPPRESSED')
				GROUP BY x.assignee_id ORDER BY n DESC, x.assignee_id LIMIT 6) g
			JOIN app_user u ON u.id = g.assignee_id),
		'recurring_titles', (SELECT coalesce(jsonb_agg(jsonb_build_object('title', g.title,
				'count', g.n) ORDER BY g.n DESC, g.title), '[]')
			FROM (SELECT x.title, count(*) AS n FROM x GROUP BY x.title
				ORDER BY n DESC, x.title LIMIT 5) g),
		'trend', (SELECT coalesce(jsonb_agg(jsonb_build_object('key', b.key, 'label', b.label,
				'source', 'live', 'count', coalesce(g.n, 0),
				'mtta', ok_analytics_mean_min(g.mtta_sum::numeric, g.mtta_n),
				'mttr', ok_analytics_mean_min(g.mttr_sum::numeric, g.mttr_n),
				'ack_rate', ok_analytics_pct(g.acked, g.n), 'resolve_rate', ok_analytics_pct(g.resolved, g.n),
				'ack_compliance', ok_analytics_pct(g.ack_met, g.ack_met + g.ack_br),
				'resolve_compliance', ok_analytics_pct(g.res_met, g.res_met + g.res_br),
				'resolve_count', coalesce(g.resolved, 0),
				'escalation_rate', ok_analytics_pct(g.esc, g.n)) ORDER BY b.key), '[]')
			FROM (
				SELECT to_char(t, CASE WHEN v_hourly THEN 'YYYY-MM-DD-HH24' ELSE 'YYYY-MM-DD' END)
						AS key,
					to_char(t, CASE WHEN v_hourly THEN 'HH24:00' ELSE 'Mon DD' END) AS label
				FROM generate_series(
					date_trunc(CASE WHEN v_hourly THEN 'hour' ELSE 'day' END,
						p_from AT TIME ZONE p_tz),
					date_trunc(CASE WHEN v_hourly THEN 'hour' ELSE 'day' END,
						(p_to - interval '1 microsecond') AT TIME ZONE p_tz),
					CASE WHEN v_hourly THEN interval '1 hour' ELSE interval '1 day' END) t
			) b LEFT JOIN (
				SELECT to_char(x.created_at AT TIME ZONE p_tz,
						CASE WHEN v_hourly THEN 'YYYY-MM-DD-HH24' ELSE 'YYYY-MM-DD' END) AS key,
					count(*) AS n, sum(x.ack_ms) FILTER (WHERE x.ack_ms >= 0) AS mtta_sum,
					count(*) FILTER (WHERE x.ack_ms >= 0) AS mtta_n,
					sum(x.res_ms) FILTER (WHERE x.res_ms >= 0) AS mttr_sum,
					count(*) FILTER (WHERE x.res_ms >= 0) AS mttr_n,
					count(x.ack_ms) AS acked,
					count(*) FILTER (WHERE x.status = 'RESOLVED') AS resolved,
					count(*) FILTER (WHERE x.ack_ok) AS ack_met,
					count(*) FILTER (WHERE NOT x.ack_ok) AS ack_br,
					count(*) FILTER (WHERE x.res_ok) AS res_met,
					count(*) FILTER (WHERE NOT x.res_ok) AS res_br,
					count(*) FILTER (WHERE x.esc) AS esc
				FROM x GROUP BY 1
			) g ON g.key = b.key),
		'recent', CASE WHEN p_f->'include' ? 'incidents' THEN (
			SELECT coalesce(jsonb_agg(jsonb_build_object('id', i.id, 'title', i.title,
				'status', i.status, 'urgency', i.urgency, 'priority', i.priority,
				'service_id', i.service_id, 'service_name', s.name, 'assignee_id', i.assignee_id,
				'assignee_name', u.name, 'created_at', ok_iso(i.created_at),
				'updated_at', ok_iso(i.updated_at), 'acknowledged_at', ok_iso(i.acknowledged_at),
				'resolved_at', ok_iso(i.resolved_at),
				'created_local', to_char(i.created_at AT TIME ZONE p_tz, 'Mon FMDD, YYYY HH12:MI AM'),
				'updated_local', to_char(i.updated_at AT TIME ZONE p_tz, 'Mon FMDD, YYYY HH12:MI AM'),
				'duration_hours', round((date_part('epoch', coalesce(i.resolved_at, i.updated_at)
					- i.created_at) / 3600)::numeric, 2))
				|| CASE WHEN p_f->'include' ? 'description'
					THEN jsonb_build_object('description', i.description) ELSE '{}' END
				ORDER BY i.created_at DESC, i.id DESC), '[]')
			FROM (SELECT x.id FROM x ORDER BY x.created_at DESC, x.id DESC
				LIMIT coalesce((p_f->>'incident_limit')::integer, 50)) r
			JOIN incident i ON i.id = r.id JOIN service s ON s.id = i.service_id
			LEFT JOIN app_user u ON u.id = i.assignee_id) END)
		END
	INTO v_out;
	RETURN v_out;
END
$$;

-- Current state (spec §6.1: ignores the window, honours the service scope and the assignee):
-- per service the active (not RESOLVED/SNOOZED/SUPPRESSED) and critical (active HIGH) counts,
-- and the totals of the current-state block. The scan is of not-resolved incidents only (the
-- partial index incident_open_dedup) plus the resolutions of the last 24 h (incident_resolved_at).
CREATE OR REPLACE FUNCTION ok_analytics_current(p_svcs uuid[], p_assignee uuid, p_now timestamptz)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (
		WITH a AS (
			SELECT i.service_id, i.status, i.urgency, i.assignee_id FROM incident i
			WHERE i.status <> 'RESOLVED' AND i.service_id = ANY(p_svcs)
				AND (p_assignee IS NULL OR i.assignee_id = p_assignee)
		), per AS (
			SELECT a.service_id,
				count(*) FILTER (WHERE a.status NOT IN ('SNOOZED', 'SUPPRESSED')) AS active,
				count(*) FILTER (WHERE a.status NOT IN ('SNOOZED', 'SUPPRESSED')
					AND a.urgency = 'HIGH') AS critical
			FROM a GROUP BY a.service_id
		)
		SELECT jsonb_build_object(
			'active_incidents', count(*) FILTER (WHERE a.status NOT IN ('SNOOZED', 'SUPPRESSED')),
			'unassigned_active', count(*) FILTER (WHERE a.status NOT IN ('SNOOZED', 'SUPPRESSED')
				AND a.assignee_id IS NULL),
			'critical_count', count(*) FILTER (WHERE a.status NOT IN ('SNOOZED', 'SUPPRESSED')
				AND a.urgency = 'HIGH'),
			'open_count', count(*) FILTER (WHERE a.status = 'OPEN'),
			'acknowledged_count', count(*) FILTER (WHERE a.status = 'ACKNOWLEDGED'),
			'snoozed_count', count(*) FILTER (WHERE a.status = 'SNOOZED'),
			'suppressed_count', count(*) FILTER (WHERE a.status = 'SUPPRESSED'),
			'medium_urgency_active', count(*) FILTER (WHERE a.status NOT IN ('SNOOZED', 'SUPPRESSED')
				AND a.urgency = 'MEDIUM'),
			'low_urgency_active', count(*) FILTER (WHERE a.status NOT IN ('SNOOZED', 'SUPPRESSED')
				AND a.urgency = 'LOW'),
			'resolved_24h', (SELECT count(*) FROM incident i WHERE i.status = 'RESOLVED'
				AND i.resolved_at >= p_now - interval '24 hours' AND i.service_id = ANY(p_svcs)
				AND (p_assignee IS NULL OR i.assignee_id = p_assignee)),
			'dynamic_status', CASE
				WHEN count(*) FILTER (WHERE a.status NOT IN ('SNOOZED', 'SUPPRESSED')
					AND a.urgency = 'HIGH') > 0 THEN 'CRITICAL'
				WHEN count(*) FILTER (WHERE a.status NOT IN ('SNOOZED', 'SUPPRESSED')) > 0
					THEN 'DEGRADED'
				ELSE 'OPERATIONAL' END,
			'per_service', (SELECT coalesce(jsonb_object_agg(per.service_id, jsonb_build_object(
				'active', per.active, 'critical', per.critical)), '{}') FROM per))
		FROM a
	);
END
$$;

-- Counters of [p_from, p_to) by the data-source rule of spec §6.1, realTimeWindowDays split at
-- p_rt (a UTC midnight): "rollup" when the range ends by p_rt, "hybrid" when it straddles p_rt
-- and rollup rows exist before it (rollups for the whole UTC days before p_rt, live after),
-- else "live". p_force_live: filters the rollups cannot answer. Returns {"source", "counts",
-- "live" (ok_analytics_live's answer or null), "rollup_trend", "rollup_days": [from, to) or null}.
CREATE OR REPLACE FUNCTION ok_analytics_source(p_svcs uuid[], p_f jsonb, p_from timestamptz,
	p_to timestamptz, p_now timestamptz, p_tz text, p_bh text, p_rt timestamptz,
	p_force_live boolean, p_full boolean) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_from_day date := (p_from AT TIME ZONE 'UTC')::date;
	v_rt_day date := (p_rt AT TIME ZONE 'UTC')::date;
	v_to_day date := ((p_to - interval '1 microsecond') AT TIME ZONE 'UTC')::date + 1;
	v_live jsonb;
	v_roll jsonb;
BEGIN
	IF NOT p_force_live AND p_from < p_rt AND p_to <= p_rt THEN
		RETURN jsonb_build_object('source', 'rollup',
			'counts', ok_analytics_rollup_counts(p_svcs, v_from_day, v_to_day), 'live', NULL,
			'rollup_trend', CASE WHEN p_full THEN ok_analytics_rollup_trend(p_svcs, v_from_day, v_to_day)
				END,
			'rollup_days', jsonb_build_array(v_from_day, v_to_day));
	END IF;
	IF NOT p_force_live AND p_from < p_rt AND EXISTS (
		SELECT 1 FROM incident_metric_rollup r WHERE r.service_id = ANY(p_svcs)
			AND r.team_id IS NULL AND r.day >= v_from_day AND r.day < v_rt_day) THEN
		v_roll := ok_analytics_rollup_counts(p_svcs, v_from_day, v_rt_day);
		-- the live part's percentiles, MTTI, MTTK and MTBF would describe only part of the window
		v_live := ok_analytics_live(p_svcs, p_f || '{"_no_stats": true}', p_rt, p_to, p_now, p_tz, p_bh,
			p_full);
		RETURN jsonb_build_object('source', 'hybrid',
			'counts', ok_analytics_sum(v_roll || (v_live->'counts')), 'live', v_live,
			'rollup_trend', CASE WHEN p_full THEN ok_analytics_rollup_trend(p_svcs, v_from_day, v_rt_day)
				END,
			'rollup_days', jsonb_build_array(v_from_day, v_rt_day));
	END IF;
	v_live := ok_analytics_live(p_svcs, p_f, p_from, p_to, p_now, p_tz, p_bh, p_full);
	RETURN jsonb_build_object('source', 'live', 'counts', v_live->'counts', 'live', v_live,
		'rollup_trend', '[]'::jsonb, 'rollup_days', NULL);
END
$$;

-- Incidents per UTC day over the last 365 days. A day's count is the same number in a rollup
-- and live (incidents created that day), so every day the rollup generator has done (it writes
-- the global row, service and team NULL) is read from the per-service rollup rows, and only
-- the other days (today, or all of them before the generator's first run) from incidents.
CREATE OR REPLACE FUNCTION ok_analytics_heatmap(p_svcs uuid[], p_now timestamptz) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_first date := ((p_now AT TIME ZONE 'UTC') - interval '364 days')::date;
	v_done date[];
	v_live date;  -- the first day not done: incidents are read from there on
BEGIN
	SELECT coalesce(array_agg(r.day), '{}') INTO v_done FROM incident_metric_rollup r
	WHERE r.service_id IS NULL AND r.team_id IS NULL AND r.granularity = 'daily'
		AND r.day >= v_first;
	SELECT min(g.d)::date INTO v_live FROM generate_series(v_first::timestamp,
		(p_now AT TIME ZONE 'UTC')::date::timestamp, interval '1 day') g(d)
	WHERE g.d::date <> ALL(v_done);
	RETURN (SELECT coalesce(jsonb_agg(jsonb_build_object('date', to_char(d, 'YYYY-MM-DD'),
			'count', n) ORDER BY d), '[]')
		FROM (
			SELECT r.day AS d, sum(r.total_incidents) AS n FROM incident_metric_rollup r
			WHERE r.service_id = ANY(p_svcs) AND r.team_id IS NULL AND r.granularity = 'daily'
				AND r.day = ANY(v_done)
			GROUP BY r.day
			UNION ALL
			SELECT h.d, count(*) FROM (
				SELECT (i.created_at AT TIME ZONE 'UTC')::date AS d FROM incident i
				WHERE i.service_id = ANY(p_svcs) AND i.created_at <= p_now
					AND i.created_at >= coalesce(v_live, 'infinity')::timestamp AT TIME ZONE 'UTC'
			) h WHERE h.d <> ALL(v_done)
			GROUP BY h.d
		) t WHERE n > 0);
END
$$;

-- Incidents created while each user was on call (the on-call load of spec §6.1): p_shifts is
-- {"<user id>": [[start, end], …]} in Unix seconds (the user's blocks in the window, from
-- core/sla.c); overlapping blocks of several schedules count once. Same services and incident
-- filters as the metrics. Returns {"<user id>": count}.
CREATE OR REPLACE FUNCTION ok_analytics_shift_incidents(p_svcs uuid[], p_f jsonb, p_shifts jsonb)
RETURNS jsonb
LANGUAGE plpgsql STABLE
SET jit = off SET plan_cache_mode = force_custom_plan AS $$  -- as ok_analytics_live
BEGIN
	RETURN (SELECT coalesce(jsonb_object_agg(u.key, (
			SELECT count(*) FROM (
				SELECT unnest(range_agg(tstzrange(to_timestamp((r->>0)::float8),
					to_timestamp((r->>1)::float8)))) AS rg
				FROM jsonb_array_elements(u.value) r
			) m JOIN incident i ON i.created_at >= lower(m.rg) AND i.created_at < upper(m.rg)
			WHERE i.service_id = ANY(p_svcs) AND ok_analytics_match(i, p_f))), '{}')
		FROM jsonb_each(p_shifts) u);
END
$$;

CREATE OR REPLACE FUNCTION ok_analytics_err(p_http integer, p_code text, p_message text)
RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
	SELECT jsonb_build_object('http', p_http, 'error', p_code, 'message', p_message)
$$;

-- GET /api/analytics (spec §6.1) for the API key p_key_id. p_f (shapes checked by the caller):
-- {"service_ids": [uuid], "team_ids": [uuid], "assignee_id", "urgency", "status", "priority",
--  "visibility", "start", "end", "window_days", "time_zone" (a zone the caller checked),
--  "include": ["incidents","description"], "incident_limit"}.
-- Refusals ({"http", "error", "message"}): 422 invalid_parameter naming the parameter for an
-- unknown service/team/assignee or a bad time, 422 when end is before start, 403 forbidden when a
-- USER names a service or team outside its teams. A USER sees only its teams' services.
CREATE OR REPLACE FUNCTION ok_analytics(p_key_id uuid, p_f jsonb) RETURNS jsonb
LANGUAGE plpgsql STABLE
SET jit = off SET work_mem = '32MB' AS $$  -- see ok_analytics_live
DECLARE
	v_key record;
	v_set system_settings;
	v_now timestamptz := ok_now();
	v_tz text := coalesce(p_f->>'time_zone', 'UTC');
	v_bh text;
	v_svcs uuid[];
	v_allowed uuid[];
	v_req_start timestamptz;
	v_req_end timestamptz;
	v_start timestamptz;
	v_end timestamptz;
	v_bound timestamptz;
	v_clipped boolean := false;
	v_rt timestamptz;
	v_force boolean;
	v_cur jsonb;
	v_prev jsonb;
	v_counts jsonb;
	v_total jsonb;
	v_m jsonb;
	v_pm jsonb;
	v_live jsonb;
	v_stats jsonb;
	v_insights jsonb := '[]';
	v_services jsonb;
	v_n integer;
BEGIN
	SELECT k.user_id, u.role INTO v_key FROM api_key k JOIN app_user u ON u.id = k.user_id
	WHERE k.id = p_key_id;
	SELECT * INTO v_set FROM system_settings WHERE id;
	v_bh := ok_analytics_zone(v_set.business_hours_time_zone);
	IF ok_analytics_zone(v_tz) <> v_tz THEN  -- the caller checked the system's tz database
		RETURN ok_analytics_err(422, 'invalid_parameter', 'tz is not a time zone PostgreSQL knows');
	END IF;

	-- the scope: named services and teams (each must exist), narrowed for a USER
	IF p_f ? 'service_ids' THEN
		SELECT array_agg(DISTINCT x::uuid) INTO v_svcs
		FROM jsonb_array_elements_text(p_f->'service_ids') x;
		SELECT count(*) INTO v_n FROM service s WHERE s.id = ANY(v_svcs);
		IF v_n < cardinality(v_svcs) THEN
			RETURN ok_analytics_err(422, 'invalid_parameter', 'service_id names no service');
		END IF;
	END IF;
	IF p_f ? 'team_ids' THEN
		SELECT count(*) INTO v_n FROM team t
		WHERE t.id IN (SELECT x::uuid FROM jsonb_array_elements_text(p_f->'team_ids') x);
		IF v_n < (SELECT count(DISTINCT x) FROM jsonb_array_elements_text(p_f->'team_ids') x) THEN
			RETURN ok_analytics_err(422, 'invalid_parameter', 'team_id names no team');
		END IF;
		SELECT coalesce(array_agg(s.id), '{}') INTO v_allowed FROM service s
		WHERE s.team_id IN (SELECT x::uuid FROM jsonb_array_elements_text(p_f->'team_ids') x)
			AND (v_svcs IS NULL OR s.id = ANY(v_svcs));
		v_svcs := v_allowed;
	END IF;
	IF p_f ? 'assignee_id' AND NOT EXISTS (
			SELECT 1 FROM app_user u WHERE u.id = (p_f->>'assignee_id')::uuid) THEN
		RETURN ok_analytics_err(422, 'invalid_parameter', 'assignee_id names no user');
	END IF;
	IF v_key.role = 'USER' THEN
		SELECT coalesce(array_agg(s.id), '{}') INTO v_allowed FROM service s
		JOIN team_member tm ON tm.team_id = s.team_id WHERE tm.user_id = v_key.user_id;
		IF p_f ? 'team_ids' AND EXISTS (
				SELECT 1 FROM jsonb_array_elements_text(p_f->'team_ids') x
				WHERE NOT EXISTS (SELECT 1 FROM team_member tm
					WHERE tm.team_id = x::uuid AND tm.user_id = v_key.user_id)) THEN
			RETURN ok_analytics_err(403, 'forbidden', 'team_id names a team you are not a member of');
		END IF;
		IF v_svcs IS NOT NULL AND NOT v_svcs <@ v_allowed THEN
			RETURN ok_analytics_err(403, 'forbidden', 'service_id names a service outside your teams');
		END IF;
		v_svcs := coalesce(v_svcs, v_allowed);
	END IF;
	IF v_svcs IS NULL THEN
		SELECT coalesce(array_agg(s.id), '{}') INTO v_svcs FROM service s;
	END IF;

	-- the window, clipped to the incident retention and to now
	v_req_start := ok_try_timestamptz(p_f->>'start');
	v_req_end := ok_try_timestamptz(p_f->>'end');
	IF (p_f ? 'start' AND v_req_start IS NULL) OR (p_f ? 'end' AND v_req_end IS NULL) THEN
		RETURN ok_analytics_err(422, 'invalid_parameter', CASE WHEN p_f ? 'start'
			AND v_req_start IS NULL THEN 'start' ELSE 'end' END || ' must be an ISO-8601 time');
	END IF;
	v_req_end := coalesce(v_req_end, v_now);
	-- without a start, the window ends at the end given, or now when that is in the future
	v_req_start := coalesce(v_req_start, least(v_req_end, v_now)
		- make_interval(days => coalesce((p_f->>'window_days')::integer, 7)));
	IF v_req_end <= v_req_start THEN
		RETURN ok_analytics_err(422, 'invalid_parameter', 'end must be after start');
	END IF;
	v_start := v_req_start;
	v_end := v_req_end;
	v_bound := v_now - make_interval(days => v_set.incident_retention_days);
	IF v_start < v_bound THEN
		v_start := v_bound;
		v_clipped := true;
	END IF;
	IF v_end > v_now THEN
		v_end := v_now;
		v_clipped := true;
	END IF;
	IF v_start > v_end THEN
		v_start := v_end;
	END IF;

	v_rt := date_trunc('day', (v_now - make_interval(days => v_set.real_time_window_days))
		AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
	v_force := p_f ?| ARRAY['assignee_id', 'urgency', 'status', 'priority']
		OR coalesce(p_f->>'visibility', 'ALL') <> 'ALL';

	-- the trend's granularity follows the whole window, not the live part of a hybrid
	p_f := p_f || jsonb_build_object('_hourly', v_end - v_start <= interval '1 day');
	IF v_start = v_end THEN
		v_cur := jsonb_build_object('source', 'live', 'counts', '[]'::jsonb, 'live', NULL,
			'rollup_trend', '[]'::jsonb, 'rollup_days', NULL);
	ELSE
		v_cur := ok_analytics_source(v_svcs, p_f, v_start, v_end, v_now, v_tz, v_bh, v_rt, v_force, true);
	END IF;
	v_prev := ok_analytics_source(v_svcs, p_f, v_start - (v_end - v_start), v_start, v_now, v_tz, v_bh,
		v_rt, v_force, false);
	v_counts := v_cur->'counts';
	v_total := ok_analytics_total(v_counts);
	v_m := ok_analytics_metrics(v_total);
	v_pm := ok_analytics_metrics(ok_analytics_total(v_prev->'counts'));
	v_live := v_cur->'live';
	-- non-additive numbers only when the live part is the whole window
	v_stats := CASE WHEN v_cur->>'source' = 'live' THEN v_live->'stats' END;

	IF (v_m->>'total_incidents')::numeric > (v_pm->>'total_incidents')::numeric THEN
		v_insights := v_insights || jsonb_build_object('type', 'negative', 'message',
			format('Incident volume up %s vs previous period',
				(v_m->>'total_incidents')::numeric - (v_pm->>'total_incidents')::numeric));
	ELSIF (v_m->>'total_incidents')::numeric < (v_pm->>'total_incidents')::numeric THEN
		v_insights := v_insights || jsonb_build_object('type', 'positive', 'message',
			format('Incident volume down %s vs previous period',
				(v_pm->>'total_incidents')::numeric - (v_m->>'total_incidents')::numeric));
	END IF;
	IF (v_m->>'mtta') IS NOT NULL AND (v_pm->>'mtta') IS NOT NULL THEN
		IF (v_m->>'mtta')::numeric < (v_pm->>'mtta')::numeric THEN
			v_insights := v_insights || jsonb_build_object('type', 'positive', 'message',
				format('Response time improved by %s%%', round((1 - (v_m->>'mtta')::numeric
					/ (v_pm->>'mtta')::numeric) * 100)));
		ELSIF (v_m->>'mtta')::numeric > (v_pm->>'mtta')::numeric THEN
			v_insights := v_insights || jsonb_build_object('type', 'negative', 'message',
				format('Response time slower by %s%%', round(((v_m->>'mtta')::numeric
					/ (v_pm->>'mtta')::numeric - 1) * 100)));
		END IF;
	END IF;

	v_cur := v_cur || jsonb_build_object('current', ok_analytics_current(v_svcs,
		(p_f->>'assignee_id')::uuid, v_now));
	-- per service: metrics of its counters and its current state, busiest first
	SELECT coalesce(jsonb_agg(o ORDER BY (o->>'count')::numeric DESC, o->>'name'), '[]')
	INTO v_services FROM (
		SELECT jsonb_build_object('id', s.id, 'name', s.name,
			'count', (m->>'total_incidents')::numeric, 'mtta', m->'mtta', 'mttr', m->'mttr',
			'ack_rate', m->'ack_rate', 'resolve_rate', m->'resolve_rate',
			'ack_compliance', m->'ack_compliance', 'resolve_compliance', m->'resolve_compliance',
			'sla_breaches', (m->>'ack_breaches')::numeric + (m->>'resolve_breaches')::numeric,
			'status', CASE WHEN (m->>'ack_breaches')::numeric + (m->>'resolve_breaches')::numeric = 0
				THEN 'Healthy' WHEN (m->>'ack_breaches')::numeric
					+ (m->>'resolve_breaches')::numeric < 3 THEN 'Degraded' ELSE 'Critical' END,
			'active_count', coalesce((cur->>'active')::numeric, 0),
			'critical_count', coalesce((cur->>'critical')::numeric, 0),
			'dynamic_status', CASE WHEN coalesce((cur->>'critical')::numeric, 0) > 0 THEN 'CRITICAL'
				WHEN coalesce((cur->>'active')::numeric, 0) > 0 THEN 'DEGRADED'
				ELSE 'OPERATIONAL' END) AS o
		FROM (SELECT e->>'service_id' AS sid, ok_analytics_metrics(e) AS m
			FROM jsonb_array_elements(ok_analytics_sum(v_counts)) e OFFSET 0) c  -- one call per row
		JOIN service s ON s.id = c.sid::uuid
		LEFT JOIN LATERAL (SELECT v_cur->'current'->'per_service'->(c.sid) AS cur) p ON true
		WHERE (m->>'total_incidents')::numeric > 0
	) t;

	RETURN jsonb_build_object('http', 200, 'data', v_m || jsonb_build_object(
		'source', v_cur->>'source',
		'mttd', v_m->'mtta',
		'mtta_p50', v_stats->'mtta_p50', 'mtta_p95', v_stats->'mtta_p95',
		'mttr_p50', v_stats->'mttr_p50', 'mttr_p95', v_stats->'mttr_p95',
		'mtti', CASE WHEN v_stats IS NOT NULL THEN v_live->'mtti' END,
		'mttk', CASE WHEN v_stats IS NOT NULL THEN v_live->'mttk' END,
		'mtbf_ms', v_stats->'mtbf_ms',
		'events_count', v_stats->'events_count',
		'events_per_incident', v_stats->'events_per_incident',
		'previous_period', jsonb_build_object('source', v_prev->>'source',
			'start', ok_iso(v_start - (v_end - v_start)), 'end', ok_iso(v_start),
			'total_incidents', v_pm->'total_incidents',
			'high_urgency_count', v_pm->'high_urgency_count',
			'medium_urgency_count', v_pm->'medium_urgency_count',
			'low_urgency_count', v_pm->'low_urgency_count',
			'mtta', v_pm->'mtta', 'mttr', v_pm->'mttr', 'ack_rate', v_pm->'ack_rate',
			'resolve_rate', v_pm->'resolve_rate'),
		'insights', v_insights,
		'trend_series', coalesce(v_cur->'rollup_trend', '[]') || coalesce(v_live->'trend', '[]'),
		'status_mix', coalesce(v_live->'status_mix', '[]'),
		'urgency_mix', coalesce(v_live->'urgency_mix', '[]'),
		'status_ages', coalesce(v_live->'status_ages', '[]'),
		'assignee_load', coalesce(v_live->'assignee_load', '[]'),
		'recurring_titles', coalesce(v_live->'recurring_titles', '[]'),
		'heatmap_data', ok_analytics_heatmap(v_svcs, v_now),
		'service_metrics', v_services,
		'top_services', coalesce((SELECT jsonb_agg(e) FROM (SELECT e FROM
			jsonb_array_elements(v_services) WITH ORDINALITY AS t(e, n) WHERE n <= 5) x), '[]'),
		'service_sla_table', coalesce((SELECT jsonb_agg(jsonb_build_object('id', e->'id',
			'name', e->'name', 'total', e->'count', 'ack_rate', e->'ack_rate',
			'resolve_rate', e->'resolve_rate', 'ack_compliance', e->'ack_compliance',
			'resolve_compliance', e->'resolve_compliance')) FROM (SELECT e FROM
			jsonb_array_elements(v_services) WITH ORDINALITY AS t(e, n) WHERE n <= 8) x), '[]'),
		'avg_latency_p99', NULL, 'error_rate', NULL, 'total_requests', 0, 'saturation', NULL,
		'window', jsonb_build_object(
			'requested_start', ok_iso(v_req_start), 'requested_end', ok_iso(v_req_end),
			'effective_start', ok_iso(v_start), 'effective_end', ok_iso(v_end),
			'is_clipped', v_clipped, 'retention_days', v_set.incident_retention_days,
			'real_time_window_days', v_set.real_time_window_days,
			'realtime_start', ok_iso(v_rt), 'rollup_days', v_cur->'rollup_days',
			'time_zone', v_tz, 'business_hours_time_zone', v_bh,
			'granularity', CASE WHEN v_end - v_start <= interval '1 day' THEN 'hourly'
				ELSE 'daily' END,
			-- for the caller's on-call part (core/sla.c removes them)
			'_start_ms', floor(extract(epoch FROM v_start) * 1000)::bigint,
			'_end_ms', floor(extract(epoch FROM v_end) * 1000)::bigint,
			'_now_ms', floor(extract(epoch FROM v_now) * 1000)::bigint,
			'_service_ids', to_jsonb(v_svcs)))
		|| ((v_cur->'current') - 'per_service'::text)
		|| CASE WHEN v_live ? 'recent' AND v_live->'recent' IS NOT NULL
			AND jsonb_typeof(v_live->'recent') = 'array'
			THEN jsonb_build_object('recent_incidents', v_live->'recent') ELSE '{}' END);
END
$$;
