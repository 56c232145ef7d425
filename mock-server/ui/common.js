// Shared by the dashboard and the explorer: the selected tenant, calls to the admin API (with the admin
// token when the mock requires one), the contract, and the tenant's demo credentials. Nothing here builds
// HTML from strings: every value reaches the page as text.
"use strict";

const Concord = (() => {
  const TENANT_KEY = "concord.tenant";
  const TOKEN_KEY = "concord.adminToken";

  /** Creates an element; `children` are nodes or strings (inserted as text, never parsed). */
  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (name === "class") node.className = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function tenant() {
    return localStorage.getItem(TENANT_KEY) || "default";
  }

  function setTenant(name) {
    localStorage.setItem(TENANT_KEY, name.trim() || "default");
  }

  function status(message, isError = false) {
    const node = document.getElementById("status");
    if (!node) return;
    node.textContent = message;
    node.classList.toggle("error", isError);
  }

  /** Raised when the admin API wants a token; the dashboard asks for it. */
  class NeedsToken extends Error {}

  /** A call to the admin API under /__mock; JSON in and out. */
  async function admin(method, path, { query, body } = {}) {
    const url = new URL("/__mock" + path, location.origin);
    for (const [k, v] of Object.entries(query || {})) {
      if (v !== undefined && v !== null && v !== "") url.searchParams.set(k, v);
    }
    const headers = { Accept: "application/json" };
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) headers.Authorization = "Bearer " + token;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 401) throw new NeedsToken("the admin API needs its token");
    const text = await response.text();
    const data = text ? JSON.parse(text) : null;
    if (!response.ok) {
      throw new Error((data && data.error) || `${method} ${path} answered ${response.status}`);
    }
    return data;
  }

  function setToken(token) {
    sessionStorage.setItem(TOKEN_KEY, token);
  }

  let contract;
  /** The contract as the explorer sees it (servers point at this origin). */
  async function spec() {
    if (!contract) {
      const response = await fetch("openapi.json", { headers: { Accept: "application/json" } });
      contract = await response.json();
    }
    return contract;
  }

  const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

  /** Every operation: {id, method, path, security}. */
  async function operations() {
    const doc = await spec();
    const ops = [];
    for (const [path, item] of Object.entries(doc.paths || {})) {
      for (const method of METHODS) {
        const op = item[method];
        if (!op) continue;
        ops.push({
          id: op.operationId,
          method: method.toUpperCase(),
          path,
          security: op.security || doc.security || [],
        });
      }
    }
    return ops;
  }

  /**
   * The tenant's credentials, one list per security scheme: the mock keeps them as `auth.credential`
   * entities named `<scheme>:<value>`.
   */
  async function credentials(tenantName) {
    const [exported, doc] = await Promise.all([
      admin("GET", "/state", { query: { tenant: tenantName } }),
      spec(),
    ]);
    const schemes = (doc.components && doc.components.securitySchemes) || {};
    const byScheme = new Map();
    for (const [key, entity] of Object.entries((exported.state || {})["auth.credential"] || {})) {
      const at = key.indexOf(":");
      if (at < 0) continue;
      const scheme = key.slice(0, at);
      if (!schemes[scheme]) continue;
      if (!byScheme.has(scheme)) byScheme.set(scheme, []);
      byScheme.get(scheme).push({ value: key.slice(at + 1), details: entity });
    }
    return { schemes, byScheme, state: exported.state || {} };
  }

  /** How a scheme's credential is sent: [header name, header value]. */
  function headerFor(scheme, value) {
    if (scheme.type === "apiKey" && scheme.in === "header") return [scheme.name, value];
    if (scheme.type === "http" && /^bearer$/i.test(scheme.scheme || "")) return ["Authorization", "Bearer " + value];
    if (scheme.type === "http" && /^basic$/i.test(scheme.scheme || "")) return ["Authorization", "Basic " + value];
    return null;
  }

  /** Feedback next to the control that caused it, where the eye already is. */
  function note(id, message, isError = false) {
    const line = document.getElementById(id);
    if (!line) return;
    line.textContent = message;
    line.classList.toggle("error", isError);
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

  let described;
  /** Every operation with the answers it documents, as the mock knows them (`GET /__mock/operations`). */
  async function documented() {
    if (!described) {
      described = admin("GET", "/operations").then((r) => r.operations);
      described.catch(() => {
        described = undefined;
      });
    }
    return described;
  }

  /** Operations grouped by vendor, in the order they come: Map vendor → operations. */
  function byVendor(ops) {
    const groups = new Map();
    for (const op of ops) {
      if (!groups.has(op.vendor)) groups.set(op.vendor, []);
      groups.get(op.vendor).push(op);
    }
    return groups;
  }

  /** Copies text; falls back to selecting it when the clipboard is not available. */
  async function copy(text, label) {
    try {
      await navigator.clipboard.writeText(text);
      status(`Copied ${label}.`);
    } catch {
      status(`Could not reach the clipboard; select the ${label} and copy it.`, true);
    }
  }

  return { el, tenant, setTenant, status, note, confirming, admin, setToken, NeedsToken, spec, operations, documented, byVendor, credentials, headerFor, copy };
})();
