export * from "../web/index.js";
export { default } from "../web/index.js";
