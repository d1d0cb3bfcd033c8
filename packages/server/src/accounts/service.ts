import type { PrismaClient, User } from "../generated/prisma/client";

/** The user that requests act as until accounts and API tokens exist. */
export const BUILT_IN_USER = { email: "responder@incident.local", name: "Built-in responder" };

/** The user that imported events are recorded under. */
export const IMPORT_USER = { email: "import@incident.local", name: "Import" };

export async function ensureUser(
  prisma: PrismaClient,
  user: { email: string; name: string },
): Promise<User> {
  return prisma.user.upsert({ where: { email: user.email }, create: user, update: {} });
}
