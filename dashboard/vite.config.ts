import { defineConfig } from "vite";

// Relative asset URLs, so the build works at /dashboard/ under any origin
// and behind a proxy that mounts hull under a prefix. No source maps, and
// nothing time- or machine-dependent in the output: `npm ci && npm run
// build` gives the same bytes on every machine.
export default defineConfig({
  base: "./",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    target: "es2022",
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 600,
  },
});
