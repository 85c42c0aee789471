-- 001_schema.sql: why this migration exists — it creates the whole data model of OpsKnight-C
-- (spec §5, as amended by DESIGN.md "Decisions"): people and teams, services and their
-- integrations, incidents with their alerts and timeline, escalation and on-call, the job queue
-- (transactional outbox), notifications, status pages, SLA analytics, persisted logs, settings,
-- and the test clock every "now" goes through.
--
-- Conventions: singular snake_case tables, uuid ids (gen_random_uuid(), core since PG 13),
-- timestamptz, enums as text + CHECK, foreign keys with ON DELETE CASCADE where the child is
-- owned (SET NULL where it is only referenced). updated_at is maintained by the application
-- (no triggers: they would cost on the ingest path). The hot tables (alert, incident,
-- incident_event) carry only the indexes their queries need; every index costs on ingest.
-- Applied inside one transaction by the migration tool (which owns schema_migrations).

-- ---------------------------------------------------------------------------------------------
-- The clock (DESIGN decision 8). One row holding an offset a test can move forward, so
-- escalation delays, snoozes and SLA timers are tested without sleeping. Every "now" in SQL is
-- ok_now(); C code asks the database for it too.
-- ---------------------------------------------------------------------------------------------
-- HMAC and digests for verifying webhook signatures inside the ingest round trip (002).
CREATE EXTENSION IF NOT EXISTS pgcrypto;

CREATE TABLE clock (
	id boolean PRIMARY KEY DEFAULT true CHECK (id),   -- single row
	"offset" interval NOT NULL DEFAULT '0'             -- "offset" is reserved: quote it
);
INSERT INTO clock (id, "offset") VALUES (true, '0');

-- The current time as the application sees it: now() (transaction start) + the test offset.
-- plpgsql, not SQL: a SQL function with a sub-select is not inlined and is planned again on
-- every call (94 us measured), while plpgsql keeps the plan (a few us). Constant within a
-- transaction.
CREATE FUNCTION ok_now() RETURNS timestamptz
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
	RETURN now() + coalesce((SELECT c."offset" FROM clock c WHERE c.id), interval '0');
END
$$;

-- Moves the test clock: sets the offset and returns the new ok_now(). Tests only.
CREATE FUNCTION ok_clock_set(p_offset interval) RETURNS timestamptz
LANGUAGE sql VOLATILE AS $$
	UPDATE clock SET "offset" = p_offset WHERE id;
	SELECT ok_now();
$$;

-- ISO-8601 UTC with milliseconds, the JSON rendering of every time (DESIGN decision 7):
-- 2024-05-01T12:34:56.789Z. NULL in, NULL out. Declared STABLE (as to_char is) and not STRICT so
-- the planner inlines it: an IMMUTABLE or STRICT wrapper is called, not inlined (17 us a call).
CREATE FUNCTION ok_iso(t timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

-- ---------------------------------------------------------------------------------------------
-- People and teams
-- ---------------------------------------------------------------------------------------------
CREATE TABLE app_user (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	name text NOT NULL,
	email text NOT NULL UNIQUE,
	email_verified_at timestamptz,
	token_version integer NOT NULL DEFAULT 0,
	role text NOT NULL DEFAULT 'USER' CHECK (role IN ('USER', 'RESPONDER', 'ADMIN')),
	status text NOT NULL DEFAULT 'INVITED' CHECK (status IN ('INVITED', 'ACTIVE', 'DISABLED')),
	password_hash text,
	time_zone text NOT NULL DEFAULT 'UTC',
	email_notifications_enabled boolean NOT NULL DEFAULT false,
	sms_notifications_enabled boolean NOT NULL DEFAULT false,
	push_notifications_enabled boolean NOT NULL DEFAULT false,
	whatsapp_notifications_enabled boolean NOT NULL DEFAULT false,
	phone_number text,
	department text,
	job_title text,
	avatar_url text,
	gender text,
	last_oidc_sync timestamptz,
	invited_at timestamptz,
	deactivated_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT ok_now(),
	updated_at timestamptz NOT NULL DEFAULT ok_now()
);

CREATE TABLE team (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	name text NOT NULL UNIQUE,
	description text,
	team_lead_id uuid REFERENCES app_user (id) ON DELETE SET NULL,
	created_at timestamptz NOT NULL DEFAULT ok_now(),
	updated_at timestamptz NOT NULL DEFAULT ok_now()
);

CREATE TABLE team_member (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	user_id uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
	team_id uuid NOT NULL REFERENCES team (id) ON DELETE CASCADE,
	role text NOT NULL DEFAULT 'MEMBER' CHECK (role IN ('OWNER', 'ADMIN', 'MEMBER')),
	receive_team_notifications boolean NOT NULL DEFAULT true,
	created_at timestamptz NOT NULL DEFAULT ok_now(),
	UNIQUE (user_id, team_id)        -- also serves "the teams of this user" (API-key access check)
);
CREATE INDEX team_member_team ON team_member (team_id);  -- members of a team (TEAM escalation)

-- ---------------------------------------------------------------------------------------------
-- Escalation policies and on-call schedules
-- ---------------------------------------------------------------------------------------------
CREATE TABLE escalation_policy (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	name text NOT NULL UNIQUE,
	description text,
	repeat_count integer NOT NULL DEFAULT 0 CHECK (repeat_count BETWEEN 0 AND 100),  -- decision 10
	created_at timestamptz NOT NULL DEFAULT ok_now(),
	updated_at timestamptz NOT NULL DEFAULT ok_now()
);

CREATE TABLE oncall_schedule (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	name text NOT NULL UNIQUE,
	time_zone text NOT NULL DEFAULT 'UTC',
	created_at timestamptz NOT NULL DEFAULT ok_now(),
	updated_at timestamptz NOT NULL DEFAULT ok_now()
);

CREATE TABLE escalation_rule (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	policy_id uuid NOT NULL REFERENCES escalation_policy (id) ON DELETE CASCADE,
	step_order integer NOT NULL CHECK (step_order >= 0),
	delay_minutes integer NOT NULL DEFAULT 0 CHECK (delay_minutes >= 0),
	target_type text NOT NULL DEFAULT 'USER' CHECK (target_type IN ('USER', 'TEAM', 'SCHEDULE')),
	-- a deleted target leaves the step with no target: the escalation reports "invalid target
	-- configuration" and skips it (spec §8.1 step 6) instead of losing the step silently
	target_user_id uuid REFERENCES app_user (id) ON DELETE SET NULL,
	target_team_id uuid REFERENCES team (id) ON DELETE SET NULL,
	target_schedule_id uuid REFERENCES oncall_schedule (id) ON DELETE SET NULL,
	notification_channels text[] NOT NULL DEFAULT '{}' CHECK (notification_channels <@
		ARRAY['EMAIL', 'SMS', 'PUSH', 'SLACK', 'WEBHOOK', 'WHATSAPP']::text[]),
	notify_only_team_lead boolean NOT NULL DEFAULT false,
	created_at timestamptz NOT NULL DEFAULT ok_now(),
	updated_at timestamptz NOT NULL DEFAULT ok_now()
);
CREATE INDEX escalation_rule_policy ON escalation_rule (policy_id, step_order);

CREATE TABLE oncall_layer (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	schedule_id uuid NOT NULL REFERENCES oncall_schedule (id) ON DELETE CASCADE,
	name text NOT NULL,
	start_at timestamptz NOT NULL,
	end_at timestamptz CHECK (end_at IS NULL OR end_at > start_at),
	rotation_length_hours integer NOT NULL DEFAULT 24 CHECK (rotation_length_hours > 0),
	shift_length_hours integer CHECK (shift_length_hours > 0),  -- NULL = rotation length
	restrictions jsonb CHECK (restrictions IS NULL OR jsonb_typeof(restrictions) = 'object'),
	priority integer NOT NULL DEFAULT 0,                        -- higher wins
	created_at timestamptz NOT NULL DEFAULT ok_now(),
	updated_at timestamptz NOT NULL DEFAULT ok_now()
);
CREATE INDEX oncall_layer_schedule ON oncall_layer (schedule_id);

CREATE TABLE oncall_layer_user (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	layer_id uuid NOT NULL REFERENCES oncall_layer (id) ON DELETE CASCADE,
	user_id uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
	position integer NOT NULL DEFAULT 0,
	created_at timestamptz NOT NULL DEFAULT ok_now(),
	UNIQUE (layer_id, user_id)
);
CREATE INDEX oncall_layer_user_user ON oncall_layer_user (user_id);  -- FK cascade on user delete

CREATE TABLE oncall_override (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	schedule_id uuid NOT NULL REFERENCES oncall_schedule (id) ON DELETE CASCADE,
	user_id uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
	replaces_user_id uuid REFERENCES app_user (id) ON DELETE SET NULL,
	start_at timestamptz NOT NULL,
	end_at timestamptz NOT NULL CHECK (end_at > start_at),
	created_at timestamptz NOT NULL DEFAULT ok_now(),
	updated_at timestamptz NOT NULL DEFAULT ok_now()
);
CREATE INDEX oncall_override_schedule ON oncall_override (schedule_id, start_at, end_at);
CREATE INDEX oncall_override_user ON oncall_override (user_id, start_at);

-- ---------------------------------------------------------------------------------------------
-- Services and their inbound integrations
-- ---------------------------------------------------------------------------------------------
CREATE TABLE service (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	name text NOT NULL UNIQUE,
	description text,
	region text,
	sla_tier text,
	status text NOT NULL DEFAULT 'OPERATIONAL' CHECK (status IN
		('OPERATIONAL', 'DEGRADED', 'PARTIAL_OUTAGE', 'MAJOR_OUTAGE', 'MAINTENANCE')),
	target_ack_minutes integer NOT NULL DEFAULT 15 CHECK (target_ack_minutes > 0),
	target_resolve_minutes integer NOT NULL DEFAULT 120 CHECK (target_resolve_minutes > 0),
	team_id uuid REFERENCES team (id) ON DELETE SET NULL,
	escalation_policy_id uuid REFERENCES escalation_policy (id) ON DELETE SET NULL,
	slack_webhook_url text,
	slack_channel text,
	slack_workspace_id text,
	slack_integration_id text UNIQUE,
	webhook_url text,
	notification_channels text[] NOT NULL DEFAULT '{}' CHECK (notification_channels <@
		ARRAY['EMAIL', 'SMS', 'PUSH', 'SLACK', 'WEBHOOK', 'WHATSAPP']::text[]),
	notify_on_triggered boolean NOT NULL DEFAULT true,
	notify_on_acknowledged boolean NOT NULL DEFAULT true,
	notify_on_resolved boolean NOT NULL DEFAULT true,
	notify_on_sla_breach boolean NOT NULL DEFAULT false,
	auto_create_war_room boolean NOT NULL DEFAULT true,
	war_room_video_bridge text,
	war_room_custom_bridge_url text,
	created_at timestamptz NOT NULL DEFAULT ok_now(),
	updated_at timestamptz NOT NULL DEFAULT ok_now()
);
CREATE INDEX service_team ON service (team_id);
CREATE INDEX service_escalation_policy ON service (escalation_policy_id);

CREATE TABLE integration (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	name text NOT NULL,
	type text NOT NULL DEFAULT 'EVENTS_API_V2',
	key_hash text NOT NULL UNIQUE,   -- hex HMAC-SHA256 of the key; the key itself is never stored
	key_prefix text,                 -- first 6 characters of the key, for display
	signature_secret text,
	enabled boolean NOT NULL DEFAULT true,
	rate_limit_per_sec integer CHECK (rate_limit_per_sec > 0),  -- NULL: the server default
	rate_limit_burst integer CHECK (rate_limit_burst > 0),      -- NULL: the server default
	-- AWS SNS senders: verify message signatures and the SubscribeURL/SigningCertURL hosts
	-- (turned off only for tests that cannot reach AWS)
	sns_verify boolean NOT NULL DEFAULT true,
	service_id uuid NOT NULL REFERENCES service (id) ON DELETE CASCADE,
	created_at timestamptz NOT NULL DEFAULT ok_now(),
	updated_at timestamptz NOT NULL DEFAULT ok_now()
);
CREATE INDEX integration_service ON integration (service_id);

-- API tokens of users. The token is never stored: key_hash is its hex HMAC.
CREATE TABLE api_key (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	name text NOT NULL,
	prefix text NOT NULL,            -- first characters of the token, for display
	key_hash text NOT NULL UNIQUE,
	scopes text[] NOT NULL DEFAULT '{}' CHECK (scopes <@ ARRAY['events:write', 'incidents:read',
		'incidents:write', 'services:read', 'services:write', 'schedules:read',
		'schedules:write', 'analytics:read', 'admin']::text[]),
	user_id uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
	last_used_at timestamptz,
	revoked_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT ok_now()
);
CREATE INDEX api_key_user ON api_key (user_id);

-- Outbound per-service chat/webhook targets (spec §8.4).
CREATE TABLE webhook_integration (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	service_id uuid NOT NULL REFERENCES service (id) ON DELETE CASCADE,
	name text NOT NULL UNIQUE,
	type text NOT NULL CHECK (type IN
		('GOOGLE_CHAT', 'TEAMS', 'MICROSOFT_TEAMS', 'DISCORD', 'TELEGRAM', 'SLACK', 'GENERIC')),
	url text NOT NULL,
	secret text,
	channel text,
	enabled boolean NOT NULL DEFAULT true,
	created_at timestamptz NOT NULL DEFAULT ok_now(),
	updated_at timestamptz NOT NULL DEFAULT ok_now()
);
CREATE INDEX webhook_integration_service ON webhook_integration (service_id);

-- ---------------------------------------------------------------------------------------------
-- Incidents, alerts, timeline (the hot tables)
-- ---------------------------------------------------------------------------------------------
CREATE TABLE incident (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	title text NOT NULL CHECK (char_length(title) <= 1024),
	description text,
	status text NOT NULL DEFAULT 'OPEN' CHECK (status IN
		('OPEN', 'ACKNOWLEDGED', 'RESOLVED', 'SNOOZED', 'SUPPRESSED')),
	urgency text NOT NULL DEFAULT 'HIGH' CHECK (urgency IN ('LOW', 'MEDIUM', 'HIGH')),
	visibility text NOT NULL DEFAULT 'PUBLIC' CHECK (visibility IN ('PUBLIC', 'PRIVATE')),
	priority text CHECK (priority IN ('P1', 'P2', 'P3', 'P4', 'P5')),
	dedup_key text NOT NULL CHECK (char_length(dedup_key) BETWEEN 1 AND 512),
	service_id uuid NOT NULL REFERENCES service (id) ON DELETE CASCADE,
	assignee_id uuid REFERENCES app_user (id) ON DELETE SET NULL,
	team_id uuid REFERENCES team (id) ON DELETE SET NULL,
	current_escalation_step integer CHECK (current_escalation_step >= 0),
	next_escalation_at timestamptz,
	escalation_status text CHECK (escalation_status IN ('ESCALATING', 'PAUSED', 'COMPLETED')),
	escalation_processing_at timestamptz,   -- claim lock of an escalation run
	acknowledged_at timestamptz,
	resolved_at timestamptz,
	snoozed_until timestamptz,
	snooze_reason text,
	alert_count integer NOT NULL DEFAULT 1 CHECK (alert_count >= 1),
	version integer NOT NULL DEFAULT 1,   -- row version: ETag / If-Match of the REST API
	last_alert_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT ok_now(),
	updated_at timestamptz NOT NULL DEFAULT ok_now(),
	CHECK (status <> 'RESOLVED' OR resolved_at IS NOT NULL),
	CHECK (status <> 'ACKNOWLEDGED' OR acknowledged_at IS NOT NULL)
) WITH (fillfactor = 85);
-- fillfactor: a deduplicated trigger only bumps alert_count/last_alert_at/updated_at, none of
-- which is indexed, so with free room on the page the update is HOT (no index writes).

-- DESIGN decision 3: at most one open (not RESOLVED) incident per (service, dedup_key); the
-- ingest path's INSERT … ON CONFLICT uses it as arbiter, and the ack/resolve/dedup lookups use it.
CREATE UNIQUE INDEX incident_open_dedup ON incident (service_id, dedup_key)
	WHERE status <> 'RESOLVED';
-- "resolve for a key whose incident was RESOLVED in the last 5 minutes" (ingest) and the
-- manual-create reopen window (spec §4). Partial: a row enters it only when it is resolved.
CREATE INDEX incident_resolved_dedup ON incident (service_id, dedup_key, resolved_at)
	WHERE status = 'RESOLVED';
-- incident lists (newest first), analytics windows and retention all range over created_at.
CREATE INDEX incident_created ON incident (created_at);
-- per-service analytics windows and the FK cascade from service.
CREATE INDEX incident_service_created ON incident (service_id, created_at);
-- the worker's safety-net sweep for due escalations; small (only escalating incidents).
CREATE INDEX incident_escalation_due ON incident (next_escalation_at)
	WHERE escalation_status = 'ESCALATING';

CREATE TABLE alert (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	service_id uuid NOT NULL REFERENCES service (id) ON DELETE CASCADE,
	integration_id uuid REFERENCES integration (id) ON DELETE SET NULL,  -- NULL: API key
	-- SET NULL: retention detaches alerts before deleting incidents (spec §7.2)
	incident_id uuid REFERENCES incident (id) ON DELETE SET NULL,
	dedup_key text NOT NULL,
	status text NOT NULL DEFAULT 'TRIGGERED' CHECK (status IN ('TRIGGERED', 'ACKNOWLEDGED', 'RESOLVED')),
	severity text CHECK (severity IN ('critical', 'error', 'warning', 'info')),
	summary text,
	source text,
	payload jsonb NOT NULL DEFAULT '{}',
	occurred_at timestamptz,          -- the sender's timestamp, when it gave a valid one
	created_at timestamptz NOT NULL DEFAULT ok_now()
);
-- the orphan lookup of ingest: a trigger looks for a RESOLVED alert with no incident received in
-- the last 5 minutes (out-of-order resolve); also the retention of orphan alerts. Partial: only
-- orphans are in it, so it stays tiny.
CREATE INDEX alert_orphan ON alert (service_id, dedup_key, created_at) WHERE incident_id IS NULL;
CREATE INDEX alert_incident ON alert (incident_id);   -- an incident's alerts; FK SET NULL
CREATE INDEX alert_service_created ON alert (service_id, created_at);  -- alerts per window

CREATE TABLE incident_event (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	incident_id uuid NOT NULL REFERENCES incident (id) ON DELETE CASCADE,
	type text NOT NULL CHECK (type IN ('TRIGGERED', 'RETRIGGERED', 'ACKNOWLEDGED', 'ESCALATED',
		'REOPENED', 'AUTO_RESOLVED', 'MANUAL_RESOLVED', 'COMMENT', 'STATUS_CHANGE', 'ASSIGNMENT',
		'NOTIFICATION', 'SLA_WARNING', 'LEGACY_OTHER')),
	message text NOT NULL,
	user_id uuid REFERENCES app_user (id) ON DELETE SET NULL,   -- the actor, when a person
	created_at timestamptz NOT NULL DEFAULT ok_now()
);
-- the timeline of an incident, and analytics counting event types of a set of incidents.
CREATE INDEX incident_event_incident ON incident_event (incident_id, created_at);

CREATE TABLE incident_note (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	incident_id uuid NOT NULL REFERENCES incident (id) ON DELETE CASCADE,
	user_id uuid REFERENCES app_user (id) ON DELETE SET NULL,
	content text NOT NULL CHECK (char_length(content) BETWEEN 1 AND 10000),
	created_at timestamptz NOT NULL DEFAULT ok_now(),
	updated_at timestamptz NOT NULL DEFAULT ok_now()
);
CREATE INDEX incident_note_incident ON incident_note (incident_id, created_at);

-- PagerDuty change events (/v2/change/enqueue): stored, shown next to incidents.
CREATE TABLE change_event (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	integration_id uuid REFERENCES integration (id) ON DELETE SET NULL,
	service_id uuid NOT NULL REFERENCES service (id) ON DELETE CASCADE,
	summary text NOT NULL,
	source text,
	occurred_at timestamptz,
	custom_details jsonb,
	payload jsonb NOT NULL DEFAULT '{}',
	created_at timestamptz NOT NULL DEFAULT ok_now()
);
CREATE INDEX change_event_service_created ON change_event (service_id, created_at);

-- DESIGN decision 5: a sender's delivery id (X-GitHub-Delivery, SNS MessageId, Idempotency-Key,
-- Sentry Request-ID) seen once; a redelivery gets the stored response and writes nothing.
-- AWS SNS signing certificates by SigningCertURL, fetched once by the worker (SNS_CERT job) and
-- read by the responders to verify SNS message signatures.
CREATE TABLE sns_certificate (
	url text PRIMARY KEY,
	pem text NOT NULL,
	fetched_at timestamptz NOT NULL DEFAULT ok_now()
);

CREATE TABLE webhook_delivery (
	integration_id uuid NOT NULL REFERENCES integration (id) ON DELETE CASCADE,
	delivery_id text NOT NULL CHECK (char_length(delivery_id) BETWEEN 1 AND 255),
	response jsonb,
	created_at timestamptz NOT NULL DEFAULT ok_now(),
	PRIMARY KEY (integration_id, delivery_id)
);
CREATE INDEX webhook_delivery_created ON webhook_delivery (created_at);  -- retention

-- ---------------------------------------------------------------------------------------------
-- The job queue: a transactional outbox (DESIGN decision 4). The ingest transaction inserts the
-- jobs its change implies; workers claim due PENDING jobs with FOR UPDATE SKIP LOCKED, hold a
-- lease (locked_by/locked_until) while running them outside any transaction, and finish them in
-- a second short transaction. An expired lease makes a PROCESSING job claimable again.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE background_job (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	type text NOT NULL CHECK (type IN ('ESCALATION', 'NOTIFY', 'STATUS_PAGE', 'NOTIFICATION',
		'AUTO_UNSNOOZE', 'SCHEDULED_TASK', 'SNS_CONFIRM', 'SNS_CERT')),
	status text NOT NULL DEFAULT 'PENDING' CHECK (status IN
		('PENDING', 'PROCESSING', 'COMPLETED', 'FAILED', 'CANCELLED')),
	run_at timestamptz NOT NULL DEFAULT ok_now(),
	attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
	max_attempts integer NOT NULL DEFAULT 5 CHECK (max_attempts >= 1),
	payload jsonb NOT NULL DEFAULT '{}',
	-- the incident the job is about: lets a transition cancel that incident's pending
	-- escalation jobs; the jobs of a deleted incident are meaningless
	incident_id uuid REFERENCES incident (id) ON DELETE CASCADE,
	unique_key text UNIQUE,          -- periodic tasks: one job per period ("rollup:2024-05-01")
	locked_by text,
	locked_until timestamptz,
	last_error text,
	created_at timestamptz NOT NULL DEFAULT ok_now(),
	updated_at timestamptz NOT NULL DEFAULT ok_now(),
	completed_at timestamptz
);
-- the claim: due PENDING jobs in run_at order; also the worker's "next due job" timer.
CREATE INDEX background_job_due ON background_job (run_at) WHERE status = 'PENDING';
-- cancelling an incident's pending escalation jobs on acknowledge/resolve.
CREATE INDEX background_job_incident ON background_job (incident_id) WHERE status = 'PENDING';
-- reclaiming jobs whose worker died (lease expired).
CREATE INDEX background_job_lease ON background_job (locked_until) WHERE status = 'PROCESSING';

-- ---------------------------------------------------------------------------------------------
-- Notifications
-- ---------------------------------------------------------------------------------------------
CREATE TABLE notification (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	incident_id uuid NOT NULL REFERENCES incident (id) ON DELETE CASCADE,
	user_id uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
	-- the job that produced it: (job_id, user_id, channel) makes a re-run job idempotent
	job_id uuid REFERENCES background_job (id) ON DELETE SET NULL,
	channel text NOT NULL CHECK (channel IN ('EMAIL', 'SMS', 'PUSH', 'SLACK', 'WEBHOOK', 'WHATSAPP')),
	status text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'SENT', 'DELIVERED', 'FAILED')),
	message text,
	sent_at timestamptz,
	delivered_at timestamptz,
	failed_at timestamptz,
	error_msg text,
	attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
	created_at timestamptz NOT NULL DEFAULT ok_now(),
	updated_at timestamptz NOT NULL DEFAULT ok_now()
);
CREATE UNIQUE INDEX notification_job_user_channel ON notification (job_id, user_id, channel)
	WHERE job_id IS NOT NULL;
CREATE INDEX notification_incident ON notification (incident_id);
CREATE INDEX notification_user_created ON notification (user_id, created_at);
CREATE INDEX notification_failed ON notification (failed_at) WHERE status = 'FAILED';  -- retries

CREATE TABLE in_app_notification (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	user_id uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
	type text NOT NULL CHECK (type IN ('INCIDENT', 'SCHEDULE', 'TEAM', 'SERVICE')),
	title text NOT NULL,
	message text NOT NULL,
	entity_type text,
	entity_id text,
	read_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT ok_now()
);
CREATE INDEX in_app_notification_user ON in_app_notification (user_id, created_at);
CREATE INDEX in_app_notification_unread ON in_app_notification (user_id) WHERE read_at IS NULL;

CREATE TABLE notification_provider (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	provider text NOT NULL UNIQUE CHECK (provider IN
		('twilio', 'aws-sns', 'resend', 'sendgrid', 'smtp', 'ses', 'web-push')),
	enabled boolean NOT NULL DEFAULT false,
	config jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(config) = 'object'),  -- secrets encrypted
	updated_by uuid REFERENCES app_user (id) ON DELETE SET NULL,
	created_at timestamptz NOT NULL DEFAULT ok_now(),
	updated_at timestamptz NOT NULL DEFAULT ok_now()
);

-- ---------------------------------------------------------------------------------------------
-- Status pages
-- ---------------------------------------------------------------------------------------------
CREATE TABLE status_page (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	name text NOT NULL UNIQUE,
	description text,
	enabled boolean NOT NULL DEFAULT false,
	settings jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(settings) = 'object'),  -- display flags
	created_at timestamptz NOT NULL DEFAULT ok_now(),
	updated_at timestamptz NOT NULL DEFAULT ok_now()
);

CREATE TABLE status_page_service (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	status_page_id uuid NOT NULL REFERENCES status_page (id) ON DELETE CASCADE,
	service_id uuid NOT NULL REFERENCES service (id) ON DELETE CASCADE,
	show_on_page boolean NOT NULL DEFAULT true,
	display_name text,
	position integer NOT NULL DEFAULT 0,
	created_at timestamptz NOT NULL DEFAULT ok_now(),
	UNIQUE (status_page_id, service_id)
);
CREATE INDEX status_page_service_service ON status_page_service (service_id);  -- pages of a service

CREATE TABLE status_page_webhook (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	status_page_id uuid NOT NULL REFERENCES status_page (id) ON DELETE CASCADE,
	url text NOT NULL,
	secret text NOT NULL,
	-- event names it wants: ["incident.created","incident.acknowledged","incident.resolved",…]
	events jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(events) = 'array'),
	enabled boolean NOT NULL DEFAULT true,
	last_triggered_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT ok_now(),
	updated_at timestamptz NOT NULL DEFAULT ok_now()
);
CREATE INDEX status_page_webhook_page ON status_page_webhook (status_page_id);

-- ---------------------------------------------------------------------------------------------
-- SLA and analytics
-- ---------------------------------------------------------------------------------------------
CREATE TABLE sla_definition (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
	description text,
	target_ack_time integer CHECK (target_ack_time > 0),            -- minutes
	target_resolve_time integer CHECK (target_resolve_time > 0),    -- minutes
	service_id uuid REFERENCES service (id) ON DELETE CASCADE,      -- NULL: global
	team_id uuid REFERENCES team (id) ON DELETE CASCADE,
	priority text CHECK (priority IN ('P1', 'P2', 'P3', 'P4', 'P5')),
	target double precision NOT NULL CHECK (target BETWEEN 0 AND 100),
	sla_window text NOT NULL CHECK (sla_window IN ('7d', '30d', '90d', 'quarterly', 'yearly')),
	metric_type text NOT NULL CHECK (metric_type IN
		('UPTIME', 'AVAILABILITY', 'LATENCY_P99', 'MTTA', 'MTTR')),
	version integer NOT NULL DEFAULT 1,
	active_from timestamptz NOT NULL DEFAULT ok_now(),
	active_to timestamptz,
	created_at timestamptz NOT NULL DEFAULT ok_now(),
	updated_at timestamptz NOT NULL DEFAULT ok_now()
);
CREATE INDEX sla_definition_service ON sla_definition (service_id);

CREATE TABLE sla_snapshot (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	sla_definition_id uuid NOT NULL REFERENCES sla_definition (id) ON DELETE CASCADE,
	day date NOT NULL,
	total_incidents integer NOT NULL DEFAULT 0,
	met_ack_time integer NOT NULL DEFAULT 0,
	met_resolve_time integer NOT NULL DEFAULT 0,
	compliance_score double precision NOT NULL DEFAULT 100,
	created_at timestamptz NOT NULL DEFAULT ok_now(),
	UNIQUE (sla_definition_id, day)
);

-- Daily pre-aggregates for windows older than real_time_window_days (spec §6.2). service_id and
-- team_id NULL mean "all"; NULLS NOT DISTINCT (PG 15) makes the global row unique, so the
-- generator can upsert with ON CONFLICT instead of the reference's find-then-update.
CREATE TABLE incident_metric_rollup (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	day date NOT NULL,                                 -- the UTC day
	granularity text NOT NULL DEFAULT 'daily' CHECK (granularity IN ('daily')),
	service_id uuid REFERENCES service (id) ON DELETE CASCADE,
	team_id uuid REFERENCES team (id) ON DELETE CASCADE,
	total_incidents integer NOT NULL DEFAULT 0,
	open_incidents integer NOT NULL DEFAULT 0,
	acknowledged_incidents integer NOT NULL DEFAULT 0,
	resolved_incidents integer NOT NULL DEFAULT 0,
	high_urgency_incidents integer NOT NULL DEFAULT 0,
	medium_urgency_incidents integer NOT NULL DEFAULT 0,
	low_urgency_incidents integer NOT NULL DEFAULT 0,
	p1_incidents integer NOT NULL DEFAULT 0,
	p2_incidents integer NOT NULL DEFAULT 0,
	p3_incidents integer NOT NULL DEFAULT 0,
	p4_incidents integer NOT NULL DEFAULT 0,
	p5_incidents integer NOT NULL DEFAULT 0,
	mtta_sum bigint NOT NULL DEFAULT 0,                -- milliseconds
	mtta_count integer NOT NULL DEFAULT 0,
	mttr_sum bigint NOT NULL DEFAULT 0,                -- milliseconds
	mttr_count integer NOT NULL DEFAULT 0,
	ack_sla_met integer NOT NULL DEFAULT 0,
	ack_sla_breached integer NOT NULL DEFAULT 0,
	resolve_sla_met integer NOT NULL DEFAULT 0,
	resolve_sla_breached integer NOT NULL DEFAULT 0,
	escalation_count integer NOT NULL DEFAULT 0,
	reopen_count integer NOT NULL DEFAULT 0,
	auto_resolve_count integer NOT NULL DEFAULT 0,
	alert_count integer NOT NULL DEFAULT 0,
	after_hours_count integer NOT NULL DEFAULT 0,
	created_at timestamptz NOT NULL DEFAULT ok_now(),
	updated_at timestamptz NOT NULL DEFAULT ok_now(),
	UNIQUE NULLS NOT DISTINCT (day, granularity, service_id, team_id)
);
CREATE INDEX incident_metric_rollup_service ON incident_metric_rollup (service_id, day);
CREATE INDEX incident_metric_rollup_team ON incident_metric_rollup (team_id, day);

CREATE TABLE incident_metric_rollup_by_priority (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	rollup_id uuid NOT NULL REFERENCES incident_metric_rollup (id) ON DELETE CASCADE,
	priority text NOT NULL CHECK (priority IN ('P1', 'P2', 'P3', 'P4', 'P5')),
	incidents integer NOT NULL DEFAULT 0,
	mtta_sum bigint NOT NULL DEFAULT 0,
	mtta_count integer NOT NULL DEFAULT 0,
	mttr_sum bigint NOT NULL DEFAULT 0,
	mttr_count integer NOT NULL DEFAULT 0,
	ack_sla_met integer NOT NULL DEFAULT 0,
	ack_sla_breached integer NOT NULL DEFAULT 0,
	resolve_sla_met integer NOT NULL DEFAULT 0,
	resolve_sla_breached integer NOT NULL DEFAULT 0,
	UNIQUE (rollup_id, priority)
);

-- ---------------------------------------------------------------------------------------------
-- Logs (DESIGN decision 11: /api/logs/ingest persists redacted entries)
-- ---------------------------------------------------------------------------------------------
CREATE TABLE log_entry (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	level text NOT NULL CHECK (level IN ('debug', 'info', 'warn', 'error')),
	message text NOT NULL,
	logged_at timestamptz NOT NULL DEFAULT ok_now(),  -- the entry's own timestamp
	service_id uuid REFERENCES service (id) ON DELETE SET NULL,
	source text,                                      -- 'client' for /api/logs/ingest
	component text,
	request_id text,
	user_agent text,
	context jsonb,
	created_at timestamptz NOT NULL DEFAULT ok_now()
);
CREATE INDEX log_entry_logged ON log_entry (logged_at);            -- listing and retention
CREATE INDEX log_entry_service_logged ON log_entry (service_id, logged_at);

-- ---------------------------------------------------------------------------------------------
-- Settings: one row, with the reference's defaults and update clamps as CHECKs.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE system_settings (
	id boolean PRIMARY KEY DEFAULT true CHECK (id),   -- single row
	app_url text,
	encryption_key text,
	incident_retention_days integer NOT NULL DEFAULT 730
		CHECK (incident_retention_days BETWEEN 30 AND 3650),
	alert_retention_days integer NOT NULL DEFAULT 365 CHECK (alert_retention_days BETWEEN 7 AND 3650),
	log_retention_days integer NOT NULL DEFAULT 90 CHECK (log_retention_days BETWEEN 1 AND 365),
	metrics_retention_days integer NOT NULL DEFAULT 365
		CHECK (metrics_retention_days BETWEEN 30 AND 3650),
	real_time_window_days integer NOT NULL DEFAULT 90 CHECK (real_time_window_days BETWEEN 7 AND 365),
	business_hours_time_zone text NOT NULL DEFAULT 'UTC'
		CHECK (business_hours_time_zone ~ '^[A-Za-z][A-Za-z0-9+\-_/]{0,63}$'),
	updated_by uuid REFERENCES app_user (id) ON DELETE SET NULL,
	updated_at timestamptz NOT NULL DEFAULT ok_now()
);
INSERT INTO system_settings (id) VALUES (true);
