// Trunk post-build hook (see Trunk.toml): writes `name.br` and `name.gz` beside every file a
// browser downloads, at the highest levels, so the server sends them as they are instead of
// compressing on each request. Release builds only: a debug wasm is large and rebuilt often.
import { readFileSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error("precompress: TRUNK_STAGING_DIR is not set (this script runs as a Trunk hook)");
  process.exit(1);
}

// Through a temporary name, so a reader never sees half a file.
function writeWhole(path, bytes) {
  writeFileSync(`${path}.tmp`, bytes);
  renameSync(`${path}.tmp`, path);
}

if (process.env.TRUNK_PROFILE === "release") {
  // Every folder: the app at the top, the package's example under examples/.
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !/\.(wasm|js|css|html)$/.test(entry.name)) continue;
    const path = join(entry.parentPath, entry.name);
    const bytes = readFileSync(path);
    writeWhole(`${path}.br`, brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
    writeWhole(`${path}.gz`, gzipSync(bytes, { level: 9 }));
  }
}
