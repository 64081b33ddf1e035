/**
 * `create-msb-app lock` against a real registry on loopback (Debian's docker-registry 2.8) behind
 * a token front that speaks the Bearer token flow, with images pushed by podman: a two-arch
 * manifest list as the builder, one-file images as runtime and debug (their content does not
 * matter here; test/images/lock-build.test.ts builds and runs the stand-ins). The digests are checked
 * without the code under test (curl + sha256sum); each failure leaves msb.lock.json byte for byte
 * as it was and names what happened, to which image, and what to do.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { podman } from './helpers';
import { type Registry, type TokenFront, buildTiny, lockProject, push, pushList, servedManifest, startRegistry, startTokenFront } from './registry';
import { runBin } from '../integration/helpers';

const CREDENTIALS = { username: 'ci-reader', password: randomBytes(8).toString('hex') };
const ROLES = [
  { role: 'builder', repository: 'library/node', tag: '26-trixie' },
  { role: 'runtime', repository: 'distroless/nodejs26-debian13', tag: 'nonroot' },
  { role: 'debug', repository: 'distroless/nodejs26-debian13', tag: 'debug-nonroot' },
] as const;

describe('create-msb-app lock against a registry on loopback', () => {
  const engine = podman();
  const repo = `localhost/msb-lock-test-${randomBytes(3).toString('hex')}`;
  const tiny = ['amd64-1', 'arm64-1', 'amd64-2', 'arm64-2', 'runtime-1', 'runtime-2', 'debug-1'].map((t) => `${repo}/tiny:${t}`);
  let registry: Registry;
  let front: TokenFront;
  let dir: string;
  let home: string;
  /** The spawned CLI's environment: no auth file of this machine is read. */
  let env: NodeJS.ProcessEnv;
  const ref = (role: string) => {
    const r = ROLES.find((x) => x.role === role)!;
    return `${front.host}/${r.repository}:${r.tag}`;
  };
  const lockFile = () => fs.readFileSync(path.join(dir, 'msb.lock.json'), 'utf8');
  const lockJson = () => JSON.parse(lockFile()) as { images: Record<string, { digest: string; mediaType: string; resolvedAt: string }> };
  const read = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8');
  const pushBuilder = (n: 1 | 2) => pushList(engine, `${repo}/list:${n}`, [`${repo}/tiny:amd64-${n}`, `${repo}/tiny:arm64-${n}`], `${registry.host}/library/node:26-trixie`);

  beforeAll(async () => {
    registry = await startRegistry();
    front = await startTokenFront(registry, CREDENTIALS);
    for (const [tag, arch] of [['amd64-1', 'amd64'], ['arm64-1', 'arm64'], ['amd64-2', 'amd64'], ['arm64-2', 'arm64'], ['runtime-1', 'amd64'], ['runtime-2', 'amd64'], ['debug-1', 'amd64']]) {
      await buildTiny(engine, `${repo}/tiny:${tag}`, arch, `${tag} ${repo}`);
    }
    await pushBuilder(1);
    await push(engine, `${repo}/tiny:runtime-1`, `${registry.host}/distroless/nodejs26-debian13:nonroot`);
    await push(engine, `${repo}/tiny:debug-1`, `${registry.host}/distroless/nodejs26-debian13:debug-nonroot`);
    dir = lockProject(front.host);
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'msb-lock-home-'));
    env = { HOME: home, REGISTRY_AUTH_FILE: '', XDG_RUNTIME_DIR: '', DOCKER_CONFIG: '' };
  });

  afterAll(async () => {
    await front?.close();
    await registry?.stop();
    for (const n of [1, 2]) await engine.exec(['manifest', 'rm', `${repo}/list:${n}`]);
    await engine.exec(['rmi', ...tiny]);
    for (const d of [dir, home]) if (d) fs.rmSync(d, { recursive: true, force: true });
  });

  /** Runs the CLI in the project and checks that a failure changed neither the lock nor the Dockerfiles. */
  async function failing(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<string> {
    const before = [lockFile(), read('Dockerfile'), read('Dockerfile.debug')];
    const r = await runBin(['lock', ...args], dir, { ...env, ...extraEnv });
    expect(r.status, r.stdout + r.stderr).toBe(1);
    expect(lockFile()).toBe(before[0]);
    expect([read('Dockerfile'), read('Dockerfile.debug')]).toEqual(before.slice(1));
    expect(r.stderr).toMatch(/^Error: \d of \d base images? could not be resolved; msb\.lock\.json was not changed:\n/);
    return r.stderr;
  }

  it('writes the digests the registry serves, through the Bearer token flow; the builder pins the two-arch index', async () => {
    const r = await runBin(['lock'], dir, env);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('Wrote msb.lock.json: 3 added; 3 base images pinned.');
    const lock = lockJson();
    expect(Object.keys(lock.images)).toEqual([ref('debug'), ref('runtime'), ref('builder')]);
    for (const { role, repository, tag } of ROLES) {
      const served = await servedManifest(registry, repository, tag);
      expect(lock.images[ref(role)].digest, role).toBe(served.digest);
      expect(served.header, role).toBe(served.digest);
      expect(lock.images[ref(role)].mediaType, role).toBe(served.mediaType);
      expect(r.stdout).toContain(`  + ${ref(role)} ${served.digest} (${role} of lockapp)`);
    }
    // the index itself, not one platform's manifest
    const index = await servedManifest(registry, 'library/node', '26-trixie');
    expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    const platforms = (JSON.parse(index.body).manifests as { digest: string; platform: { architecture: string } }[]);
    expect(platforms.map((m) => m.platform.architecture).sort()).toEqual(['amd64', 'arm64']);
    expect(platforms.map((m) => m.digest)).not.toContain(lock.images[ref('builder')].digest);
    // the front answered with challenges and issued tokens, and the registry saw only authorized requests
    expect(front.stats.challenges).toBeGreaterThanOrEqual(2);
    expect(front.stats.tokens).toBeGreaterThanOrEqual(2);
    expect(front.stats.proxied).toBe(3);
  });

  it('then synthesizes: every FROM of both Dockerfiles names <ref>:<tag>@sha256:...', () => {
    const { images } = lockJson();
    const pinned = (role: string) => `${ref(role)}@${images[ref(role)].digest}`;
    expect(read('Dockerfile')).toContain(`\nFROM ${pinned('builder')} AS base\n`);
    expect(read('Dockerfile')).toContain(`\nFROM ${pinned('runtime')} AS runtime\n`);
    expect(read('Dockerfile.debug')).toContain(`\nFROM ${pinned('builder')} AS base\n`);
    expect(read('Dockerfile.debug')).toContain(`\nFROM ${pinned('debug')} AS runtime\n`);
    const tasks = JSON.parse(read('.projen/tasks.json')).tasks;
    expect(tasks['image:lock'].steps).toEqual([{ exec: 'create-msb-app lock', receiveArgs: true }]);
  });

  it('run again, with or without --update, it finds nothing to change and leaves the file as it is', async () => {
    const before = lockFile();
    const again = await runBin(['lock'], dir, env);
    expect(again.stdout).toBe('msb.lock.json is up to date: 3 base images pinned (--update resolves them again).\n');
    const update = await runBin(['lock', '--update'], dir, env);
    expect(update.status, update.stderr).toBe(0);
    expect(update.stdout).toBe('msb.lock.json is up to date: 3 base images pinned, none moved.\n');
    expect(lockFile()).toBe(before);
  });

  it('--update after a re-push of the builder changes that pin only, and prints it', async () => {
    const before = lockJson();
    const dockerfile = read('Dockerfile');
    await pushBuilder(2);
    const moved = (await servedManifest(registry, 'library/node', '26-trixie')).digest;
    expect(moved).not.toBe(before.images[ref('builder')].digest);
    const r = await runBin(['lock', '--update'], dir, env);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('Updated msb.lock.json: 1 moved; 3 base images pinned.');
    expect(r.stdout).toContain(`  ~ ${ref('builder')} ${before.images[ref('builder')].digest} -> ${moved} (builder of lockapp)`);
    const after = lockJson();
    expect(after.images[ref('builder')].digest).toBe(moved);
    expect(after.images[ref('runtime')]).toEqual(before.images[ref('runtime')]);
    expect(after.images[ref('debug')]).toEqual(before.images[ref('debug')]);
    // only the builder's FROM line changed
    const diff = read('Dockerfile').split('\n').filter((l, i) => l !== dockerfile.split('\n')[i]);
    expect(diff).toEqual([`FROM ${ref('builder')}@${moved} AS base`]);
  });

  it('--update after a re-push of the runtime moves it and resolves its debug pair again (same digest)', async () => {
    const before = lockJson();
    const debugDockerfile = read('Dockerfile.debug');
    await push(engine, `${repo}/tiny:runtime-2`, `${registry.host}/distroless/nodejs26-debian13:nonroot`);
    const r = await runBin(['lock', '--update'], dir, env);
    expect(r.status, r.stderr).toBe(0);
    const after = lockJson();
    const runtime = after.images[ref('runtime')];
    expect(runtime.digest).toBe((await servedManifest(registry, 'distroless/nodejs26-debian13', 'nonroot')).digest);
    expect(r.stdout).toContain(`  ~ ${ref('runtime')} ${before.images[ref('runtime')].digest} -> ${runtime.digest} (runtime of lockapp)`);
    expect(r.stdout).toContain(`  = ${ref('debug')} ${before.images[ref('debug')].digest} unchanged, resolved again with its pair (debug of lockapp)`);
    expect(after.images[ref('debug')]).toEqual({ ...before.images[ref('debug')], resolvedAt: runtime.resolvedAt });
    expect(after.images[ref('builder')]).toEqual(before.images[ref('builder')]);
    expect(read('Dockerfile')).toContain(`\nFROM ${ref('runtime')}@${runtime.digest} AS runtime\n`);
    expect(read('Dockerfile.debug')).toBe(debugDockerfile);
  });

  it('access refused by the token endpoint: named, per image, with how to log in', async () => {
    front.mode = 'refuse';
    try {
      const stderr = await failing(['--update']);
      expect(stderr).toContain('3 of 3 base images could not be resolved');
      expect(stderr).toContain(`  - ${ref('builder')} (builder of lockapp):\n      access refused: the token endpoint http://${front.host}/token answered 401 to an anonymous request`);
      expect(stderr).toContain(`Log in with "podman login ${front.host}" or "docker login ${front.host}"`);
    } finally {
      front.mode = 'anonymous';
    }
  });

  it('a registry that wants credentials gets those of $REGISTRY_AUTH_FILE; wrong ones are refused naming the file and user', async () => {
    front.mode = 'credentials';
    const authFile = path.join(home, 'auth.json');
    const auth = (password: string) => JSON.stringify({ auths: { [front.host]: { auth: Buffer.from(`${CREDENTIALS.username}:${password}`).toString('base64') } } });
    try {
      expect(await failing(['--update'])).toContain('answered 401 to an anonymous request (no credentials for it in $REGISTRY_AUTH_FILE');
      fs.writeFileSync(authFile, auth('wrong'));
      expect(await failing(['--update'], { REGISTRY_AUTH_FILE: authFile })).toContain(`answered 401 to the credentials of "${CREDENTIALS.username}" from ${authFile}`);
      fs.writeFileSync(authFile, auth(CREDENTIALS.password));
      const tokens = front.stats.tokens;
      const ok = await runBin(['lock', '--update'], dir, { ...env, REGISTRY_AUTH_FILE: authFile });
      expect(ok.status, ok.stderr).toBe(0);
      expect(ok.stdout).toBe('msb.lock.json is up to date: 3 base images pinned, none moved.\n');
      expect(front.stats.tokens).toBeGreaterThan(tokens);
    } finally {
      front.mode = 'anonymous';
    }
  });

  it('a registry that does not answer: the time limit names it', async () => {
    front.mode = 'hang';
    try {
      const stderr = await failing(['--update', '--timeout', '1']);
      expect(stderr).toContain(`registry unreachable: http://${front.host} did not answer within 1 s`);
      expect(stderr).toContain('Check that the registry is up');
    } finally {
      front.mode = 'anonymous';
    }
  });

  it('a registry whose Docker-Content-Digest does not match the bytes it serves is not believed', async () => {
    front.mode = 'wrong-digest';
    try {
      const stderr = await failing(['--update']);
      const served = await servedManifest(registry, 'library/node', '26-trixie');
      expect(stderr).toContain(`  - ${ref('builder')} (builder of lockapp):\n      unexpected registry response: ${front.host} says the manifest of library/node:26-trixie is sha256:${'0'.repeat(64)} (Docker-Content-Digest), but the bytes it served hash to ${served.digest}.`);
    } finally {
      front.mode = 'anonymous';
    }
  });

  it('a registry that is down (connection refused)', async () => {
    await front.close();
    try {
      const stderr = await failing(['--update']);
      expect(stderr).toContain('3 of 3 base images could not be resolved');
      expect(stderr).toContain(`  - ${ref('runtime')} (runtime of lockapp):\n      registry unreachable: cannot reach http://${front.host} (ECONNREFUSED)`);
    } finally {
      await front.open();
    }
  });

  it('msb.lock.json as a symbolic link is refused before anything runs; its target stays as it was', async () => {
    const outside = path.join(home, 'elsewhere.lock.json');
    fs.renameSync(path.join(dir, 'msb.lock.json'), outside);
    fs.symlinkSync(outside, path.join(dir, 'msb.lock.json'));
    const before = fs.readFileSync(outside, 'utf8');
    const proxied = front.stats.proxied;
    try {
      const r = await runBin(['lock', '--update'], dir, env);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`msb.lock.json is a symbolic link to ${outside} (outside the project): synthesis writes only regular files inside the project; remove the link`);
      expect(fs.readFileSync(outside, 'utf8')).toBe(before);
      expect(front.stats.proxied).toBe(proxied);
    } finally {
      fs.rmSync(path.join(dir, 'msb.lock.json'));
      fs.renameSync(outside, path.join(dir, 'msb.lock.json'));
    }
  });

  it('a tag that is missing (deleted from the registry): the one image is named, the others resolve, nothing is written', async () => {
    const debug = await servedManifest(registry, 'distroless/nodejs26-debian13', 'debug-nonroot');
    const del = await fetch(`http://${registry.host}/v2/distroless/nodejs26-debian13/manifests/${debug.digest}`, { method: 'DELETE' });
    expect(del.status).toBe(202);
    const stderr = await failing(['--update']);
    expect(stderr).toContain('1 of 3 base images could not be resolved');
    expect(stderr).toContain(`  - ${ref('debug')} (debug of lockapp):\n      image not found: ${front.host} answered 404 MANIFEST_UNKNOWN: no tag "debug-nonroot" in distroless/nodejs26-debian13.`);
    expect(stderr).toContain('push the image to the registry');
  });
});
