// Two pages, one per entry of @entitle/rules: index.html uses the web entry (init() fetches the
// module), bundler.html the bundler entry (the module is imported as WebAssembly ESM, which
// vite-plugin-wasm provides).
import { defineConfig } from "vite";
import wasm from "vite-plugin-wasm";
import { fileURLToPath } from "node:url";

const page = (name) => fileURLToPath(new URL(name, import.meta.url));

export default defineConfig({
  plugins: [wasm()],
  build: {
    target: "es2022",
    rollupOptions: { input: { index: page("index.html"), bundler: page("bundler.html") } },
  },
  // The dev server must not pre-bundle the package: its .wasm files stay next to its modules.
  optimizeDeps: { exclude: ["@entitle/rules"] },
});
