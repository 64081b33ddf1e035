/**
 * Image figures for the example app (a new TypeScript project made by the CLI: npm, Node.js 26):
 * runtime image size, single-stage size, their ratio, the waste, and the wall time of a cold build
 * next to a rebuild after a source-only change (median of 3 each, alternated in one run).
 *
 * Waste is in file bytes (regular files of the exported filesystems): runtime image files minus
 * base image files minus what the runtime image needs, measured outside it (node_modules of the
 * prod-deps stage, the build output of the build stage, package.json from the context).
 *
 *   npx tsx bench/images.ts [--language node|go|java] [--engine docker|podman] [--ca-cert FILE] [--pull never] [--keep]
 *
 * `--language go|java` measures the sample of `create-msb-app <dir> --language go|java` instead
 * (stand-ins: scripts/containers/standins-go.sh, standins-java.sh); "cold" keeps the module and
 * Maven cache mounts warm in the same way.
 *
 * Compile first (`npx projen compile`). With podman, source scripts/containers/env.sh (or let this
 * script use /var/tmp/msb-containers/containers.conf); the base images must be present (on a host
 * without a registry: scripts/containers/build-standins.sh 26).
 *
 * "Cold" is `build --no-cache`: every layer is rebuilt, while the package manager's cache mount
 * stays warm (as on a CI runner with a cache), so the figure measures the build, not the network.
 * verify from a cold cache runs in a layer store of its own that holds only the base images
 * (podman; copied in before the clock starts), as on a machine that never built the project; its
 * build-cache mounts live outside the store, so they stay warm. A `--no-cache` build is no stand-in
 * for it: podman 4.3 does not reuse the layers of a `--no-cache` build, so every build after it
 * (the debug image, the rebuild) would run the installs again. verify runs twice, each in a new
 * store: with the pod-parity run (its phases) and without it (the figure set against one cold
 * build, which runs in the second store after it).
 * The rebuild changes one source file in a copy of the build context and builds with the cache.
 * Then the table of bench/slim.ts: full vs slim vs single-stage on real dependency sets.
 * The project depends on this checkout packed with `npm pack`, served on 127.0.0.1 (builds use
 * --network=host so `npm ci` inside the image can fetch it).
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { slimBench } from './slim';
import { isNotApplicable } from '../src/contract/verify-profile';
import {
  Engine, EngineName, buildImage, detectEngine, formatBytes, installReuseCheck, podmanOnNewStore, prepareSourceChange, readProject, runCommand, verifyProject,
} from '../src/verify';

const repo = path.resolve(__dirname, '..');
const bin = path.join(repo, 'bin', 'create-msb-app.js');
const RUNS = 3;

const { values: opts } = parseArgs({
  options: {
    'engine': { type: 'string' },
    'ca-cert': { type: 'string' },
    'pull': { type: 'string' },
    'keep': { type: 'boolean' },
    'language': { type: 'string' },
  },
});

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function serve(file: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/create-msb-app.tgz`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * A podman engine on a new layer store in `dir` holding only `images`, copied from the engine's own
 * store; docker has one store, so it is returned as it is (verify then starts from what that cache holds).
 */
async function freshStore(engine: Engine, dir: string, images: readonly string[]): Promise<Engine> {
  if (engine.name !== 'podman') return engine;
  const fresh = await podmanOnNewStore(engine, dir);
  const target = `containers-storage:[overlay@${path.join(dir, 'graph')}+${path.join(dir, 'run')}]`;
  for (const image of images) {
    await engine.must(['push', '-q', image, `${target}${image}`], { purpose: `copy ${image} into a new layer store` });
  }
  return fresh;
}

async function main(): Promise<void> {
  if (!fs.existsSync(path.join(repo, 'lib', 'cli', 'main.js'))) throw new Error('compile first: npx projen compile');
  process.env.CONTAINERS_CONF ??= path.join(process.env.MSB_CONTAINERS_DIR ?? '/var/tmp/msb-containers', 'containers.conf');
  const engine: Engine = await detectEngine(opts.engine as EngineName | undefined);
  const secrets = opts['ca-cert'] ? [`id=ca_cert,src=${path.resolve(opts['ca-cert'])}`] : [];
  const settings = { secrets, network: 'host', pull: opts.pull as 'never' | undefined };
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'msb-bench-images-'));
  const language = opts.language ?? 'node';
  if (!['node', 'go', 'java'].includes(language)) throw new Error(`--language: got ${JSON.stringify(language)}; expected node, go or java`);
  const repoTag = `localhost/msb-bench/example-${language}`;
  const tags = [`${repoTag}:cold`, `${repoTag}:rebuild`];
  let server: Awaited<ReturnType<typeof serve>> | undefined;
  try {
    // 1. The example app, made by the CLI
    const pack = await runCommand('npm', ['pack', '--silent', '--pack-destination', work], { cwd: repo });
    if (pack.code !== 0) throw new Error(`npm pack failed:\n${pack.stderr}`);
    server = await serve(path.join(work, pack.stdout.trim().split('\n').pop()!));
    const dir = path.join(work, 'example');
    const familyArgs = language === 'node' ? ['--node-version', '26', '--package-manager', 'npm'] : ['--language', language, '--skip-install'];
    const cli = await runCommand(process.execPath, [bin, dir, '--yes', '--skip-git', ...familyArgs, '--lib', server.url], { cwd: work });
    if (cli.code !== 0) throw new Error(`create-msb-app failed:\n${cli.stdout}\n${cli.stderr}`);
    process.stderr.write('scaffolded the example app; verifying...\n');

    // 2. Sizes and checks: verify from a cold cache (a new layer store with the base images only),
    // then again in another new store without the pod-parity run
    const facts = await readProject(dir);
    const bases = [...new Set([facts.builderImage, facts.runtimeBase, facts.debugBase].filter((i): i is string => !!i))];
    const coldVerify = async (store: string, podParity: boolean) => {
      const cold = await freshStore(engine, path.join(work, store), bases);
      const r = await verifyProject({ dir, engine: cold, ...settings, podParity, reportDir: path.join(work, `report-${store}`), log: (l) => process.stderr.write(`${l}\n`) });
      const failed = r.checks.filter((c) => !c.ok);
      if (failed.length) throw new Error(`verify failed: ${failed.map((c) => `${c.title}: ${c.detail}`).join('; ')}`);
      return { report: r, engine: cold };
    };
    const { report } = await coldVerify('store-a', true);
    const { report: withoutPodReport, engine: coldEngine } = await coldVerify('store-b', false);

    // 3. Cold build vs rebuild after a source-only change, alternated (in the second new store)
    const install = facts.profile.dependencyInstall(facts);
    if (isNotApplicable(install)) throw new Error(`no dependency install to reuse: ${install.notApplicable}`);
    const change = prepareSourceChange(facts, install);
    const cold: number[] = [];
    const rebuild: number[] = [];
    try {
      for (let i = 1; i <= RUNS; i++) {
        const c = await buildImage(coldEngine, { context: dir, dockerfile: facts.dockerfile, tag: tags[0], noCache: true }, settings);
        cold.push(c.durationMs);
        change.apply(i);
        const r = await buildImage(coldEngine, { context: change.context, dockerfile: path.join(change.context, 'Dockerfile'), tag: tags[1] }, settings);
        const reuse = installReuseCheck(r.output, install.commands, change.file);
        if (!reuse.ok) throw new Error(`rebuild ${i}: ${reuse.detail}`);
        rebuild.push(r.durationMs);
        process.stderr.write(`run ${i}: cold ${(c.durationMs / 1000).toFixed(1)} s, rebuild ${(r.durationMs / 1000).toFixed(1)} s\n`);
      }
    } finally {
      change.dispose();
    }

    // 4. Figures
    const s = report.sizes;
    const coldMs = median(cold);
    const rebuildMs = median(rebuild);
    const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    const n = s.needed;
    const rows: [string, string, string][] = [
      ['runtime image', formatBytes(s.runtime.layers.total), `image size; files ${formatBytes(s.runtime.fileBytes)} = base ${formatBytes(s.runtime.baseFileBytes)} + added ${formatBytes(s.runtime.addedBytes)}`],
      ['needed by the runtime image', formatBytes(n.total), `prod deps ${formatBytes(n.dependencies)} + app ${formatBytes(n.app)} (${n.items.map((i) => `${i.path} ${formatBytes(i.bytes)}`).join(', ')})`],
      ['debug image', formatBytes(s.debug.layers.total), `files ${formatBytes(s.debug.fileBytes)}, waste ${formatBytes(s.debug.waste)}`],
      ['single-stage image', formatBytes(s.singleStage!.layers.total), `files ${formatBytes(s.singleStage!.fileBytes)}, waste ${formatBytes(s.singleStage!.waste)}`],
      ['single-stage / runtime', `${s.ratio!.toFixed(2)}x`, `image sizes; files: ${(s.singleStage!.fileBytes / s.runtime.fileBytes).toFixed(2)}x`],
      ['waste (runtime)', formatBytes(s.runtime.waste), `files - base files - needed; goal < 1 MB: ${s.runtime.waste < 1e6 && s.runtime.missing === 0 ? 'met' : 'MISSED'}${s.runtime.missing ? ` (missing ${formatBytes(s.runtime.missing)})` : ''}`],
      ['cold build (--no-cache)', secs(coldMs), `median of ${RUNS}: ${cold.map(secs).join(', ')}`],
      ['rebuild after a source change', secs(rebuildMs), `median of ${RUNS}: ${rebuild.map(secs).join(', ')}`],
      ['rebuild / cold', (rebuildMs / coldMs).toFixed(2), `goal <= 0.50: ${rebuildMs <= coldMs / 2 ? 'met' : 'MISSED'}`],
    ];
    const phaseList = (r: typeof report) => Object.entries(r.phasesMs ?? {}).filter(([k]) => k !== 'total').map(([k, v]) => `${k} ${secs(v)}`).join(', ');
    const withoutPod = withoutPodReport.phasesMs?.total ?? 0;
    rows.push(
      ['verify, cold cache', secs(report.phasesMs?.total ?? 0), `phases (lanes overlap after the runtime build): ${phaseList(report)}`],
      ['verify without pod parity', secs(withoutPod), `${(withoutPod / coldMs).toFixed(2)}x the cold build; goal <= 2x: ${withoutPod <= 2 * coldMs ? 'met' : 'MISSED'}; ${phaseList(withoutPodReport)}`],
    );
    const w0 = Math.max(...rows.map((r) => r[0].length));
    const w1 = Math.max(...rows.map((r) => r[1].length));
    console.log('');
    for (const [a, b, c] of rows) console.log(`${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`);
    const version = (await engine.exec(['--version'])).stdout.trim();
    console.log(`\n${version}, Node.js ${process.version} (host), ${os.cpus().length} cores; images built from the example app of \`create-msb-app example --yes${language === 'node' ? '' : ` --language ${language}`}\`.`);

    // 5. Slim vs full vs single-stage on real dependency sets (bench/slim.ts; Node.js only)
    if (language === 'node') {
      process.stderr.write('slim vs full vs single-stage...\n');
      await slimBench(engine, settings);
    }
  } finally {
    // with podman the images are in the new stores, under `work`
    if (!opts.keep && engine.name !== 'podman') await engine.exec(['rmi', '-f', ...tags]);
    await server?.close();
    if (opts.keep) process.stderr.write(`kept ${work}${engine.name === 'podman' ? ` (its layer stores: CONTAINERS_STORAGE_CONF=${path.join(work, 'store-b', 'storage.conf')})` : ''}\n`);
    else fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exitCode = 1;
});
