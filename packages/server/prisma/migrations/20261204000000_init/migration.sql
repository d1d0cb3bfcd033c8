-- Initial schema: users, teams, categories, incidents and their timeline events.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TYPE "IncidentStatus" AS ENUM (
  'IDENTIFIED', 'CATEGORIZED', 'PRIORITIZED', 'RESPONDING', 'RESOLVED', 'CLOSED', 'CANCELLED'
);
CREATE TYPE "Level" AS ENUM ('HIGH', 'MEDIUM', 'LOW');
CREATE TYPE "Priority" AS ENUM ('P1', 'P2', 'P3', 'P4', 'P5');
CREATE TYPE "EventType" AS ENUM (
  'CREATED', 'CATEGORIZED', 'PRIORITIZED', 'ACKNOWLEDGED', 'ASSIGNED', 'ESCALATED', 'ON_HOLD',
  'RESOLVED', 'CLOSED', 'REOPENED', 'CANCELLED', 'COMMENTED'
);

CREATE TABLE "users" (
  "id" SERIAL PRIMARY KEY,
  "email" TEXT NOT NULL,
  "name" TEXT NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX "users_email_key" ON "users" ("email");

CREATE TABLE "teams" (
  "id" SERIAL PRIMARY KEY,
  "name" TEXT NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX "teams_name_key" ON "teams" ("name");

CREATE TABLE "categories" (
  "id" SERIAL PRIMARY KEY,
  "name" TEXT NOT NULL,
  "default_team_id" INTEGER REFERENCES "teams" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX "categories_name_key" ON "categories" ("name");

CREATE TABLE "counters" (
  "name" TEXT PRIMARY KEY,
  "value" BIGINT NOT NULL DEFAULT 0
);
INSERT INTO "counters" ("name", "value") VALUES ('incident', 0), ('event', 0);

CREATE TABLE "incidents" (
  "id" SERIAL PRIMARY KEY,
  "number" INTEGER NOT NULL,
  "key" TEXT NOT NULL,
  "external_ref" TEXT,
  "title" TEXT NOT NULL,
  "description" TEXT NOT NULL DEFAULT '',
  "status" "IncidentStatus" NOT NULL,
  "impact" "Level",
  "urgency" "Level",
  "priority" "Priority",
  "priority_override" BOOLEAN NOT NULL DEFAULT false,
  "override_reason" TEXT,
  "category_id" INTEGER REFERENCES "categories" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
  "team_id" INTEGER REFERENCES "teams" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
  "reporter_id" INTEGER NOT NULL REFERENCES "users" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
  "manager_id" INTEGER REFERENCES "users" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
  "detected_at" TIMESTAMPTZ(3) NOT NULL,
  "acknowledged_at" TIMESTAMPTZ(3),
  "resolved_at" TIMESTAMPTZ(3),
  "closed_at" TIMESTAMPTZ(3),
  "cancelled_at" TIMESTAMPTZ(3),
  "escalation_level" INTEGER NOT NULL DEFAULT 0,
  "reopen_count" INTEGER NOT NULL DEFAULT 0,
  "resolution" TEXT,
  "cancel_reason" TEXT,
  "problem_ref" TEXT,
  "post_mortem_url" TEXT,
  "last_event_at" TIMESTAMPTZ(3) NOT NULL,
  "version" INTEGER NOT NULL DEFAULT 0,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX "incidents_number_key" ON "incidents" ("number");
CREATE UNIQUE INDEX "incidents_key_key" ON "incidents" ("key");
CREATE UNIQUE INDEX "incidents_external_ref_key" ON "incidents" ("external_ref");

-- Keyset pagination runs newest detection first, ties broken by number. One index per
-- filterable column keeps a filtered first page an index scan at a million incidents.
CREATE INDEX "incidents_detected_idx" ON "incidents" ("detected_at" DESC, "number" DESC);
CREATE INDEX "incidents_status_detected_idx"
  ON "incidents" ("status", "detected_at" DESC, "number" DESC);
CREATE INDEX "incidents_priority_detected_idx"
  ON "incidents" ("priority", "detected_at" DESC, "number" DESC);
CREATE INDEX "incidents_team_detected_idx"
  ON "incidents" ("team_id", "detected_at" DESC, "number" DESC);
CREATE INDEX "incidents_category_detected_idx"
  ON "incidents" ("category_id", "detected_at" DESC, "number" DESC);

-- Text search is a case-insensitive substring match; trigram indexes serve ILIKE '%text%'.
CREATE INDEX "incidents_key_trgm_idx" ON "incidents" USING gin ("key" gin_trgm_ops);
CREATE INDEX "incidents_external_ref_trgm_idx"
  ON "incidents" USING gin ("external_ref" gin_trgm_ops);
CREATE INDEX "incidents_title_trgm_idx" ON "incidents" USING gin ("title" gin_trgm_ops);
CREATE INDEX "incidents_description_trgm_idx"
  ON "incidents" USING gin ("description" gin_trgm_ops);

CREATE TABLE "incident_events" (
  "id" BIGINT PRIMARY KEY,
  "incident_id" INTEGER NOT NULL
    REFERENCES "incidents" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
  "type" "EventType" NOT NULL,
  "occurred_at" TIMESTAMPTZ(3) NOT NULL,
  "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "actor_id" INTEGER NOT NULL REFERENCES "users" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
  "note" TEXT,
  "before" JSONB NOT NULL DEFAULT '{}',
  "after" JSONB NOT NULL DEFAULT '{}',
  "snapshot" JSONB NOT NULL,
  "status" "IncidentStatus" NOT NULL,
  "priority" "Priority",
  "category_id" INTEGER,
  "team_id" INTEGER
);
CREATE INDEX "incident_events_incident_idx" ON "incident_events" ("incident_id", "id");
