// Benchmarks the npm package's validateCustomer (Rust compiled to wasm) against the same rules
// written as a zod 4 schema (bench/zod-customer.mjs), both in one headless Chromium page.
//
//   node bench/validation.mjs
//
// Serves /pkg/ (target/npm/kycard-core), /zod/ (node_modules/zod) and /bench/ with node:http,
// opens /bench/page.html, checks both validators agree on a valid and an invalid profile, then
// times them (0.5 s warm-up, 5 alternating rounds of >= 0.5 s, median ops/s). Also prints the
// package's download size.
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants as zlib } from "node:zlib";
import { loadavg } from "node:os";
import { launchBrowser } from "../e2e/support.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const PKG = join(ROOT, "target/npm/kycard-core");
const TODAY = "2026-06-15";
const ROUNDS = 5;

const MOUNTS = {
  "/pkg/": PKG,
  "/zod/": join(ROOT, "node_modules/zod"),
  "/bench/": join(ROOT, "bench"),
};
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
};

/** The file a URL path names under one of MOUNTS, or null. */
function fileFor(urlPath) {
  const path = decodeURIComponent(urlPath.split("?")[0]);
  for (const [prefix, dir] of Object.entries(MOUNTS)) {
    if (!path.startsWith(prefix)) continue;
    const file = normalize(join(dir, path.slice(prefix.length)));
    return file.startsWith(dir + sep) ? file : null;
  }
  return null;
}

const server = createServer(async (req, res) => {
  const file = fileFor(req.url);
  try {
    if (!file || !(await stat(file)).isFile()) throw new Error("not found");
    const body = await readFile(file);
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": "no-store" });
    res.end(body);
  } catch {
    res.writeHead(404, { "content-type": "text/plain" });
    res.end(`not found: ${req.url}\n`);
  }
});

// ---- the profiles ----------------------------------------------------------------------------

const bases = JSON.parse(readFileSync(join(ROOT, "core/tests/vectors/bases.json"), "utf8"));
const valid = bases.national_id;
const invalid = structuredClone(valid);
invalid.contact.email = "ana@@example.com"; // two @
invalid.individual.personal.date_of_birth = "2010-01-01"; // 16 on 2026-06-15
invalid.individual.official_id.number = "12345678A"; // check letter of 12345678 is Z
delete invalid.individual.financial.occupation;
// Valid, as typed: core must normalise it (spaces in the phone, an upper-case domain, a double
// space in the name), so the package returns the changed values.
const typed = structuredClone(valid);
typed.contact.phone = "+34 600 111 222";
typed.contact.email = "ana@Example.COM";
typed.individual.personal.full_name = "Ana  María García López";
const PROFILES = { valid, typed, invalid };

// ---- sizes -----------------------------------------------------------------------------------

const brotli = (bytes) => brotliCompressSync(bytes, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }).length;
const BROWSER_FILES = ["index.js", "wasm/kycard_bg.wasm"]; // what the browser entry loads
const fmt = (n, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const kib = (n) => `${fmt(n / 1024, 1)} KiB`;

// ---- run -------------------------------------------------------------------------------------

/** Sorted-keys JSON without undefined members, to compare normalised values. */
const canonical = (v) =>
  JSON.stringify(v, (_, x) =>
    x && typeof x === "object" && !Array.isArray(x)
      ? Object.fromEntries(Object.keys(x).sort().filter((k) => x[k] !== undefined).map((k) => [k, x[k]]))
      : x,
  );

let browser;
let failed = false;
try {
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  const load = loadavg().map((l) => l.toFixed(2)).join(" ");

  browser = await launchBrowser();
  const page = await browser.newPage();
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  page.on("requestfailed", (r) => pageErrors.push(`request failed: ${r.url()}`));
  await page.goto(`${origin}/bench/page.html`);
  await page.waitForFunction(() => window.benchReady === true, null, { timeout: 30_000 }).catch((e) => {
    throw new Error(`page did not load: ${pageErrors.join("; ") || e.message}`);
  });

  // Sanity check, outside timing: both must agree on validity (and on the errors' paths).
  console.log(`Chromium ${browser.version()}, today = ${TODAY}, load average ${load}`);
  console.log("\nsanity check (outside timing)");
  for (const [name, profile] of Object.entries(PROFILES)) {
    const r = await page.evaluate(([p, t]) => window.kycardBench.check(p, t), [profile, TODAY]);
    const list = (side) => (side.ok ? "valid" : `invalid: ${side.errors.map((e) => `${e.path} (${e.code})`).join(", ")}`);
    console.log(`  ${name.padEnd(8)} package ${list(r.package)}`);
    console.log(`  ${"".padEnd(8)} zod     ${list(r.zod)}`);
    const pairs = (side) => side.errors.map((e) => `${e.path} ${e.code}`).sort().join("|");
    const expected = name !== "invalid";
    if (r.package.ok !== expected || r.zod.ok !== expected) {
      failed = true;
      console.log(`  !! expected the ${name} profile to be ${expected ? "valid" : "invalid"} for both`);
    } else if (!expected && pairs(r.package) !== pairs(r.zod)) {
      failed = true;
      console.log("  !! the two disagree on the errors");
    } else if (expected && canonical(r.package.value) !== canonical(r.zod.value)) {
      failed = true;
      console.log(`  !! normalised values differ:\n     ${canonical(r.package.value)}\n     ${canonical(r.zod.value)}`);
    } else {
      console.log(`  ${"".padEnd(8)} agree${expected ? " (same normalised value)" : " (same paths and codes)"}`);
    }
  }

  const rows = [];
  for (const [name, profile] of Object.entries(PROFILES)) {
    process.stderr.write(`timing ${name}…\n`);
    const r = await page.evaluate(([p, t, rounds]) => window.kycardBench.bench(p, t, { rounds }), [profile, TODAY, ROUNDS]);
    rows.push({ name, ...r });
  }
  if (pageErrors.length) console.log(`page errors: ${pageErrors.join("; ")}`);

  console.log(`\nvalidateCustomer vs zod 4, one Chromium page (median of ${ROUNDS} rounds)`);
  console.log("valid: already normalised (as a form sends it back); typed: valid, to normalise");
  console.log("profile   package ops/s   zod ops/s   package/zod");
  for (const row of rows) {
    const ratio = row.package.median / row.zod.median;
    console.log(
      `${row.name.padEnd(8)}${fmt(row.package.median).padStart(15)}${fmt(row.zod.median).padStart(12)}${(fmt(ratio, 2) + "×").padStart(13)}`,
    );
  }
  console.log("\nrounds (ops/s):");
  for (const row of rows) {
    for (const side of ["package", "zod"]) {
      const spread = (Math.max(...row[side].rounds) / Math.min(...row[side].rounds) - 1) * 100;
      console.log(
        `  ${row.name.padEnd(8)}${side.padEnd(8)} ${row[side].rounds.map((x) => fmt(x)).join("  ")}  (max/min +${fmt(spread, 1)}%, batch ${row[side].batch})`,
      );
    }
  }
  console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);

  // Sizes: the wasm alone, and everything the browser entry downloads.
  const wasm = readFileSync(join(PKG, "wasm/kycard_bg.wasm"));
  let raw = 0;
  let compressed = 0;
  for (const f of BROWSER_FILES) {
    const bytes = readFileSync(join(PKG, f));
    raw += bytes.length;
    compressed += brotli(bytes);
  }
  console.log(`\npackage size (brotli quality 11, each file compressed on its own)`);
  console.log(`  wasm/kycard_bg.wasm  ${fmt(wasm.length)} B (${kib(wasm.length)}) raw, ${fmt(brotli(wasm))} B (${kib(brotli(wasm))}) brotli`);
  console.log(`  js + wasm (${BROWSER_FILES.join(", ")})  ${fmt(raw)} B (${kib(raw)}) raw, ${fmt(compressed)} B (${kib(compressed)}) brotli`);
} catch (error) {
  failed = true;
  console.error(error);
} finally {
  await browser?.close().catch(() => {});
  server.closeAllConnections?.();
  await new Promise((resolve) => server.close(resolve));
}
process.exitCode = failed ? 1 : 0;
