// Web entry: the WebAssembly module is fetched (or given) when the page calls init().
import load, { initSync as loadSync } from "./entitle_rules.js";

export async function init(options) {
  await load(options);
}

export function initSync(options) {
  loadSync(options);
}
