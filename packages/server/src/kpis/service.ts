import {
  type DurationSummary,
  type IncidentStatus,
  PRIORITIES,
  type Priority,
  rate,
  type SlaTargets,
} from "@incident/shared";
import { Prisma } from "../generated/prisma/client";
import { escapeLike, type IncidentFilter } from "../incidents/filter";
import type { ServiceContext } from "../incidents/service";

export interface CountBy<K> {
  key: K;
  count: number;
}

export interface SlaSummary {
  /** Incidents with a priority, so with a target, that are not cancelled. */
  measured: number;
  breached: number;
  rate: number | null;
}

export interface Kpis {
  total: number;
  cancelled: number;
  timeToAcknowledge: DurationSummary;
  timeToResolve: DurationSummary;
  timeToClose: DurationSummary;
  byStatus: CountBy<IncidentStatus>[];
  byPriority: CountBy<Priority>[];
  byCategory: CountBy<number | null>[];
  byTeam: CountBy<number | null>[];
  acknowledgeSla: SlaSummary;
  resolveSla: SlaSummary;
  escalated: number;
  escalationRate: number | null;
  reopened: number;
  reopenCount: number;
  reopenRate: number | null;
}

/** Builds the SQL condition of a filter, for aggregate queries that Prisma cannot express. */
export function filterSql(filter: IncidentFilter): Prisma.Sql {
  const parts: Prisma.Sql[] = [Prisma.sql`TRUE`];
  if (filter.status?.length)
    parts.push(Prisma.sql`status::text IN (${Prisma.join(filter.status)})`);
  if (filter.priority?.length) {
    parts.push(Prisma.sql`priority::text IN (${Prisma.join(filter.priority)})`);
  }
  if (filter.categoryId?.length) {
    parts.push(Prisma.sql`category_id IN (${Prisma.join(filter.categoryId)})`);
  }
  if (filter.teamId?.length) parts.push(Prisma.sql`team_id IN (${Prisma.join(filter.teamId)})`);
  if (filter.detectedFrom) parts.push(Prisma.sql`detected_at >= ${filter.detectedFrom}`);
  if (filter.detectedTo) parts.push(Prisma.sql`detected_at < ${filter.detectedTo}`);
  const search = filter.search?.trim();
  if (search) {
    const pattern = `%${escapeLike(search)}%`;
    parts.push(Prisma.sql`(key ILIKE ${pattern} OR external_ref ILIKE ${pattern}
      OR title ILIKE ${pattern} OR description ILIKE ${pattern})`);
  }
  return Prisma.join(parts, " AND ");
}

/** SQL expression for the target of each priority, in seconds. */
function targetSql(targets: Record<Priority, number>): Prisma.Sql {
  const cases = PRIORITIES.map((p) => Prisma.sql`WHEN ${p} THEN ${targets[p]}::float8`);
  return Prisma.sql`(CASE priority::text ${Prisma.join(cases, " ")} END)`;
}

interface SummaryRow {
  total: bigint;
  cancelled: bigint;
  tta_count: bigint;
  tta_mean: number | null;
  tta_median: number | null;
  tta_p90: number | null;
  ttr_count: bigint;
  ttr_mean: number | null;
  ttr_median: number | null;
  ttr_p90: number | null;
  ttc_count: bigint;
  ttc_mean: number | null;
  ttc_median: number | null;
  ttc_p90: number | null;
  measured: bigint;
  ack_breached: bigint;
  resolve_breached: bigint;
  escalated: bigint;
  reopened: bigint;
  reopen_total: bigint | null;
}

function summary(row: SummaryRow, prefix: "tta" | "ttr" | "ttc"): DurationSummary {
  const value = (suffix: "mean" | "median" | "p90") => {
    const v = row[`${prefix}_${suffix}`];
    return v === null ? null : Number(v);
  };
  return {
    count: Number(row[`${prefix}_count`]),
    mean: value("mean"),
    median: value("median"),
    p90: value("p90"),
  };
}

/**
 * Computes the KPIs of the incidents the filter selects, in SQL. Durations are in seconds from
 * detection; medians and 90th percentiles use percentile_cont (linear interpolation, the
 * definition of `percentile` in the shared package). Cancelled incidents count only in `total`,
 * `cancelled` and the breakdowns.
 */
export async function computeKpis(
  ctx: ServiceContext & { config: { sla: SlaTargets } },
  filter: IncidentFilter,
): Promise<Kpis> {
  const where = filterSql(filter);
  const now = ctx.now();
  const ackTarget = targetSql(ctx.config.sla.acknowledge);
  const resolveTarget = targetSql(ctx.config.sla.resolve);

  const [row] = await ctx.prisma.$queryRaw<SummaryRow[]>`
    WITH selected AS (
      SELECT status, priority, detected_at, acknowledged_at, resolved_at, closed_at,
        escalation_level, reopen_count
      FROM incidents WHERE ${where}
    ), live AS (
      -- date_part returns double precision; extract returns numeric since PostgreSQL 14, which
      -- makes every aggregate below slower.
      SELECT *,
        date_part('epoch', acknowledged_at - detected_at) AS tta,
        date_part('epoch', resolved_at - detected_at) AS ttr,
        date_part('epoch', closed_at - detected_at) AS ttc,
        date_part('epoch', coalesce(acknowledged_at, ${now}) - detected_at) AS ack_elapsed,
        date_part('epoch', coalesce(resolved_at, closed_at, ${now}) - detected_at)
          AS resolve_elapsed
      FROM selected WHERE status <> 'CANCELLED'
    )
    SELECT
      (SELECT count(*) FROM selected) AS total,
      (SELECT count(*) FROM selected WHERE status = 'CANCELLED') AS cancelled,
      count(tta) AS tta_count, avg(tta) AS tta_mean,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY tta) AS tta_median,
      percentile_cont(0.9) WITHIN GROUP (ORDER BY tta) AS tta_p90,
      count(ttr) AS ttr_count, avg(ttr) AS ttr_mean,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY ttr) AS ttr_median,
      percentile_cont(0.9) WITHIN GROUP (ORDER BY ttr) AS ttr_p90,
      count(ttc) AS ttc_count, avg(ttc) AS ttc_mean,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY ttc) AS ttc_median,
      percentile_cont(0.9) WITHIN GROUP (ORDER BY ttc) AS ttc_p90,
      count(*) FILTER (WHERE priority IS NOT NULL) AS measured,
      count(*) FILTER (WHERE ack_elapsed > ${ackTarget}) AS ack_breached,
      count(*) FILTER (WHERE resolve_elapsed > ${resolveTarget}) AS resolve_breached,
      count(*) FILTER (WHERE escalation_level > 0) AS escalated,
      count(*) FILTER (WHERE reopen_count > 0) AS reopened,
      sum(reopen_count) AS reopen_total
    FROM live`;
  if (!row) throw new Error("KPI query returned no row");

  const breakdowns = await Promise.all([
    countBy<IncidentStatus>(ctx, where, Prisma.sql`status::text`),
    countBy<Priority>(ctx, where, Prisma.sql`priority::text`),
    countBy<number | null>(ctx, where, Prisma.sql`category_id`),
    countBy<number | null>(ctx, where, Prisma.sql`team_id`),
  ]);

  const live = Number(row.total) - Number(row.cancelled);
  const measured = Number(row.measured);
  const sla = (breached: bigint) => ({
    measured,
    breached: Number(breached),
    rate: rate(Number(breached), measured),
  });
  return {
    total: Number(row.total),
    cancelled: Number(row.cancelled),
    timeToAcknowledge: summary(row, "tta"),
    timeToResolve: summary(row, "ttr"),
    timeToClose: summary(row, "ttc"),
    byStatus: breakdowns[0],
    byPriority: breakdowns[1].filter((entry) => entry.key !== null),
    byCategory: breakdowns[2],
    byTeam: breakdowns[3],
    acknowledgeSla: sla(row.ack_breached),
    resolveSla: sla(row.resolve_breached),
    escalated: Number(row.escalated),
    escalationRate: rate(Number(row.escalated), live),
    reopened: Number(row.reopened),
    reopenCount: Number(row.reopen_total ?? 0),
    reopenRate: rate(Number(row.reopened), live),
  };
}

async function countBy<K>(
  ctx: ServiceContext,
  where: Prisma.Sql,
  column: Prisma.Sql,
): Promise<CountBy<K>[]> {
  const rows = await ctx.prisma.$queryRaw<{ key: K; count: bigint }[]>`
    SELECT ${column} AS key, count(*) AS count FROM incidents WHERE ${where}
    GROUP BY 1 ORDER BY 2 DESC, 1`;
  return rows.map((r) => ({ key: r.key, count: Number(r.count) }));
}
