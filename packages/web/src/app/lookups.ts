import { useQuery } from "urql";
import { graphql } from "../gql";

const LookupsQuery = graphql(`
  query Lookups {
    teams {
      id
      name
    }
    categories {
      id
      name
      defaultTeam {
        id
        name
      }
    }
  }
`);

export interface Named {
  id: string;
  name: string;
}

export interface CategoryOption extends Named {
  defaultTeam?: Named | null;
}

/** Loads the managed lists of teams and categories, for selects and for showing names. */
export function useLookups(): { teams: Named[]; categories: CategoryOption[]; error?: Error } {
  const [{ data, error }] = useQuery({ query: LookupsQuery });
  return {
    teams: data?.teams ?? [],
    categories: data?.categories ?? [],
    ...(error ? { error } : {}),
  };
}

/** Returns the name of an id in a list, or the id itself when the list does not have it. */
export function nameOf(list: Named[], id: unknown): string {
  if (id === null || id === undefined) return "—";
  return list.find((item) => item.id === String(id))?.name ?? String(id);
}
