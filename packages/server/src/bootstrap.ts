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
  // Servers starting together on a new database would race on the unique names, because an
  // upsert reads before it inserts. The advisory lock makes them take turns.
  const created = await prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${BOOTSTRAP_LOCK_ID})`;
    await tx.user.upsert({
      where: { email: BUILT_IN_USER.email },
      create: BUILT_IN_USER,
      update: {},
    });
    if ((await tx.category.count()) > 0) return false;
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
    return true;
  });
  if (created) {
    log.info({ categories: STANDARD_CATEGORIES.length }, "standard categories and teams created");
  }
  return ensureUser(prisma, BUILT_IN_USER);
}

/** Arbitrary constant that identifies the bootstrap advisory lock among server instances. */
const BOOTSTRAP_LOCK_ID = 72_531_905;
