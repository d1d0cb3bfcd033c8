import { BUILT_IN_USER, ensureUser } from "./accounts/service";
import type { PrismaClient, User } from "./generated/prisma/client";
import type { Logger } from "./logger";

/** Standard categories of a new installation and the team each one routes to. */
export const STANDARD_CATEGORIES: { name: string; team: string }[] = [
  { name: "Network", team: "Network Operations" },
  { name: "Email", team: "Messaging" },
  { name: "Security", team: "Security Operations" },
  { name: "Website", team: "Web Platform" },
  { name: "Hardware", team: "Service Desk" },
  { name: "Software", team: "Service Desk" },
  { name: "Access", team: "Identity and Access" },
];

/**
 * Creates the built-in user and, on a database without categories, the standard categories
 * and their teams. Returns the built-in user.
 */
export async function bootstrap(prisma: PrismaClient, log: Logger): Promise<User> {
  const user = await ensureUser(prisma, BUILT_IN_USER);
  if ((await prisma.category.count()) > 0) return user;

  await prisma.$transaction(async (tx) => {
    for (const { name, team } of STANDARD_CATEGORIES) {
      const owner = await tx.team.upsert({
        where: { name: team },
        create: { name: team },
        update: {},
      });
      await tx.category.upsert({
        where: { name },
        create: { name, defaultTeamId: owner.id },
        update: {},
      });
    }
  });
  log.info({ categories: STANDARD_CATEGORIES.length }, "standard categories and teams created");
  return user;
}
