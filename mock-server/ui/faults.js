// Fault rules: a delay and/or a status for matching requests, with a probability and a number of uses
// (`/__mock/faults`). Their remaining uses count down live.
const { el, admin, note } = Concord;
const $ = (id) => document.getElementById(id);

function describeRule(rule) {
  const what = [rule.operation ? `operation ${rule.operation}` : null, rule.path ? `path ${rule.path}` : null, rule.tenant ? `tenant ${rule.tenant}` : null]
    .filter(Boolean).join(", ") || "every request";
  const effect = [rule.status ? `answer ${rule.status}` : null, rule.delayMs ? `after ${rule.delayMs} ms` : null].filter(Boolean).join(" ");
  const chance = rule.probability < 1 ? `, probability ${rule.probability}` : "";
  const times = rule.count == null ? "" : rule.count > 0 ? `, ${rule.count} more time${rule.count === 1 ? "" : "s"}` : ", used up";
  return `${what}: ${effect}${chance}${times}`;
}

export function createFaults({ tenant, fail }) {
  async function load() {
    try {
      const { faults } = await admin("GET", "/faults");
      $("fault-list").replaceChildren(
        ...faults.map((rule) =>
          el("li", { "data-id": rule.id },
            el("span", {}, `#${rule.id} — ${describeRule(rule)}`),
            el("button", { type: "button", "aria-label": `Remove fault rule ${rule.id}`, onclick: () => remove(rule.id) }, "Remove"),
          ),
        ),
      );
    } catch (e) {
      fail(e);
    }
  }

  async function add(event) {
    event.preventDefault();
    const form = event.target;
    const num = (name) => (form.elements[name].value === "" ? undefined : Number(form.elements[name].value));
    const rule = {
      operation: form.elements.operation.value || undefined,
      path: form.elements.path.value.trim() || undefined,
      tenant: form.elements.thisTenant.checked ? tenant() : undefined,
      status: num("status"),
      delayMs: num("delayMs") || 0,
      probability: num("probability") ?? 1,
      count: num("count"),
    };
    try {
      const added = await admin("POST", "/faults", { body: rule });
      note("fault-note", `Fault rule ${added.id} added: it applies from the next call.`);
      load();
    } catch (e) {
      if (e instanceof Concord.NeedsToken) fail(e);
      else note("fault-note", e.message, true);
    }
  }

  async function remove(id) {
    try {
      await admin("DELETE", `/faults/${id}`);
      note("fault-note", `Fault rule ${id} removed.`);
      load();
    } catch (e) {
      fail(e);
    }
  }

  $("fault-form").addEventListener("submit", add);
  return {
    load,
    /** Rules limited to a number of uses count down with the requests they answer. */
    polled(arrived) {
      if (arrived.length > 0 && $("fault-list").children.length > 0) load();
    },
  };
}
