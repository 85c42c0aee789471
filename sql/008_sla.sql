-- 008_sla.sql: why this migration exists — the SLA/analytics engine of spec §6.1 (issue 6):
-- GET /api/analytics, /api/reports/metrics, the analytics export and the executive report all
-- call ok_analytics(). The heavy lifting is SQL aggregates (FILTER, percentile_cont) over the
-- incident window; the C side only validates the parameters and adds the on-call part.
--
-- Shape of the computation. Every source (live incidents, daily rollups of §6.2) yields
-- *counters* per service — additive numbers (totals, status/urgency counts, sums and counts of
-- MTTA/MTTR in ms, SLA met/breached, escalations, alerts, after-hours). The live, rollup and
-- hybrid paths differ only in which sources are summed (ok_sla_sum); every rate, mean and
-- compliance is then derived from summed counters by one function (ok_sla_metrics), for the
-- totals, for each service and for the previous period alike. Numbers that do not add up
-- (percentiles, MTTI, MTTK, MTBF, lists) come from the live part only.
--
-- Only CREATE OR REPLACE FUNCTION and indexes: re-applying the file is harmless.

-- Resolved incidents by resolution time: "resolved in the last 24 h" of the current-state block
-- (an index scan of a day instead of every resolved incident). Partial: a row enters it when the
-- incident is resolved, so the ingest trigger path (INSERT of an OPEN incident) pays nothing;
-- a resolve pays one index insertion.
CREATE INDEX IF NOT EXISTS incident_resolved_at ON incident (resolved_at) WHERE status = 'RESOLVED';

-- The business-hours zone of system_settings when PostgreSQL knows it, else UTC (the CHECK of
-- system_settings only tests the spelling).
CREATE OR REPLACE FUNCTION ok_sla_zone(p_tz text) RETURNS text
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
CREATE OR REPLACE FUNCTION ok_sla_sum(p_rows jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
	SELECT coalesce(jsonb_agg(o), '[]') FROM (
		SELECT jsonb_object_agg(k, s) || jsonb_build_object('service_id', svc) AS o
		FROM (
			SELECT e->>'service_id' AS svc, kv.key AS k, sum(kv.value::numeric) AS s
			FROM jsonb_array_elements(p_rows) e, jsonb_each(e - 'service_id') kv
			GROUP BY 1, 2
		) x GROUP BY svc
	) y
$$;

-- The totals of counter objects (every service summed) as one object.
CREATE OR REPLACE FUNCTION ok_sla_total(p_rows jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
	SELECT coalesce(jsonb_object_agg(k, s), '{}') FROM (
		SELECT kv.key AS k, sum(kv.value::numeric) AS s
		FROM jsonb_array_elements(p_rows) e, jsonb_each(e - 'service_id') kv
		GROUP BY 1
	) x
$$;

-- a / b * 100 rounded to 2 dp, NULL when b is 0.
CREATE OR REPLACE FUNCTION ok_sla_pct(a numeric, b numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN coalesce(b, 0) = 0 THEN NULL ELSE round(coalesce(a, 0) / b * 100, 2) END
$$;

-- sum_ms / count in minutes rounded to 2 dp; NULL when nothing was measured (or the mean is 0,
-- as the reference reports 0-valued means).
CREATE OR REPLACE FUNCTION ok_sla_mean_min(sum_ms numeric, n numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN coalesce(n, 0) = 0 OR coalesce(sum_ms, 0) = 0 THEN NULL
		ELSE round(sum_ms / n / 60000, 2) END
$$;

-- The metrics of spec §6.1 derived from one counter object (c->>'…' absent reads as 0).
-- Rates are over total_incidents, reopen/auto-resolve rates over resolved incidents.
CREATE OR REPLACE FUNCTION ok_sla_metrics(c jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
	SELECT jsonb_build_object(
		'total_incidents', coalesce((c->>'total')::numeric, 0),
		'open_incidents', coalesce((c->>'open')::numeric, 0),
		'acknowledged_incidents', coalesce((c->>'acknowledged')::numeric, 0),
		'resolved_incidents', coalesce((c->>'resolved')::numeric, 0),
		'snoozed_incidents', coalesce((c->>'snoozed')::numeric, 0),
		'suppressed_incidents', coalesce((c->>'suppressed')::numeric, 0),
		'high_urgency_count', coalesce((c->>'high')::numeric, 0),
		'medium_urgency_count', coalesce((c->>'medium')::numeric, 0),
		'low_urgency_count', coalesce((c->>'low')::numeric, 0),
		'mtta', ok_sla_mean_min((c->>'mtta_sum')::numeric, (c->>'mtta_count')::numeric),
		'mttr', ok_sla_mean_min((c->>'mttr_sum')::numeric, (c->>'mttr_count')::numeric),
		'ack_compliance', ok_sla_pct((c->>'ack_met')::numeric,
			coalesce((c->>'ack_met')::numeric, 0) + coalesce((c->>'ack_breached')::numeric, 0)),
		'resolve_compliance', ok_sla_pct((c->>'resolve_met')::numeric,
			coalesce((c->>'resolve_met')::numeric, 0)
			+ coalesce((c->>'resolve_breached')::numeric, 0)),
		'ack_breaches', coalesce((c->>'ack_breached')::numeric, 0),
		'resolve_breaches', coalesce((c->>'resolve_breached')::numeric, 0),
		'ack_sla_met', coalesce((c->>'ack_met')::numeric, 0),
		'resolve_sla_met', coalesce((c->>'resolve_met')::numeric, 0),
		'ack_rate', ok_sla_pct((c->>'acked')::numeric, (c->>'total')::numeric),
		'resolve_rate', ok_sla_pct((c->>'resolved')::numeric, (c->>'total')::numeric),
		'high_urgency_rate', ok_sla_pct((c->>'high')::numeric, (c->>'total')::numeric),
		'after_hours_count', coalesce((c->>'after_hours')::numeric, 0),
		'after_hours_rate', ok_sla_pct((c->>'after_hours')::numeric, (c->>'total')::numeric),
		'alert_count', coalesce((c->>'alerts')::numeric, 0),
		'alerts_per_incident', CASE WHEN coalesce((c->>'total')::numeric, 0) = 0 THEN NULL
			ELSE round(coalesce((c->>'alerts')::numeric, 0) / (c->>'total')::numeric, 2) END,
		'escalation_count', coalesce((c->>'escalated')::numeric, 0),
		'escalation_rate', ok_sla_pct((c->>'escalated')::numeric, (c->>'total')::numeric),
		'reopen_count', coalesce((c->>'reopened')::numeric, 0),
		'reopen_rate', ok_sla_pct((c->>'reopened')::numeric, (c->>'resolved')::numeric),
		'auto_resolved_count', coalesce((c->>'auto_resolved')::numeric, 0),
		'manual_resolved_count', greatest(0, coalesce((c->>'resolved')::numeric, 0)
			- coalesce((c->>'auto_resolved')::numeric, 0)),
		'auto_resolve_rate', ok_sla_pct((c->>'auto_resolved')::numeric,
			(c->>'resolved')::numeric))
$$;

-- Counters per service from the daily rollups (§6.2) of the days [p_from_day, p_to_day) of the
-- services p_svcs. Rows with a service and no team are the per-service rows; summing them
-- gives the global numbers for any set of services (the global row is not needed).
-- Differences from the live definitions (generator's, not ours): MTTA from acknowledged_at only,
-- escalation/reopen/auto-resolve are event-row counts, "acked" is the ACKNOWLEDGED+RESOLVED
-- status count (the reference's approximation), an unacked open incident is judged at the end
-- of its day, SNOOZED/SUPPRESSED are not in the status counts.
CREATE OR REPLACE FUNCTION ok_sla_rollup_counts(p_svcs uuid[], p_from_day date, p_to_day date)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT coalesce(jsonb_agg(o), '[]') FROM (
		SELECT jsonb_build_object('service_id', r.service_id,
			'total', sum(r.total_incidents), 'open', sum(r.open_incidents),
			'acknowledged', sum(r.acknowledged_incidents), 'resolved', sum(r.resolved_incidents),
			'high', sum(r.high_urgency_incidents), 'medium', sum(r.medium_urgency_incidents),
			'low', sum(r.low_urgency_incidents),
			'acked', sum(r.acknowledged_incidents + r.resolved_incidents),
			'mtta_sum', sum(r.mtta_sum), 'mtta_count', sum(r.mtta_count),
			'mttr_sum', sum(r.mttr_sum), 'mttr_count', sum(r.mttr_count),
			'ack_met', sum(r.ack_sla_met), 'ack_breached', sum(r.ack_sla_breached),
			'resolve_met', sum(r.resolve_sla_met), 'resolve_breached', sum(r.resolve_sla_breached),
			'escalated', sum(r.escalation_count), 'reopened', sum(r.reopen_count),
			'auto_resolved', sum(r.auto_resolve_count), 'alerts', sum(r.alert_count),
			'after_hours', sum(r.after_hours_count)) AS o
		FROM incident_metric_rollup r
		WHERE r.service_id = ANY(p_svcs) AND r.team_id IS NULL AND r.granularity = 'daily'
			AND r.day >= p_from_day AND r.day < p_to_day
		GROUP BY r.service_id
	) t
$$;

-- Daily trend buckets from the rollups (UTC days; keys YYYY-MM-DD).
CREATE OR REPLACE FUNCTION ok_sla_rollup_trend(p_svcs uuid[], p_from_day date, p_to_day date)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT coalesce(jsonb_agg(jsonb_build_object('key', to_char(d.day, 'YYYY-MM-DD'),
		'label', to_char(d.day, 'Mon DD'), 'source', 'rollup',
		'count', d.total, 'mtta', ok_sla_mean_min(d.mtta_sum, d.mtta_count),
		'mttr', ok_sla_mean_min(d.mttr_sum, d.mttr_count),
		'ack_rate', ok_sla_pct(d.acked, d.total), 'resolve_rate', ok_sla_pct(d.resolved, d.total),
		'ack_compliance', ok_sla_pct(d.ack_met, d.ack_met + d.ack_breached),
		'resolve_compliance', ok_sla_pct(d.res_met, d.res_met + d.res_breached),
		'resolve_count', d.resolved, 'escalation_rate', ok_sla_pct(d.esc, d.total))
		ORDER BY d.day), '[]')
	FROM (
		SELECT r.day, sum(r.total_incidents) total, sum(r.mtta_sum) mtta_sum,
			sum(r.mtta_count) mtta_count, sum(r.mttr_sum) mttr_sum, sum(r.mttr_count) mttr_count,
			sum(r.acknowledged_incidents + r.resolved_incidents) acked,
			sum(r.resolved_incidents) resolved, sum(r.ack_sla_met) ack_met,
			sum(r.ack_sla_breached) ack_breached, sum(r.resolve_sla_met) res_met,
			sum(r.resolve_sla_breached) res_breached, sum(r.escalation_count) esc
		FROM incident_metric_rollup r
		WHERE r.service_id = ANY(p_svcs) AND r.team_id IS NULL AND r.granularity = 'daily'
			AND r.day >= p_from_day AND r.day < p_to_day
		GROUP BY r.day
	) d
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
-- p_tz buckets the trend (caller's zone; hourly when p_f._hourly, which ok_analytics sets from
-- the whole window), p_bh is the business-hours zone (after-hours:
-- Saturday/Sunday or outside 08:00–18:00 there).
CREATE OR REPLACE FUNCTION ok_sla_live(p_svcs uuid[], p_f jsonb, p_from timestamptz,
	p_to timestamptz, p_now timestamptz, p_tz text, p_bh text, p_full boolean) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_assignee uuid := (p_f->>'assignee_id')::uuid;
	v_urgency text := p_f->>'urgency';
	v_status text := p_f->>'status';
	v_priority text := p_f->>'priority';
	v_visibility text := coalesce(p_f->>'visibility', 'ALL');
	v_hourly boolean := coalesce((p_f->>'_hourly')::boolean, (p_to - p_from) <= interval '1 day');
	v_out jsonb;
BEGIN
	WITH w AS MATERIALIZED (
		SELECT i.id, i.service_id, i.status, i.urgency, i.title, i.assignee_id, i.created_at,
			s.target_ack_minutes * 60000.0 AS ta, s.target_resolve_minutes * 60000.0 AS tr,
			extract(epoch FROM coalesce(i.acknowledged_at, (SELECT min(e.created_at)
				FROM incident_event e WHERE e.incident_id = i.id AND e.type = 'ACKNOWLEDGED'))
				- i.created_at) * 1000 AS ack_ms,
			CASE WHEN i.status = 'RESOLVED'
				THEN extract(epoch FROM i.resolved_at - i.created_at) * 1000 END AS res_ms,
			extract(epoch FROM p_now - i.created_at) * 1000 AS age_ms,
			(extract(isodow FROM i.created_at AT TIME ZONE p_bh) > 5
				OR extract(hour FROM i.created_at AT TIME ZONE p_bh) NOT BETWEEN 8 AND 17)
				AS after_hours
		FROM incident i JOIN service s ON s.id = i.service_id
		WHERE i.created_at >= p_from AND i.created_at < p_to AND i.service_id = ANY(p_svcs)
			AND (v_assignee IS NULL OR i.assignee_id = v_assignee)
			AND (v_urgency IS NULL OR i.urgency = v_urgency)
			AND (v_status IS NULL OR i.status = v_status)
			AND (v_priority IS NULL OR i.priority = v_priority)
			AND (v_visibility = 'ALL' OR i.visibility = v_visibility)
	), ev AS (
		SELECT e.incident_id, bool_or(e.type = 'ESCALATED') AS esc,
			bool_or(e.type = 'REOPENED') AS reo, bool_or(e.type = 'AUTO_RESOLVED') AS auto,
			count(*) AS n
		FROM incident_event e
		WHERE e.incident_id IN (SELECT id FROM w)
			AND e.type IN ('ACKNOWLEDGED', 'ESCALATED', 'REOPENED', 'AUTO_RESOLVED')
		GROUP BY e.incident_id
	), x AS MATERIALIZED (
		SELECT w.*, coalesce(ev.esc, false) AS esc, coalesce(ev.reo, false) AS reo,
			coalesce(ev.auto, false) AS auto, coalesce(ev.n, 0) AS nev,
			CASE WHEN w.ack_ms IS NOT NULL THEN w.ack_ms <= w.ta
				WHEN w.res_ms IS NOT NULL THEN w.res_ms <= w.ta
				WHEN w.age_ms > w.ta THEN false END AS ack_ok,
			CASE WHEN w.res_ms IS NOT NULL THEN w.res_ms <= w.tr
				WHEN w.age_ms > w.tr THEN false END AS res_ok
		FROM w LEFT JOIN ev ON ev.incident_id = w.id
	), alerts AS (
		SELECT a.service_id, count(*) AS n FROM alert a
		WHERE a.service_id = ANY(p_svcs) AND a.created_at >= p_from AND a.created_at < p_to
		GROUP BY a.service_id
	), counts AS (
		SELECT jsonb_build_object('service_id', coalesce(c.service_id, al.service_id),
			'total', coalesce(c.total, 0), 'alerts', coalesce(al.n, 0)) || coalesce(c.o, '{}') AS o
		FROM (
			SELECT x.service_id, count(*) AS total, jsonb_build_object(
				'open', count(*) FILTER (WHERE x.status = 'OPEN'),
				'acknowledged', count(*) FILTER (WHERE x.status = 'ACKNOWLEDGED'),
				'resolved', count(*) FILTER (WHERE x.status = 'RESOLVED'),
				'snoozed', count(*) FILTER (WHERE x.status = 'SNOOZED'),
				'suppressed', count(*) FILTER (WHERE x.status = 'SUPPRESSED'),
				'high', count(*) FILTER (WHERE x.urgency = 'HIGH'),
				'medium', count(*) FILTER (WHERE x.urgency = 'MEDIUM'),
				'low', count(*) FILTER (WHERE x.urgency = 'LOW'),
				'acked', count(x.ack_ms),
				'mtta_sum', coalesce(sum(x.ack_ms) FILTER (WHERE x.ack_ms >= 0), 0),
				'mtta_count', count(*) FILTER (WHERE x.ack_ms >= 0),
				'mttr_sum', coalesce(sum(x.res_ms) FILTER (WHERE x.res_ms >= 0), 0),
				'mttr_count', count(*) FILTER (WHERE x.res_ms >= 0),
				'ack_met', count(*) FILTER (WHERE x.ack_ok),
				'ack_breached', count(*) FILTER (WHERE NOT x.ack_ok),
				'resolve_met', count(*) FILTER (WHERE x.res_ok),
				'resolve_breached', count(*) FILTER (WHERE NOT x.res_ok),
				'escalated', count(*) FILTER (WHERE x.esc),
				'reopened', count(*) FILTER (WHERE x.reo),
				'auto_resolved', count(*) FILTER (WHERE x.auto AND x.status = 'RESOLVED'),
				'events', sum(x.nev),
				'after_hours', count(*) FILTER (WHERE x.after_hours)) AS o
			FROM x GROUP BY x.service_id
		) c FULL JOIN alerts al ON al.service_id = c.service_id
	)
	SELECT jsonb_build_object('counts', (SELECT coalesce(jsonb_agg(o), '[]') FROM counts))
		|| CASE WHEN NOT p_full THEN '{}'::jsonb ELSE jsonb_build_object(
		'stats', (SELECT jsonb_build_object(
			'mtta_p50', round((percentile_cont(0.5) WITHIN GROUP (ORDER BY x.ack_ms)
				FILTER (WHERE x.ack_ms >= 0) / 60000)::numeric, 2),
			'mtta_p95', round((percentile_cont(0.95) WITHIN GROUP (ORDER BY x.ack_ms)
				FILTER (WHERE x.ack_ms >= 0) / 60000)::numeric, 2),
			'mttr_p50', round((percentile_cont(0.5) WITHIN GROUP (ORDER BY x.res_ms)
				FILTER (WHERE x.res_ms >= 0) / 60000)::numeric, 2),
			'mttr_p95', round((percentile_cont(0.95) WITHIN GROUP (ORDER BY x.res_ms)
				FILTER (WHERE x.res_ms >= 0) / 60000)::numeric, 2),
			'mtbf_ms', CASE WHEN count(DISTINCT x.created_at) >= 2 THEN round(extract(epoch
				FROM max(x.created_at) - min(x.created_at)) * 1000 / count(*)) END,
			'events_count', count(*) FILTER (WHERE x.esc OR x.reo OR x.auto),
			'events_per_incident', CASE WHEN count(*) > 0
				THEN round(sum(x.nev)::numeric / count(*), 2) END)
			FROM x),
		'mtti', (SELECT round((avg(m) / 60000)::numeric, 2) FROM (
			SELECT extract(epoch FROM (SELECT min(n.created_at) FROM incident_note n
				WHERE n.incident_id = x.id) - x.created_at) * 1000 AS m FROM x) t WHERE m >= 0),
		'mttk', (SELECT round((avg(m) / 60000)::numeric, 2) FROM (
			SELECT extract(epoch FROM x.created_at - (SELECT min(a.created_at) FROM alert a
				WHERE a.incident_id = x.id)) * 1000 AS m FROM x) t WHERE m >= 0),
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
				'mtta', ok_sla_mean_min(g.mtta_sum, g.mtta_n),
				'mttr', ok_sla_mean_min(g.mttr_sum, g.mttr_n),
				'ack_rate', ok_sla_pct(g.acked, g.n), 'resolve_rate', ok_sla_pct(g.resolved, g.n),
				'ack_compliance', ok_sla_pct(g.ack_met, g.ack_met + g.ack_br),
				'resolve_compliance', ok_sla_pct(g.res_met, g.res_met + g.res_br),
				'resolve_count', coalesce(g.resolved, 0),
				'escalation_rate', ok_sla_pct(g.esc, g.n)) ORDER BY b.key), '[]')
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
				'duration_hours', round((extract(epoch FROM coalesce(i.resolved_at, i.updated_at)
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
CREATE OR REPLACE FUNCTION ok_sla_current(p_svcs uuid[], p_assignee uuid, p_now timestamptz)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
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
$$;

-- Counters of [p_from, p_to) by the data-source rule of spec §6.1, realTimeWindowDays split at
-- p_rt (a UTC midnight): "rollup" when the range ends by p_rt, "hybrid" when it straddles p_rt
-- and rollup rows exist before it (rollups for the whole UTC days before p_rt, live after),
-- else "live". p_force_live: filters the rollups cannot answer. Returns {"source", "counts",
-- "live" (ok_sla_live's answer or null), "rollup_trend", "rollup_days": [from, to) or null}.
CREATE OR REPLACE FUNCTION ok_sla_source(p_svcs uuid[], p_f jsonb, p_from timestamptz,
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
			'counts', ok_sla_rollup_counts(p_svcs, v_from_day, v_to_day), 'live', NULL,
			'rollup_trend', CASE WHEN p_full THEN ok_sla_rollup_trend(p_svcs, v_from_day, v_to_day)
				END,
			'rollup_days', jsonb_build_array(v_from_day, v_to_day));
	END IF;
	IF NOT p_force_live AND p_from < p_rt AND EXISTS (
		SELECT 1 FROM incident_metric_rollup r WHERE r.service_id = ANY(p_svcs)
			AND r.team_id IS NULL AND r.day >= v_from_day AND r.day < v_rt_day) THEN
		v_roll := ok_sla_rollup_counts(p_svcs, v_from_day, v_rt_day);
		v_live := ok_sla_live(p_svcs, p_f, p_rt, p_to, p_now, p_tz, p_bh, p_full);
		RETURN jsonb_build_object('source', 'hybrid',
			'counts', ok_sla_sum(v_roll || (v_live->'counts')), 'live', v_live,
			'rollup_trend', CASE WHEN p_full THEN ok_sla_rollup_trend(p_svcs, v_from_day, v_rt_day)
				END,
			'rollup_days', jsonb_build_array(v_from_day, v_rt_day));
	END IF;
	v_live := ok_sla_live(p_svcs, p_f, p_from, p_to, p_now, p_tz, p_bh, p_full);
	RETURN jsonb_build_object('source', 'live', 'counts', v_live->'counts', 'live', v_live,
		'rollup_trend', '[]'::jsonb, 'rollup_days', NULL);
END
$$;

-- Incidents per UTC day over the last 365 days: rollups for the days before p_rt when the
-- scope has rollup rows there, live counts for the rest.
CREATE OR REPLACE FUNCTION ok_sla_heatmap(p_svcs uuid[], p_now timestamptz, p_rt timestamptz)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_first date := ((p_now AT TIME ZONE 'UTC') - interval '364 days')::date;
	v_rt_day date := greatest((p_rt AT TIME ZONE 'UTC')::date, v_first);
	v_live_from timestamptz;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM incident_metric_rollup r WHERE r.service_id = ANY(p_svcs)
			AND r.team_id IS NULL AND r.day >= v_first AND r.day < v_rt_day) THEN
		v_rt_day := v_first;
	END IF;
	v_live_from := v_rt_day::timestamp AT TIME ZONE 'UTC';
	RETURN (SELECT coalesce(jsonb_agg(jsonb_build_object('date', to_char(d, 'YYYY-MM-DD'),
			'count', n) ORDER BY d), '[]')
		FROM (
			SELECT r.day AS d, sum(r.total_incidents) AS n FROM incident_metric_rollup r
			WHERE r.service_id = ANY(p_svcs) AND r.team_id IS NULL AND r.day >= v_first
				AND r.day < v_rt_day
			GROUP BY r.day
			UNION ALL
			SELECT (i.created_at AT TIME ZONE 'UTC')::date, count(*) FROM incident i
			WHERE i.service_id = ANY(p_svcs) AND i.created_at >= v_live_from
				AND i.created_at <= p_now
			GROUP BY 1
		) h WHERE n > 0);
END
$$;

CREATE OR REPLACE FUNCTION ok_sla_err(p_http integer, p_code text, p_message text) RETURNS jsonb
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
LANGUAGE plpgsql STABLE AS $$
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
	v_bh := ok_sla_zone(v_set.business_hours_time_zone);

	-- the scope: named services and teams (each must exist), narrowed for a USER
	IF p_f ? 'service_ids' THEN
		SELECT array_agg(x::uuid) INTO v_svcs FROM jsonb_array_elements_text(p_f->'service_ids') x;
		SELECT count(*) INTO v_n FROM service s WHERE s.id = ANY(v_svcs);
		IF v_n < cardinality(v_svcs) THEN
			RETURN ok_sla_err(422, 'invalid_parameter', 'service_id names no service');
		END IF;
	END IF;
	IF p_f ? 'team_ids' THEN
		SELECT count(*) INTO v_n FROM team t
		WHERE t.id IN (SELECT x::uuid FROM jsonb_array_elements_text(p_f->'team_ids') x);
		IF v_n < jsonb_array_length(p_f->'team_ids') THEN
			RETURN ok_sla_err(422, 'invalid_parameter', 'team_id names no team');
		END IF;
		SELECT coalesce(array_agg(s.id), '{}') INTO v_allowed FROM service s
		WHERE s.team_id IN (SELECT x::uuid FROM jsonb_array_elements_text(p_f->'team_ids') x)
			AND (v_svcs IS NULL OR s.id = ANY(v_svcs));
		v_svcs := v_allowed;
	END IF;
	IF p_f ? 'assignee_id' AND NOT EXISTS (
			SELECT 1 FROM app_user u WHERE u.id = (p_f->>'assignee_id')::uuid) THEN
		RETURN ok_sla_err(422, 'invalid_parameter', 'assignee_id names no user');
	END IF;
	IF v_key.role = 'USER' THEN
		SELECT coalesce(array_agg(s.id), '{}') INTO v_allowed FROM service s
		JOIN team_member tm ON tm.team_id = s.team_id WHERE tm.user_id = v_key.user_id;
		IF p_f ? 'team_ids' AND EXISTS (
				SELECT 1 FROM jsonb_array_elements_text(p_f->'team_ids') x
				WHERE NOT EXISTS (SELECT 1 FROM team_member tm
					WHERE tm.team_id = x::uuid AND tm.user_id = v_key.user_id)) THEN
			RETURN ok_sla_err(403, 'forbidden', 'team_id names a team you are not a member of');
		END IF;
		IF v_svcs IS NOT NULL AND NOT v_svcs <@ v_allowed THEN
			RETURN ok_sla_err(403, 'forbidden', 'service_id names a service outside your teams');
		END IF;
		v_svcs := coalesce(v_svcs, v_allowed);
	END IF;
	IF v_svcs IS NULL THEN
		SELECT coalesce(array_agg(s.id), '{}') INTO v_svcs FROM service s;
	END IF;

	-- the window, clipped to the incident retention and to now
	IF p_f ? 'start' THEN
		v_req_start := ok_try_timestamptz(p_f->>'start');
		IF v_req_start IS NULL THEN
			RETURN ok_sla_err(422, 'invalid_parameter', 'start must be an ISO-8601 time');
		END IF;
	END IF;
	IF p_f ? 'end' THEN
		v_req_end := ok_try_timestamptz(p_f->>'end');
		IF v_req_end IS NULL THEN
			RETURN ok_sla_err(422, 'invalid_parameter', 'end must be an ISO-8601 time');
		END IF;
	END IF;
	v_req_end := coalesce(v_req_end, v_now);
	v_req_start := coalesce(v_req_start,
		v_req_end - make_interval(days => coalesce((p_f->>'window_days')::integer, 7)));
	IF v_req_end <= v_req_start THEN
		RETURN ok_sla_err(422, 'invalid_parameter', 'end must be after start');
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
		v_cur := ok_sla_source(v_svcs, p_f, v_start, v_end, v_now, v_tz, v_bh, v_rt, v_force, true);
	END IF;
	v_prev := ok_sla_source(v_svcs, p_f, v_start - (v_end - v_start), v_start, v_now, v_tz, v_bh,
		v_rt, v_force, false);
	v_counts := v_cur->'counts';
	v_total := ok_sla_total(v_counts);
	v_m := ok_sla_metrics(v_total);
	v_pm := ok_sla_metrics(ok_sla_total(v_prev->'counts'));
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

	v_cur := v_cur || jsonb_build_object('current', ok_sla_current(v_svcs,
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
		FROM (SELECT e->>'service_id' AS sid, ok_sla_metrics(e) AS m
			FROM jsonb_array_elements(ok_sla_sum(v_counts)) e) c
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
		'heatmap_data', ok_sla_heatmap(v_svcs, v_now, v_rt),
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
			'_now_ms', floor(extract(epoch FROM v_now) * 1000)::bigint))
		|| ((v_cur->'current') - 'per_service'::text)
		|| CASE WHEN v_live ? 'recent' AND v_live->'recent' IS NOT NULL
			AND jsonb_typeof(v_live->'recent') = 'array'
			THEN jsonb_build_object('recent_incidents', v_live->'recent') ELSE '{}' END);
END
$$;
