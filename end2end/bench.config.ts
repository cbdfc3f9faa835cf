import { defineConfig } from "@playwright/test";
import base from "./playwright.config";

// Scenario 7 of BENCHMARKS.md, run by scripts/bench (not a test: it measures
// and reports, it asserts no timing).
export default defineConfig({
  ...base,
  testDir: "./bench",
  testMatch: "*.bench.ts",
  timeout: 300_000,
  projects: [{ name: "desktop", use: { viewport: { width: 1280, height: 800 } } }],
});
