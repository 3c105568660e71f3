// Starts the WebAssembly app. A file of its own, not an inline script, so the content
// security policy can forbid inline scripts.
import init from "/kycard-web.js";

init({ module_or_path: "/kycard-web_bg.wasm" });
