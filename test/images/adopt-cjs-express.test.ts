/**
 * An existing CommonJS Express app without a build step (`node server.js`, `PORT || 3000`), with a
 * dev dependency (nodemon), a .env and a test/ folder that must all stay out of the image, and a
 * `prepare` script that needs a dev tool (as husky does): the production install must not run it.
 */
import { describeScenario } from './helpers';

const pkg = {
  name: 'legacy-api',
  version: '1.0.0',
  private: true,
  main: 'server.js',
  scripts: { start: 'node server.js', dev: 'nodemon server.js', test: 'node --test test/', prepare: 'nodemon --version' },
  dependencies: { express: '^4.21.2' },
  devDependencies: { nodemon: '^3.1.9' },
};

describeScenario({
  id: 'adopt-cjs-express',
  nodeVersion: '24',
  packageManager: 'npm',
  adopt: {
    'package.json': `${JSON.stringify(pkg, null, 2)}\n`,
    '.nvmrc': '24\n',
    'server.js': `'use strict';
const express = require('express');
const routes = require('./lib/routes');

const app = express();
const port = process.env.PORT || 3000;
app.use(routes);
app.listen(port, () => console.log('legacy-api listening on ' + port));
process.on('SIGTERM', () => process.exit(0));
`,
    'lib/routes.js': `'use strict';
const { Router } = require('express');
const router = Router();
router.get('/healthz', (req, res) => res.json({ status: 'ok' }));
router.get('/', (req, res) => res.json({ hello: 'world' }));
module.exports = router;
`,
    '.env': 'DATABASE_PASSWORD=must-not-ship\n',
    'test/server.test.js': `'use strict';
const test = require('node:test');
test('routes load', () => require('../lib/routes'));
`,
    '.gitignore': 'node_modules/\n.env\n',
  },
  expect: {
    port: 3000,
    healthPath: '/healthz',
    hasBuild: false,
    entryFile: '/app/server.js',
    devDependencies: ['nodemon', 'create-msb-app', 'projen'],
    prodDependencies: ['express', 'body-parser'],
  },
  negativeControl: true,
});
