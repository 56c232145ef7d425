// The selected tenant's state as one table per kind of the vendors' data (the mock's own kinds — demo
// credentials, authorization rules, switches, unique-key indexes — are left out), searchable, with the
// edit and removal of an entity and the export and import of the tenant. Edits go through the admin API's
// guarded commit, as the vendor APIs' writes do.
const { el, admin, note } = Concord;
const $ = (id) => document.getElementById(id);
const MAX_COLUMNS = 5;

/** Kinds the mock keeps for itself: shown elsewhere (credentials, switches) or derived (`kind#unique`). */
export function isOwnKind(kind) {
  return kind.includes("#") || kind.startsWith("auth.") || kind.startsWith("mock.") || kind.startsWith("_");
}

function cell(value) {
  if (value === null || value === undefined) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/** The columns of a kind: the fields most of its entities have, scalars first, at most MAX_COLUMNS. */
function columns(entities) {
  const seen = new Map();
  for (const body of entities) {
    if (!body || typeof body !== "object" || Array.isArray(body)) continue;
    for (const [name, value] of Object.entries(body)) {
      if (name === "id" || name.startsWith("_")) continue;
      const scalar = value === null || typeof value !== "object";
      const [count, scalars] = seen.get(name) || [0, 0];
      seen.set(name, [count + 1, scalars + (scalar ? 1 : 0)]);
    }
  }
  return [...seen.entries()]
    .sort((a, b) => b[1][1] - a[1][1] || b[1][0] - a[1][0])
    .slice(0, MAX_COLUMNS)
    .map(([name]) => name);
}

export function createStateView({ tenant, fail, changed }) {
  let state = {};

  function matches(id, body) {
    const text = $("state-search").value.trim().toLowerCase();
    return !text || `${id}\n${JSON.stringify(body)}`.toLowerCase().includes(text);
  }

  function editor(kind, id, body, row) {
    const area = el("textarea", { class: "entity-editor", rows: "8", spellcheck: "false", "aria-label": `${kind} ${id} as JSON` }, JSON.stringify(body, null, 2));
    const line = el("p", { class: "note", role: "status", "aria-live": "polite" });
    const close = () => {
      box.remove();
      row.querySelector(".edit").focus();
    };
    const save = async () => {
      let parsed;
      try {
        parsed = JSON.parse(area.value);
      } catch (e) {
        line.textContent = `Not JSON: ${e.message}`;
        line.classList.add("error");
        return;
      }
      try {
        await admin("PUT", `/state/${encodeURIComponent(kind)}/${encodeURIComponent(id)}`, { query: { tenant: tenant() }, body: parsed });
        note("state-note", `Saved ${kind} ${id}.`);
        changed();
      } catch (e) {
        if (e instanceof Concord.NeedsToken) return fail(e);
        line.textContent = e.message;
        line.classList.add("error");
      }
    };
    const box = el("tr", { class: "editing" },
      el("td", { colspan: String(MAX_COLUMNS + 2) },
        area,
        el("span", { class: "buttons" },
          el("button", { type: "button", class: "save", onclick: save }, "Save"),
          el("button", { type: "button", onclick: close }, "Cancel"),
        ),
        line,
      ),
    );
    return box;
  }

  async function remove(kind, id) {
    try {
      await admin("DELETE", `/state/${encodeURIComponent(kind)}/${encodeURIComponent(id)}`, { query: { tenant: tenant() } });
      note("state-note", `Removed ${kind} ${id}.`);
      changed();
    } catch (e) {
      if (e instanceof Concord.NeedsToken) fail(e);
      else note("state-note", e.message, true);
    }
  }

  function table(kind) {
    const all = Object.entries(state[kind]);
    const cols = columns(all.map(([, body]) => body));
    const rows = all.filter(([id, body]) => matches(id, body));
    const tbody = el("tbody", {});
    for (const [id, body] of rows) {
      const row = el("tr", { "data-id": id },
        el("th", { scope: "row" }, el("code", { class: "entity-id" }, id)),
        cols.map((c) => el("td", { title: cell(body?.[c]) }, cell(body?.[c]))),
        el("td", { class: "row-buttons" }),
      );
      const edit = el("button", { type: "button", class: "edit", "aria-label": `Edit ${kind} ${id}` }, "Edit");
      edit.addEventListener("click", () => {
        if (row.nextElementSibling?.classList.contains("editing")) return;
        const box = editor(kind, id, body, row);
        row.after(box);
        box.querySelector("textarea").focus();
      });
      const del = el("button", { type: "button", class: "remove", "aria-label": `Remove ${kind} ${id}` }, "Remove");
      Concord.confirming(del, `Remove ${id}?`, () => remove(kind, id));
      row.lastElementChild.append(edit, del);
      tbody.append(row);
    }
    return el("details", { class: "kind", "data-kind": kind },
      el("summary", {}, `${kind} `, el("span", { class: "count" }, `(${all.length})`),
        rows.length < all.length ? el("span", { class: "muted" }, ` ${rows.length} match`) : null),
      el("div", { class: "table-scroll" },
        el("table", { class: "entities" },
          el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "id"), cols.map((c) => el("th", { scope: "col" }, c)), el("th", { scope: "col" }, el("span", { class: "visually-hidden" }, "Actions")))),
          tbody,
        ),
      ),
    );
  }

  function render() {
    const open = new Set([...document.querySelectorAll("#state-kinds details[open]")].map((d) => d.dataset.kind));
    const searching = $("state-search").value.trim() !== "";
    const kinds = Object.keys(state).filter((k) => !isOwnKind(k)).sort();
    $("state-kinds").replaceChildren(...kinds.map(table));
    for (const d of document.querySelectorAll("#state-kinds details")) {
      d.open = open.has(d.dataset.kind) || (searching && d.querySelector("tbody tr") !== null);
    }
    $("state-empty").hidden = kinds.length > 0;
  }

  function show(exported) {
    // An open editor keeps what is being typed: the state is redrawn once it is closed or saved.
    if (document.querySelector("#state-kinds tr.editing")) return;
    state = exported;
    render();
  }

  function download() {
    const text = JSON.stringify({ tenant: tenant(), state }, null, 2);
    const link = el("a", { href: URL.createObjectURL(new Blob([text], { type: "application/json" })), download: `concord-${tenant()}.json` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
    note("state-note", `Exported tenant ${tenant()} (its whole state, the mock's own kinds included).`);
  }

  async function upload(file) {
    try {
      const body = JSON.parse(await file.text());
      await admin("PUT", "/state", { query: { tenant: tenant() }, body });
      note("state-note", `Imported ${file.name} into tenant ${tenant()}.`);
      changed();
    } catch (e) {
      if (e instanceof Concord.NeedsToken) fail(e);
      else note("state-note", `Import failed: ${e.message}`, true);
    } finally {
      $("state-import-file").value = "";
    }
  }

  $("state-search").addEventListener("input", render);
  $("state-export").addEventListener("click", download);
  Concord.confirming($("state-import"), "Replace this tenant's state with a file?", () => $("state-import-file").click());
  $("state-import-file").addEventListener("change", (e) => {
    if (e.target.files[0]) upload(e.target.files[0]);
  });
  return { show };
}
