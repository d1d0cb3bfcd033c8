import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** Folder of the dashboard build that the browser tests serve. */
    webDist: string;
  }
}

const WEB_ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Builds the dashboard once, into a temporary folder, for all browser tests. */
export default async function setup(project: TestProject) {
  const outDir = await mkdtemp(join(tmpdir(), "incident-web-"));
  // Vitest sets NODE_ENV to "test", which would make Vite bundle React's development build.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = "production";
  try {
    await build({
      root: WEB_ROOT,
      configFile: join(WEB_ROOT, "vite.config.ts"),
      mode: "production",
      logLevel: "warn",
      build: { outDir, emptyOutDir: true, sourcemap: false },
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  project.provide("webDist", outDir);
  return async () => {
    await rm(outDir, { recursive: true, force: true });
  };
}
