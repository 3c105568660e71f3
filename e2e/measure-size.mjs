// Prints the size of what a browser downloads to start the app, raw and as the server sends
// it to a browser accepting brotli: the `.br` copies the release build writes beside each
// file (web/precompress.mjs). A budget to watch, not a test.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const dist = join(import.meta.dirname, "..", "dist");
const BUDGET_KB = 150;
const kb = (bytes) => (bytes / 1024).toFixed(1).padStart(8);
let raw = 0;
let brotli = 0;
const rows = [];
for (const name of readdirSync(dist).sort()) {
  if (!name.endsWith(".br")) continue;
  const original = join(dist, name.slice(0, -3));
  if (!existsSync(original)) continue;
  const size = statSync(original).size;
  const compressed = statSync(join(dist, name)).size;
  raw += size;
  brotli += compressed;
  rows.push(`  ${name.slice(0, -3).padEnd(24)} ${kb(size)} KB raw ${kb(compressed)} KB brotli`);
}
if (rows.length === 0) {
  console.error("no precompressed files in dist/: build with `trunk build --release`");
  process.exit(1);
}
console.log("web app download size:");
console.log(rows.join("\n"));
console.log(`  ${"total".padEnd(24)} ${kb(raw)} KB raw ${kb(brotli)} KB brotli (budget ${BUDGET_KB} KB brotli: ${brotli / 1024 <= BUDGET_KB ? "within" : "OVER"})`);
