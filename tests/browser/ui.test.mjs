// The mock's web page in a real browser (headless chromium): the explorer, the dashboard's journal, state,
// reset, fault rules and credentials, and what must never happen on any page (outside requests, console
// errors, script from a journaled body). Run by `.ci/run` through tests/browser/run.sh.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, afterEach, before, describe, test } from "node:test";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import nodePath from "node:path";
import { screenshotPath, seriousViolations, startBrowser, startMock, startRedis, watchedContext } from "./mock.mjs";

const ORG = "telco";
const CUSTOMER = "123e4567-e89b-12d3-a456-556642440000";
const CREDENTIALS_PATH = `/v4/orgs/${ORG}/customers/${CUSTOMER}/credentials`;
const MASSTACK_AUTH = { Authorization: "Bearer demo-masstack-token", "x-auth-roles": "API_KEY" };
const XSS = "<img src=x onerror=alert(1)>";

let mock;
let browser;
let watched;

before(async () => {
  mock = await startMock();
  browser = await startBrowser();
});

after(async () => {
  await browser?.close();
  await mock?.stop();
});

afterEach(async () => {
  if (!watched) return;
  const { context, violations, documents } = watched;
  watched = undefined;
  await context.close();
  assert.deepEqual(violations, [], "no outside request, console error, exception or dialog on any page");
  for (const doc of documents) {
    assert.ok(doc.csp, `${doc.url} has a Content-Security-Policy`);
    assert.match(doc.csp, /default-src 'self'/, doc.url);
    assert.match(doc.csp, /script-src 'self'(;|$)/, `${doc.url}: scripts from this origin only`);
    assert.doesNotMatch(doc.csp, /unsafe-inline|unsafe-eval/, doc.url);
  }
});

/** Forgives the console lines a test expects (a refused request it made on purpose); nothing else. */
function allowConsoleErrors(expected) {
  const rest = watched.violations.filter((v) => !expected.test(v));
  watched.violations.splice(0, watched.violations.length, ...rest);
}

function tenantName(label) {
  return `ui-${label}-${Date.now().toString(36)}`;
}

async function newContext() {
  watched = await watchedContext(browser, mock.url);
  return watched.context;
}

/** A call to the mock's API from node (not the page), as a tenant. */
async function call(method, path, tenant, { headers = {}, body } = {}) {
  const started = performance.now();
  const response = await fetch(mock.url + path, {
    method,
    headers: { "X-Mock-Tenant": tenant, ...headers, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null, ms: performance.now() - started };
}

async function exported(tenant) {
  return (await call("GET", `/__mock/state?tenant=${encodeURIComponent(tenant)}`, tenant)).body.state;
}

/** Opens the dashboard (of `base`, by default the suite's mock) with a tenant selected. */
async function dashboard(context, tenant, base = mock.url) {
  const page = await context.newPage();
  await page.goto(base + "/");
  await page.waitForURL(/\/__mock\/ui\/$/);
  await page.getByRole("combobox", { name: "Tenant" }).first().fill(tenant);
  await page.getByRole("combobox", { name: "Tenant" }).first().dispatchEvent("change");
  await page.locator("#state-tenant", { hasText: tenant }).waitFor();
  await page.locator('#state-kinds details[data-kind="masstack.credential"]').waitFor();
  return page;
}

function stateIds(page, kind) {
  return page.locator(`#state-kinds details[data-kind="${kind}"] .entity-id`).allTextContents();
}

/** The mock's own kinds (credentials, authorization rules, switches, unique-key indexes), not listed as data. */
function ownKind(kind) {
  return kind.includes("#") || kind.startsWith("auth.") || kind.startsWith("mock.") || kind.startsWith("_");
}

describe("the mock's web page", () => {
  test("GET / redirects to the page, and the explorer lists every operation and all four vendor tags", async () => {
    const context = await newContext();
    const spec = await (await fetch(mock.url + "/openapi.json")).json();
    const operationIds = Object.values(spec.paths).flatMap((item) =>
      Object.values(item).filter((op) => op && op.operationId).map((op) => op.operationId),
    );
    assert.equal(operationIds.length, 12);

    const page = await context.newPage();
    await page.goto(mock.url + "/");
    assert.match(page.url(), /\/__mock\/ui\/$/);
    await page.getByRole("link", { name: "API explorer" }).click();
    await page.locator(".opblock").nth(operationIds.length - 1).waitFor();
    const shown = await page.locator(".opblock-summary-operation-id").allTextContents();
    assert.deepEqual([...shown].sort(), [...operationIds].sort());
    const tags = await page.locator(".opblock-tag").allTextContents();
    for (const tag of ["ES Loyalty", "Magicline", "MasStack", "Paysafe"]) {
      assert.ok(tags.some((t) => t.startsWith(tag)), `tag ${tag} in ${JSON.stringify(tags)}`);
    }
    await page.screenshot({ path: screenshotPath("explorer") });
    await page.getByRole("link", { name: "Dashboard" }).click();
    await page.locator("#store-note", { hasText: "State: in memory, in this process." }).waitFor();
  });

  test("a try-it create answers 2xx and the record shows in the state panel and the journal within 2 s", async () => {
    const context = await newContext();
    const tenant = tenantName("tryit");
    const board = await dashboard(context, tenant);
    await board.locator('#state-kinds details[data-kind="masstack.credential"] summary').click();
    const explorer = await context.newPage();
    await explorer.goto(mock.url + "/__mock/ui/explorer.html");
    await explorer.locator("#explorer-tenant", { hasText: tenant }).waitFor();

    const op = explorer.locator(".opblock", { has: explorer.locator(".opblock-summary-operation-id", { hasText: /^masstack_create_credential$/ }) });
    await op.locator(".opblock-summary-control").click();
    await op.getByRole("button", { name: "Try it out" }).click();
    await op.locator('tr[data-param-name="org_id"] input').fill(ORG);
    await op.locator('tr[data-param-name="customer_id"] input').fill(CUSTOMER);
    const username = `try-it-${Date.now()}@example.com`;
    await op.locator("textarea.body-param__text").fill(JSON.stringify({ username }));
    const answered = explorer.waitForResponse((r) => r.url().endsWith(CREDENTIALS_PATH) && r.request().method() === "POST");
    await op.getByRole("button", { name: "Execute" }).click();
    const response = await answered;
    const at = performance.now();
    assert.equal(response.status(), 201, await response.text());
    const { id } = await response.json();
    await op.locator(".live-responses-table .response-col_status", { hasText: "201" }).waitFor();
    await explorer.screenshot({ path: screenshotPath("explorer-try-it"), fullPage: false });

    await board.locator(`#state-kinds details[data-kind="masstack.credential"] tr[data-id="${id}"]`).waitFor({ timeout: 2000 });
    await board.locator("#journal-list .entry", { hasText: CREDENTIALS_PATH }).filter({ hasText: "201" }).waitFor({ timeout: 2000 });
    const elapsed = performance.now() - at;
    assert.ok(elapsed < 2000, `shown after ${elapsed.toFixed(0)} ms`);

    // The state panel equals what the admin API returns.
    const state = await exported(tenant);
    assert.ok(state["masstack.credential#username"][`${ORG}/${username}`], "the username is claimed");
    const shownKinds = await board.locator("#state-kinds details").evaluateAll((nodes) => nodes.map((n) => n.dataset.kind));
    assert.deepEqual(shownKinds, Object.keys(state).filter((k) => !ownKind(k)).sort(), "one table per kind of vendor data, none of the mock's own");
    for (const kind of shownKinds) {
      assert.deepEqual((await stateIds(board, kind)).sort(), Object.keys(state[kind]).sort(), kind);
    }
    const row = board.locator(`#state-kinds details[data-kind="masstack.credential"] tr[data-id="${id}"]`);
    await row.getByRole("button", { name: `Edit masstack.credential ${id}` }).click();
    const body = await board.locator("#state-kinds tr.editing textarea").inputValue();
    assert.deepEqual(JSON.parse(body), state["masstack.credential"][id]);
    await board.locator("#state-kinds tr.editing").getByRole("button", { name: "Cancel" }).click();

    // The journal entry expands, from the keyboard, to headers, bodies and a curl line that works pasted.
    const entry = board.locator("#journal-list .entry", { hasText: CREDENTIALS_PATH }).filter({ hasText: "201" });
    await entry.getByRole("button").first().focus();
    await board.keyboard.press("Enter");
    await entry.locator(".request-body").waitFor();
    assert.deepEqual(JSON.parse(await entry.locator(".request-body").textContent()), { username });
    assert.deepEqual(JSON.parse(await entry.locator(".response-body").textContent()), { id });
    await board.screenshot({ path: screenshotPath("dashboard"), fullPage: false });
    const curl = (await entry.locator(".curl-line").textContent()).replace(`${username}`, `pasted-${username}`);
    const pasted = execFileSync("sh", ["-c", `${curl} -s -o /dev/null -w '%{http_code}'`], { encoding: "utf8" });
    assert.equal(pasted, "201", `the pasted curl line (${curl}) creates another credential`);
    await entry.getByRole("button", { name: "Copy curl" }).click();
    assert.equal(await board.evaluate(() => navigator.clipboard.readText()), await entry.locator(".curl-line").textContent());
  });

  test("a fault rule at probability 1 fails the next call with its status after its delay; removing it restores the answer", async () => {
    const context = await newContext();
    const tenant = tenantName("fault");
    const board = await dashboard(context, tenant);
    const listPath = CREDENTIALS_PATH;
    assert.equal((await call("GET", listPath, tenant, { headers: MASSTACK_AUTH })).status, 200);

    await board.getByRole("combobox", { name: "Operation", exact: true }).selectOption("masstack_list_credentials");
    await board.getByRole("checkbox", { name: "only the selected tenant" }).check();
    await board.getByRole("spinbutton", { name: "Status" }).fill("503");
    await board.getByRole("spinbutton", { name: "Delay (ms)" }).fill("400");
    await board.getByRole("spinbutton", { name: "Probability (0–1)" }).fill("1");
    await board.getByRole("button", { name: "Add fault rule" }).click();
    const rule = board.locator("#fault-list li");
    await rule.waitFor();
    assert.match(await rule.textContent(), /masstack_list_credentials.*answer 503 after 400 ms/);
    await board.screenshot({ path: screenshotPath("faults"), fullPage: true });

    const faulted = await call("GET", listPath, tenant, { headers: MASSTACK_AUTH });
    assert.equal(faulted.status, 503);
    assert.ok(faulted.ms >= 400, `answered after ${faulted.ms.toFixed(0)} ms`);
    assert.ok(faulted.body && typeof faulted.body === "object", "the vendor's error body");
    // Another tenant is not affected.
    assert.equal((await call("GET", listPath, tenantName("other"), { headers: MASSTACK_AUTH })).status, 200);

    await rule.getByRole("button", { name: /Remove fault rule/ }).click();
    await rule.waitFor({ state: "detached" });
    const restored = await call("GET", listPath, tenant, { headers: MASSTACK_AUTH });
    assert.equal(restored.status, 200);
    assert.ok(Array.isArray(restored.body), "the normal list");
  });

  test("reset restores the selected tenant's demo data and leaves other tenants alone", async () => {
    const context = await newContext();
    const tenant = tenantName("reset");
    const other = tenantName("keep");
    const demoData = await exported(tenantName("fresh"));
    for (const t of [tenant, other]) {
      const created = await call("POST", CREDENTIALS_PATH, t, { headers: MASSTACK_AUTH, body: { username: `reset-${t}@example.com` } });
      assert.equal(created.status, 201);
    }
    const board = await dashboard(context, tenant);
    await board.locator('#state-kinds details[data-kind="masstack.credential"] .count', { hasText: "(2)" }).waitFor();

    await board.getByRole("button", { name: "Reset this tenant" }).click();
    await board.locator('#state-kinds details[data-kind="masstack.credential"] .count', { hasText: "(1)" }).waitFor({ timeout: 2000 });
    assert.deepEqual(await exported(tenant), demoData, "the tenant is back to its demo data");
    const kept = await exported(other);
    assert.equal(Object.keys(kept["masstack.credential"]).length, 2, "the other tenant keeps its credential");
    assert.ok(kept["masstack.credential#username"][`${ORG}/reset-${other}@example.com`]);
    await board.screenshot({ path: screenshotPath("state-after-reset"), fullPage: false });

    await board.getByRole("button", { name: "Reset all tenants" }).click();
    await board.getByRole("button", { name: "Yes" }).click();
    await board.getByRole("status").filter({ hasText: "Every tenant is back to its demo data." }).waitFor();
    assert.deepEqual(await exported(other), demoData, "reset all reaches the other tenant too");
  });

  test("a journaled body with markup stays text, and unmatched requests are marked", async () => {
    const context = await newContext();
    const tenant = tenantName("xss");
    await call("POST", CREDENTIALS_PATH, tenant, { headers: MASSTACK_AUTH, body: { username: XSS } });
    await call("POST", `/v4/orgs/${ORG}/nowhere`, tenant, { headers: MASSTACK_AUTH, body: XSS });
    const board = await dashboard(context, tenant);
    await board.getByRole("searchbox", { name: "Tenant" }).fill(tenant);
    const entries = board.locator("#journal-list .entry");
    await entries.nth(1).waitFor();
    assert.equal(await entries.count(), 2, "the tenant filter shows this tenant's two requests");
    for (const i of [0, 1]) await entries.nth(i).getByRole("button").first().click();
    const texts = await board.locator("#journal-list .request-body").allTextContents();
    assert.ok(texts.some((t) => t.includes(XSS)), `the markup is shown as text: ${texts}`);
    assert.equal(await board.locator("#journal-list img").count(), 0, "no element was created from a body");
    assert.equal(await board.locator("#state-kinds img").count(), 0);
    assert.equal(await entries.filter({ hasText: "no matching operation" }).count(), 1, "the unknown path is marked");
    await board.waitForTimeout(300); // an onerror handler would have run by now
    await board.screenshot({ path: screenshotPath("journal-text-only"), fullPage: false });
  });

  test("journal filters, clear, and the demo credentials with copy buttons", async () => {
    const context = await newContext();
    const tenant = tenantName("filters");
    await call("GET", CREDENTIALS_PATH, tenant, { headers: MASSTACK_AUTH });
    await call("GET", CREDENTIALS_PATH, tenant, {});
    await call("DELETE", `${CREDENTIALS_PATH}/00000000-0000-4000-8000-000000000000`, tenant, { headers: MASSTACK_AUTH });
    const board = await dashboard(context, tenant);
    await board.getByRole("searchbox", { name: "Tenant" }).fill(tenant);
    const entries = board.locator("#journal-list .entry");
    await entries.nth(2).waitFor();
    await board.getByRole("combobox", { name: "Status" }).selectOption({ label: "4xx" });
    assert.equal(await entries.count(), 2);
    await board.getByRole("combobox", { name: "Method" }).selectOption("DELETE");
    assert.equal(await entries.count(), 1);
    await board.getByRole("combobox", { name: "Method" }).selectOption("");
    await board.getByRole("combobox", { name: "Status" }).selectOption("");
    await board.getByRole("searchbox", { name: "Path contains" }).fill("/nowhere");
    assert.equal(await entries.count(), 0);
    await board.getByRole("searchbox", { name: "Path contains" }).fill("");

    const line = board.locator('#credential-list li[data-scheme="MagiclineApiKeyAuth"]').first();
    assert.equal(await line.locator("code").textContent(), "X-API-KEY: demo-magicline-key");
    await line.getByRole("button", { name: /^Copy MagiclineApiKeyAuth credential/ }).click();
    assert.equal(await board.evaluate(() => navigator.clipboard.readText()), "X-API-KEY: demo-magicline-key");

    await board.getByRole("button", { name: "Clear journal" }).click();
    await board.getByRole("button", { name: "Yes" }).click();
    await board.locator("#journal-empty").waitFor({ state: "visible" });
    assert.equal((await call("GET", "/__mock/requests", tenant)).body.requests.length, 0);
  });

  test("with --admin-token the page asks for the token, then works", async () => {
    const guarded = await startMock(["--admin-token", "s3cret-admin"]);
    try {
      watched = await watchedContext(browser, guarded.url);
      const page = await watched.context.newPage();
      await page.goto(guarded.url + "/");
      const token = page.getByLabel("This mock needs its admin token");
      await token.waitFor();
      await token.fill("s3cret-admin");
      await token.press("Enter");
      await page.locator('#state-kinds details[data-kind="masstack.credential"]').waitFor();
      await page.locator("#token-form").waitFor({ state: "hidden" });
      await page.locator("#journal-empty").waitFor();
    } finally {
      // Closed before the mock stops, so no poll meets a closed port.
      await watched.context.close();
      await guarded.stop();
    }
    // The admin calls refused before the token was given are the expected ones; nothing else is allowed.
    allowConsoleErrors(/Failed to load resource: the server responded with a status of 401/);
  });

  test("on Redis, two replicas' dashboards show one shared state and one journal, and a reset on one is seen on the other", async (t) => {
    const redis = await startRedis();
    if (!redis) {
      t.skip("redis-server is not installed");
      return;
    }
    const prefix = `ui-${Date.now()}`;
    const replicas = [];
    try {
      for (let i = 0; i < 2; i += 1) replicas.push(await startMock(["--redis-url", redis.url, "--redis-prefix", prefix]));
      const [one, two] = replicas;
      watched = await watchedContext(browser, one.url, two.url);
      const tenant = tenantName("redis");
      const open = async (replica) => {
        const page = await dashboard(watched.context, tenant, replica.url);
        await page.locator("#store-note", { hasText: "State: Redis, shared by every replica." }).waitFor();
        return page;
      };
      const count = (page) => page.locator('#state-kinds details[data-kind="masstack.credential"] .count');
      const pageOne = await open(one);
      const pageTwo = await open(two);
      await count(pageTwo).filter({ hasText: "(1)" }).waitFor();

      // A create through replica one shows on replica two's page.
      const created = await fetch(one.url + CREDENTIALS_PATH, {
        method: "POST",
        headers: { ...MASSTACK_AUTH, "X-Mock-Tenant": tenant, "Content-Type": "application/json" },
        body: JSON.stringify({ username: "shared@example.com" }),
      });
      assert.equal(created.status, 201);
      await pageTwo.getByRole("button", { name: "Refresh" }).click();
      await count(pageTwo).filter({ hasText: "(2)" }).waitFor({ timeout: 2000 });

      // One journal: replica two's page lists the create that replica one served, naming that replica.
      const served = pageTwo.locator("#journal-list .entry", { hasText: "masstack_create_credential" });
      await served.first().waitFor({ timeout: 5000 });
      const journal = await (await fetch(one.url + `/__mock/requests?tenant=${tenant}`)).json();
      const replicaOne = journal.journal.replica;
      await served.first().locator(".summary").click();
      await served.first().locator(".replica-line", { hasText: `Served by replica ${replicaOne}.` }).waitFor();
      await served.first().locator(".summary").click();

      // A reset from replica two's page is seen on replica one's.
      await pageTwo.getByRole("button", { name: "Reset this tenant" }).click();
      await pageTwo.getByRole("status").filter({ hasText: `Tenant ${tenant} is back to its demo data.` }).waitFor();
      await pageOne.getByRole("button", { name: "Refresh" }).click();
      await count(pageOne).filter({ hasText: "(1)" }).waitFor({ timeout: 2000 });
      await pageOne.screenshot({ path: screenshotPath("dashboard-on-redis"), fullPage: false });
      await watched.context.close();
    } finally {
      for (const replica of replicas) await replica.stop();
      await redis.stop();
    }
  });

  test("an opened entry stays open, focused and in place while 50 requests arrive; they wait until it is closed; Pause holds new ones back", async () => {
    const context = await newContext();
    const tenant = tenantName("still");
    await call("GET", CREDENTIALS_PATH, tenant, { headers: MASSTACK_AUTH });
    const board = await dashboard(context, tenant);
    await board.getByRole("searchbox", { name: "Tenant" }).fill(tenant);
    const entries = board.locator("#journal-list .entry");
    await entries.first().waitFor();
    const opened = entries.first().locator(".summary");
    await opened.click();
    await opened.focus();
    const id = await entries.first().getAttribute("data-id");
    const top = (await opened.boundingBox()).y;
    await board.evaluate(() => getSelection().selectAllChildren(document.querySelector("#journal-list .details .curl-line")));
    const selected = await board.evaluate(() => getSelection().toString());
    for (let i = 0; i < 50; i += 1) await call("GET", CREDENTIALS_PATH, tenant, { headers: MASSTACK_AUTH });
    await board.getByRole("button", { name: "Show 50 new" }).waitFor({ timeout: 5000 });
    await board.waitForTimeout(600); // another poll or two
    const still = board.locator(`#journal-list li[data-id="${id}"] .summary`);
    assert.equal(await still.getAttribute("aria-expanded"), "true", "the entry is still open");
    assert.equal(await board.evaluate(() => document.activeElement.closest("li")?.dataset.id), id, "focus stayed on it");
    assert.ok(Math.abs((await still.boundingBox()).y - top) < 5, "it did not move on the screen");
    assert.equal(await board.evaluate(() => getSelection().toString()), selected, "the selection was kept");
    await still.click(); // closing it lets the waiting requests in
    await board.locator("#journal-count", { hasText: "(51 of" }).waitFor({ timeout: 3000 });

    await board.getByRole("button", { name: "Pause" }).click();
    for (let i = 0; i < 3; i += 1) await call("GET", CREDENTIALS_PATH, tenant, { headers: MASSTACK_AUTH });
    await board.getByRole("button", { name: "Show 3 new" }).waitFor({ timeout: 3000 });
    assert.equal(await entries.count(), 51, "paused: nothing added");
    await board.getByRole("button", { name: "Show 3 new" }).click();
    await board.locator("#journal-count", { hasText: "(54 of" }).waitFor();
    assert.equal(await board.getByRole("button", { name: "Pause" }).count(), 1, "following again");
  });

  test("an error row shows the vendor's code and message and a marker that is not only a colour", async () => {
    const context = await newContext();
    const tenant = tenantName("errors");
    const body = { username: `twice-${tenant}@example.com` };
    assert.equal((await call("POST", CREDENTIALS_PATH, tenant, { headers: MASSTACK_AUTH, body })).status, 201);
    const conflict = await call("POST", CREDENTIALS_PATH, tenant, { headers: MASSTACK_AUTH, body });
    assert.equal(conflict.status, 409);
    const code = conflict.body.errors[0].error.code;
    const board = await dashboard(context, tenant);
    await board.getByRole("searchbox", { name: "Tenant" }).fill(tenant);
    const failed = board.locator("#journal-list .entry").first();
    await failed.locator(".error-summary").waitFor();
    assert.match(await failed.locator(".error-summary").textContent(), new RegExp(`^${code}: .+`));
    assert.equal(await failed.locator(".status .glyph").textContent(), "✗");
    assert.equal(await board.locator("#journal-list .entry").nth(1).locator(".status .glyph").textContent(), "✓");
    assert.equal(await board.locator("#journal-list .entry").nth(1).locator(".error-summary").count(), 0);
  });

  test("destructive actions ask first, next to the button, and Cancel changes nothing", async () => {
    const context = await newContext();
    const tenant = tenantName("ask");
    await call("POST", CREDENTIALS_PATH, tenant, { headers: MASSTACK_AUTH, body: { username: `ask-${tenant}@example.com` } });
    const board = await dashboard(context, tenant);
    await board.locator('#state-kinds details[data-kind="masstack.credential"] .count', { hasText: "(2)" }).waitFor();
    await board.getByRole("button", { name: "Reset all tenants" }).click();
    const question = board.getByRole("group", { name: "Reset every tenant to its demo data?" });
    await question.waitFor();
    await question.getByRole("button", { name: "Cancel" }).click();
    assert.equal(await question.count(), 0);
    assert.equal(Object.keys((await exported(tenant))["masstack.credential"]).length, 2, "nothing was reset");
    await board.getByRole("button", { name: "Clear journal" }).click();
    await board.getByRole("group", { name: "Clear the journal for everyone using this mock?" }).getByRole("button", { name: "Cancel" }).click();
    assert.ok((await call("GET", "/__mock/requests", tenant)).body.requests.length > 0, "nothing was cleared");
  });

  test("from 360 px wide to desktop nothing is wider than the screen and journal rows keep every column", async () => {
    const context = await newContext();
    const tenant = tenantName("phone");
    await call("GET", CREDENTIALS_PATH, tenant, { headers: MASSTACK_AUTH });
    await call("POST", CREDENTIALS_PATH, tenant, { headers: MASSTACK_AUTH, body: {} });
    const board = await dashboard(context, tenant);
    for (const [width, height, name] of [[360, 740, "phone"], [390, 844, "phone-390"], [1440, 900, "desktop"]]) {
      await board.setViewportSize({ width, height });
      await board.locator("#journal-list .entry").nth(1).waitFor();
      const overflow = await board.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${width} px: the page is ${overflow} px wider than the screen`);
      const row = board.locator("#journal-list .entry").first();
      for (const column of [".path", ".operation", ".status", ".method"]) {
        const box = await row.locator(column).boundingBox();
        assert.ok(box && box.width > 20 && box.x + box.width <= width + 1, `${width} px: ${column} is shown (${JSON.stringify(box)})`);
      }
      await board.screenshot({ path: screenshotPath(`dashboard-${name}`), fullPage: true });
    }
  });

  test("a copied curl replays what was sent: a read-only key's 403 as 403, a wrong key's 401 as 401; fetch() likewise", async () => {
    const context = await newContext();
    const tenant = tenantName("replay");
    const mediums = "/v1/customers/1001/access-mediums";
    const body = { type: "CARD_NUMBER", value: `RO${Date.now()}` };
    const readOnly = await call("POST", mediums, tenant, { headers: { "X-API-KEY": "demo-magicline-readonly" }, body });
    assert.equal(readOnly.status, 403);
    const wrong = await call("POST", mediums, tenant, { headers: { "X-API-KEY": "not-a-key" }, body });
    assert.equal(wrong.status, 401);
    const board = await dashboard(context, tenant);
    await board.getByRole("searchbox", { name: "Tenant" }).fill(tenant);
    const entries = board.locator("#journal-list .entry");
    await entries.nth(1).waitFor();
    // By id: replaying adds requests to the journal, which shifts positions.
    const [wrongId, readOnlyId] = [await entries.nth(0).getAttribute("data-id"), await entries.nth(1).getAttribute("data-id")];
    const byId = (id) => board.locator(`#journal-list li[data-id="${id}"]`);
    const replay = async (entry) => {
      await entry.locator(".summary").click();
      const curl = await entry.locator(".curl-line").textContent();
      const code = execFileSync("sh", ["-c", `${curl} -s -o /dev/null -w '%{http_code}'`], { encoding: "utf8" });
      await entry.locator(".summary").click();
      return { curl, code };
    };
    const fromWrongKey = await replay(byId(wrongId));
    assert.equal(fromWrongKey.code, "401", fromWrongKey.curl);
    assert.match(fromWrongKey.curl, /x-api-key: <not recorded: the credential you sent>/, "a placeholder, not another key");
    const fromReadOnly = await replay(byId(readOnlyId));
    assert.equal(fromReadOnly.code, "403", fromReadOnly.curl);
    assert.match(fromReadOnly.curl, /x-api-key: demo-magicline-readonly/);
    assert.match(fromReadOnly.curl, / \\\n  -H /, "one option per line");
    // The same request as frontend code, run in the page: 403 again.
    await byId(readOnlyId).locator(".summary").click();
    await byId(readOnlyId).getByRole("button", { name: "Copy as fetch()" }).click();
    const code = await board.evaluate(() => navigator.clipboard.readText());
    assert.match(code, /^await fetch\(/);
    const status = await board.evaluate(async (source) => {
      const [, url, init] = source.match(/^await fetch\(("[^"]*"), ([\s\S]*)\);$/);
      return (await fetch(JSON.parse(url), JSON.parse(init))).status;
    }, code);
    assert.equal(status, 403);
    // The refused fetch() is the one expected console line; nothing else is allowed.
    allowConsoleErrors(/Failed to load resource: the server responded with a status of 403/);
  });

  test("an API key in the query or a cookie, as another document places it, is redacted and replays as its demo key or a placeholder", async () => {
    // The plain stores document: `api_key` in the query, `session` in a cookie; demo credentials for both.
    const folder = mkdtempSync(nodePath.join(tmpdir(), "concord-redaction-"));
    const seed = nodePath.join(folder, "credentials.json");
    writeFileSync(seed, JSON.stringify({ "auth.credential": { "queryKey:demo-query-key": {}, "session:demo-session": {} } }));
    const stores = nodePath.resolve(import.meta.dirname, "../../mock-server/tests/fixtures/plain-stores.yaml");
    const plain = await startMock(["--spec", stores, "--demo-data", seed]);
    try {
      watched = await watchedContext(browser, plain.url);
      const tenant = tenantName("redaction");
      const store = "st_1MvSieLkdIwHu7ixn6SIxGdF";
      const send = (path, headers = {}) => fetch(plain.url + path, { headers: { "X-Mock-Tenant": tenant, ...headers } });
      assert.equal((await send("/v1/stores?limit=1&api_key=demo-query-key")).status, 200);
      assert.equal((await send("/v1/stores?limit=1&api_key=real-query-secret")).status, 401);
      assert.equal((await send(`/v1/stores/${store}/members`, { cookie: "theme=dark; session=demo-session" })).status, 200);
      const page = await watched.context.newPage();
      await page.goto(plain.url + "/__mock/ui/");
      await page.getByRole("combobox", { name: "Tenant" }).first().fill(tenant);
      await page.getByRole("combobox", { name: "Tenant" }).first().dispatchEvent("change");
      const entries = page.locator("#journal-list .entry");
      await entries.nth(2).waitFor();
      assert.doesNotMatch(await page.content(), /real-query-secret/, "the page never shows a key that is not a demo key");
      const ids = await Promise.all([0, 1, 2].map((i) => entries.nth(i).getAttribute("data-id")));
      const curlOf = async (id) => {
        const entry = page.locator(`#journal-list li[data-id="${id}"]`);
        await entry.locator(".summary").click();
        const curl = await entry.locator(".curl-line").textContent();
        await entry.locator(".summary").click();
        return curl;
      };
      const [cookieCurl, wrongCurl, demoCurl] = [await curlOf(ids[0]), await curlOf(ids[1]), await curlOf(ids[2])];
      const replayed = (curl) => execFileSync("sh", ["-c", `${curl} -s -o /dev/null -w '%{http_code}'`], { encoding: "utf8" });
      assert.match(demoCurl, /api_key=demo-query-key/, demoCurl);
      assert.equal(replayed(demoCurl), "200", demoCurl);
      assert.match(wrongCurl, /api_key=%3Cnot\+recorded/, wrongCurl);
      assert.doesNotMatch(wrongCurl, /real-query-secret|\*\*\*/, wrongCurl);
      assert.equal(replayed(wrongCurl), "401", "a wrong key's 401 replays as 401");
      assert.match(cookieCurl, /-H 'cookie: session=demo-session'/, cookieCurl);
      assert.equal(replayed(cookieCurl), "200", cookieCurl);
      const journal = await (await fetch(plain.url + `/__mock/requests?tenant=${tenant}`)).text();
      assert.doesNotMatch(journal, /real-query-secret/);
    } finally {
      // Closed before the mock stops, so no poll meets a closed port.
      await watched.context.close();
      await plain.stop();
    }
  });

  test("every control has a role and an accessible name", async () => {
    const context = await newContext();
    const board = await dashboard(context, tenantName("a11y"));
    await call("GET", CREDENTIALS_PATH, "a11y", { headers: MASSTACK_AUTH });
    await board.locator("#journal-list .entry").first().waitFor();
    await board.locator("#journal-list .entry .summary").first().click();
    const unnamed = await board.evaluate(() =>
      [...document.querySelectorAll("button, input, select, a, summary, textarea")]
        .filter((node) => node.offsetParent !== null || node.tagName === "SUMMARY")
        .filter((node) => {
          const labelled = node.labels && node.labels.length > 0;
          const text = (node.getAttribute("aria-label") || node.textContent || node.getAttribute("title") || "").trim();
          return !labelled && !text;
        })
        .map((node) => node.outerHTML.slice(0, 120)),
    );
    assert.deepEqual(unnamed, []);
  });
  test("the response switch forces a named example on the next call, shows it in the journal, and switches back", async () => {
    const context = await newContext();
    const tenant = tenantName("switch");
    const bulk = "/customers/1231122232/prepaid/cards/bulk/8d2b3a8c-3c54-4a0e-9a53-6bb3f7e0c001";
    const paysafe = { Authorization: "Bearer demo-paysafe-token" };
    assert.equal((await call("GET", bulk, tenant, { headers: paysafe })).status, 200);
    const board = await dashboard(context, tenant);
    await board.getByRole("combobox", { name: "Operation to switch" }).selectOption("paysafe_get_bulk_order");
    const control = board.locator('#switch-control .mock-switch[data-operation="paysafe_get_bulk_order"]');
    await control.getByRole("combobox", { name: "Answer" }).selectOption({ label: "404 · example ENTITY_NOT_FOUND" });
    // A refresh that brings nothing new (here: a reset of the tenant, which reloads the switches) leaves the
    // answer being chosen alone; a slow first load used to reset it under a busy machine.
    await board.getByRole("button", { name: "Reset this tenant" }).click();
    await board.getByRole("status").filter({ hasText: `Tenant ${tenant} is back to its demo data.` }).waitFor();
    await board.waitForTimeout(300);
    assert.equal(await control.getByRole("combobox", { name: "Answer" }).inputValue() !== "", true, "the chosen answer is kept");
    await control.getByRole("button", { name: "Switch", exact: true }).click();
    await control.getByRole("status").filter({ hasText: "answers 404 example ENTITY_NOT_FOUND" }).waitFor();
    await board.locator('#switch-list li[data-operation="paysafe_get_bulk_order"]').waitFor();

    const forced = await call("GET", bulk, tenant, { headers: paysafe });
    assert.equal(forced.status, 404);
    assert.equal(forced.body.error.code, "DW-ENTITY-NOT-FOUND");
    assert.equal((await call("GET", bulk, tenantName("other"), { headers: paysafe })).status, 200, "only this tenant");
    await board.getByRole("searchbox", { name: "Tenant" }).fill(tenant);
    const row = board.locator("#journal-list .entry", { hasText: "paysafe_get_bulk_order" }).filter({ hasText: "404" });
    await row.locator(".error-summary", { hasText: "forced by the response switch: example ENTITY_NOT_FOUND" }).waitFor();
    await board.screenshot({ path: screenshotPath("response-switch"), fullPage: false });

    await board.locator("#switch-list").getByRole("button", { name: "Switch back paysafe_get_bulk_order" }).click();
    await board.locator("#switch-empty").waitFor({ state: "visible" });
    assert.equal((await call("GET", bulk, tenant, { headers: paysafe })).status, 200);
    assert.deepEqual((await call("GET", `/__mock/switches?tenant=${tenant}`, tenant)).body.switches, []);
  });

  test("the explorer switches an operation's answer, and try-it gets it", async () => {
    const context = await newContext();
    const tenant = tenantName("explorer-switch");
    await dashboard(context, tenant);
    const explorer = await context.newPage();
    await explorer.goto(mock.url + "/__mock/ui/explorer.html");
    const op = explorer.locator(".opblock", { has: explorer.locator(".opblock-summary-operation-id", { hasText: /^masstack_list_credentials$/ }) });
    await op.locator(".opblock-summary-control").click();
    const control = op.locator(".mock-switch");
    await control.getByRole("combobox", { name: "Answer" }).selectOption({ label: "503 · example SERVICE_UNAVAILABLE" });
    await control.getByRole("spinbutton", { name: "Delay (ms)" }).fill("300");
    await control.getByRole("button", { name: "Switch", exact: true }).click();
    await control.getByRole("status").filter({ hasText: "503 example SERVICE_UNAVAILABLE, 300 ms late" }).waitFor();
    assert.deepEqual((await call("GET", `/__mock/switches?tenant=${tenant}`, tenant)).body.switches, [
      { operation: "masstack_list_credentials", status: 503, example: "SERVICE_UNAVAILABLE", delayMs: 300 },
    ]);
    await op.getByRole("button", { name: "Try it out" }).click();
    await op.locator('tr[data-param-name="org_id"] input').fill(ORG);
    await op.locator('tr[data-param-name="customer_id"] input').fill(CUSTOMER);
    const answered = explorer.waitForResponse((r) => r.url().endsWith(CREDENTIALS_PATH) && r.request().method() === "GET");
    await op.getByRole("button", { name: "Execute" }).click();
    const response = await answered;
    assert.equal(response.status(), 503);
    await op.locator(".live-responses-table .response-col_status", { hasText: "503" }).waitFor();
    await control.getByRole("button", { name: "Switch back" }).click();
    await control.getByRole("status").filter({ hasText: "Not switched" }).waitFor();
    assert.equal((await call("GET", CREDENTIALS_PATH, tenant, { headers: MASSTACK_AUTH })).status, 200);
    // The 503 try-it got is the one expected console line.
    allowConsoleErrors(/Failed to load resource: the server responded with a status of 503/);
  });

  test("state tables: search, edit through the guarded store (a taken username is refused), export and import", async () => {
    const context = await newContext();
    const tenant = tenantName("edit");
    const created = await call("POST", CREDENTIALS_PATH, tenant, { headers: MASSTACK_AUTH, body: { username: `edit-${tenant}@example.com` } });
    assert.equal(created.status, 201);
    const id = created.body.id;
    const board = await dashboard(context, tenant);
    const kind = board.locator('#state-kinds details[data-kind="masstack.credential"]');
    await kind.locator(".count", { hasText: "(2)" }).waitFor();
    await board.getByRole("searchbox", { name: "Search state" }).fill(`edit-${tenant}`);
    assert.equal(await kind.locator("tbody tr").count(), 1, "the search keeps the matching row");
    assert.ok(await kind.evaluate((d) => d.open), "a kind with matches opens");

    const editRow = async () => {
      await kind.getByRole("button", { name: `Edit masstack.credential ${id}` }).click();
      return board.locator("#state-kinds tr.editing");
    };
    const state = await exported(tenant);
    const taken = Object.values(state["masstack.credential"]).find((c) => c.username !== `edit-${tenant}@example.com`).username;
    let editor = await editRow();
    await editor.locator("textarea").fill(JSON.stringify({ ...state["masstack.credential"][id], username: taken }));
    await editor.getByRole("button", { name: "Save" }).click();
    await editor.getByRole("status").filter({ hasText: `already holds the unique username` }).waitFor();
    assert.equal((await exported(tenant))["masstack.credential"][id].username, `edit-${tenant}@example.com`, "nothing changed");
    await editor.locator("textarea").fill(JSON.stringify({ ...state["masstack.credential"][id], username: `renamed-${tenant}@example.com` }));
    await editor.getByRole("button", { name: "Save" }).click();
    await board.locator("#state-note", { hasText: `Saved masstack.credential ${id}.` }).waitFor();
    const after = await exported(tenant);
    assert.equal(after["masstack.credential"][id].username, `renamed-${tenant}@example.com`);
    assert.ok(after["masstack.credential#username"][`${ORG}/renamed-${tenant}@example.com`], "the unique key moved");
    assert.equal(after["masstack.credential#username"][`${ORG}/edit-${tenant}@example.com`], undefined, "the old key is free");
    await board.getByRole("searchbox", { name: "Search state" }).fill("");

    const [download] = await Promise.all([board.waitForEvent("download"), board.getByRole("button", { name: "Export" }).click()]);
    const file = nodePath.join(mkdtempSync(nodePath.join(tmpdir(), "concord-ui-")), "state.json");
    await download.saveAs(file);
    const saved = JSON.parse(readFileSync(file, "utf8"));
    assert.deepEqual(saved.state, after);

    // Into another tenant, through Import… (asked first).
    const other = tenantName("imported");
    await board.getByRole("combobox", { name: "Tenant" }).first().fill(other);
    await board.getByRole("combobox", { name: "Tenant" }).first().dispatchEvent("change");
    await board.locator("#state-tenant", { hasText: other }).waitFor();
    await board.getByRole("button", { name: "Import…" }).click();
    const [chooser] = await Promise.all([board.waitForEvent("filechooser"), board.getByRole("group", { name: "Replace this tenant's state with a file?" }).getByRole("button", { name: "Yes" }).click()]);
    await chooser.setFiles(file);
    await board.locator("#state-note", { hasText: `into tenant ${other}` }).waitFor();
    assert.deepEqual(await exported(other), after);
    // The refused save is the one expected console line.
    allowConsoleErrors(/Failed to load resource: the server responded with a status of 409/);
  });

  test("the journal search finds a vendor code, and shows the CORS headers a page got and its preflight", async () => {
    const context = await newContext();
    const tenant = tenantName("cors");
    const origin = "http://localhost:5173";
    await call("OPTIONS", CREDENTIALS_PATH, tenant, { headers: { Origin: origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,x-auth-roles" } });
    await call("GET", CREDENTIALS_PATH, tenant, { headers: { ...MASSTACK_AUTH, Origin: origin } });
    await call("GET", `/v4/orgs/${ORG}/customers/00000000-0000-4000-8000-000000000000/credentials`, tenant, { headers: MASSTACK_AUTH });
    const board = await dashboard(context, tenant);
    await board.getByRole("searchbox", { name: "Tenant" }).fill(tenant);
    const entries = board.locator("#journal-list .entry");
    await entries.nth(2).waitFor();
    const preflight = entries.filter({ hasText: "(CORS preflight)" });
    assert.equal(await preflight.count(), 1);
    await preflight.locator(".summary").click();
    await preflight.locator(".cors-line", { hasText: `Preflight from ${origin} for POST: allowed` }).waitFor();
    await preflight.locator(".summary").click();
    const get = entries.filter({ hasText: "masstack_list_credentials" }).filter({ hasText: "200" });
    await get.locator(".summary").click();
    await get.locator(".cors-line", { hasText: `(Access-Control-Allow-Origin: ${origin})` }).waitFor();
    await get.locator(".summary").click();

    const notFound = entries.filter({ hasText: "404" });
    const code = (await notFound.locator(".error-summary").textContent()).split(":")[0];
    await board.getByRole("searchbox", { name: "Search requests" }).fill(code);
    assert.equal(await entries.count(), 1, `only the ${code} answer`);
    await board.getByRole("searchbox", { name: "Search requests" }).fill(origin);
    assert.equal(await entries.count(), 2, "headers are searched too");
  });

  test("the first visit shows a quick start whose sample call works pasted; Hide is remembered", async () => {
    const context = await newContext();
    const tenant = tenantName("start");
    const board = await dashboard(context, tenant);
    const start = board.locator("#quickstart");
    await start.waitFor();
    // Rendered again for the tenant chosen: wait for that render, not the first one's text.
    await start.locator(".curl-line", { hasText: `X-Mock-Tenant: ${tenant}` }).first().waitFor();
    assert.equal(await board.locator("#quickstart-base").textContent(), mock.url);
    const vendors = await start.locator("#quickstart-vendors > li").evaluateAll((nodes) => nodes.map((n) => n.dataset.vendor));
    assert.deepEqual([...vendors].sort(), ["ES Loyalty", "Magicline", "MasStack", "Paysafe"]);
    for (const vendor of ["Paysafe", "MasStack", "Magicline"]) {
      const curl = await start.locator(`li[data-vendor="${vendor}"] .curl-line`).textContent();
      const code = execFileSync("sh", ["-c", `${curl} -o /dev/null -w '%{http_code}'`], { encoding: "utf8" });
      assert.equal(code, "200", `${vendor}: ${curl}`);
      assert.match(curl, new RegExp(`X-Mock-Tenant: ${tenant}`));
    }
    await start.getByRole("button", { name: "Hide" }).click();
    await board.reload();
    await board.locator("#state-kinds details").first().waitFor();
    assert.ok(await start.isHidden(), "hidden after a reload");
    await board.getByRole("button", { name: "Quick start" }).click();
    await start.waitFor();
  });

  test("axe-core finds no serious or critical violation on the dashboard (light and dark) and the explorer", async () => {
    const context = await newContext();
    const tenant = tenantName("axe");
    await call("GET", CREDENTIALS_PATH, tenant, { headers: MASSTACK_AUTH });
    await call("GET", CREDENTIALS_PATH, tenant, {});
    const board = await dashboard(context, tenant);
    await board.getByRole("searchbox", { name: "Tenant" }).fill(tenant);
    await board.locator("#journal-list .entry").nth(1).waitFor();
    await board.locator("#journal-list .entry .summary").first().click();
    await board.locator('#state-kinds details[data-kind="masstack.credential"] summary').click();
    await board.getByRole("combobox", { name: "Operation to switch" }).selectOption("paysafe_get_bulk_order");
    await board.locator("#quickstart").waitFor();
    for (const scheme of ["light", "dark"]) {
      await board.emulateMedia({ colorScheme: scheme });
      const background = await board.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
      assert.equal(background, scheme === "dark" ? "rgb(17, 22, 29)" : "rgb(246, 247, 249)", `${scheme}: follows the system setting`);
      assert.deepEqual(await seriousViolations(board), [], `dashboard, ${scheme}`);
      await board.screenshot({ path: screenshotPath(`dashboard-${scheme}`), fullPage: false });
    }
    const explorer = await context.newPage();
    await explorer.goto(mock.url + "/__mock/ui/explorer.html");
    const op = explorer.locator(".opblock", { has: explorer.locator(".opblock-summary-operation-id", { hasText: /^magicline_get_access_code$/ }) });
    await op.locator(".opblock-summary-control").click();
    await op.locator(".mock-switch").waitFor();
    assert.equal(await explorer.locator("main").count(), 1, "one main landmark");
    assert.deepEqual(await seriousViolations(explorer), [], "explorer");
    await op.screenshot({ path: screenshotPath("explorer-deprecated") });
  });

  test("a deprecated operation in the explorer is readable and names the replacement the document gives", async () => {
    const folder = mkdtempSync(nodePath.join(tmpdir(), "concord-deprecated-"));
    const spec = nodePath.join(folder, "drinks.yaml");
    writeFileSync(spec, `openapi: 3.0.3
info: {title: Drinks, version: "1"}
paths:
  /drinks:
    get:
      operationId: listDrinks
      tags: [Drinks]
      deprecated: true
      x-speakeasy-deprecation-replacement: listBeverages
      x-speakeasy-deprecation-message: Drinks are beverages now
      responses:
        "200": {description: OK, content: {application/json: {schema: {type: array, items: {type: string}}}}}
  /beverages:
    get:
      operationId: listBeverages
      tags: [Drinks]
      responses:
        "200": {description: OK, content: {application/json: {schema: {type: array, items: {type: string}}}}}
`);
    const drinks = await startMock(["--spec", spec]);
    try {
      watched = await watchedContext(browser, drinks.url);
      const explorer = await watched.context.newPage();
      await explorer.goto(drinks.url + "/__mock/ui/explorer.html");
      const op = explorer.locator(".opblock", { has: explorer.locator(".opblock-summary-operation-id", { hasText: /^listDrinks$/ }) });
      await op.locator(".deprecation-note", { hasText: "Deprecated: use listBeverages (GET /beverages) instead. Drinks are beverages now" }).waitFor();
      assert.equal(await op.evaluate((node) => getComputedStyle(node).opacity), "1", "not faded");
      assert.deepEqual(await seriousViolations(explorer), [], "readable: no contrast violation");
      await op.screenshot({ path: screenshotPath("explorer-replacement") });
    } finally {
      await watched.context.close();
      await drinks.stop();
    }
  });
});

describe("the validating proxy on the page", () => {
  test("a drifted vendor answer shows in the Drift view and the journal, links to its requests, and the operation can be switched to the mock", async () => {
    // A vendor that has drifted from the contract: a renamed field, a wrong type, a header the contract does not name.
    const http = await import("node:http");
    const vendor = http.createServer((request, response) => {
      response.writeHead(200, { "content-type": "application/json", "x-ratelimit-remaining": "99" });
      response.end(JSON.stringify([{ id: "028076fa-c264-42bb-9983-8872a576be28", user_name: "ana", enabled: "yes" }]));
    });
    await new Promise((resolve) => vendor.listen(0, "127.0.0.1", resolve));
    const proxied = await startMock(["--upstream", `masstack=http://127.0.0.1:${vendor.address().port}`]);
    try {
      watched = await watchedContext(browser, proxied.url);
      const tenant = tenantName("drift");
      const page = await dashboard(watched.context, tenant, proxied.url);
      await page.locator("#proxy").waitFor({ state: "visible" });
      await page.locator('#proxy-modes li[data-operation="masstack_list_credentials"]').waitFor();

      const sent = await fetch(proxied.url + CREDENTIALS_PATH, { headers: { "X-Mock-Tenant": tenant, ...MASSTACK_AUTH } });
      assert.equal(sent.status, 200);
      assert.equal(sent.headers.get("x-concord-violation-count"), "3");
      await sent.text();

      const row = page.locator('#drift-list li.drifted[data-operation="masstack_list_credentials"][data-status="200"]');
      await row.waitFor({ timeout: 10_000 });
      for (const pointer of ["/0/username", "/0/enabled", "/x-ratelimit-remaining"]) {
        await row.locator(".violations li", { hasText: pointer }).waitFor();
      }
      const entry = page.locator("#journal-list .entry", { hasText: "masstack_list_credentials" });
      await entry.locator(".error-summary", { hasText: "vendor 200: 3 violations of the contract" }).waitFor();
      await page.locator("#proxy").screenshot({ path: screenshotPath("drift") });

      await row.getByRole("button", { name: "Show requests" }).click();
      assert.equal(await page.locator("#filter-text").inputValue(), "masstack_list_credentials");
      await entry.first().waitFor();
      await entry.first().locator(".summary").click();
      await entry.first().locator(".upstream-line", { hasText: "Forwarded to http://127.0.0.1:" }).waitFor();

      // Switched to the mock for this tenant, the same call is the mock's (no proxy headers).
      await page.getByRole("combobox", { name: "Who answers masstack_list_credentials" }).selectOption("mock");
      await page.locator("#proxy-note", { hasText: "answered by the mock" }).waitFor();
      const mocked = await fetch(proxied.url + CREDENTIALS_PATH, { headers: { "X-Mock-Tenant": tenant, ...MASSTACK_AUTH } });
      assert.equal(mocked.status, 200);
      assert.equal(mocked.headers.get("x-concord-violation-count"), null);
      assert.equal((await mocked.json())[0].username, "ana.garcia@masmovil.com");
    } finally {
      // Closed before the mock stops, so no poll meets a closed port.
      await watched.context.close();
      await proxied.stop();
      vendor.close();
    }
  });
});
