/** A new TypeScript project with pnpm on Node.js 24: pnpm is installed in the builder, node_modules is pnpm's layout. */
import { describeScenario } from './helpers';

describeScenario({
  id: 'new-pnpm',
  nodeVersion: '24',
  packageManager: 'pnpm',
  expect: {
    port: 8080,
    healthPath: '/healthz',
    hasBuild: true,
    entryFile: '/app/dist/index.js',
    devDependencies: ['create-msb-app', 'projen', 'typescript', '@types/node'],
    prodDependencies: [],
  },
});
