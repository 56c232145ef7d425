// The request journal: polled every 500 ms, updated in place (new rows are added above, nothing shown is
// rebuilt), paused while an entry is open or on request, searchable. Every value is inserted as text.
import { curlCommand, fetchCall, needsCredential } from "./replay.js";

const { el, admin } = Concord;
const POLL_MS = 500;
const KEEP = 1000;
const $ = (id) => document.getElementById(id);

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
    { class: `status s${String(code)[0]}xx`, title: `${code}: ${words}`, "aria-label": `${code} ${words}` },
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
  return [findText(body, CODE_KEYS), findText(body, MESSAGE_KEYS)].filter(Boolean).join(": ");
}

/** What forced the answer, in words: "forced by the switch: example ENTITY_NOT_FOUND". */
function forcedSummary(entry) {
  const f = entry.forced;
  if (!f) return "";
  const by = { switch: "the response switch", prefer: "the Prefer header", fault: `fault rule ${f.rule}` }[f.by] || f.by;
  const what = [f.example ? `example ${f.example}` : f.status ? `status ${f.status}` : null, f.delayMs ? `${f.delayMs} ms delay` : null]
    .filter(Boolean).join(", ");
  return `forced by ${by}: ${what}`;
}

function header(headers, name) {
  const found = (headers || []).find(([n]) => n === name);
  return found ? found[1] : null;
}

/** What CORS did for a request from a page of another origin, in words. */
function corsSummary(entry) {
  const origin = header(entry.requestHeaders, "origin");
  if (!origin) return null;
  const allowed = header(entry.responseHeaders, "access-control-allow-origin");
  if (!allowed) return `Origin ${origin}: no Access-Control-Allow-Origin was sent, so the browser hides this answer from the page.`;
  const preflight = entry.method === "OPTIONS" && header(entry.requestHeaders, "access-control-request-method");
  if (preflight) {
    return `Preflight from ${origin} for ${preflight}: allowed (methods ${header(entry.responseHeaders, "access-control-allow-methods") || "-"}, headers ${header(entry.responseHeaders, "access-control-allow-headers") || "-"}).`;
  }
  return `Origin ${origin}: allowed (Access-Control-Allow-Origin: ${allowed}); the page may read ${header(entry.responseHeaders, "access-control-expose-headers") || "the simple headers"}.`;
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

/** One line on a request the proxy forwarded: the vendor's status and how many violations. */
function upstreamSummary(entry) {
  const up = entry.upstream;
  if (!up) return "";
  if (up.error) return `vendor: no answer (${up.error})`;
  const n = up.violations.length;
  return `vendor ${up.status}: ${n === 0 ? "as the contract says" : `${n} violation${n === 1 ? "" : "s"} of the contract`}`;
}

/** Where the request went and each way the exchange differs from the contract. */
function upstreamDetails(up) {
  return el("div", { class: "upstream-line" },
    el("p", {}, `Forwarded to ${up.url} (${up.latencyMs.toFixed(1)} ms).`),
    up.violations.length
      ? el("ul", { class: "violations" }, up.violations.map((v) => el("li", {}, `${v.where} ${v.pointer || "(whole)"} — ${v.keyword}: ${v.message}`)))
      : null,
  );
}

/**
 * The journal. `schemes()` gives the security schemes (for replaying demo credentials), `onPolled(arrived)`
 * is told of each answered poll (with the requests that arrived), `fail(error)` of a failed one.
 */
export function createJournal({ schemes, onPolled, fail }) {
  let entries = []; // newest first
  let pending = []; // arrived while the journal is paused or an entry is open, newest first
  let following = true;
  let lastId = 0;

  function matches(entry) {
    const method = $("filter-method").value;
    const cls = $("filter-status").value;
    const path = $("filter-path").value.trim();
    const tenant = $("filter-tenant").value.trim();
    const text = $("filter-text").value.trim().toLowerCase();
    return (
      (!method || entry.method === method) &&
      (!cls || String(entry.status)[0] === cls) &&
      (!path || entry.path.includes(path)) &&
      (!tenant || entry.tenant === tenant) &&
      (!text || searchable(entry).includes(text))
    );
  }

  /** Everything a search looks at: the row's text, the headers and both bodies. */
  function searchable(entry) {
    if (entry.searchText === undefined) {
      entry.searchText = [
        entry.method, entry.path, entry.query, entry.operation, entry.status, entry.tenant, errorSummary(entry), forcedSummary(entry), upstreamSummary(entry),
        JSON.stringify(entry.requestHeaders), JSON.stringify(entry.responseHeaders), pretty(entry.requestBody), pretty(entry.responseBody),
      ].join("\n").toLowerCase();
    }
    return entry.searchText;
  }

  function details(entry) {
    const curl = curlCommand(entry, schemes());
    const cors = corsSummary(entry);
    const forced = forcedSummary(entry);
    return el(
      "div",
      { class: "details", id: `entry-${entry.id}-details` },
      entry.replica ? el("p", { class: "replica-line" }, `Served by replica ${entry.replica}.`) : null,
      forced ? el("p", { class: "forced-line" }, `This answer was ${forced}.`) : null,
      entry.upstream ? upstreamDetails(entry.upstream) : null,
      cors ? el("p", { class: "cors-line" }, cors) : null,
      el("div", { class: "curl" },
        el("code", { class: "curl-line" }, curl),
        el("span", { class: "buttons" },
          el("button", { type: "button", class: "copy-curl", onclick: () => Concord.copy(curl, "curl command") }, "Copy curl"),
          el("button", { type: "button", class: "copy-fetch", onclick: () => Concord.copy(fetchCall(entry, schemes()), "fetch() call") }, "Copy as fetch()"),
        ),
      ),
      needsCredential(curl) ? el("p", { class: "muted" }, "Fill in the credential you sent: only the demo credentials are recorded.") : null,
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

  function item(entry) {
    const li = el("li", { class: "entry", "data-id": entry.id });
    const time = new Date(entry.at);
    const target = entry.path + (entry.query ? "?" + entry.query : "");
    const preflight = entry.method === "OPTIONS" && header(entry.requestHeaders, "access-control-request-method");
    const toggle = el(
      "button",
      { type: "button", class: "summary", "aria-expanded": "false", "aria-controls": `entry-${entry.id}-details` },
      el("span", { class: "time" }, isNaN(time) ? entry.at : time.toLocaleTimeString()),
      el("span", { class: "method" }, entry.method),
      el("span", { class: "path", title: target }, target),
      entry.operation
        ? el("span", { class: "operation" }, preflight ? `${entry.operation} (CORS preflight)` : entry.operation)
        : el("span", { class: "operation unmatched", title: "No operation of the contract matches this request" }, "no matching operation"),
      statusMark(entry.status),
      el("span", { class: "latency" }, `${entry.latencyMs.toFixed(1)} ms`),
      el("span", { class: "tenant" }, entry.tenant),
    );
    const lines = [upstreamSummary(entry), forcedSummary(entry), errorSummary(entry)].filter(Boolean).join(" — ");
    if (lines) toggle.append(el("span", { class: entry.forced ? "error-summary forced" : "error-summary", title: lines }, lines));
    toggle.addEventListener("click", () => {
      const open = toggle.getAttribute("aria-expanded") === "true";
      toggle.setAttribute("aria-expanded", String(!open));
      if (open) li.querySelector(".details").remove();
      else li.append(details(entry));
      if (open && following && pending.length > 0 && !reading()) showPending();
    });
    li.append(toggle);
    return li;
  }

  /** Rebuilds the list (on a filter change or a clear): open entries stay open, focus stays put. */
  function render() {
    const list = $("journal-list");
    const open = new Set([...list.querySelectorAll('.summary[aria-expanded="true"]')].map((b) => b.closest("li").dataset.id));
    const focused = document.activeElement && document.activeElement.closest && document.activeElement.closest("#journal-list li");
    const focusedId = focused ? focused.dataset.id : null;
    list.replaceChildren(
      ...entries.filter(matches).map((entry) => {
        const li = item(entry);
        if (open.has(String(entry.id))) li.querySelector(".summary").click();
        return li;
      }),
    );
    if (focusedId) list.querySelector(`li[data-id="${focusedId}"] .summary`)?.focus();
    updateCounts();
  }

  /** Adds arrived entries above the others without touching the rows shown (selection and focus stay). */
  function add(arrived) {
    const list = $("journal-list");
    const shown = arrived.filter(matches);
    if (shown.length > 0) {
      // A reader scrolled down the list keeps the rows in view where they are.
      const before = list.scrollHeight;
      const scrolled = list.scrollTop > 0;
      list.prepend(...shown.map(item));
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
    add(arrived);
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
          add(requests);
        } else {
          pending = requests.concat(pending).slice(0, KEEP);
          updateCounts();
        }
      }
      onPolled(requests);
    } catch (e) {
      fail(e);
    } finally {
      setTimeout(poll, POLL_MS);
    }
  }

  async function clear() {
    try {
      await admin("DELETE", "/requests");
      entries = [];
      pending = [];
      render();
      Concord.status("Journal cleared for everyone using this mock.");
    } catch (e) {
      fail(e);
    }
  }

  $("journal-filters").addEventListener("input", render);
  $("journal-filters").addEventListener("submit", (e) => e.preventDefault());
  Concord.confirming($("journal-clear"), "Clear the journal for everyone using this mock?", clear);
  $("journal-follow").addEventListener("click", () => setFollowing(!following));
  $("journal-pending").addEventListener("click", () => {
    if (following) showPending();
    else setFollowing(true);
    updateCounts();
  });
  render();
  return { poll };
}
