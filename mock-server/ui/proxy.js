// The validating proxy on the dashboard (shown only when an API has an upstream): who answers each
// operation for the selected tenant (the vendor or the mock), recording, and the drift report — operations
// whose vendor answers differ from the contract first, each with a way to its requests in the journal.
const { el, admin, note } = Concord;
const $ = (id) => document.getElementById(id);

function violationLine(v) {
  const seen = v.count === 1 ? "once" : `${v.count} times`;
  return `${v.where} ${v.pointer || "(whole)"} — ${v.keyword}: ${v.message} (${seen}, last ${new Date(v.lastSeen).toLocaleTimeString()})`;
}

export function createProxyPanel({ tenant, fail }) {
  let proxied = [];

  /** Shows the journal's requests of one operation and status. */
  function showRequests(row) {
    $("filter-text").value = row.operation;
    $("filter-status").value = String(row.status)[0];
    $("journal-filters").dispatchEvent(new Event("input"));
    $("journal").scrollIntoView({ behavior: "smooth", block: "start" });
  }

  async function setMode(op, mode) {
    try {
      await admin("PUT", `/upstream/${encodeURIComponent(op)}`, { query: { tenant: tenant() }, body: { mode } });
      note("proxy-note", mode === "mock" ? `${op} is answered by the mock for tenant ${tenant()}.` : `${op} goes to the vendor for tenant ${tenant()}.`);
      load();
    } catch (e) {
      if (e instanceof Concord.NeedsToken) fail(e);
      else note("proxy-note", e.message, true);
    }
  }

  function renderModes() {
    $("proxy-modes").replaceChildren(
      ...proxied.map((op) =>
        el("li", { "data-operation": op.operation },
          el("span", {}, `${op.operation} → ${op.upstream}`),
          el("label", {}, "answered by ",
            el("select", { "aria-label": `Who answers ${op.operation}`, onchange: (e) => setMode(op.operation, e.target.value) },
              el("option", { value: "vendor", selected: op.mode === "vendor" }, "the vendor"),
              el("option", { value: "mock", selected: op.mode === "mock" }, "the mock"),
            ),
          ),
        ),
      ),
    );
  }

  async function renderRecording() {
    const recorded = await admin("GET", "/recording", { query: { tenant: tenant() } });
    const kinds = Object.entries(recorded.demo).map(([kind, ids]) => `${Object.keys(ids).length} ${kind}`);
    const button = $("recording-toggle");
    button.textContent = recorded.recording ? "Stop recording" : "Record vendor answers";
    button.setAttribute("aria-pressed", String(recorded.recording));
    $("recording-summary").textContent = kinds.length ? `Recorded: ${kinds.join(", ")}.` : "Nothing recorded for this tenant.";
    return recorded;
  }

  async function renderDrift() {
    const report = await admin("GET", "/drift");
    $("drift-list").replaceChildren(
      ...report.operations.map((row) =>
        el("li", { class: row.drifted ? "drifted" : "clean", "data-operation": row.operation, "data-status": row.status },
          el("div", { class: "drift-head" },
            el("strong", {}, `${row.operation} ${row.status}`),
            el("span", {}, row.drifted ? ` ${row.drifted} of ${row.exchanges} exchanges drifted` : ` ${row.exchanges} exchanges, as the contract says`),
            el("button", { type: "button", class: "link", onclick: () => showRequests(row) }, "Show requests"),
          ),
          row.violations.length ? el("ul", { class: "violations" }, row.violations.map((v) => el("li", {}, violationLine(v)))) : null,
        ),
      ),
    );
    $("drift-empty").hidden = report.operations.length > 0;
    $("drift-failures").textContent = report.unanswered ? `${report.unanswered} requests got no answer from the vendor (last: ${report.lastFailure}).` : "";
  }

  async function load() {
    try {
      const { operations } = await admin("GET", "/upstream", { query: { tenant: tenant() } });
      proxied = operations.filter((op) => op.upstream);
      $("proxy").hidden = proxied.length === 0;
      if (proxied.length === 0) return;
      renderModes();
      await renderRecording();
      await renderDrift();
    } catch (e) {
      fail(e);
    }
  }

  $("recording-toggle").addEventListener("click", async () => {
    const on = $("recording-toggle").getAttribute("aria-pressed") === "true";
    try {
      await admin("POST", "/recording", { query: { tenant: tenant() }, body: { action: on ? "stop" : "start" } });
      note("proxy-note", on ? "Recording stopped." : `Vendor answers are recorded into tenant ${tenant()}'s state.`);
      await renderRecording();
    } catch (e) {
      fail(e);
    }
  });
  $("recording-export").addEventListener("click", async () => {
    try {
      const recorded = await admin("GET", "/recording", { query: { tenant: tenant() } });
      Concord.copy(JSON.stringify({ demo: recorded.demo, examples: recorded.examples }, null, 2), "recorded demo data and examples");
    } catch (e) {
      fail(e);
    }
  });

  return {
    load,
    /** New proxied requests change the drift report. */
    polled(arrived) {
      if (proxied.length > 0 && arrived.some((r) => r.upstream)) load();
    },
  };
}
