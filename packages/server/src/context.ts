import type { Config } from "./config";
import type { Database } from "./db/database";
import type { EventBus } from "./events/bus";
import type { Actor, ServiceContext } from "./incidents/service";
import type { Loaders } from "./loaders";
import type { Logger } from "./logger";

/** Everything a request can reach, built once per server. */
export interface AppServices extends ServiceContext {
  config: Config;
  db: Database;
  bus: EventBus;
}

/** The GraphQL context of one request or one WebSocket operation. */
export interface GraphQLContext {
  services: AppServices;
  actor: Actor;
  log: Logger;
  loaders: Loaders;
}
