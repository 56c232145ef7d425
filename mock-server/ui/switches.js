// The response switch, shared by the dashboard and the explorer: per tenant and operation, one of the
// operation's documented answers (a status or a named example) and/or a delay, from the next call on,
// until switched back (`/__mock/switches`, the same API test suites use).
const { el, admin } = Concord;

/** The tenant's switches by operationId. */
export async function listSwitches(tenant) {
  const { switches } = await admin("GET", "/switches", { query: { tenant } });
  return new Map(switches.map((s) => [s.operation, s]));
}

export function setSwitch(tenant, operation, choice) {
  return admin("PUT", `/switches/${encodeURIComponent(operation)}`, { query: { tenant }, body: choice });
}

export function switchBack(tenant, operation) {
  return admin("DELETE", `/switches/${encodeURIComponent(operation)}`, { query: { tenant } });
}

/** The answers an operation documents: one choice per status, and one per named example under it. */
export function answerChoices(op) {
  const choices = [];
  for (const answer of op.answers) {
    const words = answer.description ? ` — ${answer.description}` : "";
    choices.push({ label: `${answer.status}${words}`, choice: { status: answer.status } });
    for (const example of answer.examples) {
      choices.push({ label: `${answer.status} · example ${example}`, choice: { status: answer.status, example } });
    }
  }
  return choices;
}

/** "404 example ENTITY_NOT_FOUND, 800 ms late" */
export function describeSwitch(s) {
  const what = s.example ? `${s.status ?? ""} example ${s.example}`.trim() : s.status ? `status ${s.status}` : "its usual answer";
  return s.delayMs ? `${what}, ${s.delayMs} ms late` : what;
}

/**
 * The switch of one operation as a small form: the answer (first choice: as the rules decide), a delay,
 * Switch and Switch back, and a line saying what holds now. `changed(switchOrNull)` runs after a change.
 */
export function switchControl(op, tenant, current, changed = () => {}) {
  const choices = answerChoices(op);
  const slug = op.id.replace(/[^A-Za-z0-9_-]/g, "_");
  const select = el("select", { id: `switch-answer-${slug}`, class: "switch-answer" },
    el("option", { value: "" }, "As the rules decide"),
    choices.map((c, i) => el("option", { value: String(i) }, c.label)),
  );
  const delay = el("input", { id: `switch-delay-${slug}`, class: "switch-delay", type: "number", min: "0", max: "30000", step: "100", value: "0" });
  const line = el("p", { class: "note switch-note", role: "status", "aria-live": "polite" });
  const back = el("button", { type: "button", class: "switch-back" }, "Switch back");
  const show = (s) => {
    back.hidden = !s;
    select.value = "";
    delay.value = "0";
    if (s) {
      const at = choices.findIndex((c) => c.choice.status === s.status && (c.choice.example ?? null) === (s.example ?? null));
      select.value = at < 0 ? "" : String(at);
      delay.value = String(s.delayMs || 0);
    }
    line.textContent = s ? `Switched: every call of ${op.id} as tenant ${tenant} answers ${describeSwitch(s)}.` : "Not switched: the rules decide.";
    line.classList.remove("error");
  };
  const fail = (e) => {
    if (e instanceof Concord.NeedsToken) line.textContent = "The admin token is needed: enter it on the dashboard.";
    else line.textContent = e.message;
    line.classList.add("error");
  };
  const apply = async () => {
    const chosen = select.value === "" ? {} : { ...choices[Number(select.value)].choice };
    const delayMs = Number(delay.value) || 0;
    if (delayMs > 0) chosen.delayMs = delayMs;
    try {
      if (Object.keys(chosen).length === 0) {
        if (!back.hidden) await switchBack(tenant, op.id);
        show(null);
        changed(null);
      } else {
        const { switch: set } = await setSwitch(tenant, op.id, chosen);
        show(set);
        changed(set);
      }
    } catch (e) {
      fail(e);
    }
  };
  back.addEventListener("click", async () => {
    try {
      await switchBack(tenant, op.id);
      show(null);
      changed(null);
    } catch (e) {
      fail(e);
    }
  });
  const box = el("fieldset", { class: "mock-switch", "data-operation": op.id },
    el("legend", {}, `Mock answer for tenant ${tenant}`),
    el("label", { for: select.id }, "Answer"), select,
    el("label", { for: delay.id }, "Delay (ms)"), delay,
    el("button", { type: "button", class: "switch-apply", onclick: apply }, "Switch"),
    back,
    line,
  );
  show(current || null);
  return box;
}
