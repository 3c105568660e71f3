// The Node.js entry: reads the WebAssembly next to this file and compiles it synchronously.
import { readFileSync } from "node:fs";
import { initSync } from "./wasm/kycard.js";

initSync({ module: readFileSync(new URL("./wasm/kycard_bg.wasm", import.meta.url)) });

export * from "./api.js";
