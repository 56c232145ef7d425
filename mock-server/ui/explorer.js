// The API explorer: Swagger UI over this mock's contract. "Try it out" calls this origin as the tenant the
// dashboard selected, already authorized with that tenant's demo credentials. Two additions through
// Swagger UI's plugin system: above each operation's responses, the response switch (make the mock give
// one of those responses, and a delay, for this tenant); and on a deprecated operation, the words
// "Deprecated" and the replacement the document names (`x-speakeasy-deprecation-replacement` or
// `x-replaced-by`), with its message (`x-speakeasy-deprecation-message`).
import { listSwitches, switchControl } from "./switches.js";

const tenant = Concord.tenant();
document.getElementById("explorer-tenant").textContent = tenant;

let documented = null; // operations with their answers, by "METHOD path"
let switches = new Map();
let deprecations = new Map(); // operationId → "use X instead: message"

async function authorize(ui) {
  try {
    const { byScheme } = await Concord.credentials(tenant);
    for (const [scheme, creds] of byScheme) ui.preauthorizeApiKey(scheme, creds[0].value);
  } catch (e) {
    Concord.status(
      e instanceof Concord.NeedsToken
        ? "Open the dashboard and enter the admin token to pre-fill the demo credentials and use the response switch; until then use Authorize."
        : `Could not read the demo credentials: ${e.message}`,
      !(e instanceof Concord.NeedsToken),
    );
  }
}

async function loadSwitches() {
  try {
    const ops = await Concord.documented();
    documented = new Map(ops.map((op) => [`${op.method} ${op.path}`, op]));
    switches = await listSwitches(tenant);
  } catch {
    documented = documented || new Map();
  }
}

async function loadDeprecations() {
  const doc = await Concord.spec();
  const ids = new Map();
  for (const [path, item] of Object.entries(doc.paths || {})) {
    for (const [method, op] of Object.entries(item)) {
      if (op && op.operationId) ids.set(op.operationId, `${method.toUpperCase()} ${path}`);
    }
  }
  for (const item of Object.values(doc.paths || {})) {
    for (const op of Object.values(item)) {
      if (!op || !op.deprecated || !op.operationId) continue;
      const replacement = op["x-speakeasy-deprecation-replacement"] || op["x-replaced-by"];
      const message = op["x-speakeasy-deprecation-message"];
      const use = replacement ? `use ${replacement}${ids.has(replacement) ? ` (${ids.get(replacement)})` : ""} instead` : "";
      deprecations.set(op.operationId, [use, message].filter(Boolean).join(". "));
    }
  }
}

/** Mounts the switch of the operation at (path, method) into `node`, once. */
function mountSwitch(node, path, method) {
  if (!node || node.dataset.mounted || !documented) return;
  const op = documented.get(`${method.toUpperCase()} ${path}`);
  if (!op) return;
  node.dataset.mounted = "true";
  node.append(switchControl(op, tenant, switches.get(op.id), (s) => (s ? switches.set(op.id, s) : switches.delete(op.id))));
}

const MockPlugin = (system) => {
  const React = system.React;
  return {
    wrapComponents: {
      responses: (Original) => (props) =>
        React.createElement(React.Fragment, null,
          React.createElement("div", { className: "mock-switch-mount", ref: (node) => mountSwitch(node, props.path, props.method) }),
          React.createElement(Original, props)),
      OperationSummaryPath: (Original) => (props) => {
        const { deprecated, operationId } = props.operationProps.toObject();
        // The path is shown as text, not as a link inside the summary button (a link in a button is two
        // nested controls); deep links still work through the address bar.
        const plain = { ...props, operationProps: props.operationProps.set("isDeepLinkingEnabled", false) };
        if (!deprecated) return React.createElement(Original, plain);
        const replacement = deprecations.get(operationId);
        return React.createElement(React.Fragment, null,
          React.createElement(Original, plain),
          React.createElement("span", { className: "deprecation-note" }, replacement ? `Deprecated: ${replacement}` : "Deprecated"));
      },
    },
  };
};

/** Swagger UI leaves some of its selects without a name (the servers' label holds only the select). */
const SELECT_NAMES = [
  ["#servers", "Server"],
  [".examples-select-element", "Example"],
  [".content-type", "Media type"],
];
function nameSelects(root) {
  for (const select of root.querySelectorAll("select:not([aria-label])")) {
    const known = SELECT_NAMES.find(([selector]) => select.matches(selector));
    const labelled = [...(select.labels || [])].some((label) => label.textContent.trim() !== select.textContent.trim());
    if (known) select.setAttribute("aria-label", known[1]);
    else if (!labelled) select.setAttribute("aria-label", "Choice");
  }
}
new MutationObserver(() => nameSelects(document.getElementById("swagger-ui"))).observe(document.getElementById("swagger-ui"), { childList: true, subtree: true });

await Promise.all([loadSwitches(), loadDeprecations().catch(() => {})]);
const ui = SwaggerUIBundle({
  url: "openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  displayOperationId: true,
  displayRequestDuration: true,
  persistAuthorization: false,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  plugins: [MockPlugin],
  layout: "BaseLayout",
  requestInterceptor: (request) => {
    request.headers["X-Mock-Tenant"] = tenant;
    return request;
  },
  onComplete: () => authorize(ui),
});
