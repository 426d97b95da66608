import { defineConfig } from 'vitest/config';

// Checks that need Debian packages: live reference implementations (numpy, scipy, sklearn, avro) and Chromium.
export default defineConfig({
  test: {
    include: ['test/system/**/*.test.ts'],
    globalSetup: ['test/helpers/azuriteGlobalSetup.ts'],
    setupFiles: ['test/helpers/functionsCoreFake.ts'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
