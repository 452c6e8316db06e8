import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["controller/**/*.test.ts", "sandbox/**/*.test.ts", "mcp-servers/**/*.test.ts"],
          exclude: ["**/*.db.test.ts", "**/node_modules/**"],
        },
      },
      {
        // End to end through the real `factory` binaries, each a child process on its own PGlite.
        test: { name: "cli", include: ["cli/**/*.test.ts"], testTimeout: 60_000 },
      },
      {
        test: {
          name: "db",
          include: ["controller/**/*.db.test.ts", "sandbox/**/*.db.test.ts", "mcp-servers/**/*.db.test.ts"],
          globalSetup: ["test/support/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
