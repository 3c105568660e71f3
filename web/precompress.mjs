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
  for (const name of readdirSync(dir)) {
    if (!/\.(wasm|js|css|html)$/.test(name)) continue;
    const bytes = readFileSync(join(dir, name));
    writeWhole(join(dir, `${name}.br`), brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
    writeWhole(join(dir, `${name}.gz`), gzipSync(bytes, { level: 9 }));
  }
}
