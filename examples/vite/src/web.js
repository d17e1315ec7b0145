// The web entry: load the module once with init(), then decide.
import init, * as rules from "@entitle/rules";
import { storefront } from "./storefront.js";

await init();
await storefront(rules, "web");
