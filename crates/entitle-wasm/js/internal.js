// Argument checks and error conversion shared by the entries of @entitle/rules (not exported
// from the package).

/** The error every export throws: `code` is the stable code the HTTP API answers with too. */
export class EntitleError extends Error {
  constructor(code, message, status) {
    super(message);
    this.name = "EntitleError";
    this.code = code;
    this.status = status;
  }
}

function describe(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (value instanceof Date) return "a Date";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function invalid(what, expected, value) {
  return new EntitleError("invalid_input", `${what}: expected ${expected}, got ${describe(value)}`, 400);
}

export function text(value, what) {
  if (typeof value !== "string") throw invalid(what, "a string", value);
  return value;
}

/** A time as the list views take it: RFC 3339 text, the current time when left out. */
export function instant(value, what = "now") {
  return value === undefined ? new Date().toISOString() : text(value, what);
}

/** JSON text of a record or list; a value JSON cannot hold (a BigInt, a cycle, nesting deeper than the engine's stack) is the caller's mistake too. */
function json(value, what) {
  try {
    return JSON.stringify(value);
  } catch (error) {
    throw new EntitleError("invalid_input", `${what}: cannot be written as JSON (${error.message.split("\n")[0]})`, 400);
  }
}

export function record(value, what) {
  if (value === null || typeof value !== "object" || Array.isArray(value) || value instanceof Date) {
    throw invalid(what, "a plain object", value);
  }
  return json(value, what);
}

export function list(value, what) {
  if (!Array.isArray(value)) throw invalid(what, "an array", value);
  return json(value, what);
}

/** Turns what the module threw into an EntitleError. */
function rethrow(error) {
  if (error instanceof EntitleError) return error;
  if (typeof error?.code === "string") return new EntitleError(error.code, error.message, error.status);
  if (error instanceof WebAssembly.RuntimeError) {
    return new EntitleError("internal_error", `the rules stopped: ${error.message}`, 500);
  }
  if (error instanceof TypeError && /wasm|undefined/.test(error.message)) {
    return new EntitleError("not_initialized", "call `await init()` before using @entitle/rules", 500);
  }
  return error;
}

export function invoke(fn, ...args) {
  try {
    return fn(...args);
  } catch (error) {
    throw rethrow(error);
  }
}

/** Calls the module and parses its JSON answer. */
export function call(fn, ...args) {
  return JSON.parse(invoke(fn, ...args));
}
