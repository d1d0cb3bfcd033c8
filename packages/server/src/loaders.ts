import DataLoader from "dataloader";
import type { EventView } from "./events/schema";
import type { PrismaClient, Team } from "./generated/prisma/client";

/**
 * Per-request batch loaders, so a list that requests a relation of every row runs one query
 * instead of one per row. They batch but do not cache: a subscription's context lives as long
 * as the stream, and must not serve stale rows.
 */
export interface Loaders {
  timeline: DataLoader<number, EventView[]>;
  team: DataLoader<number, Team | null>;
}

export function createLoaders(prisma: PrismaClient): Loaders {
  return {
    timeline: new DataLoader(
      async (incidentIds) => {
        const events = await prisma.incidentEvent.findMany({
          where: { incidentId: { in: [...incidentIds] } },
          orderBy: { id: "asc" },
          include: { actor: true },
        });
        const byIncident = new Map<number, EventView[]>(incidentIds.map((id) => [id, []]));
        for (const event of events) byIncident.get(event.incidentId)?.push(event);
        return incidentIds.map((id) => byIncident.get(id) ?? []);
      },
      { cache: false },
    ),
    team: new DataLoader(
      async (ids) => {
        const teams = await prisma.team.findMany({ where: { id: { in: [...ids] } } });
        const byId = new Map(teams.map((team) => [team.id, team]));
        return ids.map((id) => byId.get(id) ?? null);
      },
      { cache: false },
    ),
  };
}
