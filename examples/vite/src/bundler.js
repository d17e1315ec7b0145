// The bundler entry: the bundler loads the module on import; no init() needed.
import * as rules from "@entitle/rules/bundler";
import { storefront } from "./storefront.js";

await storefront(rules, "bundler");
