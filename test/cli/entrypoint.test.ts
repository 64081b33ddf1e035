/**
 * Adoption reads what the project says about how it starts: the start scripts (start:prod, start,
 * serve), "main", nest-cli.json and tsconfig's rootDir -> outDir; process managers and dev runners
 * are named; an output file without a source is asked about, never guessed.
 */
import * as fs from 'node:fs';
import { afterAll, describe, expect, test } from 'vitest';
import { EXPRESS_APP, cli, read, tempDir, tree, writeFiles } from './helpers';
import { runCli, type Question } from '../../src/cli/main';
import { memoryReporter } from '../../src/cli/reporter';

const work: string[] = [];
afterAll(() => work.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function project(files: Record<string, string>): string {
  const dir = tempDir('msb-entry-');
  work.push(dir);
  writeFiles(dir, files);
  return dir;
}

/** A TypeScript app built by tsc from src/ to dist/, with the given scripts and files. */
function tsApp(scripts: Record<string, string>, files: Record<string, string> = {}, tsconfig = '{ "compilerOptions": { "outDir": "./dist" } }'): Record<string, string> {
  return {
    'package.json': `${JSON.stringify({ name: 'orders', version: '1.0.0', scripts: { build: 'tsc', ...scripts }, dependencies: { express: '^4.21.2' }, devDependencies: { typescript: '^5.9.3' } }, null, 2)}\n`,
    'package-lock.json': '{\n  "name": "orders",\n  "lockfileVersion": 3,\n  "packages": {}\n}\n',
    'tsconfig.json': tsconfig,
    ...files,
  };
}

/** The NestJS starter's layout (`@nestjs/cli new`): start:prod runs node dist/main, the source is src/main.ts. */
const NEST_STARTER = tsApp(
  { 'start': 'nest start', 'start:dev': 'nest start --watch', 'start:prod': 'node dist/main' },
  {
    'nest-cli.json': '{\n  "$schema": "https://json.schemastore.org/nest-cli",\n  "collection": "@nestjs/schematics",\n  "sourceRoot": "src",\n  "compilerOptions": { "deleteOutDir": true }\n}\n',
    'tsconfig.build.json': '{\n  "extends": "./tsconfig.json",\n  "exclude": ["node_modules", "test", "dist", "**/*spec.ts"]\n}\n',
    'src/main.ts': 'async function bootstrap() { /* NestFactory.create(AppModule) */ await app.listen(process.env.PORT ?? 3000); }\nbootstrap();\n',
    'src/app.module.ts': 'export class AppModule {}\n',
  },
);

describe('start scripts', () => {
  test('NestJS starter: start:prod "node dist/main" is dist/main.js, its source src/main.ts', async () => {
    const dir = project(NEST_STARTER);
    const r = await cli(['.', '--skip-install', '--yes'], dir);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/entrypoint\s+dist\/main\.js\s+from package\.json "scripts\.start:prod" \(node dist\/main\); source src\/main\.ts/);
    expect(read(dir, '.projenrc.ts')).toContain("entrypoint: 'dist/main.js'");
    expect(read(dir, 'Dockerfile')).toContain('CMD ["dist/main.js"]');
  });

  test('NestJS without start:prod: nest-cli.json entryFile and sourceRoot give the entrypoint', async () => {
    const files: Record<string, string> = { ...NEST_STARTER, 'nest-cli.json': '{ "sourceRoot": "apps/api", "entryFile": "server" }\n', 'apps/api/server.ts': 'listen(3000);\n' };
    files['package.json'] = files['package.json'].replace('"start:prod": "node dist/main"', '"lint": "eslint ."');
    const dir = project(files);
    const r = await cli(['.', '--skip-install', '--yes'], dir);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/entrypoint\s+dist\/server\.js\s+from nest-cli\.json \(sourceRoot "apps\/api", entryFile "server"\); source apps\/api\/server\.ts/);
    expect(read(dir, '.projenrc.ts')).toContain("entrypoint: 'dist/server.js'");
  });

  test.each([
    ['start:prod wins over start', { 'start': 'node dist/dev.js', 'start:prod': 'node dist/server.js' }, 'dist/server.js', 'scripts.start:prod'],
    ['serve when start does not run node', { start: 'vite', serve: 'node dist/server.js' }, 'dist/server.js', 'scripts.serve'],
    ['.mjs output from an .mts source', { start: 'node dist/server.mjs' }, 'dist/server.mjs', 'scripts.start'],
    ['.cjs output from a .cts source', { start: 'node dist/server.cjs' }, 'dist/server.cjs', 'scripts.start'],
    ['a preload and flags before the script', { start: 'node -r dotenv/config --enable-source-maps dist/server' }, 'dist/server.js', 'scripts.start'],
    ['ts-node on the source: its compiled output', { start: 'ts-node src/server.ts' }, 'dist/server.js', 'scripts.start'],
  ])('%s', async (_title, scripts, entry, from) => {
    const dir = project(tsApp(scripts, { 'src/server.ts': 'listen(3000);\n', 'src/server.mts': 'listen(3000);\n', 'src/server.cts': 'listen(3000);\n' }, '{ "compilerOptions": { "rootDir": "src", "outDir": "dist" } }'));
    const r = await cli(['.', '--skip-install', '--yes'], dir);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`entrypoint\\s+${entry.replace(/\./g, '\\.')}\\s+from package\\.json "${from}"`));
    expect(read(dir, '.projenrc.ts')).toContain(`entrypoint: '${entry}'`);
  });

  test('tsconfig rootDir -> outDir: src/api/main.ts is lib/api/main.js (outDir from an extended config)', async () => {
    const dir = project(tsApp({ start: 'node lib/api/main.js' }, {
      'tsconfig.base.json': '{ "compilerOptions": { "outDir": "./lib", "rootDir": "./src" } }',
      'src/api/main.ts': 'listen(3000);\n',
    }, '{ "extends": "./tsconfig.base.json" }'));
    const r = await cli(['.', '--skip-install', '--yes'], dir);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/entrypoint\s+lib\/api\/main\.js\s+from .*; source src\/api\/main\.ts/);
  });
});

describe('an output without a source', () => {
  const guessed = () => tsApp({ start: 'nest start' }, { 'src/main.ts': 'listen(3000);\n', 'src/app.ts': 'export {};\n' });

  test('--yes fails naming the choices; nothing is written', async () => {
    const dir = project(guessed());
    const before = tree(dir);
    const r = await cli(['.', '--skip-install', '--yes'], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Cannot tell which file starts the app: dist/index.js (the build output folder "dist") has no source in src/, the project root');
    expect(r.stderr).toContain('Choices: dist/app.js (from src/app.ts), dist/main.js (from src/main.ts)');
    expect(r.stderr).toContain('Pass --entrypoint <file>');
    expect(tree(dir)).toEqual(before);
  });

  test('--entrypoint settles it', async () => {
    const dir = project(guessed());
    const r = await cli(['.', '--skip-install', '--yes', '--entrypoint', 'dist/main.js'], dir);
    expect(r.stderr).toBe('');
    expect(read(dir, 'Dockerfile')).toContain('CMD ["dist/main.js"]');
  });

  test('interactive adoption asks, offering the sources\' outputs', async () => {
    const dir = project(guessed());
    const asked: Question[] = [];
    const code = await runCli(['.', '--skip-install', '--skip-git'], {
      cwd: dir,
      interactive: true,
      reporter: memoryReporter(),
      prompt: async (q) => {
        asked.push(q);
        if (q.name === 'entrypoint') return 'dist/main.js';
        return q.type === 'select' ? q.initial ?? q.choices![0].name : q.initial ?? '';
      },
    });
    expect(code).toBe(0);
    const q = asked.find((x) => x.name === 'entrypoint')!;
    expect(q.message).toContain('dist/index.js');
    expect(q.choices!.map((c) => c.name)).toEqual(['dist/app.js', 'dist/main.js', 'dist/index.js', '(another file)']);
    expect(read(dir, '.projenrc.ts')).toContain("entrypoint: 'dist/main.js'");
  });

  test('a start script naming an output whose source is missing is asked about too', async () => {
    const dir = project(tsApp({ start: 'node dist/main.js' }, { 'src/server.ts': 'listen(3000);\n' }));
    const r = await cli(['.', '--skip-install', '--yes'], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('dist/main.js (package.json "scripts.start" (node dist/main.js)) has no source');
    expect(r.stderr).toContain('Choices: dist/server.js (from src/server.ts)');
  });

  test('a bundler may name its output freely: a stated file is taken as written', async () => {
    const files = tsApp({ start: 'node dist/bundle.js' }, { 'src/server.ts': 'listen(3000);\n' });
    files['package.json'] = files['package.json'].replace('"build": "tsc"', '"build": "esbuild src/server.ts --bundle --outfile=dist/bundle.js"');
    const dir = project(files);
    const r = await cli(['.', '--skip-install', '--yes'], dir);
    expect(r.stderr).toBe('');
    expect(read(dir, '.projenrc.ts')).toContain("entrypoint: 'dist/bundle.js'");
  });
});

describe('process managers and dev runners', () => {
  const withStart = (start: string, extra: Record<string, string> = {}) =>
    project({ ...EXPRESS_APP, 'package.json': EXPRESS_APP['package.json'].replace('"start": "node server.js"', `"start": ${JSON.stringify(start)}`), ...extra });

  test.each([
    ['pm2 start server.js -i max', /warning: "scripts\.start" runs pm2; the image runs node directly on server\.js, without pm2 cluster mode \(max instances: the container runs one node process; scale with the Deployment's replicas\)/],
    ['pm2-runtime start ecosystem.config.js', /warning: "scripts\.start" runs pm2-runtime; the image runs node directly on \.\/server\.js, without pm2 cluster mode \(4 instances/],
    ['forever start server.js', /warning: "scripts\.start" runs forever; the image runs node directly on server\.js, without forever's restarts/],
    ['nodemon server.js', /warning: "scripts\.start" runs nodemon; the image runs node directly on server\.js, without nodemon's watching/],
  ])('%s: one warning line, exit code 0, the script is the entrypoint', async (start, warning) => {
    const dir = withStart(start, { 'ecosystem.config.js': "module.exports = { apps: [{ name: 'shop', script: './server.js', instances: 4, exec_mode: 'cluster' }] };\n" });
    const r = await cli(['.', '--skip-install', '--yes'], dir);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n').filter((l) => l.includes('warning:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(warning);
    expect(read(dir, '.projenrc.ts')).toContain("entrypoint: 'server.js'");
  });
});

test('a yarn Express app whose code reads package.json copies it once', async () => {
  const files = { ...EXPRESS_APP, 'yarn.lock': '# yarn lockfile v1\n', 'server.js': `const { version } = require('./package.json');\n${EXPRESS_APP['server.js']}` };
  delete (files as Record<string, string>)['package-lock.json'];
  const dir = project(files);
  const r = await cli(['.', '--skip-install', '--yes'], dir);
  expect(r.stderr).toBe('');
  const dockerfile = read(dir, 'Dockerfile');
  expect(dockerfile.match(/COPY .*package\.json \.\/package\.json/g)).toHaveLength(1);
  expect(read(dir, '.projenrc.ts')).toContain("files: ['public', 'routes', 'server.js']");
});
