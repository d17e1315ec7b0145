// Bundler and Node entries: the WebAssembly module is loaded when the package is imported.
export async function init() {}

export function initSync() {}
