/**
 * The base-image lock on the synthesis side and its pure parts: how msb.lock.json pins the FROM
 * lines (builder, runtime and debug; runtime and debug as a pair), what the definition's own digest
 * pins and a stale or invalid lock do, the lock file's format, the plan of the lock command, image
 * references, auth files and Bearer challenges. The registry itself: test/images/lock-registry.test.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { App, AppProps, MsbProject } from '../../src';
import { GITHUB_WORKFLOW_PATH } from '../../src/ci/github/workflow';
import { findCredentials } from '../../src/lock/auth';
import { BaseImageLockError, type LockEntry, parseLock, readLockFile, renderLockFile } from '../../src/lock/file';
import { readProjectImages } from '../../src/lock/images';
import { nextLock, planLock } from '../../src/lock/plan';
import { isLoopback, normalizeRegistryName, parseImageReference } from '../../src/lock/reference';
import { parseChallenge } from '../../src/lock/registry';
import { cli } from '../cli/helpers';
import { workspaceFiles } from '../images/workspace-fixture';
import { actionlint, readTree, synth, tempDir, writePackage } from '../util';

const BUILDER = 'docker.io/library/node:26-trixie';
const RUNTIME = 'gcr.io/distroless/nodejs26-debian13:nonroot';
const DEBUG = 'gcr.io/distroless/nodejs26-debian13:debug-nonroot';
const T1 = '2026-01-31T12:00:00.000Z';
const T2 = '2026-02-28T12:00:00.000Z';
const INDEX = 'application/vnd.oci.image.index.v1+json';
const digest = (c: string) => `sha256:${c.repeat(64)}`;
const entry = (c: string, resolvedAt = T1): LockEntry => ({ digest: digest(c), mediaType: INDEX, resolvedAt });

/** A project folder with a package.json and the lock file holding `entries`. */
function lockedDir(entries: Record<string, LockEntry>): string {
  const dir = tempDir('msb-lock-');
  writePackage(dir);
  fs.writeFileSync(path.join(dir, 'msb.lock.json'), renderLockFile(new Map(Object.entries(entries))));
  return dir;
}

const froms = (text: string) => text.split('\n').filter((l) => l.startsWith('FROM ') && !l.startsWith('FROM base') && !l.startsWith('FROM build'));
const record = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, '.projen/msb.json'), 'utf8'));
const tasks = (dir: string) => Object.keys(JSON.parse(fs.readFileSync(path.join(dir, '.projen/tasks.json'), 'utf8')).tasks);

describe('synthesis with msb.lock.json', () => {
  it('without a lock file nothing is pinned and the project has no image:lock task', () => {
    const { dir, files, app } = synth();
    expect(froms(files.Dockerfile)).toEqual([`FROM ${BUILDER} AS base`, `FROM ${RUNTIME} AS runtime`]);
    expect(app.lockWarnings()).toEqual([]);
    expect(tasks(dir)).toContain('image:verify');
    expect(tasks(dir)).not.toContain('image:lock');
    expect(files['.projen/msb.json']).not.toContain('@sha256:');
  });

  it('pins builder, runtime and debug: every FROM names <ref>@<digest>; the record keeps the tags and gives verify the pins', () => {
    const dir = lockedDir({ [BUILDER]: entry('a'), [RUNTIME]: entry('b'), [DEBUG]: entry('c') });
    const { files, app } = synth({}, { dir });
    expect(froms(files.Dockerfile)).toEqual([`FROM ${BUILDER}@${digest('a')} AS base`, `FROM ${RUNTIME}@${digest('b')} AS runtime`]);
    expect(froms(files['Dockerfile.debug'])).toEqual([`FROM ${BUILDER}@${digest('a')} AS base`, `FROM ${DEBUG}@${digest('c')} AS runtime`]);
    expect(app.lockWarnings()).toEqual([]);
    const model = record(dir).model;
    expect(model.baseImages).toEqual({ builder: BUILDER, runtime: RUNTIME, debug: DEBUG });
    expect(model.verify.images).toEqual({ builder: `${BUILDER}@${digest('a')}`, runtime: `${RUNTIME}@${digest('b')}`, debug: `${DEBUG}@${digest('c')}` });
    expect(tasks(dir)).toContain('image:lock');
    // no time or date lands in a generated file: the lock's resolvedAt stays in the lock
    for (const [f, text] of Object.entries(files)) if (f !== 'msb.lock.json') expect(text, f).not.toContain('2026-01-31');
  });

  it('the CI workflow verifies the signatures of the pinned digests, the ones the builds use', () => {
    const dir = lockedDir({ [BUILDER]: entry('a'), [RUNTIME]: entry('b'), [DEBUG]: entry('c') });
    const { files } = synth({ image: { repository: 'ghcr.io/acme/orders-api' }, ci: { provider: 'github' } }, { dir });
    const workflow = files[GITHUB_WORKFLOW_PATH];
    for (const [ref, c] of [[RUNTIME, 'b'], [DEBUG, 'c']]) expect(workflow).toMatch(new RegExp(`cosign verify .* ${ref}@${digest(c)} > /dev/null`));
    expect(workflow).toContain(`echo "not verified: ${BUILDER}@${digest('a')} (builder)"`);
    expect(actionlint(workflow)).toEqual([]);
  });

  it('looks the lock up by the final reference: the mirror\'s, and an image set on the stage after construction', () => {
    const mirrored = 'mirror.example.com/library/node:26-trixie';
    const dir = lockedDir({ [mirrored]: entry('a'), 'mirror.example.com/team/builder:1': entry('d') });
    const { files } = synth({ baseImages: { mirror: 'mirror.example.com' } }, { dir });
    expect(froms(files.Dockerfile)[0]).toBe(`FROM ${mirrored}@${digest('a')} AS base`);
    const later = synth({ baseImages: { mirror: 'mirror.example.com' } }, { dir, configure: (app) => (app.buildStage.image = 'mirror.example.com/team/builder:1') });
    expect(froms(later.files.Dockerfile)[0]).toBe(`FROM mirror.example.com/team/builder:1@${digest('d')} AS base`);
  });

  it('a digest pinned in the definition wins over the lock', () => {
    const own = { runtime: `${RUNTIME}@${digest('e')}`, debug: `${DEBUG}@${digest('f')}` };
    const dir = lockedDir({ [BUILDER]: entry('a'), [RUNTIME]: entry('b'), [DEBUG]: entry('c') });
    const { files, app } = synth({ baseImages: own }, { dir });
    expect(froms(files.Dockerfile)).toEqual([`FROM ${BUILDER}@${digest('a')} AS base`, `FROM ${own.runtime} AS runtime`]);
    expect(froms(files['Dockerfile.debug'])[1]).toBe(`FROM ${own.debug} AS runtime`);
    expect(app.lockWarnings()).toEqual([]);
  });

  it('a stale lock (another Node.js line) pins nothing and warns, naming each image and the command', () => {
    const dir = lockedDir({ 'docker.io/library/node:24-trixie': entry('a') });
    const { files, app } = synth({}, { dir });
    expect(froms(files.Dockerfile)).toEqual([`FROM ${BUILDER} AS base`, `FROM ${RUNTIME} AS runtime`]);
    const w = app.lockWarnings();
    expect(w).toHaveLength(3);
    expect(w[0]).toBe(`${BUILDER} is not in msb.lock.json: its FROM uses the tag; run "create-msb-app lock" to pin it`);
    expect(w.slice(1).map((x) => x.split(' ')[0])).toEqual([RUNTIME, DEBUG]);
  });

  it('runtime and debug are pinned as a pair or not at all: one missing, or resolved in different runs', () => {
    for (const [entries, why] of [
      [{ [RUNTIME]: entry('b') }, `msb.lock.json holds ${RUNTIME} but not ${DEBUG}`],
      [{ [RUNTIME]: entry('b', T1), [DEBUG]: entry('c', T2) }, `resolved at different times (${T1}, ${T2})`],
    ] as const) {
      const dir = lockedDir({ [BUILDER]: entry('a'), ...entries });
      const { files, app } = synth({}, { dir });
      expect(froms(files.Dockerfile)).toEqual([`FROM ${BUILDER}@${digest('a')} AS base`, `FROM ${RUNTIME} AS runtime`]);
      expect(froms(files['Dockerfile.debug'])[1]).toBe(`FROM ${DEBUG} AS runtime`);
      expect(app.lockWarnings()).toEqual([expect.stringContaining(why)]);
      expect(app.lockWarnings()[0]).toContain('run "create-msb-app lock" to pin the pair');
    }
  });

  it('an invalid lock file stops synthesis naming every problem, and nothing is written', () => {
    const dir = tempDir('msb-lock-');
    writePackage(dir);
    synth({}, { dir });
    const bad = {
      images: {
        [BUILDER]: { digest: 'sha256:zz', mediaType: INDEX, resolvedAt: T1 },
        [`${RUNTIME}@${digest('b')}`]: entry('b'),
        [DEBUG]: { ...entry('c'), pinnedBy: 'me' },
      },
      lockVersion: 2,
    };
    fs.writeFileSync(path.join(dir, 'msb.lock.json'), JSON.stringify(bad));
    const before = readTree(dir);
    const project = new MsbProject({ name: 'orders-api', outdir: dir });
    new App(project, {});
    let error: unknown;
    try {
      project.synth();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BaseImageLockError);
    const message = (error as Error).message;
    expect(message).toMatch(/^msb\.lock\.json cannot be used; no file was changed:/);
    expect(message).toContain('[msb.lock.json] lockVersion: got 2; expected 1');
    expect(message).toContain(`images["${BUILDER}"].digest: got "sha256:zz"; expected "sha256:" and 64 lower-case hex digits`);
    expect(message).toContain(`images["${RUNTIME}@${digest('b')}"]: got`);
    expect(message).toContain(`images["${DEBUG}"].pinnedBy: got "me"; expected no such field`);
    expect(message).toContain('create-msb-app lock');
    expect(readTree(dir)).toEqual(before);
  });

  it('one lock at the root pins every App of a workspace', () => {
    const dir = tempDir('msb-lock-ws-');
    for (const [rel, content] of Object.entries(workspaceFiles('npm'))) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), content);
    }
    fs.writeFileSync(path.join(dir, 'package-lock.json'), '{}\n');
    fs.writeFileSync(path.join(dir, 'msb.lock.json'), renderLockFile(new Map([[BUILDER, entry('a')], [RUNTIME, entry('b')], [DEBUG, entry('c')]])));
    const project = new MsbProject({ name: 'shop', outdir: dir });
    const props: AppProps = { entrypoint: 'dist/index.js', image: { tag: '1.0.0' } };
    new App(project, { ...props, path: 'apps/web' });
    new App(project, { ...props, path: 'apps/api' });
    project.synth();
    for (const a of ['apps/web', 'apps/api']) {
      expect(froms(fs.readFileSync(path.join(dir, a, 'Dockerfile'), 'utf8'))).toEqual([`FROM ${BUILDER}@${digest('a')} AS base`, `FROM ${RUNTIME}@${digest('b')} AS runtime`]);
      expect(record(dir).apps[a].verify.images.debug).toBe(`${DEBUG}@${digest('c')}`);
    }
    // what the lock command reads back: every App's references as the definition resolves them
    expect(readProjectImages(dir)).toEqual(['api (apps/api)', 'web (apps/web)'].map((app) => ({ app, images: { builder: BUILDER, runtime: RUNTIME, debug: DEBUG } })));
  });

  it('the lock command reads the images of the last synthesis, and names what to do without one', () => {
    const { dir } = synth({ baseImages: { mirror: 'mirror.example.com' } });
    const mirror = 'mirror.example.com';
    const images = { builder: `${mirror}/library/node:26-trixie`, runtime: `${mirror}/distroless/nodejs26-debian13:nonroot`, debug: `${mirror}/distroless/nodejs26-debian13:debug-nonroot` };
    expect(readProjectImages(dir)).toEqual([{ app: 'orders-api', images }]);
    fs.writeFileSync(path.join(dir, '.projen/msb.json'), JSON.stringify({ files: {} }));
    expect(() => readProjectImages(dir)).toThrow(/records no App .*: run "npx projen" in the project, then run this command again\.$/);
  });
});

describe('the lock file', () => {
  it('is rendered with sorted keys at every level and read back to the same entries', () => {
    const entries = new Map([[RUNTIME, entry('b')], [BUILDER, entry('a')]]);
    const text = renderLockFile(entries);
    expect(text.endsWith('}\n')).toBe(true);
    const json = JSON.parse(text);
    expect(Object.keys(json)).toEqual(['//', 'images', 'lockVersion']);
    expect(Object.keys(json.images)).toEqual([BUILDER, RUNTIME]);
    expect(Object.keys(json.images[BUILDER])).toEqual(['digest', 'mediaType', 'resolvedAt']);
    expect(parseLock(json)).toEqual(new Map([[BUILDER, entry('a')], [RUNTIME, entry('b')]]));
  });

  it('a file that is not JSON is a BaseImageLockError naming the position; no file is undefined', () => {
    const dir = tempDir('msb-lock-');
    expect(readLockFile(dir)).toBeUndefined();
    fs.writeFileSync(path.join(dir, 'msb.lock.json'), '{\n  "images": {\n<<<<<<< HEAD\n');
    expect(() => readLockFile(dir)).toThrow(/\(the whole file\): got nothing; expected a JSON object \(.*not valid JSON at line 3/);
  });
});

describe('the plan of create-msb-app lock', () => {
  const apps = [
    { app: 'web (apps/web)', images: { builder: BUILDER, runtime: RUNTIME, debug: DEBUG } },
    { app: 'api (apps/api)', images: { builder: BUILDER, runtime: RUNTIME, debug: DEBUG } },
  ];
  const resolved = (over: Record<string, string> = {}) => new Map([BUILDER, RUNTIME, DEBUG].map((r, i) => [r, { digest: over[r] ?? digest('abc'[i]), mediaType: INDEX }]));

  it('groups the builder alone and runtime with debug, once for every App that uses them', () => {
    const plan = planLock(apps, new Map(), false);
    expect(plan.groups.map((g) => g.refs)).toEqual([[BUILDER], [DEBUG, RUNTIME]]);
    expect(plan.toResolve).toEqual(plan.groups);
    expect(plan.users.get(BUILDER)).toEqual(['builder of web (apps/web)', 'builder of api (apps/api)']);
  });

  it('without --update resolves only what the lock does not hold as a whole; with it, everything', () => {
    const held = new Map([[BUILDER, entry('a')], [RUNTIME, entry('b', T1)], [DEBUG, entry('c', T2)]]);
    expect(planLock(apps, held, false).toResolve.map((g) => g.refs)).toEqual([[DEBUG, RUNTIME]]);
    expect(planLock(apps, new Map([...held, [DEBUG, entry('c', T1)]]), false).toResolve).toEqual([]);
    expect(planLock(apps, held, true).toResolve).toHaveLength(2);
  });

  it('keeps entries whose digest did not move, rewrites a pair together, drops what no App uses', () => {
    const lock = new Map([[BUILDER, entry('a')], [RUNTIME, entry('b')], [DEBUG, entry('c')], ['docker.io/library/node:24-trixie', entry('d')]]);
    const plan = planLock(apps, lock, true);
    const same = nextLock(plan, lock, resolved(), T2);
    expect(same.entries).toEqual(new Map([[BUILDER, entry('a')], [RUNTIME, entry('b')], [DEBUG, entry('c')]]));
    expect(same.changes).toEqual([{ kind: 'removed', ref: 'docker.io/library/node:24-trixie', previous: digest('d') }]);
    const moved = nextLock(plan, lock, resolved({ [RUNTIME]: digest('e') }), T2);
    expect(moved.entries.get(BUILDER)).toEqual(entry('a'));
    expect(moved.entries.get(RUNTIME)).toEqual(entry('e', T2));
    expect(moved.entries.get(DEBUG)).toEqual(entry('c', T2));
    expect(moved.changes.map((c) => `${c.kind} ${c.ref}`)).toEqual([
      'removed docker.io/library/node:24-trixie', `renewed ${DEBUG}`, `moved ${RUNTIME}`,
    ]);
  });

  it('leaves images the definition pins alone, and says so', () => {
    const plan = planLock([
      { app: 'a', images: { builder: `${BUILDER}@${digest('a')}`, runtime: RUNTIME, debug: DEBUG } },
      { app: 'b', images: { runtime: `${RUNTIME}@${digest('b')}`, debug: DEBUG } },
    ], new Map(), false);
    expect(plan.groups.map((g) => g.refs)).toEqual([[DEBUG, RUNTIME]]);
    expect(plan.notes[0]).toBe(`${BUILDER}@${digest('a')} (builder of a) is pinned in the definition: not locked`);
    expect(plan.notes[1]).toContain('baseImages.runtime of b is pinned in the definition and its debug image is a tag');
  });
});

describe('registry references, auth files and challenges', () => {
  it('reads references the way Docker does; plain http only for loopback', () => {
    expect(parseImageReference('node:26')).toMatchObject({ registry: 'docker.io', apiBase: 'https://registry-1.docker.io', repository: 'library/node', tag: '26' });
    expect(parseImageReference(RUNTIME)).toMatchObject({ registry: 'gcr.io', apiBase: 'https://gcr.io', repository: 'distroless/nodejs26-debian13', tag: 'nonroot' });
    expect(parseImageReference('127.0.0.1:5000/proxy/library/node')).toMatchObject({ apiBase: 'http://127.0.0.1:5000', repository: 'proxy/library/node', tag: 'latest' });
    expect(parseImageReference('mirror.example.com:5000/node:1')).toMatchObject({ apiBase: 'https://mirror.example.com:5000' });
    expect(['localhost:5000', '[::1]:5000', '127.1.2.3'].every(isLoopback)).toBe(true);
    expect(['127.0.0.1.example.com', '10.0.0.1:5000', 'localhost.example.com'].some(isLoopback)).toBe(false);
    expect(normalizeRegistryName('https://index.docker.io/v1/')).toBe('docker.io');
  });

  it('finds credentials in the first auth file that has them, the most specific entry first', () => {
    const dir = tempDir('msb-auth-');
    const auth = (u: string) => ({ auth: Buffer.from(`${u}:secret-${u}`).toString('base64') });
    const podmanFile = path.join(dir, 'auth.json');
    fs.writeFileSync(podmanFile, JSON.stringify({ auths: { 'mirror.example.com': auth('all'), 'mirror.example.com/team': auth('team') } }));
    fs.mkdirSync(path.join(dir, 'docker'));
    fs.writeFileSync(path.join(dir, 'docker', 'config.json'), JSON.stringify({ auths: { 'https://index.docker.io/v1/': auth('hub'), 'mirror.example.com': auth('docker') } }));
    const env = { REGISTRY_AUTH_FILE: podmanFile, DOCKER_CONFIG: path.join(dir, 'docker'), HOME: dir };
    expect(findCredentials('mirror.example.com', 'team/node', env)).toEqual({ username: 'team', password: 'secret-team', file: podmanFile });
    expect(findCredentials('mirror.example.com', 'other/node', env)?.username).toBe('all');
    expect(findCredentials('docker.io', 'library/node', env)).toEqual({ username: 'hub', password: 'secret-hub', file: path.join(dir, 'docker', 'config.json') });
    expect(findCredentials('gcr.io', 'distroless/static', env)).toBeUndefined();
    fs.writeFileSync(podmanFile, '{ not json');
    expect(() => findCredentials('gcr.io', 'x', env)).toThrow(/registry auth file .*auth\.json.* is not valid JSON/);
  });

  it('parses Bearer challenges with quoted values (commas inside) and bare ones', () => {
    expect(parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/node:pull,push"')).toEqual({
      scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/node:pull,push' },
    });
    expect(parseChallenge('Basic realm=registry')).toEqual({ scheme: 'basic', params: { realm: 'registry' } });
    expect(parseChallenge(null)).toBeUndefined();
  });
});

describe('create-msb-app lock: bad input', () => {
  it('outside a project, and with a bad --timeout, it stops naming what to do', async () => {
    const dir = tempDir('msb-lock-cli-');
    const outside = await cli(['lock'], dir);
    expect(outside.status).toBe(1);
    expect(outside.stderr).toBe(`Error: ${dir} has no .projenrc.ts: lock runs in a create-msb-app project (the repository root of a workspace), after "create-msb-app <dir>" or "create-msb-app ." made it one.\n`);
    fs.writeFileSync(path.join(dir, '.projenrc.ts'), '');
    const timeout = await cli(['lock', '--timeout', 'soon'], dir);
    expect(timeout).toEqual({ status: 1, stdout: '', stderr: 'Error: Invalid --timeout "soon": expected a number of seconds above 0, at most 600.\n' });
    expect(fs.readdirSync(dir)).toEqual(['.projenrc.ts']);
  });
});
