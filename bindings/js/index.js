// The browser and bundler entry: fetches and compiles the WebAssembly next to this file once,
// then every function is synchronous.
import init from "./wasm/kycard.js";

await init({ module_or_path: new URL("./wasm/kycard_bg.wasm", import.meta.url) });

export * from "./api.js";
