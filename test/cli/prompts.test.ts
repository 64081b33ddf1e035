import * as fs from 'node:fs';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, expect, test } from 'vitest';
import { EXPRESS_APP, read, tempDir, tree, writeFiles } from './helpers';
import { CancelledError } from '../../src/cli/errors';
import { runCli, type PromptFn, type Question } from '../../src/cli/main';
import { memoryReporter } from '../../src/cli/reporter';

const work: string[] = [];
afterAll(() => work.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** Answers questions by name; `undefined` takes the default; records what was asked. */
function scripted(answers: Record<string, string | undefined | typeof CANCEL>, asked: Question[] = []): PromptFn {
  return async (q) => {
    asked.push(q);
    const a = answers[q.name];
    if (a === CANCEL) throw new CancelledError();
    const value = a ?? (q.type === 'select' ? q.initial ?? q.choices![0].name : q.initial ?? '');
    if (q.validate) {
      const ok = q.validate(value);
      if (ok !== true) throw new Error(`scripted answer ${JSON.stringify(value)} for ${q.name} rejected: ${ok}`);
    }
    return value;
  };
}
const CANCEL = Symbol('cancel');

function captureStderr() {
  let text = '';
  const stream = new Writable({ write: (chunk, _enc, cb) => { text += chunk.toString(); cb(); } });
  return { stream, text: () => text };
}

function dir(): string {
  const d = tempDir('msb-prompt-');
  work.push(d);
  return d;
}

test('the interactive flow asks every question and uses the answers', async () => {
  const cwd = dir();
  const asked: Question[] = [];
  const reporter = memoryReporter();
  const code = await runCli(['--skip-install', '--skip-git'], {
    cwd,
    interactive: true,
    reporter,
    prompt: scripted({ dir: 'payments', name: 'payments-api', nodeVersion: '24', packageManager: 'pnpm', port: '3001', healthPath: '/live', image: 'ghcr.io/acme/payments:2.0.0', template: '' }, asked),
  });
  expect(code).toBe(0);
  expect(asked.map((q) => q.name)).toEqual(['dir', 'name', 'nodeVersion', 'packageManager', 'port', 'healthPath', 'image', 'template']);
  // Defaults offered: catalog default for Node.js, npm, 8080, /healthz, the name (no tag: the version tags the image).
  expect(asked.find((q) => q.name === 'nodeVersion')!.initial).toBe('26');
  expect(asked.find((q) => q.name === 'port')!.initial).toBe('8080');
  expect(asked.find((q) => q.name === 'image')!.initial).toBe('payments-api');

  const p = path.join(cwd, 'payments');
  const projenrc = read(p, '.projenrc.ts');
  expect(projenrc).toContain("name: 'payments-api'");
  expect(projenrc).toContain("runtime: { nodeVersion: '24', packageManager: 'pnpm' }");
  expect(projenrc).toContain('port: 3001');
  expect(projenrc).toContain("healthCheckPath: '/live'");
  expect(projenrc).toContain("image: { repository: 'ghcr.io/acme/payments', tag: '2.0.0' }");
  expect(read(p, 'Dockerfile')).toContain('EXPOSE 3001');
  expect(reporter.lines.join('\n')).toContain('Next steps:');
});

test('prompt validation uses the same rules as the flags', async () => {
  const asked: Question[] = [];
  await runCli(['x', '--skip-install', '--skip-git'], { cwd: dir(), interactive: true, reporter: memoryReporter(), prompt: scripted({}, asked) });
  const port = asked.find((q) => q.name === 'port')!;
  expect(port.validate!('99999')).toContain('an integer from 1 to 65535');
  expect(port.validate!('8080')).toBe(true);
  expect(asked.find((q) => q.name === 'name')!.validate!('Bad Name')).toContain('DNS-1123');
  expect(asked.find((q) => q.name === 'image')!.validate!('UPPER CASE')).toContain('image repository');
});

test('flags are not asked again; adoption offers what it inferred as the defaults', async () => {
  const cwd = dir();
  writeFiles(cwd, EXPRESS_APP);
  const asked: Question[] = [];
  const code = await runCli(['.', '--skip-install', '--skip-git', '--health-path', '/healthz'], { cwd, interactive: true, reporter: memoryReporter(), prompt: scripted({}, asked) });
  expect(code).toBe(0);
  expect(asked.map((q) => q.name)).toEqual(['name', 'nodeVersion', 'packageManager', 'port', 'image', 'template']);
  expect(asked.find((q) => q.name === 'name')!.initial).toBe('shop');
  expect(asked.find((q) => q.name === 'port')!.initial).toBe('3000');
  expect(asked.find((q) => q.name === 'packageManager')!.initial).toBe('npm');
  expect(asked.find((q) => q.name === 'image')!.initial).toBe('shop');
});

test('cancelling at a prompt exits 130 and leaves nothing behind', async () => {
  const cwd = dir();
  const err = captureStderr();
  const code = await runCli(['demo', '--skip-install'], { cwd, interactive: true, reporter: memoryReporter(), stderr: err.stream, prompt: scripted({ port: CANCEL }) });
  expect(code).toBe(130);
  expect(err.text()).toContain('Cancelled');
  expect(fs.readdirSync(cwd)).toEqual([]);
});

test('cancelling during adoption leaves the project byte-identical', async () => {
  const cwd = dir();
  writeFiles(cwd, EXPRESS_APP);
  const before = tree(cwd);
  const code = await runCli(['.', '--skip-install'], { cwd, interactive: true, reporter: memoryReporter(), stderr: captureStderr().stream, prompt: scripted({ template: CANCEL }) });
  expect(code).toBe(130);
  expect(tree(cwd)).toEqual(before);
});

test('--yes never prompts', async () => {
  const cwd = dir();
  const code = await runCli(['demo', '--yes', '--skip-install', '--skip-git'], {
    cwd,
    interactive: true,
    reporter: memoryReporter(),
    prompt: async (q) => { throw new Error(`asked ${q.name}`); },
  });
  expect(code).toBe(0);
});
