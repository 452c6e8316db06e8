import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Most suites wait on child processes, loopback HTTP and the database: two files at a time use a
    // two-core machine better than vitest's default of one worker there.
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: "unit",
          include: [
            "controller/**/*.test.ts",
            "sandbox/**/*.test.ts",
            "mcp-servers/**/*.test.ts",
            "agents/**/*.test.ts",
            "graphs/**/*.test.ts",
            "evals/**/*.test.ts",
          ],
          exclude: ["**/*.db.test.ts", "**/node_modules/**"],
        },
      },
      {
        // End to end through the real `factory` binaries, each a child process on its own PGlite.
        test: {
          name: "cli",
          include: ["cli/**/*.test.ts"],
          // A CLI suite that needs the PostgreSQL server runs with the database suites on it.
          exclude: ["cli/**/*.db.test.ts", "**/node_modules/**"],
          // Each test starts `factory` processes; two suites share two cores.
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: "db",
          include: [
            "controller/**/*.db.test.ts",
            "sandbox/**/*.db.test.ts",
            "mcp-servers/**/*.db.test.ts",
            "agents/**/*.db.test.ts",
            "graphs/**/*.db.test.ts",
            "cli/**/*.db.test.ts",
          ],
          globalSetup: ["test/support/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
