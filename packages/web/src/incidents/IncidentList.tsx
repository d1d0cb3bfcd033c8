import { useState } from "react";
import { useQuery } from "urql";
import { ErrorMessage } from "../app/ui";
import type { IncidentFilterInput } from "../filters/filter";
import { graphql } from "../gql";
import { IncidentRow, IncidentTable } from "./IncidentTable";

/** Rows per page; the API allows up to 100. */
export const PAGE_SIZE = 25;

/**
 * One page of the board. The variable names equal the argument names, so the cache updates
 * can read a page back from the arguments of its cached field.
 */
export const BoardPageQuery = graphql(`
  query BoardPage($filter: IncidentFilter, $first: Int, $after: String) {
    incidents(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          ...IncidentRow_incident
          ...ListMatch_incident
        }
      }
    }
  }
`);

function pageVariables(filter: IncidentFilterInput | null, after: string | null) {
  return { filter, first: PAGE_SIZE, after };
}

function PageRows(props: { filter: IncidentFilterInput | null; after: string | null }) {
  const [{ data }] = useQuery({
    query: BoardPageQuery,
    variables: pageVariables(props.filter, props.after),
  });
  const edges = data?.incidents.edges ?? [];
  return (
    <tbody>
      {edges.map(({ node }) => (
        <IncidentRow key={node.id} incident={node} />
      ))}
    </tbody>
  );
}

/**
 * Renders the incident list with keyset pagination: each "Load more" adds a page that starts
 * after the previous page's end cursor. Live changes edit the cached pages in place.
 */
export function IncidentList({ filter }: { filter: IncidentFilterInput | null }) {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [first] = useQuery({ query: BoardPageQuery, variables: pageVariables(filter, null) });
  const [last] = useQuery({
    query: BoardPageQuery,
    variables: pageVariables(filter, cursors.at(-1) ?? null),
  });

  const total = first.data?.incidents.totalCount;
  const pageInfo = last.data?.incidents.pageInfo;
  const shown = first.data?.incidents.edges.length ?? 0;

  return (
    <section aria-labelledby="list-heading" className="list">
      <div className="list-header">
        <h2 id="list-heading">Incidents</h2>
        <p className="total" aria-live="polite">
          {total === undefined ? "Loading…" : `${total} ${total === 1 ? "incident" : "incidents"}`}
        </p>
      </div>
      <ErrorMessage error={first.error ?? last.error} />
      <IncidentTable caption="Incidents matching the filter, newest detection first">
        {cursors.map((after) => (
          <PageRows key={after ?? "first"} filter={filter} after={after} />
        ))}
      </IncidentTable>
      {total === 0 && shown === 0 ? <p className="empty">No incidents match this filter.</p> : null}
      {pageInfo?.hasNextPage && pageInfo.endCursor ? (
        <button
          type="button"
          className="load-more"
          disabled={last.fetching}
          onClick={() => setCursors([...cursors, pageInfo.endCursor ?? null])}
        >
          {last.fetching ? "Loading…" : "Load more"}
        </button>
      ) : null}
    </section>
  );
}
