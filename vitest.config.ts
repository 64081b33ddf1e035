import { defineConfig } from 'vitest/config';

// Two projects: `unit` (model, rendering, CLI; seconds) and `images` (real podman builds; minutes).
// `npm test` runs both; `npx projen test:unit` runs only the first while working.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/core/**/*.test.ts', 'test/cli/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
      {
        test: {
          name: 'images',
          include: ['test/images/**/*.test.ts'],
          globalSetup: ['test/images/global-setup.ts'],
          testTimeout: 900_000,
          hookTimeout: 1_800_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
