import { useQuery } from "urql";
import { type Named, nameOf } from "../app/lookups";
import { labelOf } from "../app/ui";
import type { IncidentFilterInput } from "../filters/filter";
import { formatDuration, formatRate } from "../format/duration";
import { graphql } from "../gql";

const KpisQuery = graphql(`
  query Kpis($filter: IncidentFilter) {
    kpis(filter: $filter) {
      total
      cancelled
      escalated
      escalationRate
      reopened
      reopenCount
      reopenRate
      timeToAcknowledge {
        count
        mean
        median
        p90
      }
      timeToResolve {
        count
        mean
        median
        p90
      }
      timeToClose {
        count
        mean
        median
        p90
      }
      acknowledgeSla {
        measured
        breached
        rate
      }
      resolveSla {
        measured
        breached
        rate
      }
      byStatus {
        status
        count
      }
      byPriority {
        priority
        count
      }
      byCategory {
        categoryId
        count
      }
      byTeam {
        teamId
        count
      }
    }
  }
`);

interface Summary {
  count: number;
  mean?: number | null;
  median?: number | null;
  p90?: number | null;
}

function DurationTable({ rows }: { rows: [string, Summary][] }) {
  return (
    <table className="kpi-durations">
      <caption className="visually-hidden">Durations from detection</caption>
      <thead>
        <tr>
          <th scope="col">Time to</th>
          <th scope="col">Count</th>
          <th scope="col">Mean</th>
          <th scope="col">Median</th>
          <th scope="col">90th percentile</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([label, summary]) => (
          <tr key={label}>
            <th scope="row">{label}</th>
            <td>{summary.count}</td>
            <td>{formatDuration(summary.mean)}</td>
            <td>{formatDuration(summary.median)}</td>
            <td>{formatDuration(summary.p90)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Counts({ title, entries }: { title: string; entries: [string, number][] }) {
  return (
    <div className="kpi-counts">
      <h3>{title}</h3>
      {entries.length === 0 ? (
        <p className="muted">None</p>
      ) : (
        <dl>
          {entries.map(([label, count]) => (
            <div key={label}>
              <dt>{label}</dt>
              <dd>{count}</dd>
            </div>
          ))}
        </dl>
      )}
    </div>
  );
}

function Sla(props: {
  label: string;
  sla: { measured: number; breached: number; rate?: number | null };
}) {
  return (
    <div>
      <dt>{props.label}</dt>
      <dd>
        {formatRate(props.sla.rate)}{" "}
        <span className="muted">
          ({props.sla.breached} of {props.sla.measured})
        </span>
      </dd>
    </div>
  );
}

/**
 * Shows the KPIs of the incidents that the filter selects: times from detection, SLA breaches
 * and counts. `detailed` adds counts by priority, category and team and the escalation and
 * reopen rates. The cache drops the KPIs on every incident event, so they are refetched.
 */
export function KpiPanel(props: {
  filter: IncidentFilterInput | null;
  detailed?: boolean;
  teams: Named[];
  categories: Named[];
}) {
  const [{ data, error, fetching }] = useQuery({
    query: KpisQuery,
    variables: { filter: props.filter },
  });
  if (error) return <p className="error">KPIs could not be loaded: {error.message}</p>;
  if (!data) return <p className="muted">{fetching ? "Loading KPIs…" : ""}</p>;

  const kpis = data.kpis;
  const statuses = kpis.byStatus.map((s): [string, number] => [labelOf(s.status), s.count]);
  return (
    <section className="kpis" aria-labelledby="kpi-heading">
      <h2 id="kpi-heading">KPIs</h2>
      <div className="kpi-grid">
        <DurationTable
          rows={[
            ["Acknowledge", kpis.timeToAcknowledge],
            ["Resolve", kpis.timeToResolve],
            ["Close", kpis.timeToClose],
          ]}
        />
        <div className="kpi-counts">
          <h3>SLA breaches</h3>
          <dl>
            <Sla label="Acknowledge" sla={kpis.acknowledgeSla} />
            <Sla label="Resolve" sla={kpis.resolveSla} />
          </dl>
        </div>
        <Counts
          title={`By status (${kpis.total}, ${kpis.cancelled} cancelled)`}
          entries={statuses}
        />
      </div>
      {props.detailed ? (
        <div className="kpi-grid">
          <Counts
            title="By priority"
            entries={kpis.byPriority.map((p): [string, number] => [p.priority, p.count])}
          />
          <Counts
            title="By category"
            entries={kpis.byCategory.map((c): [string, number] => [
              c.categoryId === null ? "Uncategorized" : nameOf(props.categories, c.categoryId),
              c.count,
            ])}
          />
          <Counts
            title="By team"
            entries={kpis.byTeam.map((t): [string, number] => [
              t.teamId === null ? "Unassigned" : nameOf(props.teams, t.teamId),
              t.count,
            ])}
          />
          <div className="kpi-counts">
            <h3>Escalations and reopenings</h3>
            <dl>
              <div>
                <dt>Escalated</dt>
                <dd>
                  {kpis.escalated}{" "}
                  <span className="muted">({formatRate(kpis.escalationRate)})</span>
                </dd>
              </div>
              <div>
                <dt>Reopened</dt>
                <dd>
                  {kpis.reopened} <span className="muted">({formatRate(kpis.reopenRate)})</span>
                </dd>
              </div>
              <div>
                <dt>Reopenings in all</dt>
                <dd>{kpis.reopenCount}</dd>
              </div>
            </dl>
          </div>
        </div>
      ) : null}
    </section>
  );
}
