/**
 * `--ci github`: the CLI writes `ci` into the definition and the first synthesis writes the workflow
 * (actionlint-clean, schema-valid); a bad provider, or a repository the workflow cannot push to, is
 * refused with nothing left behind; without the flag there is no workflow.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, test } from 'vitest';
import { EXPRESS_APP, cli, read, tempDir, tree, writeFiles } from './helpers';
import { GITHUB_WORKFLOW_PATH } from '../../src/ci/github/workflow';
import { workspaceFiles } from '../images/workspace-fixture';
import { actionlint, parseYaml, schemaValidator } from '../util';

const validWorkflow = schemaValidator(path.resolve(__dirname, '..', '..', 'schemas', 'vendor', 'github-workflow.json'));

describe('--ci github', () => {
  test('adopting a project writes ci into .projenrc.ts and the workflow, which actionlint and the schema accept', async () => {
    const dir = tempDir();
    writeFiles(dir, { ...EXPRESS_APP, 'package-lock.json': '{}\n' });
    const r = await cli(['.', '--yes', '--skip-install', '--skip-git', '--ci', 'github', '--image', 'ghcr.io/acme/shop'], dir);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(read(dir, '.projenrc.ts')).toContain("  ci: { provider: 'github' },");
    const workflow = read(dir, GITHUB_WORKFLOW_PATH);
    expect(actionlint(workflow)).toEqual([]);
    const parsed = parseYaml(workflow)[0];
    expect(validWorkflow(parsed)).toEqual([]);
    // the adopted project's own test script runs on pull requests
    expect(parsed.jobs['check-shop'].steps.find((s: { name: string }) => s.name === 'Test').run).toBe('npm run test\n');
    expect(JSON.parse(read(dir, '.projen/msb.json')).files[GITHUB_WORKFLOW_PATH]).toBeDefined();
  });

  test('a new project without --ci has no workflow; --help lists the flag', async () => {
    const cwd = tempDir();
    const r = await cli(['demo', '--yes', '--skip-install', '--skip-git'], cwd);
    expect(r.status).toBe(0);
    expect(fs.existsSync(path.join(cwd, 'demo', '.github'))).toBe(false);
    expect(read(path.join(cwd, 'demo'), '.projenrc.ts')).not.toContain('ci:');
    const help = await cli(['--help'], cwd);
    expect(help.stdout).toMatch(/--ci <provider> +Generate a CI workflow: github/);
  });

  test('an unknown provider is refused naming the flag, the value and the choices; nothing is written', async () => {
    const cwd = tempDir();
    const r = await cli(['demo', '--yes', '--skip-install', '--skip-git', '--ci', 'gitlab'], cwd);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('Invalid --ci "gitlab": expected one of "github"');
    expect(fs.readdirSync(cwd)).toEqual([]);
  });

  test('an image repository without a registry is refused before anything is written', async () => {
    const dir = tempDir();
    writeFiles(dir, { ...EXPRESS_APP, 'package-lock.json': '{}\n' });
    const before = tree(dir);
    const r = await cli(['.', '--yes', '--skip-install', '--skip-git', '--ci', 'github'], dir);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('image.repository: got "shop"; expected a repository the workflow can push to, with a registry host or a Docker Hub namespace (e.g. "ghcr.io/acme/shop"), since ci is on');
    expect(tree(dir)).toEqual(before);
  });

  test('at a workspace root, --ci is refused with the way to a workflow for every App', async () => {
    const dir = tempDir();
    writeFiles(dir, workspaceFiles('npm'));
    const before = tree(dir);
    const r = await cli(['.', '--yes', '--skip-install', '--ci', 'github'], dir);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('--ci needs each app\'s image repository');
    expect(tree(dir)).toEqual(before);
  });
});
