// Shared set-up for the end-to-end tests: the real `kycard` binary on a free port, and
// Debian's Chromium driven by playwright-core. Screenshots go to test-output/screenshots.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before } from "node:test";
import { chromium } from "playwright-core";

export const root = resolve(import.meta.dirname, "..");
export const screenshotDir = join(root, "test-output", "screenshots");

const binary = process.env.KYCARD_BIN ?? join(root, "target", "debug", "kycard");
const chromiumPath = process.env.CHROMIUM ?? "/usr/bin/chromium";

function freePort() {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once("error", fail);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => done(port));
    });
  });
}

async function waitForHealth(base, child, log) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`kycard exited early:\n${log.join("")}`);
    try {
      const res = await fetch(`${base}/api/v1/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`kycard did not answer /api/v1/health within 30 s:\n${log.join("")}`);
}

/** Starts a fresh server (own data directory) and returns its base URL and a stop function. */
export async function startServer() {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "kycard-e2e-"));
  const log = [];
  const child = spawn(binary, ["serve", "--addr", `127.0.0.1:${port}`, "--web-dir", join(root, "dist")], {
    env: { ...process.env, KYCARD_DATA_DIR: dataDir, RUST_LOG: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.on("data", (d) => log.push(d.toString()));
  child.stderr.on("data", (d) => log.push(d.toString()));
  const base = `http://127.0.0.1:${port}`;
  await waitForHealth(base, child, log);
  return {
    base,
    log,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((r) => (child.exitCode !== null ? r() : child.once("exit", r)));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Launches headless Chromium with the flags this machine needs. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Opens a page that fails the test on any console error or uncaught exception. */
export async function openPage(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1024, height: 800 }, ...options });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(`console error: ${msg.text()}`);
  });
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  return { context, page, problems };
}

let shot = 0;
/** Saves a numbered full-page screenshot named after the step. */
export async function screenshot(page, step) {
  mkdirSync(screenshotDir, { recursive: true });
  shot += 1;
  const file = join(screenshotDir, `${String(shot).padStart(2, "0")}-${step}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Registers hooks that start a fresh server and browser for the test file and stop them after.
 * Returns an object whose `server` and `browser` are set once the tests run.
 */
export function useServerAndBrowser() {
  const shared = { server: undefined, browser: undefined };
  before(async () => {
    shared.server = await startServer();
    shared.browser = await launchBrowser();
  });
  after(async () => {
    await shared.browser?.close();
    await shared.server?.stop();
  });
  return shared;
}
