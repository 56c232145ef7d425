// The dashboard's response switch: pick an operation, then one of its documented answers and a delay for
// the selected tenant; the tenant's switches are listed with a way back.
import { describeSwitch, listSwitches, switchBack, switchControl } from "./switches.js";

const { el } = Concord;
const $ = (id) => document.getElementById(id);

export function createSwitchPanel({ tenant, fail }) {
  let operations = new Map();
  let switches = new Map();
  // What the control was built for (tenant, operation, its switch): a refresh rebuilds it only when that
  // changed, so an answer being chosen is not reset by a poll that brings nothing new.
  let shown = null;

  function shownKey() {
    const id = $("switch-operation").value;
    return JSON.stringify([tenant(), id, switches.get(id) || null]);
  }

  function showControl() {
    shown = shownKey();
    const op = operations.get($("switch-operation").value);
    $("switch-control").replaceChildren(op ? switchControl(op, tenant(), switches.get(op.id), () => load()) : "");
  }

  function renderList() {
    $("switch-list").replaceChildren(
      ...[...switches.values()].map((s) =>
        el("li", { "data-operation": s.operation },
          el("span", {}, `${s.operation} answers ${describeSwitch(s)}`),
          el("button", {
            type: "button",
            "aria-label": `Switch back ${s.operation}`,
            onclick: async () => {
              try {
                await switchBack(tenant(), s.operation);
                Concord.note("switch-note", `${s.operation} is switched back: the rules decide again.`);
                load();
              } catch (e) {
                fail(e);
              }
            },
          }, "Switch back"),
        ),
      ),
    );
    $("switch-empty").hidden = switches.size > 0;
  }

  async function load() {
    try {
      switches = await listSwitches(tenant());
      renderList();
      // The control of the chosen operation follows what holds now, unless it is being changed.
      if (!$("switch-control").contains(document.activeElement) && shownKey() !== shown) showControl();
    } catch (e) {
      fail(e);
    }
  }

  async function start() {
    if (operations.size > 0) return load();
    try {
      const ops = await Concord.documented();
      operations = new Map(ops.map((op) => [op.id, op]));
      const byVendor = Concord.byVendor(ops);
      $("switch-operation").append(
        ...[...byVendor].map(([vendor, list]) =>
          el("optgroup", { label: vendor }, list.map((op) => el("option", { value: op.id }, `${op.id} — ${op.method} ${op.path}`))),
        ),
      );
      await load();
    } catch (e) {
      fail(e);
    }
  }

  $("switch-operation").addEventListener("change", showControl);
  return { start, load };
}
