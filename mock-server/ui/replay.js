// A journaled request as something to paste: a curl command or a fetch() call that sends what was sent.
// A credential the request carried is shown as sent when it is one of the tenant's demo credentials (the
// journal records those; they are public), else as a visible placeholder, never as another credential.

// Headers a pasted request does not need (the client sets them, or they describe this browser). Cookies
// are rebuilt from the demo credentials a cookie scheme carried.
const SKIP = /^(host|content-length|connection|accept-encoding|accept-language|user-agent|origin|referer|cookie|sec-.*|priority|cache-control|pragma|dnt)$/i;
// What the journal stores instead of a credential (it redacts what the document's security schemes place:
// headers, query parameters and cookies).
const REDACTED = "***";

/** What a credential placeholder says: the value was not recorded, so the user fills it in. */
export const NOT_RECORDED = "<not recorded: the credential you sent>";
// The placeholder as a query parameter's value.
const NOT_RECORDED_IN_QUERY = new URLSearchParams({ k: NOT_RECORDED }).toString().slice(2);

/** Whether a pasted request holds a placeholder for the user to fill in. */
export function needsCredential(text) {
  return text.includes(NOT_RECORDED) || text.includes(NOT_RECORDED_IN_QUERY);
}

function shellQuote(text) {
  return "'" + String(text).replace(/'/g, "'\\''") + "'";
}

/** The value of a redacted header as it was sent: the demo credential it carried, else the placeholder. */
function sentCredential(name, entry, schemes) {
  for (const { scheme, value } of entry.demoCredentials || []) {
    const header = schemes[scheme] && Concord.headerFor(schemes[scheme], value);
    if (header && header[0].toLowerCase() === name) return header[1];
  }
  return NOT_RECORDED;
}

/** The demo credentials the request carried through schemes that `placed` accepts, as [scheme, value]. */
function demoCredentials(entry, schemes, placed) {
  return (entry.demoCredentials || [])
    .filter(({ scheme }) => schemes[scheme] && placed(schemes[scheme]))
    .map(({ scheme, value }) => [schemes[scheme], value]);
}

/** The query as sent: a redacted API key becomes the demo key it was, else the placeholder. */
function sentQuery(entry, schemes) {
  if (!entry.query) return "";
  const params = new URLSearchParams(entry.query);
  if (![...params.values()].includes(REDACTED)) return "?" + entry.query;
  for (const [key, value] of [...params]) {
    if (value !== REDACTED) continue;
    const [demo] = demoCredentials(entry, schemes, (s) => s.type === "apiKey" && s.in === "query" && s.name === key);
    params.set(key, demo ? demo[1] : NOT_RECORDED);
  }
  return "?" + params.toString();
}

/** The request as sent: URL, method, headers (secrets as sent or as a placeholder), body. */
function replayable(entry, schemes) {
  const url = location.origin + entry.path + sentQuery(entry, schemes);
  const headers = [];
  for (const [name, value] of entry.requestHeaders) {
    if (SKIP.test(name)) continue;
    headers.push([name, value === REDACTED ? sentCredential(name, entry, schemes) : value]);
  }
  const cookies = demoCredentials(entry, schemes, (s) => s.type === "apiKey" && s.in === "cookie");
  if (cookies.length) headers.push(["cookie", cookies.map(([s, value]) => `${s.name}=${value}`).join("; ")]);
  let body = null;
  if (entry.requestBody !== undefined && entry.requestBody !== null) {
    body = typeof entry.requestBody === "string" ? entry.requestBody : JSON.stringify(entry.requestBody);
  }
  return { url, method: entry.method, headers, body };
}

/** A curl command, one option per line. */
export function curlCommand(entry, schemes) {
  const { url, method, headers, body } = replayable(entry, schemes);
  const lines = [`curl -X ${method} ${shellQuote(url)}`];
  for (const [name, value] of headers) lines.push(`-H ${shellQuote(`${name}: ${value}`)}`);
  if (body !== null) lines.push(`--data-raw ${shellQuote(body)}`);
  return lines.join(" \\\n  ");
}

/** The same request as frontend code: `fetch(url, { method, headers, body })`. */
export function fetchCall(entry, schemes) {
  const { url, method, headers, body } = replayable(entry, schemes);
  const init = { method, headers: Object.fromEntries(headers) };
  if (body !== null) init.body = body;
  return `await fetch(${JSON.stringify(url)}, ${JSON.stringify(init, null, 2)});`;
}
