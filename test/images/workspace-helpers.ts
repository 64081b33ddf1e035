/**
 * The workspace image tests: a small workspace (two apps and an internal package, see
 * workspace-fixture.ts) adopted through the built CLI with `--yes` at its root, each app's image
 * built with podman from the repository root, run, and its files listed.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BIN, getWhenUp, imageBuildSettings, kustomize, podman } from './helpers';
import { OWN_DEPENDENCY, SHARED_DEPENDENCY, WorkspaceKind, workspaceFiles } from './workspace-fixture';
import { buildImage, exportImageEntries, freePort } from '../../src/verify';

const APPS = ['web', 'api'] as const;


/** The scenario of one workspace kind. */
export function describeWorkspace(kind: WorkspaceKind): void {
  describe(`a ${kind} workspace with two apps and a shared internal package, adopted with --yes`, () => {
    const engine = podman();
    const repo = `localhost/msb-test/workspace-${kind}-${process.pid}`;
    let root: string;
    let dir: string;
    let cli: { status: number | null; stdout: string; stderr: string };
    const files: Record<string, string[]> = {};
    const containers: string[] = [];

    beforeAll(async () => {
      root = fs.mkdtempSync(path.join(os.tmpdir(), `msb-images-workspace-${kind}-`));
      dir = path.join(root, 'shop');
      for (const [rel, content] of Object.entries(workspaceFiles(kind))) {
        fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
        fs.writeFileSync(path.join(dir, rel), content);
      }
      fs.mkdirSync(path.join(dir, 'vendor'));
      fs.copyFileSync(inject('tarball'), path.join(dir, 'vendor', 'create-msb-app.tgz'));
      const r = spawnSync(process.execPath, [BIN, '.', '--yes', '--skip-git', '--lib', 'file:vendor/create-msb-app.tgz'], {
        cwd: dir, encoding: 'utf8', input: '', env: { ...process.env, CI: '1', npm_config_user_agent: '' }, timeout: 300_000,
      });
      cli = { status: r.status, stdout: r.stdout, stderr: r.stderr };
      if (cli.status !== 0) return;
      for (const app of APPS) {
        await buildImage(engine, { context: dir, dockerfile: path.join(dir, 'apps', app, 'Dockerfile'), tag: `${repo}:${app}` }, imageBuildSettings());
        files[app] = (await exportImageEntries(engine, `${repo}:${app}`)).map((e) => e.path).filter((f) => f.startsWith('/app/'));
      }
      // The debug twin of one app: the same stages from the cache, the debug base at the end.
      await buildImage(engine, { context: dir, dockerfile: path.join(dir, 'apps', 'web', 'Dockerfile.debug'), tag: `${repo}:web-debug` }, imageBuildSettings());
    }, 900_000);

    afterAll(async () => {
      if (containers.length) await engine.exec(['rm', '-f', '-t', '0', ...containers]);
      await engine.exec(['rmi', '-f', ...APPS.map((a) => `${repo}:${a}`), `${repo}:web-debug`]);
      if (root) fs.rmSync(root, { recursive: true, force: true });
    });

    it('the CLI lists the packages, adopts both apps and not the library, and exits 0', () => {
      expect(cli.status, `${cli.stdout}\n${cli.stderr}`).toBe(0);
      expect(cli.stdout).toMatch(/packages\/shared\s+@shop\/shared\s+not an app: a library: api, web depend on it/);
      const projenrc = fs.readFileSync(path.join(dir, '.projenrc.ts'), 'utf8');
      expect(projenrc).toContain("path: 'apps/web'");
      expect(projenrc).toContain("path: 'apps/api'");
      expect(projenrc).not.toContain('packages/shared');
      for (const app of APPS) expect(fs.existsSync(path.join(dir, 'apps', app, 'Dockerfile'))).toBe(true);
    });

    for (const app of APPS) {
      const other = APPS.find((a) => a !== app)!;
      it(`${app}: the image serves 200 as uid 65532 with the shared package built before the app`, async () => {
        const port = await freePort();
        const name = `msb-ws-${kind}-${app}-${process.pid}`;
        containers.push(name);
        await engine.must(['run', '-d', '--name', name, '--read-only', '--tmpfs', '/tmp', '--cap-drop', 'ALL', '--user', '65532:65532',
          '-p', `127.0.0.1:${port}:3000`, `${repo}:${app}`], { purpose: `run ${app}` });
        const res = await getWhenUp(`http://127.0.0.1:${port}/`, 20_000);
        expect(res.status).toBe(200);
        expect(res.body).toBe(`hello from ${app} (1m)`);
      });

      it(`${app}: the image holds its own and the shared package's dependencies, not ${other}'s`, () => {
        const list = files[app];
        const has = (dep: string) => list.some((f) => new RegExp(`(^|/)node_modules/(\\.pnpm/)?${dep}(@[^/]*)?(/|$)`).test(f));
        expect(has(OWN_DEPENDENCY[app])).toBe(true);
        expect(has(SHARED_DEPENDENCY)).toBe(true);
        expect(has(OWN_DEPENDENCY[other])).toBe(false);
        // nothing of the other app, no sources of the internal package, no secret, no dev tools
        expect(list.filter((f) => f.includes(`apps/${other}`) && !f.includes('node_modules'))).toEqual([]);
        expect(list.some((f) => f.endsWith('.env'))).toBe(false);
        expect(list.some((f) => /node_modules\/(\.pnpm\/)?(create-msb-app|projen)(@|\/|$)/.test(f))).toBe(false);
      });
    }

    it('the debug twin of an app holds the same app files and a shell', async () => {
      const r = await engine.exec(['run', '--rm', '--entrypoint', '/busybox/sh', `${repo}:web-debug`, '-c', 'ls /app/apps/web/dist && id -u']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.split('\n').map((l) => l.trim())).toEqual(expect.arrayContaining(['index.js', '65532']));
      const noShell = await engine.exec(['run', '--rm', '--entrypoint', '/bin/sh', `${repo}:web`, '-c', 'true']);
      expect(noShell.code).not.toBe(0);
    });

    it('npx projen in the adopted workspace reproduces the first synthesis byte for byte', () => {
      const generated = ['.dockerignore', 'k8s/kustomization.yaml', ...APPS.flatMap((a) => [`apps/${a}/Dockerfile`, `apps/${a}/k8s/base/deployment.yaml`])];
      const before = generated.map((f) => fs.readFileSync(path.join(dir, f), 'utf8'));
      const r = spawnSync('npx', ['projen'], { cwd: dir, encoding: 'utf8', env: { ...process.env, MSB_FORCE: '' } });
      expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(generated.map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))).toEqual(before);
    });

    it('the root kustomization renders every app with kubectl kustomize', () => {
      const docs = kustomize(path.join(dir, 'k8s'));
      const deployments = docs.filter((d) => d.kind === 'Deployment').map((d) => d.metadata.name).sort();
      expect(deployments).toEqual(['api', 'web']);
    });
  });
}
