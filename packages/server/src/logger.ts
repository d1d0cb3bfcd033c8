import { type Logger, pino } from "pino";

export type { Logger };

/** Creates the root logger. Components take a child logger with their name. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: "incident-server" } });
}
