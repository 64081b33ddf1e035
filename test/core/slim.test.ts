/**
 * `slim` (Node.js family): a `traced` stage of its own installs the pinned tracer and assembles the
 * traced `node_modules`; the runtime stage copies that tree instead of the production tree, the
 * allow-list admits `traced` only when slim is on, and the output without slim is unchanged.
 */
import { describe, expect, it } from 'vitest';
import type { AppProps } from '../../src';
import { parse } from '../../src/dockerfile/parser';
import { runtimeStageViolations } from '../../src/dockerfile-policy';
import { nodeFamily } from '../../src/families/node';
import { NODE_RUNTIME_POLICY } from '../../src/families/node/policy';
import { SLIM_TRACER } from '../../src/families/node/slim';
import { synth, validationProblems } from '../util';

const RT = 'gcr.io/distroless/nodejs26-debian13:nonroot';
const EXPECTED = { image: RT, uid: 65532, gid: 65532, workdir: '/app' };

const problems = validationProblems;

function stages(dockerfile: string) {
  return parse(dockerfile).stages;
}

describe('slim: the traced stage', () => {
  it('traces in a stage of its own with the pinned tracer, and the runtime stage copies node_modules from it', () => {
    const { files } = synth({ slim: { include: ['node_modules/plugin-a'] } });
    for (const file of ['Dockerfile', 'Dockerfile.debug']) {
      const all = stages(files[file]);
      expect(all.map((s) => s.name)).toEqual(['base', 'prod-deps', 'build', 'traced', 'runtime']);
      const traced = all.find((s) => s.name === 'traced')!;
      expect(traced.from).toBe('base');
      const install = traced.instructions.find((i) => i.keyword === 'RUN' && i.text.includes('npm install'))!;
      expect(install.text).toContain(`${SLIM_TRACER.package}@${SLIM_TRACER.version}`);
      const trace = traced.instructions[traced.instructions.length - 1];
      expect(trace.keyword).toBe('RUN');
      // exec form: the arguments reach node without a shell
      const argv = JSON.parse(trace.text.replace(/^RUN\s+/, '')) as string[];
      expect(argv.slice(0, 2)).toEqual(['node', '-e']);
      expect(argv.slice(3)).toEqual(['dist/index.js', 'node_modules/plugin-a']);
      expect(traced.instructions.some((i) => i.text === 'COPY --from=build /app/dist /trace/app/dist')).toBe(true);
      expect(traced.instructions.some((i) => i.text === 'COPY --from=prod-deps /app/node_modules /trace/app/node_modules')).toBe(true);
      const runtime = all[all.length - 1];
      expect(runtime.instructions.some((i) => i.text === 'COPY --from=traced --chown=0:0 --chmod=0555 /app/node_modules ./node_modules')).toBe(true);
      expect(runtime.instructions.some((i) => i.text.includes('--from=prod-deps'))).toBe(false);
    }
  });

  it('the generated slim Dockerfile passes the runtime-stage policy', () => {
    const { files } = synth({ slim: true });
    expect(files.Dockerfile).toContain('COPY --from=traced');
    // synth() already validated it; judged here again with the family's own allow-list entry
    const model = { runtime: { settings: { slim: { include: [] } } } };
    const policy = nodeFamily.dockerfile.policy!(model as never);
    expect(runtimeStageViolations(files.Dockerfile, { ...EXPECTED, policy })).toEqual([]);
  });

  it('without slim the allow-list does not admit a copy from a traced stage', () => {
    const { files } = synth({ slim: true });
    const violations = runtimeStageViolations(files.Dockerfile, { ...EXPECTED, policy: NODE_RUNTIME_POLICY });
    expect(violations.join('\n')).toMatch(/traced/);
  });

  it('without slim nothing changes: no traced stage, the runtime copies from prod-deps', () => {
    const off = synth({}).files.Dockerfile;
    expect(synth({ slim: false }).files.Dockerfile).toBe(off);
    expect(off).not.toContain('traced');
    expect(off).toContain('COPY --from=prod-deps --chown=0:0 --chmod=0555 /app/node_modules ./node_modules');
  });

  it('without a build, the runtime files are traced from the context', () => {
    const { files } = synth({ build: false, entrypoint: 'server/index.js', slim: true });
    const traced = stages(files.Dockerfile).find((s) => s.name === 'traced')!;
    expect(traced.instructions.some((i) => i.text === 'COPY server /trace/app/server')).toBe(true);
    expect(traced.instructions.some((i) => i.text === 'COPY package.json /trace/app/package.json')).toBe(true);
  });

  it('records the traced stage for verify', () => {
    const { files } = synth({ slim: true, routes: ['/api/users'] });
    const record = JSON.parse(files['.projen/msb.json']);
    expect(record.model.verify.stages.traced).toBe('traced');
    expect(record.model.verify.routes).toEqual(['/api/users']);
  });
});

describe('slim: bad input', () => {
  it.each([
    [{ slim: { include: ['node_modules/x; rm -rf /'] } }, 'slim.include[0]'],
    [{ slim: { include: ['lib/plugin'] } }, 'slim.include[0]'],
    [{ slim: { include: ['node_modules/../.npmrc'] } }, 'slim.include[0]'],
    [{ slim: { include: ['node_modules/*'] } }, 'slim.include[0]'],
    [{ slim: { include: 'node_modules/x' } }, 'slim.include'],
    [{ slim: 'yes' }, 'slim'],
    [{ routes: ['api'] }, 'routes[0]'],
  ] as [AppProps, string][])('%j is an error naming %s', (props, field) => {
    const found = problems(props);
    expect(found.map((p) => p.field)).toContain(field);
  });

  it('a family without a dependency tree refuses slim', () => {
    const found = problems({ runtime: { family: 'static', binary: 'bin/server' }, slim: true } as AppProps);
    expect(found.find((p) => p.field === 'slim')?.expected).toMatch(/static family has no dependency tree/);
  });
});
