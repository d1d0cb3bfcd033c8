import type { TestServer } from "./support";

export const INCIDENT_FIELDS = `
  key number title description status impact urgency priority priorityOverridden overrideReason
  category { id name } team { id name } detectedAt acknowledgedAt resolvedAt closedAt cancelledAt
  escalationLevel reopenCount resolution cancelReason problemRef postMortemUrl version
  allowedActions timeline { id type occurredAt note before after actor { name } }
`;

export interface IncidentData {
  key: string;
  number: number;
  title: string;
  status: string;
  priority: string | null;
  team: { id: string; name: string } | null;
  category: { id: string; name: string } | null;
  escalationLevel: number;
  reopenCount: number;
  version: number;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  timeline: {
    id: string;
    type: string;
    occurredAt: string;
    note: string | null;
    before: Record<string, unknown>;
    after: Record<string, unknown>;
  }[];
  [field: string]: unknown;
}

/** Looks up a standard category by name. */
export async function categoryId(server: TestServer, name: string): Promise<string> {
  const data = await server.data<{ categories: { id: string; name: string }[] }>(
    "{ categories { id name } }",
  );
  const category = data.categories.find((c) => c.name === name);
  if (!category) throw new Error(`category ${name} not found`);
  return category.id;
}

export async function teamId(server: TestServer, name: string): Promise<string> {
  const data = await server.data<{ teams: { id: string; name: string }[] }>(
    "{ teams { id name } }",
  );
  const team = data.teams.find((t) => t.name === name);
  if (!team) throw new Error(`team ${name} not found`);
  return team.id;
}

/** Creates an incident through the API; input fields override the defaults. */
export async function reportIncident(
  server: TestServer,
  input: Record<string, unknown> = {},
): Promise<IncidentData> {
  const data = await server.data<{ createIncident: IncidentData }>(
    `mutation ($input: CreateIncidentInput!) { createIncident(input: $input) { ${INCIDENT_FIELDS} } }`,
    { input: { title: "Wi-Fi outage on floor 3", ...input } },
  );
  return data.createIncident;
}

/** Runs an incident mutation by name with the input, returning the raw response. */
export function mutate(server: TestServer, name: string, input: Record<string, unknown>) {
  const inputType = `${name[0]?.toUpperCase()}${name.slice(1)}Input`;
  return server.gql<Record<string, IncidentData>>(
    `mutation ($input: ${inputType}!) { ${name}(input: $input) { ${INCIDENT_FIELDS} } }`,
    { input },
  );
}

/** Like mutate, but fails on errors and returns the incident. */
export async function act(
  server: TestServer,
  name: string,
  input: Record<string, unknown>,
): Promise<IncidentData> {
  const response = await mutate(server, name, input);
  if (response.errors?.length) throw new Error(`${name}: ${JSON.stringify(response.errors)}`);
  return response.data?.[name] as IncidentData;
}

export async function getIncident(server: TestServer, key: string): Promise<IncidentData> {
  const data = await server.data<{ incident: IncidentData }>(
    `query ($key: String!) { incident(key: $key) { ${INCIDENT_FIELDS} } }`,
    { key },
  );
  return data.incident;
}
