// Shared set-up for the end-to-end tests: the real `kycard` binary on a free port, and
// Debian's Chromium driven by playwright-core. Screenshots go to test-output/screenshots.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { crc32, deflateSync } from "node:zlib";
import { basename, join, resolve } from "node:path";
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

/** Reads the sign-ins and API keys `serve --demo` prints. */
function parseDemo(text) {
  const users = {};
  const keys = {};
  for (const line of text.split("\n")) {
    const user = line.match(/^\s+(operator|reviewer|admin)\s+(\S+@\S+)\s+password\s+(\S+)/);
    if (user) users[user[1]] = { email: user[2], password: user[3] };
    const key = line.match(/^\s+(operator|reviewer|admin)\s+(kyc_\S+)/);
    if (key) keys[key[1]] = key[2];
  }
  return { users, keys };
}

/**
 * Starts a fresh server (own data directory, `--demo`: a sandbox organization with one user
 * and one API key per role) and returns its base URL, the demo credentials and a stop function.
 */
export async function startServer() {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "kycard-e2e-"));
  const log = [];
  // Started outside the checkout, without --web-dir: the app comes with the binary.
  const child = spawn(binary, ["serve", "--demo", "--addr", `127.0.0.1:${port}`], {
    cwd: dataDir,
    env: { ...process.env, KYCARD_DATA_DIR: dataDir, RUST_LOG: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.on("data", (d) => log.push(d.toString()));
  child.stderr.on("data", (d) => log.push(d.toString()));
  const base = `http://127.0.0.1:${port}`;
  await waitForHealth(base, child, log);
  const { users, keys } = parseDemo(log.join(""));
  if (!users.operator || !keys.operator) throw new Error(`no demo credentials printed:\n${log.join("")}`);
  return {
    base,
    log,
    users,
    keys,
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
  const suite = basename(process.argv[1] ?? "e2e").replace(/\.test\.mjs$/, "");
  const file = join(screenshotDir, `${suite}-${String(shot).padStart(2, "0")}-${step}.png`);
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

/** Signs in through the sign-in page as the demo user of `role` and waits for the app. */
export async function signIn(page, server, role) {
  await page.goto(server.base + "/sign-in");
  await page.getByLabel("Email").fill(server.users[role].email);
  await page.getByLabel("Password").fill(server.users[role].password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "latin1");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

let pictures = 0;

/**
 * A real grayscale PNG of the given size that passes the review's quality rules: pale paper,
 * a photo box and lines of dark "words" (sharp edges, good exposure). Every call draws a
 * different one (the review sends the same file on two customers to a reviewer); `shade`
 * varies it further.
 */
export function png(width, height, shade = 0) {
  let state = ((++pictures * 2654435761) ^ (shade * 40503) ^ Date.now()) >>> 0 || 1;
  const rand = () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
  const glyph = Math.max(4, Math.floor(height / 40));
  const lines = [];
  for (let y = Math.floor(height / 8); y + glyph < (height * 7) / 8; y += Math.max(8, Math.floor(height / 16))) {
    const spans = [];
    for (let x = Math.floor(width / 3); x < (width * 19) / 20; ) {
      const w = (rand() % 6) + Math.floor(glyph / 2);
      spans.push([x, Math.min(x + w, width)]);
      x += w + 3 + (rand() % 5 === 0 ? glyph : 0);
    }
    lines.push({ y, spans });
  }
  const photo = [Math.floor(width / 20), Math.floor(width / 20 + width / 4), Math.floor(height / 8), Math.floor((height * 6) / 8)];
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, 0], 8);
  const rows = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width, 230);
    row[0] = 0;
    if (y >= photo[2] && y < photo[3]) row.fill(120, 1 + photo[0], 1 + photo[1]);
    const line = lines.find((l) => y >= l.y && y < l.y + glyph);
    for (const [x0, x1] of line ? line.spans : []) row.fill(35, 1 + x0, 1 + x1);
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(Buffer.concat(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** A grayscale PNG with no edge at all (a smooth gradient): what a badly blurred photo gives. */
export function blurredPng(width, height) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, 0], 8);
  const row = Buffer.alloc(1 + width);
  for (let x = 0; x < width; x++) row[1 + x] = 60 + Math.floor((160 * x) / width);
  const rows = Array.from({ length: height }, () => row);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(Buffer.concat(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** A date `days` from today, as YYYY-MM-DD. */
export function isoDate(days) {
  const d = new Date(Date.now() + days * 86_400_000);
  return d.toISOString().slice(0, 10);
}

/** Calls the API with the demo key of `role`. */
export async function api(server, role, method, path, body) {
  const res = await fetch(`${server.base}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${server.keys[role]}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

/** A complete Spanish profile (national ID) for API calls. */
export const profile = (email) => ({
  contact: { email, phone: "+34600111222" },
  individual_cards: true,
  individual: {
    personal: {
      full_name: "Marta Ruiz Soto",
      date_of_birth: "1985-02-20",
      gender: "female",
      address: { line1: "Calle Mayor 1", city: "Madrid", postal_code: "28013", country: "ES" },
    },
    official_id: { type: "national_id", number: "12345678Z", issuing_country: "ES", expires_on: isoDate(900) },
    financial: {
      occupation: "finance",
      annual_salary_range: "50k_100k",
      account_purpose: "travel",
      expected_monthly_volume: "1k_5k",
    },
  },
});

/** A one-page PDF showing `text` (Helvetica), with a correct cross-reference table. */
function pdfOf(text) {
  const content = `BT /F1 14 Tf 60 760 Td (${text}) Tj ET`;
  const objects = [
    "<</Type/Catalog/Pages 2 0 R>>",
    "<</Type/Pages/Kids[3 0 R]/Count 1>>",
    "<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources<</Font<</F1 4 0 R>>>>/Contents 5 0 R>>",
    "<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
    `<</Length ${content.length}>>\nstream\n${content}\nendstream`,
  ];
  let out = "%PDF-1.4\n";
  const offsets = objects.map((object, i) => {
    const at = out.length;
    out += `${i + 1} 0 obj\n${object}\nendobj\n`;
    return at;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  out += offsets.map((at) => `${String(at).padStart(10, "0")} 00000 n \n`).join("");
  out += `trailer\n<</Size ${objects.length + 1}/Root 1 0 R>>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, "latin1");
}

/** A real one-page text PDF. */
export const pdf = pdfOf("Identity card, back: issued in Madrid by the Direccion General de la Policia.");

/**
 * Creates a customer with `body` and uploads its three documents (ID front and back, a proof
 * of address issued five days ago) as the demo operator: its id.
 */
export async function customerWithDocuments(server, body) {
  const created = await api(server, "operator", "POST", "/customers", body);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id = created.body.id;
  await uploadByApi(server, id, "government_id_front");
  await uploadByApi(server, id, "government_id_back");
  await uploadByApi(server, id, "proof_of_address", { issued_on: isoDate(-5) });
  return id;
}

/** Uploads a document as the demo operator through the API. */
export async function uploadByApi(server, id, kind, extra = {}, file = { bytes: png(1600, 1000), type: "image/png", name: `${kind}.png` }) {
  const form = new FormData();
  form.append("kind", kind);
  for (const [k, v] of Object.entries(extra)) form.append(k, v);
  form.append("file", new Blob([file.bytes], { type: file.type }), file.name);
  const res = await fetch(`${server.base}/api/v1/customers/${id}/documents`, {
    method: "POST",
    headers: { authorization: `Bearer ${server.keys.operator}` },
    body: form,
  });
  assert.equal(res.status, 201, await res.text());
}

const axePath = join(root, "node_modules", "axe-core", "axe.min.js");

/** Runs axe on the page as it is now; returns the serious and critical violations. */
export async function audit(page, name) {
  // Evaluated through the DevTools protocol, which the app's content security policy (no
  // inline scripts) does not govern: the page is audited with its real policy in force.
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(readFileSync(axePath, "utf8"));
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const { violations } = await axe.run(document, { resultTypes: ["violations"] });
    return violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")) }));
  });
  const bad = result.filter((v) => v.impact === "serious" || v.impact === "critical");
  const listed = result.map((v) => `${v.id} (${v.impact})`).join(", ");
  console.log(`axe ${name}: ${result.length} violation(s)${listed ? `: ${listed}` : ""}; ${bad.length} serious or critical`);
  return bad;
}
