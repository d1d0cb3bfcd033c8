import type { LifecycleAction } from "@incident/shared";
import { notFound } from "../errors";
import type { Category, Team } from "../generated/prisma/client";
import type { Tx } from "./store";

/** The categories and teams that lifecycle actions name, looked up by id. */
export interface References {
  /** The category with the id; NOT_FOUND on categoryId when there is none. */
  category(id: number): Promise<Category>;
  /** The team with the id; NOT_FOUND on teamId when there is none. */
  team(id: number): Promise<Team>;
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

/** Category and team ids that a list of actions names. */
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
