// The live dashboard: the request journal (polled every 500 ms), the selected tenant's state, reset, fault
// rules and the demo credentials. Every value is inserted as text (Concord.el), never as HTML.
"use strict";

(() => {
  const { el, admin, status } = Concord;
  const POLL_MS = 500;
  const KEEP = 1000;
  // Headers a pasted curl line does not need (the client sets them, or they describe this browser).
  const SKIP_IN_CURL = /^(host|content-length|connection|accept-encoding|accept-language|user-agent|origin|referer|cookie|sec-.*|priority|cache-control|pragma|dnt)$/i;
  const REDACTED = new Set(["authorization", "x-api-key"]);
  // Kinds the engine itself keeps; a vendor's kinds are shown by name (`<kind>#<name>` holds a unique key).
  const ENGINE_KINDS = {
    "auth.credential": "Demo credentials",
    "auth.scheme": "Authorization rules",
  };
  function kindLabel(kind) {
    if (ENGINE_KINDS[kind]) return ENGINE_KINDS[kind];
    const [resource, unique] = kind.split("#");
    return unique ? `${resource} (unique ${unique})` : resource;
  }

  let entries = []; // newest first
  let pending = []; // arrived while the journal is paused, newest first
  let following = true;
  let lastId = 0;
  let operations = new Map();
  let creds = { schemes: {}, byScheme: new Map() };
  let stateTimer;
  let tokenWanted = false;

  const $ = (id) => document.getElementById(id);
  const tenantInput = $("tenant");

  function currentTenant() {
    return Concord.tenant();
  }

  /** Feedback next to the control that caused it, where the eye already is. */
  function note(id, message, isError = false) {
    const line = $(id);
    line.textContent = message;
    line.classList.toggle("error", isError);
  }

  function handle(error) {
    if (error instanceof Concord.NeedsToken) {
      tokenWanted = true;
      $("token-form").hidden = false;
      status("This mock requires its admin token (started with --admin-token).", true);
    } else {
      status(error.message, true);
    }
  }

  // ---- journal ---------------------------------------------------------------------------------------

  function statusClass(code) {
    return `s${String(code)[0]}xx`;
  }

  // A marker per status class that does not rely on colour: its shape and words say it too.
  const STATUS_MARKS = {
    2: ["✓", "success"],
    3: ["↪", "redirect"],
    4: ["✗", "client error"],
    5: ["⚠", "server error"],
  };

  function statusMark(code) {
    const [glyph, words] = STATUS_MARKS[String(code)[0]] || ["•", "status"];
    return el(
      "span",
      { class: `status ${statusClass(code)}`, title: `${code}: ${words}`, "aria-label": `${code} ${words}` },
      el("span", { class: "glyph", "aria-hidden": "true" }, glyph),
      ` ${code}`,
    );
  }

  // Where vendors keep an error's code and message (as the mock's error shapes look for them).
  const CODE_KEYS = ["code", "errorcode", "error_code"];
  const MESSAGE_KEYS = ["message", "errormessage", "error_message", "detail", "error_description", "description", "title"];

  /** The first string property of `body` named like one of `keys`: shallow before deep, arrays by their first item. */
  function findText(body, keys, depth = 0) {
    if (!body || typeof body !== "object" || depth > 3) return null;
    if (Array.isArray(body)) return findText(body[0], keys, depth + 1);
    for (const key of keys) {
      for (const [name, value] of Object.entries(body)) {
        if (name.toLowerCase() === key && typeof value === "string") return value;
      }
    }
    for (const value of Object.values(body)) {
      const found = findText(value, keys, depth + 1);
      if (found) return found;
    }
    return null;
  }

  /** "CODE: message" of an error answer, or "" for a success. */
  function errorSummary(entry) {
    if (entry.status < 400) return "";
    let body = entry.responseBody;
    if (typeof body === "string") {
      try {
        body = JSON.parse(body);
      } catch {
        return "";
      }
    }
    const code = findText(body, CODE_KEYS);
    const message = findText(body, MESSAGE_KEYS);
    return [code, message].filter(Boolean).join(": ");
  }

  function matches(entry) {
    const method = $("filter-method").value;
    const cls = $("filter-status").value;
    const path = $("filter-path").value.trim();
    const tenant = $("filter-tenant").value.trim();
    return (
      (!method || entry.method === method) &&
      (!cls || String(entry.status)[0] === cls) &&
      (!path || entry.path.includes(path)) &&
      (!tenant || entry.tenant === tenant)
    );
  }

  function shellQuote(text) {
    return "'" + String(text).replace(/'/g, "'\\''") + "'";
  }

  /** What a credential placeholder says: the value was not recorded, so the user fills it in. */
  const NOT_RECORDED = "<not recorded: the credential you sent>";

  /**
   * The value of a redacted header as it was sent: the demo credential the request carried (the journal
   * records those, they are public), else a visible placeholder; never another credential.
   */
  function sentCredential(name, entry) {
    for (const { scheme, value } of entry.demoCredentials || []) {
      const header = creds.schemes[scheme] && Concord.headerFor(creds.schemes[scheme], value);
      if (header && header[0].toLowerCase() === name) return header[1];
    }
    return NOT_RECORDED;
  }

  /** The request as sent: URL, method, headers (secrets as sent or as a placeholder), body. */
  function replayable(entry) {
    const url = location.origin + entry.path + (entry.query ? "?" + entry.query : "");
    const headers = [];
    for (const [name, value] of entry.requestHeaders) {
      if (SKIP_IN_CURL.test(name)) continue;
      headers.push([name, REDACTED.has(name) ? sentCredential(name, entry) : value]);
    }
    let body = null;
    if (entry.requestBody !== undefined && entry.requestBody !== null) {
      body = typeof entry.requestBody === "string" ? entry.requestBody : JSON.stringify(entry.requestBody);
    }
    return { url, method: entry.method, headers, body };
  }

  /** A curl command, one option per line. */
  function curlLine(entry) {
    const { url, method, headers, body } = replayable(entry);
    const lines = [`curl -X ${method} ${shellQuote(url)}`];
    for (const [name, value] of headers) lines.push(`-H ${shellQuote(`${name}: ${value}`)}`);
    if (body !== null) lines.push(`--data-raw ${shellQuote(body)}`);
    return lines.join(" \\\n  ");
  }

  /** The same request as frontend code: `fetch(url, { method, headers, body })`. */
  function fetchCall(entry) {
    const { url, method, headers, body } = replayable(entry);
    const init = { method, headers: Object.fromEntries(headers) };
    if (body !== null) init.body = body;
    return `await fetch(${JSON.stringify(url)}, ${JSON.stringify(init, null, 2)});`;
  }

  function pretty(body) {
    if (body === undefined || body === null) return "(no body)";
    return typeof body === "string" ? body : JSON.stringify(body, null, 2);
  }

  function headerTable(caption, headers) {
    return el(
      "table",
      { class: "headers" },
      el("caption", {}, caption),
      el("tbody", {}, (headers || []).map(([n, v]) => el("tr", {}, el("th", { scope: "row" }, n), el("td", {}, v)))),
    );
  }

  function entryDetails(entry) {
    const curl = curlLine(entry);
    return el(
      "div",
      { class: "details", id: `entry-${entry.id}-details` },
      el("div", { class: "curl" },
        el("code", { class: "curl-line" }, curl),
        el("span", { class: "buttons" },
          el("button", { type: "button", class: "copy-curl", onclick: () => Concord.copy(curl, "curl command") }, "Copy curl"),
          el("button", { type: "button", class: "copy-fetch", onclick: () => Concord.copy(fetchCall(entry), "fetch() call") }, "Copy as fetch()"),
        ),
      ),
      el("div", { class: "columns" },
        el("div", {},
          headerTable("Request headers", entry.requestHeaders),
          el("h4", {}, "Request body"),
          el("pre", { class: "body request-body" }, pretty(entry.requestBody)),
        ),
        el("div", {},
          headerTable("Response headers", entry.responseHeaders),
          el("h4", {}, "Response body"),
          el("pre", { class: "body response-body" }, pretty(entry.responseBody)),
        ),
      ),
    );
  }

  function entryItem(entry) {
    const item = el("li", { class: "entry", "data-id": entry.id });
    const time = new Date(entry.at);
    const toggle = el(
      "button",
      { type: "button", class: "summary", "aria-expanded": "false", "aria-controls": `entry-${entry.id}-details` },
      el("span", { class: "time" }, isNaN(time) ? entry.at : time.toLocaleTimeString()),
      el("span", { class: "method" }, entry.method),
      el("span", { class: "path", title: entry.path + (entry.query ? "?" + entry.query : "") }, entry.path + (entry.query ? "?" + entry.query : "")),
      entry.operation
        ? el("span", { class: "operation" }, entry.operation)
        : el("span", { class: "operation unmatched", title: "No operation of the contract matches this request" }, "no matching operation"),
      statusMark(entry.status),
      el("span", { class: "latency" }, `${entry.latencyMs.toFixed(1)} ms`),
      el("span", { class: "tenant" }, entry.tenant),
    );
    const summary = errorSummary(entry);
    if (summary) toggle.append(el("span", { class: "error-summary", title: summary }, summary));
    toggle.addEventListener("click", () => {
      const open = toggle.getAttribute("aria-expanded") === "true";
      toggle.setAttribute("aria-expanded", String(!open));
      if (open) item.querySelector(".details").remove();
      else item.append(entryDetails(entry));
      if (open && following && pending.length > 0 && !reading()) showPending();
    });
    item.append(toggle);
    return item;
  }

  /** Rebuilds the list (on a filter change or a clear): open entries stay open, focus stays put. */
  function renderJournal() {
    const list = $("journal-list");
    const open = new Set([...list.querySelectorAll('.summary[aria-expanded="true"]')].map((b) => b.closest("li").dataset.id));
    const focused = document.activeElement && document.activeElement.closest && document.activeElement.closest("#journal-list li");
    const focusedId = focused ? focused.dataset.id : null;
    const shown = entries.filter(matches);
    list.replaceChildren(
      ...shown.map((entry) => {
        const item = entryItem(entry);
        if (open.has(String(entry.id))) item.querySelector(".summary").click();
        return item;
      }),
    );
    if (focusedId) list.querySelector(`li[data-id="${focusedId}"] .summary`)?.focus();
    updateCounts();
  }

  /**
   * Adds newly arrived entries above the others without touching the rows already shown, so that text
   * selection and keyboard focus are left alone. While an entry is open (or the journal is paused) they
   * wait behind the `Show N new` button instead: nothing moves under the reader.
   */
  function addToJournal(arrived) {
    const list = $("journal-list");
    const shown = arrived.filter(matches);
    if (shown.length > 0) {
      // A reader scrolled down the list keeps the rows in view where they are.
      const before = list.scrollHeight;
      const scrolled = list.scrollTop > 0;
      list.prepend(...shown.map(entryItem));
      while (list.children.length > KEEP) list.lastElementChild.remove();
      if (scrolled) list.scrollTop += list.scrollHeight - before;
    }
    updateCounts();
  }

  function updateCounts() {
    const shown = $("journal-list").children.length;
    $("journal-empty").hidden = shown > 0;
    $("journal-count").textContent = `(${shown} of ${entries.length})`;
    const more = $("journal-pending");
    more.hidden = pending.length === 0;
    more.textContent = `Show ${pending.length} new`;
    more.title = following ? "New requests wait while an entry is open" : "The journal is paused";
  }

  /** Whether the reader has an entry open: new ones then wait (`Show N new`) so that nothing moves. */
  function reading() {
    return $("journal-list").querySelector('.summary[aria-expanded="true"]') !== null;
  }

  function showPending() {
    const arrived = pending;
    pending = [];
    entries = arrived.concat(entries).slice(0, KEEP);
    addToJournal(arrived);
  }

  function setFollowing(on) {
    following = on;
    const button = $("journal-follow");
    button.setAttribute("aria-pressed", String(!on));
    button.textContent = on ? "Pause" : "Resume";
    if (on && pending.length > 0) showPending();
    updateCounts();
  }

  async function poll() {
    try {
      const { requests } = await admin("GET", "/requests", { query: { after: lastId, limit: KEEP } });
      if (requests.length > 0) {
        lastId = Math.max(lastId, ...requests.map((r) => r.id));
        if (following && !reading()) {
          entries = requests.concat(entries).slice(0, KEEP);
          addToJournal(requests);
        } else {
          pending = requests.concat(pending).slice(0, KEEP);
          updateCounts();
        }
        // A rule limited to a number of uses counts down with the requests it answers.
        if ($("fault-list").children.length > 0) loadFaults();
        // A write to the selected tenant changes its state: show it now, not on the next manual refresh.
        if (requests.some((r) => r.tenant === currentTenant() && r.method !== "GET")) loadState();
      }
      if (tokenWanted) {
        tokenWanted = false;
        $("token-form").hidden = true;
        status("");
      }
    } catch (e) {
      handle(e);
    } finally {
      setTimeout(poll, POLL_MS);
    }
  }

  async function clearJournal() {
    try {
      await admin("DELETE", "/requests");
      entries = [];
      pending = [];
      renderJournal();
      status("Journal cleared for everyone using this mock.");
    } catch (e) {
      handle(e);
    }
  }

  /**
   * A destructive button asks first, next to itself: the first press shows what will happen with a
   * confirm and a cancel button (no browser dialog, which would block the page's polling).
   */
  function confirming(button, question, action) {
    button.addEventListener("click", () => {
      if (button.nextElementSibling?.classList.contains("confirm")) return;
      const box = el("span", { class: "confirm", role: "group", "aria-label": question });
      const done = () => {
        box.remove();
        button.hidden = false;
        button.focus();
      };
      box.append(
        el("span", { class: "question" }, question),
        el("button", { type: "button", class: "danger", onclick: () => { done(); action(); } }, "Yes"),
        el("button", { type: "button", onclick: done }, "Cancel"),
      );
      button.hidden = true;
      button.after(box);
      box.querySelector("button.danger").focus();
    });
  }

  // ---- state ------------------------------------------------------------------------------------------

  function renderState(state) {
    const kinds = Object.keys(state).filter((k) => !k.startsWith("_")).sort();
    $("state-kinds").replaceChildren(
      ...kinds.map((kind) => {
        const ids = Object.keys(state[kind]);
        return el(
          "details",
          { class: "kind", "data-kind": kind },
          el("summary", {}, `${kindLabel(kind)} `, el("span", { class: "count" }, `(${ids.length})`), el("code", { class: "muted" }, ` ${kind}`)),
          el("ul", { class: "entities" },
            ids.map((id) => el("li", { "data-id": id },
              el("code", { class: "entity-id" }, id),
              el("pre", { class: "body entity-body" }, JSON.stringify(state[kind][id], null, 2)),
            )),
          ),
        );
      }),
    );
  }

  async function loadState() {
    clearTimeout(stateTimer);
    // Debounced: a burst of writes reloads the state once.
    stateTimer = setTimeout(async () => {
      const tenant = currentTenant();
      try {
        creds = await Concord.credentials(tenant);
        if (tenant !== currentTenant()) return;
        const open = new Set([...document.querySelectorAll("#state-kinds details[open]")].map((d) => d.dataset.kind));
        renderState(creds.state);
        for (const d of document.querySelectorAll("#state-kinds details")) d.open = open.has(d.dataset.kind);
        renderCredentials();
      } catch (e) {
        handle(e);
      }
    }, 50);
  }

  async function reset(all) {
    const tenant = currentTenant();
    try {
      await admin("POST", "/reset", { query: all ? {} : { tenant } });
      note("state-note", all ? "Every tenant is back to the fixtures." : `Tenant ${tenant} is back to the fixtures.`);
      loadState();
    } catch (e) {
      handle(e);
    }
  }

  // ---- faults -----------------------------------------------------------------------------------------

  function describeRule(rule) {
    const what = [rule.operation ? `operation ${rule.operation}` : null, rule.path ? `path ${rule.path}` : null, rule.tenant ? `tenant ${rule.tenant}` : null]
      .filter(Boolean).join(", ") || "every request";
    const effect = [rule.status ? `answer ${rule.status}` : null, rule.delayMs ? `after ${rule.delayMs} ms` : null].filter(Boolean).join(" ");
    const chance = rule.probability < 1 ? `, probability ${rule.probability}` : "";
    const times = rule.count == null ? "" : rule.count > 0 ? `, ${rule.count} more time${rule.count === 1 ? "" : "s"}` : ", used up";
    return `${what}: ${effect}${chance}${times}`;
  }

  async function loadFaults() {
    try {
      const { faults } = await admin("GET", "/faults");
      $("fault-list").replaceChildren(
        ...faults.map((rule) =>
          el("li", { "data-id": rule.id },
            el("span", {}, `#${rule.id} — ${describeRule(rule)}`),
            el("button", { type: "button", "aria-label": `Remove fault rule ${rule.id}`, onclick: () => removeFault(rule.id) }, "Remove"),
          ),
        ),
      );
    } catch (e) {
      handle(e);
    }
  }

  async function addFault(event) {
    event.preventDefault();
    const form = event.target;
    const num = (name) => (form.elements[name].value === "" ? undefined : Number(form.elements[name].value));
    const rule = {
      operation: form.elements.operation.value || undefined,
      path: form.elements.path.value.trim() || undefined,
      tenant: form.elements.thisTenant.checked ? currentTenant() : undefined,
      status: num("status"),
      delayMs: num("delayMs") || 0,
      probability: num("probability") ?? 1,
      count: num("count"),
    };
    try {
      const added = await admin("POST", "/faults", { body: rule });
      note("fault-note", `Fault rule ${added.id} added: it applies from the next call.`);
      loadFaults();
    } catch (e) {
      if (e instanceof Concord.NeedsToken) handle(e);
      else note("fault-note", e.message, true);
    }
  }

  async function removeFault(id) {
    try {
      await admin("DELETE", `/faults/${id}`);
      note("fault-note", `Fault rule ${id} removed.`);
      loadFaults();
    } catch (e) {
      handle(e);
    }
  }

  // ---- credentials ------------------------------------------------------------------------------------

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

  // ---- wiring -----------------------------------------------------------------------------------------

  async function loadOperations() {
    try {
      const ops = await Concord.operations();
      operations = new Map(ops.map((op) => [op.id, op]));
      $("fault-operation").append(...ops.map((op) => el("option", { value: op.id }, `${op.id} — ${op.method} ${op.path}`)));
    } catch (e) {
      handle(e);
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
      handle(e);
    }
  }

  async function loadTenants() {
    try {
      const { tenants } = await admin("GET", "/tenants");
      const names = new Set(["default", ...tenants]);
      $("tenant-list").replaceChildren(...[...names].map((t) => el("option", { value: t })));
    } catch (e) {
      handle(e);
    }
  }

  function selectTenant() {
    Concord.setTenant(tenantInput.value);
    $("state-tenant").textContent = currentTenant();
    loadState();
  }

  tenantInput.value = currentTenant();
  $("state-tenant").textContent = currentTenant();
  tenantInput.addEventListener("change", selectTenant);
  $("journal-filters").addEventListener("input", renderJournal);
  $("journal-filters").addEventListener("submit", (e) => e.preventDefault());
  confirming($("journal-clear"), "Clear the journal for everyone using this mock?", clearJournal);
  $("journal-follow").addEventListener("click", () => setFollowing(!following));
  $("journal-pending").addEventListener("click", () => {
    if (following) showPending();
    else setFollowing(true);
    updateCounts();
  });
  $("state-refresh").addEventListener("click", loadState);
  $("reset-tenant").addEventListener("click", () => reset(false));
  confirming($("reset-all"), "Reset every tenant to the fixtures?", () => reset(true));
  $("fault-form").addEventListener("submit", addFault);
  $("token-form").addEventListener("submit", (e) => {
    e.preventDefault();
    Concord.setToken($("admin-token").value);
    loadStore();
    loadTenants();
    loadState();
    loadFaults();
  });

  renderJournal();
  loadOperations().then(() => {
    loadStore();
    loadTenants();
    loadState();
    loadFaults();
    poll();
  });
  setInterval(loadTenants, 5000);
})();
