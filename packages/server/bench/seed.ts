import pg from "pg";
import type { Section } from "./report";

/** Titles of seeded incidents; "{host}" is replaced by a host name. */
const TITLES = [
  "Database connection pool exhausted on {host}",
  "VPN gateway unreachable from {host}",
  "Email delivery delayed for outbound mail via {host}",
  "TLS certificate expired on {host}",
  "Disk usage above 95% on {host}",
  "Login page returns HTTP 500 on {host}",
  "Packet loss between {host} and the core switch",
  "Phishing report: suspicious invoice email",
  "Laptop does not boot after update",
  "Password reset emails not arriving",
  "API latency above SLO on {host}",
  "Backup job failed on {host}",
  "DNS resolution failing for internal names on {host}",
  "Printer queue stuck on {host}",
  "Malware alert from endpoint protection on {host}",
  "Website checkout page slow on {host}",
  "Shared mailbox permissions missing",
  "Wi-Fi drops in building B",
  "Memory leak suspected in payment service on {host}",
  "Access request: production read-only role",
  "Load balancer health checks failing on {host}",
  "Spam filter quarantining legitimate mail",
  "Firewall rule change blocked traffic to {host}",
  "CPU saturation on {host}",
  "Single sign-on redirects loop for some users",
  "Expired service account credentials on {host}",
  "CDN cache purge not propagating",
  "Replication lag on {host}",
  "Monitoring agent offline on {host}",
  "Certificate chain incomplete on {host}",
];

const HOSTS = [
  "db-01",
  "db-02",
  "web-01",
  "web-02",
  "web-03",
  "mail-01",
  "vpn-edge",
  "api-gw",
  "cache-01",
  "files-01",
  "k8s-node-4",
  "k8s-node-7",
];

const DESCRIPTIONS = [
  "Monitoring raised an alert and the on-call responder confirmed the symptoms. Users report " +
    "intermittent failures; the impact is being assessed.",
  "Reported by the service desk after several calls within ten minutes. No recent change is " +
    "recorded for the affected component.",
  "Automated check failed three times in a row. The previous deployment finished an hour " +
    "earlier; rollback is an option if the cause is confirmed.",
  "A customer reported the problem through the support portal. Screenshots and request ids are " +
    "attached to the ticket in the reporting system.",
  "Detected during the nightly job run. The job retried twice before giving up; logs show a " +
    "timeout talking to the upstream dependency.",
];

function sqlArray(values: string[]): string {
  return `ARRAY[${values.map((v) => `'${v.replaceAll("'", "''")}'`).join(", ")}]`;
}

/**
 * Builds one INSERT ... SELECT over generate_series, with random draws from a fixed seed.
 * Statuses: 2% IDENTIFIED, 2% CATEGORIZED, 3% PRIORITIZED, 8% RESPONDING, 10% RESOLVED,
 * 71% CLOSED, 4% CANCELLED. Open incidents are mostly detected in the last 60 days, the others
 * evenly over a year. Priorities: 3% P1, 10% P2, 32% P3, 35% P4, 20% P5. Categories are
 * skewed towards the first ones and route to their default team, and 12% of incidents are
 * escalated to a random team. Acknowledgement and resolution delays are exponential, with a
 * mean that grows with the priority. Each OFFSET 0 stops the planner from inlining a subquery,
 * which would draw random() again at every reference.
 */
function seedSql(): string {
  return `
WITH cats AS (
  SELECT array_agg(id ORDER BY id) AS ids, array_agg(default_team_id ORDER BY id) AS teams
  FROM categories
), team_list AS (
  SELECT array_agg(id ORDER BY id) AS ids FROM teams
), reporter AS (
  SELECT min(id) AS id FROM users
), draws AS (
  SELECT n, random() AS r_status, random() AS r_age, random() AS r_priority, random() AS r_cat,
    random() AS r_team, random() AS r_esc, random() AS r_ack, random() AS r_res,
    random() AS r_close, random() AS r_title, random() AS r_host, random() AS r_desc,
    random() AS r_ref, random() AS r_reopen
  FROM generate_series(1, $1::int) AS n
  OFFSET 0
), shaped AS (
  SELECT d.*,
    CASE
      WHEN r_status < 0.02 THEN 'IDENTIFIED'
      WHEN r_status < 0.04 THEN 'CATEGORIZED'
      WHEN r_status < 0.07 THEN 'PRIORITIZED'
      WHEN r_status < 0.15 THEN 'RESPONDING'
      WHEN r_status < 0.25 THEN 'RESOLVED'
      WHEN r_status < 0.96 THEN 'CLOSED'
      ELSE 'CANCELLED'
    END AS status,
    CASE
      WHEN r_priority < 0.03 THEN 1 WHEN r_priority < 0.13 THEN 2 WHEN r_priority < 0.45 THEN 3
      WHEN r_priority < 0.80 THEN 4 ELSE 5
    END AS p
  FROM draws d
  OFFSET 0
), timed AS (
  SELECT s.*,
    now() - CASE
      WHEN status IN ('IDENTIFIED', 'CATEGORIZED', 'PRIORITIZED', 'RESPONDING')
        THEN interval '60 days' * power(r_age, 3)
      ELSE interval '365 days' * r_age
    END AS detected,
    -- Mean delays per priority P1..P5: acknowledge 4 min to 5 h, resolve 3 h to 90 h.
    (ARRAY[240, 720, 2400, 7200, 18000])[p] * -ln(1 - r_ack) AS tta,
    (ARRAY[10800, 21600, 72000, 180000, 324000])[p] * -ln(1 - r_res) AS ttr,
    3600 + r_close * 259200 AS ttc_after_resolve
  FROM shaped s
  OFFSET 0
), dated AS (
  SELECT t.*,
    CASE WHEN status IN ('RESPONDING', 'RESOLVED', 'CLOSED')
      OR (status = 'CANCELLED' AND r_ack < 0.3)
      THEN least(detected + make_interval(secs => tta), now()) END AS acknowledged,
    CASE WHEN status IN ('RESOLVED', 'CLOSED')
      THEN least(detected + make_interval(secs => tta + ttr), now()) END AS resolved,
    CASE WHEN status = 'CLOSED'
      THEN least(detected + make_interval(secs => tta + ttr + ttc_after_resolve), now())
    END AS closed,
    CASE WHEN status = 'CANCELLED'
      THEN least(detected + make_interval(secs => 60 + r_res * 7200), now()) END AS cancelled,
    status <> 'IDENTIFIED' AS categorized,
    status NOT IN ('IDENTIFIED', 'CATEGORIZED') AND NOT (status = 'CANCELLED' AND r_priority < 0.5)
      AS prioritized
  FROM timed t
  OFFSET 0
)
INSERT INTO incidents (
  number, key, external_ref, title, description, status, impact, urgency, priority,
  category_id, team_id, reporter_id, manager_id, detected_at, acknowledged_at, resolved_at,
  closed_at, cancelled_at, escalation_level, reopen_count, resolution, cancel_reason,
  last_event_at, version, created_at, updated_at
)
SELECT
  n, 'INC-' || n,
  CASE WHEN r_ref < 0.35 THEN 'MON-' || (1000000 + n) END,
  replace((${sqlArray(TITLES)})[1 + floor(r_title * ${TITLES.length})::int], '{host}',
    (${sqlArray(HOSTS)})[1 + floor(r_host * ${HOSTS.length})::int]),
  (${sqlArray(DESCRIPTIONS)})[1 + floor(r_desc * ${DESCRIPTIONS.length})::int],
  status::"IncidentStatus",
  CASE WHEN prioritized THEN (ARRAY['HIGH', 'HIGH', 'MEDIUM', 'MEDIUM', 'LOW'])[p]::"Level" END,
  CASE WHEN prioritized THEN (ARRAY['HIGH', 'MEDIUM', 'MEDIUM', 'LOW', 'LOW'])[p]::"Level" END,
  CASE WHEN prioritized THEN ('P' || p)::"Priority" END,
  CASE WHEN categorized
    THEN cats.ids[1 + floor(power(r_cat, 1.6) * cardinality(cats.ids))::int] END,
  CASE
    WHEN NOT categorized THEN NULL
    WHEN r_esc < 0.12 THEN team_list.ids[1 + floor(r_team * cardinality(team_list.ids))::int]
    ELSE cats.teams[1 + floor(power(r_cat, 1.6) * cardinality(cats.ids))::int]
  END,
  reporter.id, reporter.id,
  detected, acknowledged, resolved, closed, cancelled,
  CASE WHEN NOT categorized THEN 0 WHEN r_esc < 0.03 THEN 2 WHEN r_esc < 0.12 THEN 1 ELSE 0 END,
  CASE WHEN resolved IS NOT NULL AND r_reopen < 0.04 THEN 1 ELSE 0 END,
  CASE WHEN resolved IS NOT NULL THEN 'Restarted the affected service and confirmed recovery' END,
  CASE WHEN cancelled IS NOT NULL THEN 'Duplicate of an open incident' END,
  greatest(detected, acknowledged, resolved, closed, cancelled),
  (categorized::int + prioritized::int + (acknowledged IS NOT NULL)::int
    + (resolved IS NOT NULL)::int + (closed IS NOT NULL)::int + (cancelled IS NOT NULL)::int),
  detected,
  greatest(detected, acknowledged, resolved, closed, cancelled)
FROM dated, cats, team_list, reporter`;
}

export interface SeedResult {
  incidents: number;
  seconds: number;
  /** Seconds of VACUUM (ANALYZE) after the insert. */
  analyzeSeconds: number;
}

/**
 * Seeds `count` incidents into a migrated, bootstrapped database that has no incidents yet and
 * sets the incident counter past them. VACUUM (ANALYZE) then gives the planner statistics and
 * sets the visibility map, as autovacuum would on a database in use.
 */
export async function seedIncidents(databaseUrl: string, count: number): Promise<SeedResult> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const started = performance.now();
    await client.query("SELECT setseed(0.42)");
    await client.query(seedSql(), [count]);
    await client.query("UPDATE counters SET value = $1 WHERE name = 'incident'", [count]);
    const inserted = performance.now();
    await client.query("VACUUM (ANALYZE) incidents");
    const done = performance.now();
    return {
      incidents: count,
      seconds: (inserted - started) / 1000,
      analyzeSeconds: (done - inserted) / 1000,
    };
  } finally {
    await client.end();
  }
}

/** Summarizes the seeded incidents for the report: counts by status and by priority. */
export async function describeSeed(databaseUrl: string, seed: SeedResult): Promise<Section> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const counts = async (column: string) => {
      const { rows } = await client.query<{ key: string | null; count: number }>(
        `SELECT ${column}::text AS key, count(*)::int AS count
         FROM incidents GROUP BY 1 ORDER BY 1`,
      );
      return rows
        .map((row) => `${row.key ?? "none"} ${row.count.toLocaleString("en-US")}`)
        .join(", ");
    };
    const span = await client.query<{ first: Date; last: Date; refs: number; escalated: number }>(
      `SELECT min(detected_at) AS first, max(detected_at) AS last,
        count(external_ref)::int AS refs,
        count(*) FILTER (WHERE escalation_level > 0)::int AS escalated
       FROM incidents`,
    );
    const row = span.rows[0];
    const names = `SELECT c.name, count(*)::int AS count
       FROM incidents i JOIN categories c ON c.id = i.category_id
       GROUP BY 1 ORDER BY 2 DESC`;
    const categories = (await client.query<{ name: string; count: number }>(names)).rows
      .map((r) => `${r.name} ${r.count.toLocaleString("en-US")}`)
      .join(", ");
    return {
      title: `Seeded data: ${seed.incidents.toLocaleString("en-US")} incidents`,
      intro:
        "Inserted with one INSERT ... SELECT over generate_series in " +
        `${seed.seconds.toFixed(1)} s, ` +
        `then VACUUM (ANALYZE) in ${seed.analyzeSeconds.toFixed(1)} s (\`bench/seed.ts\`), into ` +
        "a database the server had just migrated and bootstrapped with its standard categories " +
        "and teams. Open incidents are mostly recent; the others spread over a year.",
      tables: [
        {
          headers: ["column", "counts"],
          rows: [
            ["status", await counts("status")],
            ["priority", await counts("priority")],
            ["category", categories],
            [
              "detected_at",
              `${row?.first.toISOString().slice(0, 10)} to ${row?.last.toISOString().slice(0, 10)}`,
            ],
            ["external_ref set", (row?.refs ?? 0).toLocaleString("en-US")],
            ["escalated", (row?.escalated ?? 0).toLocaleString("en-US")],
          ],
        },
      ],
      goals: [],
      details: "",
    };
  } finally {
    await client.end();
  }
}
