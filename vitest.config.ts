import { defineConfig } from 'vitest/config';

// Three tiers (vitest projects):
// - `unit`: in process (model, rendering, manifests, policies, verify's pure parts, the CLI through
//   runCli); no installs, no container builds, no spawned binary.
// - `integration`: real package-manager installs and a few runs of the built binary (signals, exit
//   codes, TTY/non-TTY, --help), spawned asynchronously.
// - `images`: real podman builds (minutes).
// `npm test` runs all three; `npx projen test:unit`, `test:integration`, `test:images` run one each.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/core/**/*.test.ts', 'test/cli/**/*.test.ts'],
          setupFiles: ['test/setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          setupFiles: ['test/setup.ts'],
          testTimeout: 600_000,
          hookTimeout: 600_000,
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
