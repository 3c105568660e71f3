// Prints the size of what a browser downloads to start the app, raw and after brotli
// (what the server's compression layer sends). A budget to watch, not a test.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants } from "node:zlib";

const dist = join(import.meta.dirname, "..", "dist");
const BUDGET_KB = 150;
let raw = 0;
let brotli = 0;
const rows = [];
for (const name of readdirSync(dist).sort()) {
  if (!/\.(wasm|js|css|html)$/.test(name)) continue;
  const bytes = readFileSync(join(dist, name));
  const compressed = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  raw += bytes.length;
  brotli += compressed;
  rows.push(`  ${name.padEnd(24)} ${(bytes.length / 1024).toFixed(1).padStart(8)} KB raw ${(compressed / 1024).toFixed(1).padStart(8)} KB brotli`);
}
console.log("web app download size:");
console.log(rows.join("\n"));
console.log(`  ${"total".padEnd(24)} ${(raw / 1024).toFixed(1).padStart(8)} KB raw ${(brotli / 1024).toFixed(1).padStart(8)} KB brotli (budget ${BUDGET_KB} KB brotli: ${brotli / 1024 <= BUDGET_KB ? "within" : "OVER"})`);
