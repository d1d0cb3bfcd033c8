import { randomBytes } from "node:crypto";
import type { Page, WebSocketRoute } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startTestServer, type TestServer } from "../../server/test/support";
import {
  isSameDocument,
  launchBrowser,
  markDocument,
  screenshot,
  type TestBrowser,
} from "./browser";

/** How long a live change may take to show, in milliseconds. */
const LIVE_TIMEOUT = 10_000;

let server: TestServer;
let browser: TestBrowser;
let categories: { id: string; name: string }[];

beforeAll(async () => {
  server = await startTestServer({ backend: "pglite", env: { WEB_DIST: inject("webDist") } });
  browser = await launchBrowser();
  const data = await server.data<{ categories: { id: string; name: string }[] }>(
    "{ categories { id name } }",
  );
  categories = data.categories;
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

function token(): string {
  return randomBytes(4).toString("hex");
}

function categoryId(name: string): string {
  const category = categories.find((item) => item.name === name);
  if (!category) throw new Error(`category ${name} not found among the seeded categories`);
  return category.id;
}

async function createIncident(input: Record<string, unknown>): Promise<string> {
  const data = await server.data<{ createIncident: { key: string } }>(
    "mutation ($input: CreateIncidentInput!) { createIncident(input: $input) { key } }",
    { input },
  );
  return data.createIncident.key;
}

async function mutate(field: string, inputType: string, input: Record<string, unknown>) {
  await server.data(`mutation ($input: ${inputType}!) { ${field}(input: $input) { key } }`, {
    input,
  });
}

/** Creates an incident through the API and takes it to RESPONDING. */
async function respondingIncident(title: string): Promise<string> {
  const key = await createIncident({
    title,
    categoryId: categoryId("Network"),
    impact: "HIGH",
    urgency: "HIGH",
  });
  await mutate("acknowledgeIncident", "AcknowledgeIncidentInput", { key });
  return key;
}

async function openPage(path: string): Promise<Page> {
  const page = await browser.context.newPage();
  await page.goto(`${server.url}${path}`);
  await page.locator(".connection[data-status=connected]").waitFor({ timeout: LIVE_TIMEOUT });
  return page;
}

function statusBadge(page: Page) {
  return page.locator(".incident-badges .status");
}

async function waitForStatus(page: Page, status: string) {
  await statusBadge(page)
    .filter({ hasText: new RegExp(`^${status}$`) })
    .waitFor();
}

/** Opens an action's form from its button, lets `fill` set the inputs, and submits. */
async function runAction(page: Page, button: string, submit: string, fill: () => Promise<void>) {
  await page.getByRole("button", { name: button, exact: true }).click();
  await fill();
  await page.getByRole("button", { name: submit, exact: true }).click();
}

/** A phone screen and a laptop screen, in CSS pixels. */
const VIEWPORTS = [
  { name: "desktop", width: 1280, height: 800 },
  { name: "phone", width: 390, height: 844 },
];

/** Returns the day `days` from today in the local time zone, as YYYY-MM-DD. */
function localDay(days: number): string {
  const date = new Date();
  date.setDate(date.getDate() + days);
  const month = String(date.getMonth() + 1).padStart(2, "0");
  const day = String(date.getDate()).padStart(2, "0");
  return `${date.getFullYear()}-${month}-${day}`;
}

/** Returns the filter variable of each Kpis query that the page sends from now on. */
function recordKpiFilters(page: Page): unknown[] {
  const filters: unknown[] = [];
  page.on("request", (request) => {
    if (!request.url().includes("/graphql")) return;
    const url = new URL(request.url());
    const body =
      request.method() === "GET"
        ? {
            operationName: url.searchParams.get("operationName"),
            variables: JSON.parse(url.searchParams.get("variables") ?? "{}"),
          }
        : request.postDataJSON();
    if (body?.operationName === "Kpis") filters.push(body.variables?.filter ?? null);
  });
  return filters;
}

function filterGroup(page: Page, legend: string) {
  return page.locator(`details[data-filter-group="${legend}"]`);
}

async function isOpen(page: Page, legend: string): Promise<boolean> {
  return filterGroup(page, legend).evaluate((element) => (element as HTMLDetailsElement).open);
}

function row(page: Page, key: string) {
  return page.locator(`table.incidents tr[data-key="${key}"]`);
}

describe("dashboard", () => {
  it("badge shows connected", async () => {
    const page = await openPage("/");
    const badge = page.getByRole("status").filter({ hasText: "Live updates" });
    expect(await badge.textContent()).toContain("Connected");
    await screenshot(page, "board-empty");
    await page.close();
  });

  it("reports and works an incident", async () => {
    const page = await openPage("/incidents/new");
    const title = `Checkout fails for EU customers ${token()}`;
    await page.getByLabel("Title").fill(title);
    await page.getByLabel("Description").fill("Payments time out after 30 s since 09:10.");
    expect(await page.locator(".counter").first().textContent()).toBe(
      `${title.length} / 120 characters`,
    );
    await screenshot(page, "report-form");
    await page.getByRole("button", { name: "Report incident", exact: true }).click();

    await page.waitForURL(/\/incidents\/INC-\d+$/);
    await page.getByRole("heading", { level: 1, name: title }).waitFor();
    await waitForStatus(page, "IDENTIFIED");

    await runAction(page, "Categorize", "Categorize incident", async () => {
      await page.getByLabel("Category").selectOption({ label: "Website" });
    });
    await waitForStatus(page, "CATEGORIZED");
    expect(await page.locator(".field", { hasText: "Team" }).first().textContent()).toContain(
      "Web Platform",
    );

    await runAction(page, "Prioritize", "Set priority", async () => {
      await page.getByLabel("Impact").selectOption("HIGH");
      await page.getByLabel("Urgency").selectOption("MEDIUM");
      expect(await page.locator(".matrix-priority").textContent()).toBe("P2");
    });
    await waitForStatus(page, "PRIORITIZED");
    expect(await page.locator(".incident-badges .priority").textContent()).toBe("P2");

    await runAction(page, "Acknowledge", "Acknowledge incident", async () => {});
    await waitForStatus(page, "RESPONDING");

    await runAction(page, "Escalate", "Escalate incident", async () => {
      await page.getByLabel("Escalate to team").selectOption({ label: "Security Operations" });
      await page.getByLabel("Reason").fill("Card testing attack suspected");
    });
    await page.locator(".field", { hasText: "Escalation level" }).getByText("1").waitFor();

    await runAction(page, "Resolve", "Resolve incident", async () => {
      await page.getByLabel("Resolution summary").fill("Blocked the attacking IP ranges.");
    });
    await waitForStatus(page, "RESOLVED");

    await runAction(page, "Close", "Close incident", async () => {
      await page.getByLabel("Problem reference").fill("PRB-7");
      await page.getByLabel("Post-mortem URL").fill("https://wiki.example/pm/7");
    });
    await waitForStatus(page, "CLOSED");
    expect(await page.locator(".field", { hasText: "Problem" }).first().textContent()).toContain(
      "PRB-7",
    );

    await runAction(page, "Reopen", "Reopen incident", async () => {
      await page.getByLabel("Reason for reopening").fill("Attack resumed from new ranges");
    });
    await waitForStatus(page, "RESPONDING");

    const types = await page
      .locator(".timeline li.event")
      .evaluateAll((items) => items.map((item) => item.getAttribute("data-event-type")));
    expect(types).toEqual([
      "CREATED",
      "CATEGORIZED",
      "PRIORITIZED",
      "ACKNOWLEDGED",
      "ESCALATED",
      "RESOLVED",
      "CLOSED",
      "REOPENED",
    ]);
    const closed = page.locator('.timeline li[data-event-type="CLOSED"]');
    expect(await closed.textContent()).toMatch(/status: RESOLVED\s*→\s*(to\s*)?CLOSED/);
    const escalated = page.locator('.timeline li[data-event-type="ESCALATED"]');
    expect(await escalated.textContent()).toContain("Card testing attack suspected");
    expect(await escalated.textContent()).toMatch(/team: Web Platform\s*→\s*(to\s*)?Security/);
    expect(await escalated.locator(".actor").textContent()).toMatch(/^by \S/);
    expect(await page.locator(".field", { hasText: "Reopened" }).textContent()).toContain("1×");
    await screenshot(page, "incident-worked");
    await page.close();
  });

  it("lists an API-created incident live", async () => {
    const page = await openPage("/");
    await page
      .locator(".total")
      .filter({ hasText: /\d+ incidents?/ })
      .waitFor();
    const before = Number.parseInt((await page.locator(".total").textContent()) ?? "", 10);
    await markDocument(page);

    const title = `Mail queue backing up ${token()}`;
    const key = await createIncident({ title, description: "Created by a monitoring script" });

    await row(page, key).waitFor({ timeout: LIVE_TIMEOUT });
    expect(await row(page, key).textContent()).toContain(title);
    expect(await page.locator("table.incidents tbody tr").first().getAttribute("data-key")).toBe(
      key,
    );
    await expect
      .poll(() => page.locator(".total").textContent(), { timeout: LIVE_TIMEOUT })
      .toBe(`${before + 1} incidents`);
    expect(await isSameDocument(page)).toBe(true);
    await screenshot(page, "board-live");
    await page.close();
  });

  it("moves incidents in and out of a filtered list", async () => {
    const staying = await respondingIncident(`Router flapping ${token()}`);
    const page = await openPage("/?status=RESPONDING");
    await row(page, staying).waitFor();
    await markDocument(page);

    const entering = await respondingIncident(`Packet loss in DC2 ${token()}`);
    await row(page, entering).waitFor({ timeout: LIVE_TIMEOUT });

    await mutate("resolveIncident", "ResolveIncidentInput", {
      key: staying,
      resolution: "Replaced the faulty line card",
    });
    await row(page, staying).waitFor({ state: "detached", timeout: LIVE_TIMEOUT });

    expect(await row(page, entering).isVisible()).toBe(true);
    expect(await isSameDocument(page)).toBe(true);
    await page.close();
  });

  it("shows the server's error by the form", async () => {
    const key = await createIncident({ title: `VPN drops ${token()}` });
    const page = await openPage(`/incidents/${key}`);
    const tomorrow = new Date(Date.now() + 86_400_000);
    const local = new Date(tomorrow.getTime() - tomorrow.getTimezoneOffset() * 60_000);

    await runAction(page, "Comment", "Add comment", async () => {
      await page.getByRole("textbox", { name: "Comment" }).fill("Called the user back");
      await page.getByLabel("Occurred at").fill(local.toISOString().slice(0, 19));
    });

    const alert = page.locator(".action-form [role=alert]");
    await alert.waitFor();
    expect(await alert.textContent()).toContain("occurredAt must not be in the future");
    expect(await page.getByLabel("Occurred at").getAttribute("aria-invalid")).toBe("true");
    expect(await page.locator('.timeline li[data-event-type="COMMENTED"]').count()).toBe(0);
    await screenshot(page, "action-error");
    await page.close();
  });

  it("rejects an over-long title", async () => {
    const page = await openPage("/incidents/new");
    await page.getByLabel("Title").fill("x".repeat(130));
    expect(await page.locator(".counter.over").textContent()).toContain("10 too many");
    await page.getByRole("button", { name: "Report incident", exact: true }).click();

    const alert = page.locator("[role=alert]");
    await alert.waitFor();
    expect(await alert.textContent()).toContain("title must be at most 120 characters");
    expect(page.url()).toMatch(/\/incidents\/new$/);
    await page.close();
  });

  it("keeps filters in the URL", async () => {
    await respondingIncident(`Core router overheating ${token()}`);
    const page = await openPage("/");
    await page.locator("summary", { hasText: "Status" }).click();
    await page.getByRole("checkbox", { name: "Responding" }).check();
    await page.waitForURL(/\?status=RESPONDING$/);

    await page.getByLabel("Search").fill("router");
    await page.waitForURL(/\?status=RESPONDING&q=router$/);

    await page.reload();
    await page.locator("summary", { hasText: "Status" }).click();
    expect(await page.getByRole("checkbox", { name: "Responding" }).isChecked()).toBe(true);
    expect(await page.getByLabel("Search").inputValue()).toBe("router");
    await page.locator("table.incidents tbody tr").first().waitFor();
    const titles = await page.locator("table.incidents .title-cell").allInnerTexts();
    expect(titles.every((title) => title.toLowerCase().includes("router"))).toBe(true);
    await page.close();
  });

  it("loads more pages with the cursor", async () => {
    const tag = token();
    for (let index = 1; index <= 27; index++) {
      await createIncident({ title: `Batch ${tag} item ${index}` });
    }
    const page = await openPage(`/?q=${tag}`);
    await page.locator(".total", { hasText: "27 incidents" }).waitFor();
    expect(await page.locator("table.incidents tbody tr").count()).toBe(25);

    await page.getByRole("button", { name: "Load more" }).click();
    await expect.poll(() => page.locator("table.incidents tbody tr").count()).toBe(27);
    const last = page.locator("table.incidents tbody tr").last();
    expect(await last.locator(".title-cell").textContent()).toBe(`Batch ${tag} item 1`);
    expect(await page.getByRole("button", { name: "Load more" }).count()).toBe(0);
    await page.close();
  });

  it("shows KPIs for the filter", async () => {
    const page = await openPage(`/kpis?category=${categoryId("Website")}`);
    const acknowledge = page.locator(".kpi-durations tr", { hasText: "Acknowledge" });
    await acknowledge.waitFor();
    expect(await acknowledge.locator("td").first().textContent()).toBe("1");
    expect(await page.locator(".kpi-counts", { hasText: "By status" }).textContent()).toContain(
      "Responding",
    );
    await screenshot(page, "kpis");
    await page.close();
  });

  it("resumes the event stream after a drop", async () => {
    const page = await browser.context.newPage();
    let blocked = false;
    const open: { page: WebSocketRoute; server: WebSocketRoute }[] = [];
    await page.routeWebSocket(/\/graphql$/, (socket) => {
      if (blocked) {
        void socket.close({ code: 1012, reason: "Service Restart" });
        return;
      }
      open.push({ page: socket, server: socket.connectToServer() });
    });
    await page.goto(`${server.url}/`);
    await page.locator(".connection[data-status=connected]").waitFor({ timeout: LIVE_TIMEOUT });

    const seen = await createIncident({ title: `Before the drop ${token()}` });
    await row(page, seen).waitFor({ timeout: LIVE_TIMEOUT });
    await markDocument(page);

    blocked = true;
    for (const socket of open.splice(0)) {
      await socket.server.close();
      await socket.page.close({ code: 1012, reason: "Service Restart" });
    }
    await page.locator(".connection[data-status=reconnecting]").waitFor({ timeout: LIVE_TIMEOUT });
    const missed = await createIncident({ title: `During the drop ${token()}` });
    await page.locator(".connection[data-status=offline]").waitFor({ timeout: 20_000 });
    expect(await row(page, missed).count()).toBe(0);
    await screenshot(page, "board-offline");

    blocked = false;
    await page.locator(".connection[data-status=connected]").waitFor({ timeout: 30_000 });
    await row(page, missed).waitFor({ timeout: LIVE_TIMEOUT });
    expect(await isSameDocument(page)).toBe(true);
    await page.close();
  });

  it("keeps the time window in the URL", async () => {
    const page = await openPage("/kpis");
    await page.getByLabel("Detected from").fill("2026-03-01");
    await page.waitForURL(/\/kpis\?from=2026-03-01$/);
    await page.getByLabel("Detected to").fill("2026-03-31");
    await page.waitForURL(/\/kpis\?from=2026-03-01&to=2026-03-31$/);

    await page.reload();
    expect(await page.getByLabel("Detected from").inputValue()).toBe("2026-03-01");
    expect(await page.getByLabel("Detected to").inputValue()).toBe("2026-03-31");
    await page.close();
  });

  it("sends the time window to KPIs", async () => {
    const page = await browser.context.newPage();
    const filters = recordKpiFilters(page);
    await page.goto(`${server.url}/kpis?from=2026-03-01&to=2026-03-31`);
    await page.locator(".kpi-durations").waitFor();
    const expected = await page.evaluate(() => ({
      detectedFrom: new Date(2026, 2, 1).toISOString(),
      detectedTo: new Date(2026, 3, 1).toISOString(),
    }));
    expect(filters).toContainEqual(expected);
    await page.close();
  });

  it("filters the board by detection day", async () => {
    const tag = token();
    const detectedAt = new Date(Date.now() - 2 * 86_400_000).toISOString();
    const key = await createIncident({ title: `Disk full ${tag}`, detectedAt });

    const before = await openPage(`/?q=${tag}&to=${localDay(-3)}`);
    await before.locator(".total", { hasText: "0 incidents" }).waitFor();
    expect(await row(before, key).count()).toBe(0);
    await before.close();

    const within = await openPage(`/?q=${tag}&from=${localDay(-2)}&to=${localDay(-2)}`);
    await row(within, key).waitFor();
    expect(await within.locator(".total").textContent()).toBe("1 incident");
    await within.close();
  });

  it("opens one drop-down at a time", async () => {
    const page = await openPage("/");
    await page.locator("summary", { hasText: "Status" }).click();
    await expect.poll(() => isOpen(page, "Status")).toBe(true);
    await page.locator("summary", { hasText: "Priority" }).click();
    await expect.poll(() => isOpen(page, "Priority")).toBe(true);
    await expect.poll(() => isOpen(page, "Status")).toBe(false);
    await page.close();
  });

  it("closes drop-downs outside and on Escape", async () => {
    const page = await openPage("/");
    await page.locator("summary", { hasText: "Status" }).click();
    await page.getByRole("checkbox", { name: "Responding" }).check();
    await expect.poll(() => isOpen(page, "Status")).toBe(true);
    await page.getByRole("heading", { level: 1 }).click();
    await expect.poll(() => isOpen(page, "Status")).toBe(false);

    await page.locator("summary", { hasText: "Team" }).click();
    await expect.poll(() => isOpen(page, "Team")).toBe(true);
    await page.keyboard.press("Escape");
    await expect.poll(() => isOpen(page, "Team")).toBe(false);
    await page.close();
  });

  it("shows the hold reason", async () => {
    const key = await respondingIncident(`Storage array degraded ${token()}`);
    await mutate("holdIncident", "HoldIncidentInput", { key, reason: "Waiting for the vendor" });
    const page = await openPage(`/incidents/${key}`);
    const badge = page.locator(".incident-badges .hold");
    await badge.waitFor();
    expect(await badge.textContent()).toBe("On hold: Waiting for the vendor");

    await mutate("addComment", "AddCommentInput", { key, body: "Vendor replied" });
    await badge.waitFor({ state: "detached", timeout: LIVE_TIMEOUT });
    await page.close();
  });

  it("keeps hover readable on selected actions", async () => {
    const key = await createIncident({ title: `Printer offline ${token()}` });
    const page = await openPage(`/incidents/${key}`);
    const button = page.getByRole("button", { name: "Comment", exact: true });
    await button.click();
    await button.hover();
    const colors = await button.evaluate((element) => {
      const style = getComputedStyle(element);
      return { color: style.color, background: style.backgroundColor };
    });
    expect(colors.color).toBe("rgb(255, 255, 255)");
    expect(colors.background).not.toBe("rgb(232, 240, 251)");
    await page.close();
  });

  it("fits pages to the window", async () => {
    const key = await respondingIncident("W".repeat(120));
    await mutate("holdIncident", "HoldIncidentInput", {
      key,
      reason: "Waiting for the storage vendor to ship a replacement controller",
    });
    const page = await openPage("/");
    const paths = [
      ["board", "/?status=RESPONDING"],
      ["kpis", "/kpis?from=2026-01-01"],
      ["incident", `/incidents/${key}`],
    ];
    for (const viewport of VIEWPORTS) {
      await page.setViewportSize({ width: viewport.width, height: viewport.height });
      for (const [name, path] of paths) {
        await page.goto(`${server.url}${path}`);
        await page.locator(".connection[data-status=connected]").waitFor();
        await page.locator("h1").first().waitFor();
        await page.locator("h2").first().waitFor();
        await screenshot(page, `${name}-${viewport.name}`);
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        expect(width, `${name} at ${viewport.width} px`).toBeLessThanOrEqual(viewport.width);
      }
      await page.goto(`${server.url}/`);
      await page.locator("summary", { hasText: "Category" }).click();
      await screenshot(page, `filter-open-${viewport.name}`);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width, `open filter at ${viewport.width} px`).toBeLessThanOrEqual(viewport.width);
    }
    await page.close();
  });
});
