/** A new TypeScript project with Yarn classic on Node.js 22 (the builder image ships yarn 1). */
import { describeScenario } from './helpers';

describeScenario({
  id: 'new-yarn',
  nodeVersion: '22',
  packageManager: 'yarn',
  expect: {
    port: 8080,
    healthPath: '/healthz',
    hasBuild: true,
    entryFile: '/app/dist/index.js',
    devDependencies: ['create-msb-app', 'projen', 'typescript', '@types/node'],
    prodDependencies: [],
  },
});
