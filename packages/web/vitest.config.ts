import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

const require = createRequire(import.meta.url);

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["src/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        resolve: {
          // graphql 16 ships a CommonJS ("main") and an ESM ("module") copy. Vite gives the
          // server's own modules the ESM copy, while graphql-yoga, loaded by Node, gets the
          // CommonJS one. The server's coded errors would then fail yoga's instanceof check and
          // come back masked, so this pins the one copy that the server gets under tsx.
          alias: [{ find: /^graphql$/, replacement: require.resolve("graphql") }],
        },
        test: {
          name: "browser",
          include: ["test/**/*.test.ts"],
          globalSetup: ["test/global-setup.ts"],
          pool: "forks",
          // One Chromium and one server at a time fit the two cores of a CI machine.
          maxWorkers: 1,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
