export * from "./domain";
export * from "./keys";
export * from "./lifecycle";
export * from "./limits";
export * from "./priority";
export * from "./sla";
export * from "./stats";
