-- 002_ingest.sql: why this migration exists — it holds the SQL functions of the ingest hot path,
-- so that one request is ONE round trip (CONVENTIONS "Database"): authenticate the sender,
-- recognise a redelivery, apply spec §3 (processEvent) per event with the deviations of
-- DESIGN.md (dedup enforced by incident_open_dedup and INSERT … ON CONFLICT under READ
-- COMMITTED, no serialisable retry loop; typed timeline rows; outbox jobs + NOTIFY in the same
-- transaction). Only CREATE OR REPLACE FUNCTION: the file can be re-applied on its own.
--
-- Functions:
--   ok_incident_json(incident) → jsonb               the incident as the API renders it
--   ok_try_timestamptz(text) → timestamptz           lenient cast, NULL when not a timestamp
--   ok_auth_integration(key_hash, integration_id, sig) integration-key authentication (+ signature)
--   ok_ingest(key_hash, is_api_key, integration_id, service_id, events, delivery_id, sig) → jsonb
--   ok_change_event(key_hash, integration_id, event) → jsonb
-- Refusals come back as {"error":"<code>"} and nothing is written; database errors raise.

-- The incident object of API responses (snake_case, times ISO-8601 UTC via ok_iso).
CREATE OR REPLACE FUNCTION ok_incident_json(i incident) RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT jsonb_build_object(
		'id', i.id,
		'title', i.title,
		'description', i.description,
		'status', i.status,
		'urgency', i.urgency,
		'priority', i.priority,
		'visibility', i.visibility,
		'dedup_key', i.dedup_key,
		'service_id', i.service_id,
		'assignee_id', i.assignee_id,
		'team_id', i.team_id,
		'escalation_status', i.escalation_status,
		'current_escalation_step', i.current_escalation_step,
		'next_escalation_at', ok_iso(i.next_escalation_at),
		'acknowledged_at', ok_iso(i.acknowledged_at),
		'resolved_at', ok_iso(i.resolved_at),
		'snoozed_until', ok_iso(i.snoozed_until),
		'alert_count', i.alert_count,
		'created_at', ok_iso(i.created_at),
		'updated_at', ok_iso(i.updated_at))
$$;

-- text → timestamptz, or NULL when the text is not a timestamp. The regex rejects the cheap
-- cases (and the special inputs 'now', 'today', 'epoch', 'infinity', which the cast would
-- accept) without entering the exception block; the block catches the rest (2024-02-30, …).
CREATE OR REPLACE FUNCTION ok_try_timestamptz(p text) RETURNS timestamptz
LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF p IS NULL OR p !~ '^\d{4}-\d{2}-\d{2}' THEN
		RETURN NULL;
	END IF;
	RETURN p::timestamptz;
EXCEPTION WHEN data_exception THEN
	RETURN NULL;
END
$$;

-- Integration-key authentication (the integration path of ok_ingest and ok_change_event).
-- With p_integration_id (?integrationId= addressing): the integration must exist (unknown_key)
-- and its key_hash must equal p_key_hash (key_mismatch); else it is looked up by key_hash
-- (unknown_key). A disabled integration is refused (integration_disabled). On success error is
-- NULL and the other fields describe the sender. Reads only.
-- Signatures (spec §2.3): p_sig is NULL where the sender cannot sign (PagerDuty endpoints,
-- vendors without a scheme): nothing to check. Otherwise it describes what the request carried:
-- {"alg":"sha256"|"sha1"|"token"|"sns", "given":<hex digest or token, null when absent>,
--  "msg":<the signed text: the raw body, or "{ts}.{body}"-style>, "ts":<epoch s>|absent,
--  "max_age":<s>|absent}. When the integration has a signature_secret the request must carry a
-- signature (signature_missing), fresh when timed (signature_expired), equal to HMAC(secret, msg)
-- or, for "token", to the secret itself (signature_invalid). Digests are compared through their
-- SHA-256, so the comparison's timing says nothing about the secret.
CREATE OR REPLACE FUNCTION ok_auth_integration(p_key_hash text, p_integration_id uuid,
	p_sig jsonb, OUT error text, OUT integration_id uuid, OUT service_id uuid,
	OUT escalation_policy_id uuid, OUT rate_limit integer, OUT rate_burst integer,
	OUT sns_verify boolean)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_hash text;
	v_enabled boolean;
	v_secret text;
	v_expected text;
BEGIN
	IF p_integration_id IS NOT NULL THEN
		SELECT ig.id, ig.key_hash, ig.enabled, ig.service_id, s.escalation_policy_id,
			ig.rate_limit_per_sec, ig.rate_limit_burst, ig.signature_secret, ig.sns_verify
		INTO integration_id, v_hash, v_enabled, service_id, escalation_policy_id,
			rate_limit, rate_burst, v_secret, sns_verify
		FROM integration ig JOIN service s ON s.id = ig.service_id
		WHERE ig.id = p_integration_id;
		IF NOT FOUND THEN
			error := 'unknown_key';
			RETURN;
		END IF;
		-- the stored value is an HMAC of the key, so a plain comparison leaks nothing useful
		IF p_key_hash IS NULL OR v_hash <> p_key_hash THEN
			error := 'key_mismatch';
			RETURN;
		END IF;
	ELSE
		SELECT ig.id, ig.enabled, ig.service_id, s.escalation_policy_id,
			ig.rate_limit_per_sec, ig.rate_limit_burst, ig.signature_secret, ig.sns_verify
		INTO integration_id, v_enabled, service_id, escalation_policy_id, rate_limit, rate_burst,
			v_secret, sns_verify
		FROM integration ig JOIN service s ON s.id = ig.service_id
		WHERE ig.key_hash = p_key_hash;
		IF NOT FOUND THEN
			error := 'unknown_key';
			RETURN;
		END IF;
	END IF;
	IF NOT v_enabled THEN
		error := 'integration_disabled';
		RETURN;
	END IF;
	-- AWS SNS: the responder verified the message signature against AWS's certificate
	-- ({"alg":"sns","verified":true|false|null}; null = certificate not fetched yet)
	IF p_sig->>'alg' = 'sns' THEN
		IF sns_verify AND p_sig->'verified' = 'null'::jsonb THEN
			error := 'signature_pending';
		ELSIF sns_verify AND NOT (p_sig->>'verified')::boolean THEN
			error := 'signature_invalid';
		END IF;
		RETURN;
	END IF;
	IF v_secret IS NULL OR p_sig IS NULL THEN
		RETURN;
	END IF;
	IF p_sig->>'given' IS NULL THEN
		error := 'signature_missing';
	ELSIF p_sig ? 'max_age' AND (p_sig->>'ts' IS NULL OR abs(extract(epoch FROM ok_now())
		- (p_sig->>'ts')::float8) > (p_sig->>'max_age')::float8) THEN
		error := 'signature_expired';
	ELSE
		v_expected := CASE p_sig->>'alg' WHEN 'token' THEN v_secret
			ELSE encode(hmac(convert_to(p_sig->>'msg', 'UTF8'), convert_to(v_secret, 'UTF8'),
				p_sig->>'alg'), 'hex') END;
		IF digest(v_expected, 'sha256') <> digest(CASE p_sig->>'alg' WHEN 'token'
			THEN p_sig->>'given' ELSE lower(p_sig->>'given') END, 'sha256') THEN
			error := 'signature_invalid';
		END IF;
	END IF;
END
$$;

-- Ingests a batch of normalised events for one sender in one transaction: see the brief at the
-- top of this file and spec §3. p_events is a JSON array of
--   {"action":"trigger|acknowledge|resolve","dedup_key":text,"summary":text|null,
--    "source":text|null,"severity":"critical|error|warning|info"|null,"custom_details":any|null,
--    "payload":object,"occurred_at":text|null}
-- Returns {"integration_id","service_id","rate_limit","rate_burst","results":[…one per event, in
-- order…]} (+ "duplicate":true for a recognised redelivery), or {"error":code} with nothing
-- written. Events are processed in (dedup_key, position) order — the same per-key order as
-- sent — so two concurrent batches lock incidents in one global order and cannot deadlock
-- each other; results are reported in the original order.
CREATE OR REPLACE FUNCTION ok_ingest(p_key_hash text, p_is_api_key boolean, p_integration_id uuid,
	p_service_id uuid, p_events jsonb, p_delivery_id text, p_sig jsonb)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	v_now timestamptz := ok_now();
	v_auth record;
	v_integration_id uuid;
	v_service_id uuid;
	v_policy_id uuid;
	v_rate integer;
	v_burst integer;
	v_key record;
	v_svc record;
	v_track_delivery boolean := false;
	v_status_page boolean;          -- NULL until first needed
	v_any_job boolean := false;
	v_results jsonb[];
	v_response jsonb;
	v_stored jsonb;
	r record;
	v_action text;
	v_dedup text;
	v_summary text;
	v_source text;
	v_severity text;
	v_details jsonb;
	v_occurred timestamptz;
	v_inc incident;
	v_new_id uuid;
	v_orphan_id uuid;
	v_kind text;        -- triggered|deduplicated|acknowledged|resolved|already_acked|...
	v_alert_status text;
	v_alert_incident uuid;
	v_write_alert boolean;
	v_result jsonb;
	v_event text;       -- status-page event of a transition
	v_notify text;      -- NOTIFY event of a transition
BEGIN
	-- 1. Authentication: nothing is written before it passes.
	IF NOT p_is_api_key THEN
		SELECT * INTO v_auth FROM ok_auth_integration(p_key_hash, p_integration_id, p_sig);
		IF v_auth.error IS NOT NULL THEN
			RETURN jsonb_build_object('error', v_auth.error);
		END IF;
		v_integration_id := v_auth.integration_id;
		v_service_id := v_auth.service_id;
		v_policy_id := v_auth.escalation_policy_id;
		v_rate := v_auth.rate_limit;
		v_burst := v_auth.rate_burst;
		v_track_delivery := p_delivery_id IS NOT NULL;
	ELSE
		SELECT k.id, k.revoked_at, k.scopes, k.last_used_at, u.id AS user_id, u.status, u.role
		INTO v_key
		FROM api_key k JOIN app_user u ON u.id = k.user_id
		WHERE k.key_hash = p_key_hash;
		IF NOT FOUND THEN
			RETURN jsonb_build_object('error', 'unknown_key');
		END IF;
		IF v_key.revoked_at IS NOT NULL THEN
			RETURN jsonb_build_object('error', 'api_key_revoked');
		END IF;
		IF v_key.status <> 'ACTIVE' THEN
			RETURN jsonb_build_object('error', 'user_inactive');
		END IF;
		IF NOT ('events:write' = ANY (v_key.scopes) OR 'admin' = ANY (v_key.scopes)) THEN
			RETURN jsonb_build_object('error', 'scope_missing');
		END IF;
		IF p_service_id IS NULL THEN
			RETURN jsonb_build_object('error', 'service_required');
		END IF;
		SELECT s.id, s.team_id, s.escalation_policy_id INTO v_svc
		FROM service s WHERE s.id = p_service_id;
		IF NOT FOUND THEN
			RETURN jsonb_build_object('error', 'service_not_found');
		END IF;
		IF v_key.role = 'USER' AND NOT EXISTS (
			SELECT 1 FROM team_member tm
			WHERE tm.user_id = v_key.user_id AND tm.team_id = v_svc.team_id) THEN
			RETURN jsonb_build_object('error', 'service_forbidden');
		END IF;
		v_service_id := v_svc.id;
		v_policy_id := v_svc.escalation_policy_id;
		-- at most one write per key and minute, not one per event; SKIP LOCKED: when a
		-- concurrent request of the same key is already stamping it, don't queue behind it
		IF v_key.last_used_at IS NULL OR v_key.last_used_at < v_now - interval '1 minute' THEN
			UPDATE api_key SET last_used_at = v_now
			WHERE id = (SELECT k.id FROM api_key k WHERE k.id = v_key.id
				FOR UPDATE SKIP LOCKED);
		END IF;
	END IF;

	-- 2. Redelivery (integration path): claim the delivery id first, so a concurrent copy
	-- waits for this transaction and then finds the stored response.
	IF v_track_delivery THEN
		INSERT INTO webhook_delivery (integration_id, delivery_id, created_at)
		VALUES (v_integration_id, p_delivery_id, v_now)
		ON CONFLICT DO NOTHING;
		IF NOT FOUND THEN
			SELECT wd.response INTO v_stored FROM webhook_delivery wd
			WHERE wd.integration_id = v_integration_id AND wd.delivery_id = p_delivery_id;
			RETURN coalesce(v_stored, jsonb_build_object(
				'integration_id', v_integration_id, 'service_id', v_service_id,
				'rate_limit', v_rate, 'rate_burst', v_burst, 'results', '[]'::jsonb))
				|| jsonb_build_object('duplicate', true);
		END IF;
	END IF;

	-- 3. The events.
	v_results := array_fill(NULL::jsonb, ARRAY[jsonb_array_length(p_events)]);
	FOR r IN
		SELECT e.value AS ev, e.ord::integer AS ord
		FROM jsonb_array_elements(p_events) WITH ORDINALITY AS e(value, ord)
		ORDER BY e.value->>'dedup_key', e.ord
	LOOP
		v_action := r.ev->>'action';
		v_dedup := r.ev->>'dedup_key';
		v_summary := r.ev->>'summary';
		v_source := r.ev->>'source';
		v_severity := r.ev->>'severity';
		v_details := r.ev->'custom_details';
		IF v_details = 'null'::jsonb THEN
			v_details := NULL;
		END IF;
		v_occurred := ok_try_timestamptz(r.ev->>'occurred_at');
		v_write_alert := true;
		v_alert_incident := NULL;
		v_kind := NULL;

		IF v_action = 'trigger' THEN
			v_alert_status := 'TRIGGERED';
			-- the common case under an alert storm: an open incident exists; one statement.
			-- (Waits for a concurrent holder of the row; re-checks status after the wait.)
			UPDATE incident i
			SET alert_count = i.alert_count + 1, last_alert_at = v_now, updated_at = v_now,
				version = i.version + 1
			WHERE i.service_id = v_service_id AND i.dedup_key = v_dedup AND i.status <> 'RESOLVED'
			RETURNING i.* INTO v_inc;
			IF FOUND THEN
				v_kind := 'deduplicated';
			ELSE
				-- a resolve that overtook its trigger in the last 5 minutes?
				SELECT al.id INTO v_orphan_id
				FROM alert al
				WHERE al.service_id = v_service_id AND al.dedup_key = v_dedup
					AND al.incident_id IS NULL AND al.status = 'RESOLVED'
					AND al.created_at >= v_now - interval '5 minutes'
				ORDER BY al.created_at DESC
				LIMIT 1
				FOR UPDATE;
				IF FOUND THEN
					INSERT INTO incident (title, description, status, urgency, dedup_key,
						service_id, escalation_status, resolved_at, alert_count, last_alert_at,
						created_at, updated_at)
					VALUES (left(coalesce(nullif(v_summary, ''),
							'Alert from ' || coalesce(v_source, 'unknown source')), 1024),
						left(jsonb_pretty(v_details), 10000), 'RESOLVED',
						CASE v_severity WHEN 'critical' THEN 'HIGH' WHEN 'info' THEN 'LOW'
							ELSE 'MEDIUM' END,
						v_dedup, v_service_id, 'COMPLETED', v_now, 2, v_now, v_now, v_now)
					RETURNING * INTO v_inc;
					UPDATE alert SET incident_id = v_inc.id WHERE id = v_orphan_id;
					v_kind := 'resolved_on_create';
				ELSE
					-- a new incident, unless a concurrent trigger inserted it first: then the
					-- unique index makes this an update of that row (after its commit)
					v_new_id := gen_random_uuid();
					INSERT INTO incident AS i (id, title, description, status, urgency, dedup_key,
						service_id, escalation_status, current_escalation_step,
						next_escalation_at, alert_count, last_alert_at, created_at, updated_at)
					VALUES (v_new_id,
						left(coalesce(nullif(v_summary, ''),
							'Alert from ' || coalesce(v_source, 'unknown source')), 1024),
						left(jsonb_pretty(v_details), 10000), 'OPEN',
						CASE v_severity WHEN 'critical' THEN 'HIGH' WHEN 'info' THEN 'LOW'
							ELSE 'MEDIUM' END,
						v_dedup, v_service_id,
						CASE WHEN v_policy_id IS NOT NULL THEN 'ESCALATING' END,
						CASE WHEN v_policy_id IS NOT NULL THEN 0 END,
						CASE WHEN v_policy_id IS NOT NULL THEN v_now END,
						1, v_now, v_now, v_now)
					ON CONFLICT (service_id, dedup_key) WHERE status <> 'RESOLVED'
					DO UPDATE SET alert_count = i.alert_count + 1, version = i.version + 1,
						last_alert_at = v_now,
						updated_at = v_now
					RETURNING i.* INTO v_inc;
					-- inserted ⇔ the row carries our id (same meaning as xmax = 0, without
					-- relying on the system column)
					v_kind := CASE WHEN v_inc.id = v_new_id THEN 'triggered' ELSE 'deduplicated' END;
				END IF;
			END IF;
			v_alert_incident := v_inc.id;

		ELSIF v_action = 'acknowledge' THEN
			v_alert_status := 'ACKNOWLEDGED';
			UPDATE incident i
			SET status = 'ACKNOWLEDGED', acknowledged_at = coalesce(i.acknowledged_at, v_now),
				escalation_status = 'COMPLETED', next_escalation_at = NULL, updated_at = v_now
			WHERE i.service_id = v_service_id AND i.dedup_key = v_dedup
				AND i.status NOT IN ('RESOLVED', 'ACKNOWLEDGED')
			RETURNING i.* INTO v_inc;
			IF FOUND THEN
				v_kind := 'acknowledged';
			ELSE
				SELECT * INTO v_inc FROM incident i
				WHERE i.service_id = v_service_id AND i.dedup_key = v_dedup
					AND i.status = 'ACKNOWLEDGED'
				FOR UPDATE;
				IF FOUND THEN
					v_kind := 'already_acknowledged';
				ELSE
					v_write_alert := false;      -- unknown key: nothing is written
					v_result := jsonb_build_object('action', 'ignored',
						'reason', 'No matching incident to acknowledge', 'dedup_key', v_dedup);
				END IF;
			END IF;
			IF v_kind IS NOT NULL THEN
				v_alert_incident := v_inc.id;
			END IF;

		ELSIF v_action = 'resolve' THEN
			v_alert_status := 'RESOLVED';
			-- N concurrent resolves: one wins the row; the others re-check status after the
			-- wait, find it RESOLVED and fall through to "already resolved".
			UPDATE incident i
			SET status = 'RESOLVED', resolved_at = coalesce(i.resolved_at, v_now),
				escalation_status = 'COMPLETED', next_escalation_at = NULL, updated_at = v_now
			WHERE i.service_id = v_service_id AND i.dedup_key = v_dedup AND i.status <> 'RESOLVED'
			RETURNING i.* INTO v_inc;
			IF FOUND THEN
				v_kind := 'resolved';
				v_alert_incident := v_inc.id;
			ELSE
				SELECT i.id INTO v_alert_incident FROM incident i
				WHERE i.service_id = v_service_id AND i.dedup_key = v_dedup
					AND i.status = 'RESOLVED' AND i.resolved_at >= v_now - interval '5 minutes'
				ORDER BY i.resolved_at DESC
				LIMIT 1;
				IF FOUND THEN
					v_result := jsonb_build_object('action', 'ignored',
						'reason', 'Incident already resolved', 'dedup_key', v_dedup);
				ELSE
					-- kept as an orphan: a trigger within 5 minutes creates the incident resolved
					v_result := jsonb_build_object('action', 'ignored', 'reason',
						'No matching incident to resolve (buffered for out-of-order trigger)',
						'dedup_key', v_dedup);
				END IF;
			END IF;

		ELSE
			RAISE EXCEPTION 'ok_ingest: unknown event action %', coalesce(v_action, 'NULL')
				USING ERRCODE = 'invalid_parameter_value';
		END IF;

		-- the alert row of this event
		IF v_write_alert THEN
			INSERT INTO alert (service_id, integration_id, incident_id, dedup_key, status,
				severity, summary, source, payload, occurred_at, created_at)
			VALUES (v_service_id, v_integration_id, v_alert_incident, v_dedup, v_alert_status,
				v_severity, v_summary, v_source, coalesce(r.ev->'payload', '{}'::jsonb),
				v_occurred, v_now);
		END IF;

		-- timeline, outbox jobs, result
		v_event := NULL;
		v_notify := NULL;
		IF v_kind = 'triggered' THEN
			INSERT INTO incident_event (incident_id, type, message, created_at)
			VALUES (v_inc.id, 'TRIGGERED',
				'Incident triggered via API' || coalesce(' from ' || v_source, ''), v_now);
			v_notify := 'triggered';
			v_event := 'incident.created';
			v_result := jsonb_build_object('action', 'triggered', 'incident', ok_incident_json(v_inc));
		ELSIF v_kind = 'deduplicated' THEN
			INSERT INTO incident_event (incident_id, type, message, created_at)
			VALUES (v_inc.id, 'RETRIGGERED',
				'Re-triggered by event' || coalesce(' from ' || v_source, '') || '. Summary: '
					|| left(coalesce(v_summary, ''), 500), v_now);
			v_result := jsonb_build_object('action', 'deduplicated',
				'incident', ok_incident_json(v_inc));
		ELSIF v_kind = 'resolved_on_create' THEN
			INSERT INTO incident_event (incident_id, type, message, created_at)
			VALUES (v_inc.id, 'AUTO_RESOLVED',
				'Incident created in resolved state: resolve event was received prior to '
					|| 'trigger event' || coalesce(' from ' || v_source, ''), v_now);
			v_notify := 'resolved';
			v_event := 'incident.resolved';
			v_result := jsonb_build_object('action', 'resolved', 'incident', ok_incident_json(v_inc));
		ELSIF v_kind = 'acknowledged' THEN
			INSERT INTO incident_event (incident_id, type, message, created_at)
			VALUES (v_inc.id, 'ACKNOWLEDGED', 'Acknowledged via API event.', v_now);
			v_notify := 'acknowledged';
			v_event := 'incident.acknowledged';
			v_result := jsonb_build_object('action', 'acknowledged',
				'incident', ok_incident_json(v_inc));
		ELSIF v_kind = 'already_acknowledged' THEN
			v_result := jsonb_build_object('action', 'acknowledged',
				'incident', ok_incident_json(v_inc));
		ELSIF v_kind = 'resolved' THEN
			INSERT INTO incident_event (incident_id, type, message, created_at)
			VALUES (v_inc.id, 'AUTO_RESOLVED', CASE WHEN v_source IS NULL
				THEN 'Auto-resolved by event.'
				ELSE 'Auto-resolved by event from ' || v_source || '.' END, v_now);
			v_notify := 'resolved';
			v_event := 'incident.resolved';
			v_result := jsonb_build_object('action', 'resolved', 'incident', ok_incident_json(v_inc));
		END IF;

		IF v_notify IS NOT NULL THEN
			-- an acknowledged/resolved incident must not page anyone any more
			IF v_kind IN ('acknowledged', 'resolved') THEN
				UPDATE background_job
				SET status = 'CANCELLED', updated_at = v_now, completed_at = v_now
				WHERE incident_id = v_inc.id AND status = 'PENDING' AND type = 'ESCALATION';
			END IF;
			IF v_status_page IS NULL THEN
				SELECT EXISTS (
					SELECT 1 FROM status_page_webhook w
					JOIN status_page p ON p.id = w.status_page_id
					WHERE w.enabled AND p.enabled) INTO v_status_page;
			END IF;
			INSERT INTO background_job (type, run_at, payload, incident_id, created_at, updated_at)
			SELECT j.type, v_now, j.payload, v_inc.id, v_now, v_now
			FROM (VALUES
				('ESCALATION', jsonb_build_object('incident_id', v_inc.id, 'step', 0),
					v_kind = 'triggered' AND v_policy_id IS NOT NULL),
				('NOTIFY', jsonb_build_object('incident_id', v_inc.id, 'event', v_notify), true),
				('STATUS_PAGE', jsonb_build_object('incident_id', v_inc.id, 'event', v_event),
					v_status_page)
			) AS j(type, payload, wanted)
			WHERE j.wanted;
			v_any_job := true;
		END IF;

		v_results[r.ord] := v_result;
	END LOOP;

	IF v_any_job THEN
		PERFORM pg_notify('opsknight_jobs', '');
	END IF;

	-- 4. The response (stored for redeliveries).
	v_response := jsonb_build_object('integration_id', v_integration_id,
		'service_id', v_service_id, 'rate_limit', v_rate, 'rate_burst', v_burst,
		'results', coalesce(to_jsonb(v_results), '[]'::jsonb));
	IF v_track_delivery THEN
		UPDATE webhook_delivery SET response = v_response
		WHERE integration_id = v_integration_id AND delivery_id = p_delivery_id;
	END IF;
	RETURN v_response;
END
$$;

-- Stores one PagerDuty change event (/v2/change/enqueue) for an integration key. p_event is
-- {"summary","source","occurred_at","custom_details","payload"}. Returns
-- {"integration_id","service_id","rate_limit","rate_burst","results":[{"id":…}]}, or
-- {"error":code} (the codes of ok_auth_integration) with nothing written.
CREATE OR REPLACE FUNCTION ok_change_event(p_key_hash text, p_integration_id uuid, p_event jsonb)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	v_auth record;
	v_id uuid;
	v_details jsonb := p_event->'custom_details';
BEGIN
	SELECT * INTO v_auth FROM ok_auth_integration(p_key_hash, p_integration_id, NULL);
	IF v_auth.error IS NOT NULL THEN
		RETURN jsonb_build_object('error', v_auth.error);
	END IF;
	IF v_details = 'null'::jsonb THEN
		v_details := NULL;
	END IF;
	INSERT INTO change_event (integration_id, service_id, summary, source, occurred_at,
		custom_details, payload, created_at)
	VALUES (v_auth.integration_id, v_auth.service_id, p_event->>'summary', p_event->>'source',
		ok_try_timestamptz(p_event->>'occurred_at'), v_details,
		coalesce(nullif(p_event->'payload', 'null'::jsonb), '{}'::jsonb), ok_now())
	RETURNING id INTO v_id;
	RETURN jsonb_build_object('integration_id', v_auth.integration_id,
		'service_id', v_auth.service_id, 'rate_limit', v_auth.rate_limit,
		'rate_burst', v_auth.rate_burst, 'results', jsonb_build_array(jsonb_build_object('id', v_id)));
END
$$;

