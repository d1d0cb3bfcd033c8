import { StartupError, startServer } from "./app";
import { ConfigError, loadConfig } from "./config";
import { DataDirLockedError } from "./db/lock";
import { MigrationError } from "./db/migrate";
import { createLogger } from "./logger";

const config = (() => {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
})();
const log = createLogger(config.logLevel);

try {
  log.info({ pid: process.pid, port: config.port }, "starting");
  const server = await startServer(config, log);
  let stopping = false;
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    // process.on, not once: pnpm and tsx forward Ctrl-C as further signals, and a second one
    // must not kill the process in the middle of its shutdown.
    process.on(signal, () => {
      log.info({ signal }, stopping ? "signal received while stopping" : "signal received");
      if (stopping) return;
      stopping = true;
      server.stop().then(
        () => process.exit(0),
        (error) => {
          log.error({ err: error }, "shutdown failed");
          process.exit(1);
        },
      );
    });
  }
} catch (error) {
  if (
    error instanceof DataDirLockedError ||
    error instanceof MigrationError ||
    error instanceof StartupError
  ) {
    log.fatal(error.message);
  } else {
    log.fatal({ err: error }, "start-up failed");
  }
  process.exit(1);
}
