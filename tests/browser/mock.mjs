// Starts the mock binary on a free loopback port and a headless chromium, and watches every page for
// what the tests forbid: requests leaving the origin, console errors, uncaught exceptions and dialogs.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
// Generated on every run, so kept out of the checkout (tests/reports/ is ignored); docs/screenshots/ holds
// the copies the README shows.
export const SCREENSHOTS = path.join(here, "..", "reports", "browser", "screenshots");
const BIN = process.env.CONCORD_MOCK_BIN || path.join(here, "../../target/release/concord-mock");
const CHROMIUM = process.env.CHROMIUM_BIN || "/usr/bin/chromium";

/** Starts the mock (`--port 0`) and resolves its URL from the line it prints. */
export async function startMock(args = []) {
  const child = spawn(BIN, ["--port", "0", "--log", "warn", ...args], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.setEncoding("utf8");
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the mock printed no URL within 10 s: ${out}`)), 10_000);
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const found = out.match(/listening on (http:\/\/\S+)/);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    });
    child.on("exit", (code) => reject(new Error(`the mock exited with ${code}: ${out}`)));
  });
  return {
    url,
    async stop() {
      child.kill("SIGTERM");
      await once(child, "exit");
    },
  };
}

/**
 * Starts Debian's redis-server on a free loopback port, or returns null when it is not installed and
 * CONCORD_REQUIRE_REDIS is unset (`.ci/run` sets it, so there a missing Redis fails the test).
 */
export async function startRedis() {
  const port = await new Promise((resolve) => {
    const probe = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
    stdio: "ignore",
  });
  const failed = await new Promise((resolve) => {
    child.once("error", resolve);
    setTimeout(() => resolve(null), 300);
  });
  if (failed) {
    if (process.env.CONCORD_REQUIRE_REDIS) throw new Error(`redis-server is required but did not start: ${failed.message}`);
    return null;
  }
  for (let i = 0; i < 100; i += 1) {
    const up = await new Promise((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => {
        socket.end();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
    });
    if (up) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `redis://127.0.0.1:${port}/`,
    async stop() {
      child.kill("SIGKILL");
      await once(child, "exit");
    },
  };
}

export async function startBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    // Without the background-networking flags chromium phones home, which this test forbids (and which
    // a closed network refuses noisily).
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
}

/**
 * A browser context whose pages record every violation: a request to none of the given origins, a console
 * error, an uncaught exception, a dialog (an injected `alert`), a document without the strict CSP.
 */
export async function watchedContext(browser, origin, ...moreOrigins) {
  const origins = [origin, ...moreOrigins];
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  for (const allowed of origins) await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: allowed });
  const violations = [];
  const documents = [];
  context.on("page", (page) => watch(page));
  function watch(page) {
    page.on("request", (request) => {
      const url = request.url();
      const own = origins.some((allowed) => url.startsWith(allowed + "/"));
      if (!own && !url.startsWith("data:")) violations.push(`external request: ${url}`);
    });
    page.on("console", (message) => {
      if (message.type() === "error") violations.push(`console error on ${page.url()}: ${message.text()}`);
    });
    page.on("pageerror", (error) => violations.push(`uncaught exception on ${page.url()}: ${error.message}`));
    page.on("dialog", async (dialog) => {
      violations.push(`dialog opened (${dialog.type()}): ${dialog.message()}`);
      await dialog.dismiss();
    });
    page.on("response", async (response) => {
      if (response.request().resourceType() !== "document") return;
      documents.push({ url: response.url(), status: response.status(), csp: (await response.allHeaders())["content-security-policy"] });
    });
  }
  return { context, violations, documents };
}

export function screenshotPath(name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return path.join(SCREENSHOTS, `${name}.png`);
}

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/**
 * axe-core's serious and critical violations on the page as it is now. axe is evaluated through the
 * DevTools protocol, which the page's Content-Security-Policy does not govern, so the page stays as served.
 */
export async function seriousViolations(page) {
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () =>
    (await window.axe.run(document, { resultTypes: ["violations"] })).violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
    })),
  );
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}
