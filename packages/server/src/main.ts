import { startServer } from "./app";
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
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      log.info({ signal }, "signal received");
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
  if (error instanceof DataDirLockedError || error instanceof MigrationError) {
    log.fatal(error.message);
  } else {
    log.fatal({ err: error }, "start-up failed");
  }
  process.exit(1);
}
