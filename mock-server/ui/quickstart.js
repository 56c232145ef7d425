// The first visit's quick start: where the APIs are (this origin), which vendors it serves, and one call
// per vendor that works when pasted (its path filled with the document's examples, its demo credentials).
// Hidden once dismissed (remembered in this browser); the header's "Quick start" shows it again.
const { el } = Concord;
const $ = (id) => document.getElementById(id);
const HIDDEN_KEY = "concord.quickstartHidden";
const METHODS = ["get", "post", "put", "patch", "delete"];

function resolve(doc, node) {
  let at = node;
  for (let i = 0; at && at.$ref && i < 10; i += 1) {
    at = at.$ref.replace(/^#\//, "").split("/").reduce((o, k) => o && o[k.replace(/~1/g, "/").replace(/~0/g, "~")], doc);
  }
  return at || {};
}

/**
 * A GET of the vendor whose path parameters all have examples, one not deprecated first (else none):
 * [operation, filled path].
 */
function sampleOf(doc, ids) {
  const gets = Object.entries(doc.paths || {})
    .filter(([, item]) => item.get && ids.has(item.get.operationId))
    .sort(([, a], [, b]) => Number(Boolean(a.get.deprecated)) - Number(Boolean(b.get.deprecated)));
  for (const [path, item] of gets) {
    const op = item.get;
    const params = [...(item.parameters || []), ...(op.parameters || [])].map((p) => resolve(doc, p));
    let filled = path;
    let complete = true;
    for (const p of params.filter((p) => p.in === "path")) {
      const example = p.example ?? p.schema?.example;
      if (example === undefined) complete = false;
      else filled = filled.replace(`{${p.name}}`, encodeURIComponent(String(example)));
    }
    if (complete) return [{ ...op, security: op.security || doc.security || [] }, filled];
  }
  return null;
}

function curlFor(op, path, creds, tenant) {
  const lines = [`curl -s '${location.origin}${path}'`];
  if (tenant !== "default") lines.push(`-H 'X-Mock-Tenant: ${tenant}'`);
  for (const requirement of (op.security || []).slice(0, 1)) {
    for (const scheme of Object.keys(requirement)) {
      const value = creds.byScheme.get(scheme)?.[0]?.value;
      const header = value && Concord.headerFor(creds.schemes[scheme], value);
      if (header) lines.push(`-H '${header[0]}: ${header[1]}'`);
    }
  }
  return lines.join(" \\\n  ");
}

/** Counts renders, so that one overtaken by a newer one (the tenant changed meanwhile) is dropped. */
let renders = 0;

export async function showQuickStart({ tenant, force = false }) {
  const box = $("quickstart");
  if (!force && localStorage.getItem(HIDDEN_KEY)) return;
  const render = ++renders;
  const [doc, ops, creds] = await Promise.all([Concord.spec(), Concord.documented(), Concord.credentials(tenant())]);
  if (render !== renders) return;
  const byVendor = Concord.byVendor(ops);
  const vendors = [...byVendor].map(([vendor, list]) => {
    const sample = sampleOf(doc, new Set(list.map((o) => o.id)));
    const curl = sample && curlFor(sample[0], sample[1], creds, tenant());
    return el("li", { "data-vendor": vendor },
      el("strong", {}, vendor), ` — ${list.length} operation${list.length === 1 ? "" : "s"}, e.g. `,
      el("code", {}, `${list[0].method} ${list[0].path}`),
      curl ? el("div", { class: "curl" },
        el("code", { class: "curl-line" }, curl),
        el("button", { type: "button", "aria-label": `Copy the ${vendor} sample call`, onclick: () => Concord.copy(curl, `${vendor} sample call`) }, "Copy"),
      ) : null,
    );
  });
  $("quickstart-base").textContent = location.origin;
  $("quickstart-vendors").replaceChildren(...vendors);
  box.hidden = false;
}

export function wireQuickStart({ tenant, fail }) {
  $("quickstart-hide").addEventListener("click", () => {
    localStorage.setItem(HIDDEN_KEY, "1");
    $("quickstart").hidden = true;
    $("quickstart-show").focus();
  });
  $("quickstart-show").addEventListener("click", () => {
    localStorage.removeItem(HIDDEN_KEY);
    showQuickStart({ tenant, force: true }).then(() => $("quickstart").scrollIntoView()).catch(fail);
  });
  $("quickstart-copy-base").addEventListener("click", () => Concord.copy(location.origin, "base URL"));
}
