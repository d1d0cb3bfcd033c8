// Runs `prisma generate` without the native schema engine. Generating the client never
// executes that engine, but the Prisma CLI insists that its binary exists and tries to
// download it when it is missing, which fails without internet access. When no engine is
// installed, PRISMA_SCHEMA_ENGINE_BINARY points the CLI at a placeholder file instead.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const env = { ...process.env };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY) {
  const placeholder = join(root, "node_modules", ".cache", "schema-engine-placeholder");
  if (!existsSync(placeholder)) {
    mkdirSync(dirname(placeholder), { recursive: true });
    writeFileSync(placeholder, "");
  }
  env.PRISMA_SCHEMA_ENGINE_BINARY = placeholder;
}
env.PRISMA_HIDE_UPDATE_MESSAGE = "1";

const result = spawnSync("pnpm", ["exec", "prisma", "generate"], {
  cwd: root,
  env,
  stdio: "inherit",
});
process.exit(result.status ?? 1);
