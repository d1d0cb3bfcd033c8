import { useMemo } from "react";
import { useLookups } from "../app/lookups";
import { Link, navigate, useLocation } from "../app/router";
import { FilterBar } from "../filters/FilterBar";
import {
  type BoardFilter,
  filterFromSearch,
  filterToSearch,
  toIncidentFilter,
} from "../filters/filter";
import { KpiPanel } from "../kpis/KpiPanel";
import { IncidentList } from "./IncidentList";

/** Reads the filter from the URL and returns it with a function that writes it back. */
export function useUrlFilter() {
  const { pathname, search } = useLocation();
  const filter = useMemo(() => filterFromSearch(search), [search]);
  const input = useMemo(() => toIncidentFilter(filter), [filter]);
  const setFilter = (next: BoardFilter, options?: { replace?: boolean }) =>
    navigate(`${pathname}${filterToSearch(next)}`, options);
  return { filter, input, setFilter };
}

/** Renders the live incident board: filters, KPIs of the filtered incidents and the list. */
export function BoardPage() {
  const { filter, input, setFilter } = useUrlFilter();
  const { teams, categories } = useLookups();
  return (
    <>
      <div className="page-header">
        <h1>Incident board</h1>
        <Link to="/incidents/new" className="button">
          Report incident
        </Link>
      </div>
      <FilterBar filter={filter} teams={teams} categories={categories} onChange={setFilter} />
      <KpiPanel filter={input} teams={teams} categories={categories} />
      <IncidentList key={filterToSearch(filter)} filter={input} />
    </>
  );
}

/** Renders the KPIs in full, for the same filters as the board. */
export function KpiPage() {
  const { filter, input, setFilter } = useUrlFilter();
  const { teams, categories } = useLookups();
  return (
    <>
      <div className="page-header">
        <h1>KPIs</h1>
      </div>
      <FilterBar filter={filter} teams={teams} categories={categories} onChange={setFilter} />
      <KpiPanel filter={input} teams={teams} categories={categories} detailed />
    </>
  );
}
