import { defineConfig } from 'vitest/config';

export default defineConfig({
  // One graphql module for the app and the tests, or the schema is "from another realm".
  resolve: { alias: { graphql: 'graphql/index.js' } },
  test: {
    globalSetup: ['./test/helpers/global-setup.ts', './test/browser/global-setup.ts'],
    setupFiles: ['./test/helpers/leak-guard.ts'],
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
