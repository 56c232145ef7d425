// The live dashboard: wires the journal, the tenant's state, the response switch, fault rules, the demo
// credentials and the quick start to the selected tenant and the admin token. Every value is inserted as
// text (Concord.el), never as HTML.
import { createFaults } from "./faults.js";
import { createJournal } from "./journal.js";
import { createProxyPanel } from "./proxy.js";
import { showQuickStart, wireQuickStart } from "./quickstart.js";
import { createStateView } from "./state-view.js";
import { createSwitchPanel } from "./switch-panel.js";

const { el, admin, status } = Concord;
const $ = (id) => document.getElementById(id);
const tenantInput = $("tenant");
const tenant = () => Concord.tenant();

let creds = { schemes: {}, byScheme: new Map() };
let tokenWanted = false;
let stateTimer;

function fail(error) {
  if (error instanceof Concord.NeedsToken) {
    tokenWanted = true;
    $("token-form").hidden = false;
    status("This mock requires its admin token (started with --admin-token).", true);
  } else {
    status(error.message, true);
  }
}

const stateView = createStateView({ tenant, fail, changed: () => loadState() });
const switches = createSwitchPanel({ tenant, fail });
const faults = createFaults({ tenant, fail });
const proxy = createProxyPanel({ tenant, fail });
const journal = createJournal({
  schemes: () => creds.schemes,
  fail,
  onPolled(arrived) {
    if (tokenWanted) {
      tokenWanted = false;
      $("token-form").hidden = true;
      status("");
    }
    faults.polled(arrived);
    proxy.polled(arrived);
    // A write to the selected tenant changes its state: show it now, not on the next manual refresh.
    if (arrived.some((r) => r.tenant === tenant() && r.method !== "GET" && r.method !== "OPTIONS")) loadState();
  },
});

function renderCredentials() {
  const items = [];
  for (const [schemeName, list] of creds.byScheme) {
    const scheme = creds.schemes[schemeName];
    for (const cred of list) {
      const header = Concord.headerFor(scheme, cred.value);
      const line = header ? `${header[0]}: ${header[1]}` : cred.value;
      const scopes = cred.details && cred.details.scopes ? ` (scopes: ${cred.details.scopes.join(", ")})` : "";
      items.push(
        el("li", { "data-scheme": schemeName },
          el("span", { class: "scheme" }, schemeName + scopes),
          el("code", { class: "credential" }, line),
          el("button", { type: "button", "aria-label": `Copy ${schemeName} credential ${cred.value}`, onclick: () => Concord.copy(line, `${schemeName} header`) }, "Copy"),
        ),
      );
    }
  }
  $("credential-list").replaceChildren(...items);
}

function loadState() {
  clearTimeout(stateTimer);
  // Debounced: a burst of writes reloads the state once.
  stateTimer = setTimeout(async () => {
    const which = tenant();
    try {
      const loaded = await Concord.credentials(which);
      if (which !== tenant()) return;
      creds = loaded;
      stateView.show(creds.state);
      renderCredentials();
    } catch (e) {
      fail(e);
    }
  }, 50);
}

async function reset(all) {
  try {
    await admin("POST", "/reset", { query: all ? {} : { tenant: tenant() } });
    Concord.note("state-note", all ? "Every tenant is back to its demo data. No operation is switched any more." : `Tenant ${tenant()} is back to its demo data. No operation is switched any more.`);
    loadState();
    switches.load();
  } catch (e) {
    fail(e);
  }
}

async function loadOperations() {
  try {
    const ops = await Concord.operations();
    $("fault-operation").append(...ops.map((op) => el("option", { value: op.id }, `${op.id} — ${op.method} ${op.path}`)));
  } catch (e) {
    fail(e);
  }
}

/** Which store holds the state; with Redis, the journal and fault rules shown are this replica's. */
async function loadStore() {
  try {
    const health = await admin("GET", "/health");
    $("store-note").textContent =
      health.store === "redis"
        ? "State: Redis, shared by every replica. The requests and fault rules below are this replica's."
        : `State: ${health.store === "file" ? "a durable file" : "in memory"}, in this process.`;
  } catch (e) {
    fail(e);
  }
}

async function loadTenants() {
  try {
    const { tenants } = await admin("GET", "/tenants");
    const names = new Set(["default", ...tenants]);
    $("tenant-list").replaceChildren(...[...names].map((t) => el("option", { value: t })));
  } catch (e) {
    fail(e);
  }
}

function selectTenant() {
  Concord.setTenant(tenantInput.value);
  for (const node of document.querySelectorAll(".selected-tenant")) node.textContent = tenant();
  loadState();
  switches.load();
  proxy.load();
  // Shown again for the new tenant, unless hidden by the user (showQuickStart checks); also while the first
  // render is still reading, which this one then overtakes.
  showQuickStart({ tenant }).catch(fail);
}

function loadAll() {
  loadStore();
  loadTenants();
  loadState();
  faults.load();
  proxy.load();
  showQuickStart({ tenant }).catch(fail);
}

tenantInput.value = tenant();
for (const node of document.querySelectorAll(".selected-tenant")) node.textContent = tenant();
tenantInput.addEventListener("change", selectTenant);
$("state-refresh").addEventListener("click", loadState);
$("reset-tenant").addEventListener("click", () => reset(false));
Concord.confirming($("reset-all"), "Reset every tenant to its demo data?", () => reset(true));
wireQuickStart({ tenant, fail });
$("token-form").addEventListener("submit", (e) => {
  e.preventDefault();
  Concord.setToken($("admin-token").value);
  loadAll();
  switches.start();
});

loadOperations().then(() => {
  loadAll();
  switches.start();
  journal.poll();
});
setInterval(loadTenants, 5000);
