/** A new TypeScript project with npm on Node.js 26 (the defaults), built and checked for real. */
import { describeScenario } from './helpers';

describeScenario({
  id: 'new-npm',
  nodeVersion: '26',
  packageManager: 'npm',
  expect: {
    port: 8080,
    healthPath: '/healthz',
    hasBuild: true,
    entryFile: '/app/dist/index.js',
    devDependencies: ['create-msb-app', 'projen', 'typescript', '@types/node'],
    prodDependencies: [],
  },
  negativeControl: true,
});
