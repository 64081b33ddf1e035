/**
 * Secrets never reach the build context or an image, proved on real builds (podman, Buildah 1.28).
 *
 * One new npm project is scaffolded through the CLI binary, and secret-looking files, each holding
 * a random token of this run, are planted in its tree at several depths. Then:
 * - the context probe: a throwaway Dockerfile (`COPY . /ctx`) built with the project as the context
 *   and the generated .dockerignore in effect shows what really enters the build context;
 * - the runtime, debug and single-stage images are built with both build secrets (`npmrc` holding a
 *   random auth token, `ca_cert`), saved with every layer (`podman save --format docker-archive`),
 *   and every byte of the archive (each layer's files, the image config and its history) is searched
 *   for the tokens, as are `podman image inspect` and `podman history`;
 * - negative controls: a variant of the Dockerfile that copies the mounted npmrc secret into the
 *   image, and a non-secret file of the context that the single-stage image holds, are both found by
 *   the same search;
 * - the runtime image has no setuid/setgid file in any layer, no shell, and runs as uid 65532.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageBuildSettings, podman, scaffold } from './helpers';
import { runtimeStageViolations } from '../../src/dockerfile-policy';
import { NODE_RUNTIME_POLICY } from '../../src/families/node/policy';
import {
  BuildResult, Engine, ProjectFacts, Resources, UidCheckResult, buildImage, checkUid, entryPath, listImageFiles, readProject,
  renderSingleStageDockerfile, shellPaths, stepsRunning,
} from '../../src/verify';
import { setuidCheck, setuidPaths } from '../../src/verify/checks';
import { FsEntry, exportImageEntries } from '../../src/verify/files';

const ID = 'secrets';
const REPO = `localhost/msb-test/${ID}`;
const TAGS = {
  probe: `${REPO}:context-probe`,
  runtime: `${REPO}:runtime`,
  debug: `${REPO}:debug`,
  singleStage: `${REPO}:single-stage`,
  leak: `${REPO}:leak-control`,
  escape: `${REPO}:escape-shell`,
};
const BUILDER = 'docker.io/library/node:26-trixie';
const UID = 65532;

/** Secret-looking files planted in the project (relative path -> content holding the token). */
const PLANTED: Record<string, (token: string) => string> = {
  '.env': (t) => `API_KEY=${t}\n`,
  'src/.env.local': (t) => `DATABASE_PASSWORD=${t}\n`,
  'deploy/.aws/credentials': (t) => `[default]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = ${t}\n`,
  'ops/.docker/config.json': (t) => `${JSON.stringify({ auths: { 'registry.example.com': { auth: t } } })}\n`,
  'ops/.kube/config': (t) => `apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n    token: ${t}\n`,
  'config/server.key': (t) => `-----BEGIN PRIVATE KEY-----\n${t}\n-----END PRIVATE KEY-----\n`,
  'packages/a/.npmrc': (t) => `//registry.npmjs.org/:_authToken=${t}\n`,
  '.ssh/id_ed25519': (t) => `-----BEGIN OPENSSH PRIVATE KEY-----\n${t}\n-----END OPENSSH PRIVATE KEY-----\n`,
};
/** A file that belongs in the build context, at depth: the probe must see it, and the single-stage image holds it. */
const CONTROL_FILE = 'deploy/app.conf';

const token = () => randomBytes(24).toString('hex');

/** One member of a tar archive held in memory, with where it lies in the buffer. */
interface TarMember {
  readonly name: string;
  /** Tar type flag: '0' file, '1' hard link, '2' symlink, '5' directory, ... */
  readonly type: string;
  readonly mode: number;
  /** Offset of its first header (pax or GNU long-name headers included). */
  readonly start: number;
  readonly dataStart: number;
  readonly dataEnd: number;
}

/**
 * The members of the tar archive in `buf` (ustar, pax and GNU long names). Unlike
 * src/verify/files.ts (entries and sizes only), this keeps each member's mode and byte range, so a
 * byte found in the archive can be attributed to the file that holds it.
 */
function tarMembers(buf: Buffer): TarMember[] {
  const field = (h: Buffer, at: number, len: number) => {
    const raw = h.subarray(at, at + len);
    const end = raw.indexOf(0);
    return raw.subarray(0, end < 0 ? len : end).toString('utf8');
  };
  const octal = (h: Buffer, at: number, len: number) => {
    if (h[at] >= 0x80) {
      let n = h[at] - 0x80;
      for (let i = 1; i < len; i++) n = n * 256 + h[at + i];
      return n;
    }
    const s = field(h, at, len).trim();
    return s ? parseInt(s, 8) : 0;
  };
  const out: TarMember[] = [];
  let pos = 0;
  let start = 0;
  let pax: Record<string, string> = {};
  let longName: string | undefined;
  while (pos + 512 <= buf.length) {
    const h = buf.subarray(pos, pos + 512);
    if (h.every((b) => b === 0)) break;
    let size = octal(h, 124, 12);
    if (Number.isNaN(size)) throw new Error(`not a tar archive: bad header at byte ${pos}`);
    const type = String.fromCharCode(h[156] || 0x30);
    const dataStart = pos + 512;
    if (type === 'x' || type === 'g' || type === 'L' || type === 'K') {
      const data = buf.subarray(dataStart, dataStart + size);
      if (type === 'x') {
        for (const line of data.toString('utf8').split('\n')) {
          const m = /^\d+ ([^=]+)=(.*)$/s.exec(line);
          if (m) pax[m[1]] = m[2];
        }
      } else if (type === 'L') {
        longName = field(data, 0, data.length);
      }
      pos = dataStart + Math.ceil(size / 512) * 512;
      continue;
    }
    const prefix = field(h, 257, 6).startsWith('ustar') ? field(h, 345, 155) : '';
    const short = field(h, 0, 100);
    const name = pax.path ?? longName ?? (prefix ? `${prefix}/${short}` : short);
    if (pax.size !== undefined) size = Number(pax.size);
    if (type === '1' || type === '2' || type === '5') size = 0;
    out.push({ name, type, mode: octal(h, 100, 8), start, dataStart, dataEnd: dataStart + size });
    pos = dataStart + Math.ceil(size / 512) * 512;
    start = pos;
    pax = {};
    longName = undefined;
  }
  return out;
}

/** Whether a mode has the setuid (0o4000) or setgid (0o2000) bit. */
const setuidOrSetgid = (mode: number) => Math.floor(mode / 0o2000) % 4 !== 0;

/** Every offset of `needle` in `buf`. */
function offsetsOf(buf: Buffer, needle: string): number[] {
  const found: number[] = [];
  for (let i = buf.indexOf(needle); i >= 0; i = buf.indexOf(needle, i + 1)) found.push(i);
  return found;
}

/** The member whose headers or data hold byte `offset`. */
function memberAt(members: readonly TarMember[], offset: number): TarMember | undefined {
  return members.find((m) => offset >= m.start && offset < Math.max(m.dataEnd, m.dataStart));
}

/** A token found: which one, and where (layer and file, the image config, inspect or history). */
interface Hit {
  readonly token: string;
  readonly where: string;
}

/** What the search of one image found. */
interface ImageScan {
  readonly image: string;
  /** Layers in the saved archive (each checked to be an uncompressed tar). */
  readonly layers: number;
  /** Bytes searched: the saved archive, plus inspect and history output. */
  readonly bytes: number;
  /** Paths of every entry of every layer (whiteouts left out), absolute. */
  readonly paths: Set<string>;
  /** Non-directory entries with the setuid or setgid bit, as `layer N: /path (mode)`. */
  readonly setuid: string[];
  readonly hits: Hit[];
}

/**
 * Saves an image with every layer (`podman save --format docker-archive`: uncompressed layer tars,
 * the config JSON with the history, the manifest) and searches every byte for the tokens,
 * attributing each hit to the layer member that holds it; also searches `podman image inspect` and
 * `podman history --no-trunc`.
 */
async function scanImage(engine: Engine, image: string, tokens: Record<string, string>, tmp: string): Promise<ImageScan> {
  const archive = path.join(tmp, `${image.replace(/[^a-z0-9]+/gi, '-')}.tar`);
  await engine.must(['save', '--format', 'docker-archive', '-o', archive, image], { purpose: `save ${image}` });
  try {
    const buf = fs.readFileSync(archive);
    const outer = tarMembers(buf);
    const manifestMember = outer.find((m) => m.name === 'manifest.json');
    if (!manifestMember) throw new Error(`${image}: no manifest.json in the saved archive (${outer.map((m) => m.name).join(', ')})`);
    const manifest = JSON.parse(buf.subarray(manifestMember.dataStart, manifestMember.dataEnd).toString('utf8')) as { Config: string; Layers: string[] }[];
    const layerNames = manifest[0].Layers;
    const layers = new Map<string, { index: number; member: TarMember; inner: TarMember[] }>();
    const paths = new Set<string>();
    const setuid: string[] = [];
    for (const [index, name] of layerNames.entries()) {
      const member = outer.find((m) => m.name === name);
      if (!member) throw new Error(`${image}: layer ${name} listed in manifest.json is not in the archive`);
      const data = buf.subarray(member.dataStart, member.dataEnd);
      // the raw search below reads file contents only if the layer is an uncompressed tar
      if (data.length > 0 && data.subarray(257, 262).toString('latin1') !== 'ustar') {
        throw new Error(`${image}: layer ${name} is not an uncompressed tar (starts with ${data.subarray(0, 4).toString('hex')})`);
      }
      const inner = tarMembers(data);
      layers.set(name, { index, member, inner });
      for (const m of inner) {
        const p = entryPath(m.name);
        if (!path.posix.basename(p).startsWith('.wh.')) paths.add(p);
        if (m.type !== '5' && setuidOrSetgid(m.mode)) setuid.push(`layer ${index}: ${p} (${m.mode.toString(8)})`);
      }
    }
    const hits: Hit[] = [];
    for (const [label, t] of Object.entries(tokens)) {
      for (const off of offsetsOf(buf, t)) {
        const m = memberAt(outer, off);
        const layer = m && layers.get(m.name);
        if (layer) {
          const f = memberAt(layer.inner, off - layer.member.dataStart);
          hits.push({ token: label, where: `layer ${layer.index}: ${f ? entryPath(f.name) : `byte ${off - layer.member.dataStart}`}` });
        } else {
          hits.push({ token: label, where: m ? `archive member ${m.name}${m.name === manifest[0].Config ? ' (image config and history)' : ''}` : `archive byte ${off}` });
        }
      }
    }
    const inspect = await engine.must(['image', 'inspect', image], { purpose: `inspect ${image}` });
    const history = await engine.must(['history', '--no-trunc', '--format', 'json', image], { purpose: `read the history of ${image}` });
    for (const [label, t] of Object.entries(tokens)) {
      if (inspect.includes(t)) hits.push({ token: label, where: 'podman image inspect' });
      if (history.includes(t)) hits.push({ token: label, where: 'podman history' });
    }
    return { image, layers: layerNames.length, bytes: buf.length + inspect.length + history.length, paths, setuid, hits };
  } finally {
    fs.rmSync(archive, { force: true });
  }
}

describe('secrets never reach the build context or an image (real builds)', () => {
  const engine = podman();
  const res = new Resources(engine);
  /** Tokens of this run: one per planted file, the npmrc secret's, and the control file's. */
  const tokens: Record<string, string> = Object.fromEntries(Object.keys(PLANTED).map((rel) => [rel, token()]));
  const npmrcToken = token();
  const controlToken = token();
  const secretTokens = { ...tokens, 'npmrc build secret': npmrcToken };
  let root: string | undefined;
  let tmp: string;
  let facts: ProjectFacts;
  let contextFiles: string[];
  const builds: Record<string, BuildResult> = {};
  const scans: Record<string, ImageScan> = {};
  const timings: Record<string, number> = {};
  let escapeDockerfile = '';
  let escapeEntries: FsEntry[] = [];
  let singleStageEntries: FsEntry[] = [];

  const timed = async <T>(label: string, f: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    try {
      return await f();
    } finally {
      timings[label] = Date.now() - started;
    }
  };

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'msb-images-secrets-work-'));
    const { dir, cli } = await timed('scaffold', async () => scaffold({
      id: ID,
      nodeVersion: '26',
      packageManager: 'npm',
    }));
    root = path.dirname(dir);
    if (cli.status !== 0) throw new Error(`create-msb-app failed (${cli.status}):\n${cli.stdout}\n${cli.stderr}`);
    for (const [rel, content] of Object.entries(PLANTED)) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), content(tokens[rel]));
    }
    fs.mkdirSync(path.dirname(path.join(dir, CONTROL_FILE)), { recursive: true });
    fs.writeFileSync(path.join(dir, CONTROL_FILE), `control=${controlToken}\n`);
    facts = await readProject(dir);

    // The npmrc secret: a registry line (the install goes on working) and an auth token of this run
    const npmrc = path.join(tmp, 'npmrc');
    fs.writeFileSync(npmrc, `registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken=${npmrcToken}\n`);
    const settings = imageBuildSettings([`id=npmrc,src=${npmrc}`]);
    const build = (label: keyof typeof TAGS, dockerfile: string, noCache = false) => timed(`build ${label}`, async () => {
      res.images.add(TAGS[label]);
      builds[label] = await buildImage(engine, { context: dir, dockerfile, tag: TAGS[label], noCache }, label === 'probe' ? { pull: 'never' } : settings);
    });

    // 1. The context probe: what Buildah really sends, with the generated .dockerignore
    const probe = path.join(tmp, 'Dockerfile.context-probe');
    fs.writeFileSync(probe, `FROM ${BUILDER}\nCOPY . /ctx\n`);
    await build('probe', probe, true);
    const listing = await engine.must(['run', '--rm', '--network', 'none', '--entrypoint', 'find', TAGS.probe, '/ctx', '-mindepth', '1', '-printf', '%P\\n'], { purpose: 'list the build context' });
    contextFiles = listing.split('\n').filter(Boolean).sort();

    // 2. The images, with both build secrets. The first build ignores the cache, so every install
    //    step runs with this run's npmrc token; the others reuse those layers.
    await build('runtime', facts.dockerfile, true);
    await build('debug', facts.debugDockerfile);
    const single = path.join(tmp, 'Dockerfile.single-stage');
    fs.writeFileSync(single, renderSingleStageDockerfile(facts));
    await build('singleStage', single);

    // 3. Negative control: the build stage copies the mounted secret into a file the runtime stage takes
    const text = fs.readFileSync(facts.dockerfile, 'utf8');
    const lastFrom = text.lastIndexOf('\nFROM ') + 1;
    const buildStage = facts.stages[facts.stages.length - 2].name;
    if (lastFrom <= 0 || !buildStage || !/^USER /m.test(text)) throw new Error(`unexpected Dockerfile shape in ${facts.dockerfile}`);
    const leak = path.join(tmp, 'Dockerfile.leak-control');
    fs.writeFileSync(leak, `${text.slice(0, lastFrom)}RUN --mount=type=secret,id=npmrc cat /run/secrets/npmrc > /leak\n\n${text.slice(lastFrom)}`
      .replace(/^USER /m, `COPY --from=${buildStage} /leak ./leak\nUSER `));
    await build('leak', leak);

    // 4. An escape the policy cannot see: a build step (or the build script) puts a setuid shell into
    //    the build output, which the runtime stage copies as it copies any build output.
    const escape = path.join(tmp, 'Dockerfile.escape-shell');
    escapeDockerfile = text.replace(/^(RUN npm run build)$/m, '$1\nRUN cp /bin/dash dist/sh && chmod 4755 dist/sh');
    if (escapeDockerfile === text) throw new Error(`no "RUN npm run build" line in ${facts.dockerfile}`);
    fs.writeFileSync(escape, escapeDockerfile);
    await build('escape', escape);
    escapeEntries = await exportImageEntries(engine, TAGS.escape, res.containers);
    singleStageEntries = await exportImageEntries(engine, TAGS.singleStage, res.containers);

    const all = { ...secretTokens, 'control file (in the context)': controlToken };
    for (const label of ['runtime', 'debug', 'singleStage', 'leak'] as const) {
      scans[label] = await timed(`scan ${label}`, () => scanImage(engine, TAGS[label], all, tmp));
    }
  }, 1_800_000);

  afterAll(async () => {
    // eslint-disable-next-line no-console
    console.log([
      `secrets.test timings (s): ${Object.entries(timings).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}`).join(', ')}`,
      `context probe: ${contextFiles?.length ?? 0} paths in /ctx: ${contextFiles?.join(' ')}`,
      ...Object.values(scans).map((x) => `${x.image}: ${x.layers} layers, ${(x.bytes / 1e6).toFixed(1)} MB searched, ${x.paths.size} paths, `
        + `${x.setuid.length} setuid/setgid, hits: ${x.hits.length ? x.hits.map((h) => `${h.token} @ ${h.where}`).join('; ') : 'none'}`),
    ].join('\n'));
    await res.cleanup();
    if (root) fs.rmSync(root, { recursive: true, force: true });
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('the probe: no planted secret enters the build context; what the Dockerfile needs does', () => {
    expect(contextFiles).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'src', 'src/index.ts', CONTROL_FILE]));
    for (const rel of Object.keys(PLANTED)) {
      expect(fs.existsSync(path.join(facts.dir, rel)), `${rel} is planted in the project`).toBe(true);
      expect(contextFiles, rel).not.toContain(rel);
    }
    // nor the credential folders themselves
    for (const folder of ['deploy/.aws', 'ops/.docker', 'ops/.kube', '.ssh']) expect(contextFiles).not.toContain(folder);
    expect(contextFiles.filter((f) => /(^|\/)\.env/.test(f) || /(^|\/)\.npmrc$/.test(f) || /\.key$/.test(f))).toEqual([]);
  });

  it('every install step ran with this run\'s secrets (not from an older cache)', () => {
    const steps = stepsRunning(builds.runtime.output, 'npm ci');
    expect(steps.length).toBe(2); // prod-deps and build
    expect(steps.map((s) => s.cached)).toEqual([false, false]);
    expect(builds.runtime.output.join('\n')).not.toContain(npmrcToken);
  });

  for (const label of ['runtime', 'debug', 'singleStage'] as const) {
    it(`the ${label} image holds no token and no planted file, in any layer, its config or its history`, () => {
      const scan = scans[label];
      expect(scan.layers).toBeGreaterThan(1);
      expect(scan.hits.filter((h) => h.token in secretTokens), JSON.stringify(scan.hits)).toEqual([]);
      for (const rel of Object.keys(PLANTED)) expect(scan.paths.has(`${facts.workdir}/${rel}`), rel).toBe(false);
      // the search reads real content: the app's files are in the layers it searched
      expect(scan.paths.has(`${facts.workdir}/package.json`)).toBe(true);
    });
  }

  it('negative control: the search finds the npmrc token when a build stage copies the mounted secret', () => {
    const hits = scans.leak.hits.filter((h) => h.token === 'npmrc build secret');
    expect(hits.map((h) => h.where)).toEqual([expect.stringMatching(new RegExp(`^layer \\d+: ${facts.workdir}/leak$`))]);
    // the same variant without the leak is the runtime image: nothing there
    expect(scans.runtime.hits).toEqual([]);
  });

  it('negative control: the search finds a context file\'s content in the single-stage image (COPY . .), not in the runtime image', () => {
    expect(scans.singleStage.hits.filter((h) => h.token === 'control file (in the context)').map((h) => h.where))
      .toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^layer \\d+: ${facts.workdir}/${CONTROL_FILE}$`))]));
    expect(scans.singleStage.paths.has(`${facts.workdir}/${CONTROL_FILE}`)).toBe(true);
    for (const label of ['runtime', 'debug'] as const) expect(scans[label].hits.filter((h) => h.token === 'control file (in the context)')).toEqual([]);
  });

  it('the runtime image has no setuid or setgid file in any layer (the single-stage image, on the full builder, has some)', () => {
    expect(scans.runtime.setuid).toEqual([]);
    expect(scans.debug.setuid).toEqual([]);
    expect(scans.singleStage.setuid.length, 'the check can fail').toBeGreaterThan(0);
    expect(scans.singleStage.setuid.join('\n')).toMatch(/\/usr\/bin\/passwd \(4755\)/);
  });

  it('an escape the static policy accepts (a build step copies a setuid shell into dist/): verify finds the shell, the root-owned 0555 copy drops the setuid bit', () => {
    // what synthesis would write with such a step: the policy reads nothing wrong in it
    const expected = { image: facts.runtimeBase, uid: UID, gid: UID, workdir: facts.workdir, policy: NODE_RUNTIME_POLICY };
    expect(runtimeStageViolations(escapeDockerfile, expected)).toEqual([]);
    expect(shellPaths(escapeEntries.map((e) => e.path))).toEqual(['/app/dist/sh']);
    // the runtime stage copies the build output root-owned with --chmod=0555: the setuid bit is gone
    expect(escapeEntries.find((e) => e.path === '/app/dist/sh')?.mode).toBe(0o555);
    expect(setuidPaths(escapeEntries)).toEqual([]);
    // and the check finds a setuid file where there is one (the single-stage image, on the full builder)
    expect(setuidCheck(singleStageEntries)).toMatchObject({ id: 'no-setuid', ok: false });
    expect(setuidPaths(singleStageEntries)).toContain('/usr/bin/passwd (4755)');
  });

  it('the runtime image has no shell in its file list (the debug image has one)', async () => {
    const files = await listImageFiles(engine, TAGS.runtime, res);
    expect(files).toContain('/nodejs/bin/node');
    expect(files).toContain(`${facts.workdir}/dist/index.js`);
    expect(shellPaths(files)).toEqual([]);
    expect(shellPaths([...scans.debug.paths]).length, 'the check can fail').toBeGreaterThan(0);
  });

  it(`the runtime image runs as uid ${UID} (read from the running process)`, async () => {
    const r: UidCheckResult = await checkUid(engine, TAGS.runtime, { uid: UID, gid: UID }, res, { interpreter: facts.profile.interpreterUid });
    expect(r.ok, r.detail).toBe(true);
    expect(r.uid).toBe(UID);
    expect(r.gid).toBe(UID);
    const user = (await engine.must(['image', 'inspect', '--format', '{{.Config.User}}', TAGS.runtime])).trim();
    expect(user).toBe(`${UID}:${UID}`);
  });
});
