import { defineConfig } from 'vitest/config';

// The unit and integration suite: Node alone, Azurite started once per run by the global setup.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/system/**', 'node_modules/**'],
    globalSetup: ['test/helpers/azuriteGlobalSetup.ts'],
    setupFiles: ['test/helpers/functionsCoreFake.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
