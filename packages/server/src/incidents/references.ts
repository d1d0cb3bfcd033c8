import type { LifecycleAction } from "@incident/shared";
import { notFound } from "../errors";
import type { Category, Team } from "../generated/prisma/client";
import type { Tx } from "./store";

/** The categories and teams that lifecycle actions name, looked up by id. */
export interface References {
  /** Returns the category with the id, or fails with NOT_FOUND on categoryId. */
  category(id: number): Promise<Category>;
  /** Returns the team with the id, or fails with NOT_FOUND on teamId. */
  team(id: number): Promise<Team>;
}

/** Looks categories and teams up in rows that were read beforehand. */
export function mapReferences(
  categories: Map<number, Category>,
  teams: Map<number, Team>,
): References {
  return {
    category: async (id) => {
      const category = categories.get(id);
      if (!category) throw notFound("categoryId", "category", id);
      return category;
    },
    team: async (id) => {
      const team = teams.get(id);
      if (!team) throw notFound("teamId", "team", id);
      return team;
    },
  };
}

/** Reads each category and team when first asked for, once per transaction. */
export function lazyReferences(tx: Tx): References {
  const categories = new Map<number, Promise<Category>>();
  const teams = new Map<number, Promise<Team>>();
  const once = <T>(cache: Map<number, Promise<T>>, id: number, load: () => Promise<T>) => {
    let found = cache.get(id);
    if (!found) {
      found = load();
      cache.set(id, found);
    }
    return found;
  };
  return {
    category: (id) =>
      once(categories, id, async () => {
        const category = await tx.category.findUnique({ where: { id } });
        if (!category) throw notFound("categoryId", "category", id);
        return category;
      }),
    team: (id) =>
      once(teams, id, async () => {
        const team = await tx.team.findUnique({ where: { id } });
        if (!team) throw notFound("teamId", "team", id);
        return team;
      }),
  };
}

/** Collects the category and team ids that a list of actions names. */
export function referencedIds(actions: LifecycleAction[]): {
  categoryIds: number[];
  teamIds: number[];
} {
  const categoryIds = new Set<number>();
  const teamIds = new Set<number>();
  for (const action of actions) {
    if (action.type === "categorize" && action.categoryId !== null) {
      categoryIds.add(action.categoryId);
    }
    if ((action.type === "assign" || action.type === "escalate") && action.teamId !== null) {
      teamIds.add(action.teamId);
    }
  }
  return { categoryIds: [...categoryIds], teamIds: [...teamIds] };
}
