// Node, imported as an ES module: the web glue, loaded synchronously from the file next to it,
// so `await init()` resolves at once and never fetches.
import { readFileSync } from "node:fs";
import { initSync } from "../web/entitle_rules.js";

initSync({ module: readFileSync(new URL("../web/entitle_rules_bg.wasm", import.meta.url)) });

export * from "../web/index.js";
export { default } from "../web/index.js";
