/**
 * The opt-in init process (`runtime.init`: tini from the builder's Debian packages as PID 1) and
 * the opt-in exec-form HEALTHCHECK (`image.healthcheck`): rendered in the one form the runtime-stage
 * allow-list admits, allowed only when on, and absent (byte for byte) when off.
 */
import { describe, expect, it } from 'vitest';
import { parse } from '../../src/dockerfile/parser';
import { HEALTHCHECK_POLICY, runtimeStageViolations } from '../../src/dockerfile-policy';
import { nodeFamily } from '../../src/families/node';
import { INIT_POLICY, NODE_RUNTIME_POLICY } from '../../src/families/node/policy';
import { synth, validationProblems } from '../util';

const RT = 'gcr.io/distroless/nodejs26-debian13:nonroot';
const EXPECTED = { image: RT, uid: 65532, gid: 65532, workdir: '/app' };

const problems = validationProblems;

function runtimeStage(dockerfile: string) {
  const stages = parse(dockerfile).stages;
  return stages[stages.length - 1];
}

describe('runtime.init: tini as PID 1', () => {
  it('installs tini in the builder and copies its static binary with the allow-listed ENTRYPOINT', () => {
    const { files } = synth({ runtime: { family: 'node', init: true } });
    for (const file of ['Dockerfile', 'Dockerfile.debug']) {
      const text = files[file];
      const stages = parse(text).stages;
      const base = stages.find((s) => s.name === 'base')!;
      expect(base.instructions.some((i) => i.keyword === 'RUN' && /apt-get install -y --no-install-recommends tini/.test(i.text))).toBe(true);
      expect(stages.map((s) => s.name)).toContain('build');
      const rt = runtimeStage(text);
      const copy = rt.instructions.find((i) => i.keyword === 'COPY' && i.text.includes('tini'))!;
      expect(copy.text).toBe('COPY --from=build /usr/bin/tini-static /tini');
      const ep = rt.instructions.filter((i) => i.keyword === 'ENTRYPOINT');
      expect(ep.map((i) => i.json)).toEqual([['/tini', '--', '/nodejs/bin/node']]);
      expect(rt.instructions.find((i) => i.keyword === 'CMD')!.json).toEqual(['dist/index.js']);
    }
    // the recorded model tells verify what runs
    const record = JSON.parse(files['.projen/msb.json']);
    expect(record.model.verify.entrypoint).toEqual(['/tini', '--', '/nodejs/bin/node']);
    expect(record.model.settings.init).toBe(true);
  });

  it('without a build script, a build stage still holds tini (the stage the policy names)', () => {
    const { files } = synth({ runtime: { family: 'node', init: true }, build: false, entrypoint: 'server.js' });
    const stages = parse(files.Dockerfile).stages;
    expect(stages.map((s) => s.name)).toEqual(['base', 'prod-deps', 'build', 'runtime']);
    expect(stages[2].fromInstruction.text).toBe('FROM base AS build');
    expect(runtimeStage(files.Dockerfile).instructions.some((i) => i.text === 'COPY --from=build /usr/bin/tini-static /tini')).toBe(true);
  });

  it('off by default: no tini, no ENTRYPOINT, and the policy rejects the init form', () => {
    const off = synth({});
    const same = synth({ runtime: { family: 'node', init: false } });
    expect(same.files.Dockerfile).toBe(off.files.Dockerfile);
    expect(off.files.Dockerfile).not.toMatch(/tini|ENTRYPOINT/);
    const withInit = synth({ runtime: { family: 'node', init: true } }).files.Dockerfile;
    const policyOff = nodeFamily.dockerfile.policy!(synth({}).app.model);
    expect(runtimeStageViolations(withInit, { ...EXPECTED, policy: policyOff })).toEqual(expect.arrayContaining([
      expect.stringMatching(/ENTRYPOINT is not allowed in the runtime stage/),
      expect.stringMatching(/copies from outside \/app: \/usr\/bin\/tini-static/),
    ]));
    expect(runtimeStageViolations(withInit, { ...EXPECTED, policy: { ...NODE_RUNTIME_POLICY, ...INIT_POLICY } })).toEqual([]);
  });

  it('rejects a non-boolean, and the static family has no such setting', () => {
    expect(problems({ runtime: { family: 'node', init: 'yes' as any } })).toEqual([
      expect.objectContaining({ field: 'runtime.init', value: 'yes', expected: expect.stringMatching(/true .*or false/) }),
    ]);
    expect(problems({ runtime: { family: 'static', binary: 'bin/server', init: true } as any }).map((p) => p.field)).toContain('runtime.init');
  });
});

describe('image.healthcheck: an exec-form HEALTHCHECK with Node\'s fetch', () => {
  it('renders a shell-free HEALTHCHECK of the health path on PORT', () => {
    const { files } = synth({ image: { healthcheck: true }, healthCheckPath: '/ready' });
    for (const file of ['Dockerfile', 'Dockerfile.debug']) {
      const hc = runtimeStage(files[file]).instructions.filter((i) => i.keyword === 'HEALTHCHECK');
      expect(hc).toHaveLength(1);
      expect(hc[0].flags.map((f) => `${f.name}=${f.value}`)).toEqual(['interval=30s', 'timeout=5s', 'start-period=60s', 'retries=3']);
      const cmd = JSON.parse(hc[0].rest.replace(/^CMD\s+/, ''));
      expect(cmd).toEqual(['/nodejs/bin/node', '-e', "fetch('http://127.0.0.1:'+process.env.PORT+'/ready').then((r)=>process.exit(r.ok?0:1),()=>process.exit(1))"]);
    }
    expect(files.Dockerfile).not.toMatch(/ENTRYPOINT/);
  });

  it('the command exits 0 on a 2xx answer and 1 otherwise (run with this Node)', async () => {
    const http = await import('node:http');
    const { execFile } = await import('node:child_process');
    const server = http.createServer((req, res) => { res.statusCode = req.url === "/it's" ? 200 : 503; res.end(); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const { healthcheckCommand } = await import('../../src/families/node');
    const run = (p: string) => new Promise<number>((resolve) => {
      const [, ...args] = healthcheckCommand(p);
      execFile(process.execPath, args, { env: { PORT: String(port) } }, (err) => resolve(err ? (err as any).code : 0));
    });
    try {
      expect(await run("/it's")).toBe(0);
      expect(await run('/healthz')).toBe(1);
    } finally {
      server.close();
    }
  });

  it('off by default, and allowed by the policy only when on', () => {
    const off = synth({});
    expect(synth({ image: { healthcheck: false } }).files.Dockerfile).toBe(off.files.Dockerfile);
    expect(off.files.Dockerfile).not.toMatch(/HEALTHCHECK/);
    const on = synth({ image: { healthcheck: true } }).files.Dockerfile;
    expect(runtimeStageViolations(on, { ...EXPECTED, policy: NODE_RUNTIME_POLICY })).toEqual([expect.stringMatching(/HEALTHCHECK is not allowed in the runtime stage/)]);
    expect(runtimeStageViolations(on, { ...EXPECTED, policy: { ...NODE_RUNTIME_POLICY, ...HEALTHCHECK_POLICY } })).toEqual([]);
  });

  it('is a validation error with TCP probes, with a non-boolean, and in the static family', () => {
    expect(problems({ image: { healthcheck: true }, healthCheckPath: false })).toEqual([
      expect.objectContaining({ field: 'image.healthcheck', value: true, expected: expect.stringMatching(/healthCheckPath is false/) }),
    ]);
    expect(problems({ image: { healthcheck: 1 as any } }).map((p) => p.field)).toEqual(['image.healthcheck']);
    expect(problems({ runtime: { family: 'static', binary: 'bin/server' }, image: { healthcheck: true } })).toEqual([
      expect.objectContaining({ field: 'image.healthcheck', value: true }),
    ]);
  });

  it('works together with the init process', () => {
    const { files } = synth({ image: { healthcheck: true }, runtime: { family: 'node', init: true } });
    const keywords = runtimeStage(files.Dockerfile).instructions.map((i) => i.keyword);
    expect(keywords.slice(-3)).toEqual(['HEALTHCHECK', 'ENTRYPOINT', 'CMD']);
  });
});
