/**
 * Parser fidelity: a seeded sample of generated runtime stages (comments ending in an escape
 * character, continuations split anywhere with comment and blank lines inside, mixed-case keywords,
 * the escape directive, hostile USER/CMD lines) is built with buildah (podman build) on the
 * distroless stand-in, and the image's User, Entrypoint and Cmd must be what the parser reads.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { parse } from '../../src/dockerfile/parser';

const BASE = 'gcr.io/distroless/nodejs26-debian13:nonroot';
const SEED = Number(process.env.FC_SEED ?? 20261128);
const SAMPLES = Number(process.env.PARSER_FIDELITY_SAMPLES ?? 10);

const podman = (args: string[], cwd?: string) => {
  const r = spawnSync('podman', args, { cwd, encoding: 'utf8', env: { ...process.env, CONTAINERS_CONF: inject('containersConf') }, timeout: 300_000 });
  if (r.status !== 0) throw new Error(`podman ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
};

const INSTRUCTIONS = [
  'USER 65532:65532', 'USER 0:0', 'USER 1000', 'USER nobody',
  'CMD ["dist/index.js"]', 'CMD ["a b", "--flag=1"]', 'CMD node server.js',
  'LABEL team="payments"', 'ENV A=b', 'EXPOSE 8080', 'WORKDIR /app',
];
const NOISE = ['# keep me \\', '# keep me `', '', '   ', '# USER 0:0', '\t# CMD ["evil"]'];

/** One instruction written with a random keyword case and continuations split at random places. */
const written = (ins: string, esc: string) =>
  fc.record({
    upper: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
    cuts: fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, ins.length - 1) }), { maxLength: 3 }),
    noise: fc.array(fc.constantFrom(...NOISE), { maxLength: 2 }),
    trail: fc.constantFrom('', ' ', '\t'),
  }).map(({ upper, cuts, noise, trail }) => {
    const space = ins.indexOf(' ');
    const keyword = [...ins.slice(0, space)].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join('');
    const text = keyword + ins.slice(space);
    const at = [...cuts].sort((a, b) => a - b).filter((c) => c > space && c < text.length);
    let out = '';
    let from = 0;
    for (const c of at) {
      out += `${text.slice(from, c)}${esc}${trail}\n${noise.map((n) => `${n}\n`).join('')}`;
      from = c;
    }
    return out + text.slice(from);
  });

const stage = fc.constantFrom('\\', '`').chain((esc) =>
  fc.tuple(
    fc.boolean(),
    fc.array(fc.constantFrom(...INSTRUCTIONS), { minLength: 1, maxLength: 6 }),
    fc.array(fc.constantFrom(...NOISE), { maxLength: 4 }),
  ).chain(([entrypoint, middle, comments]) => {
    const list = [...(entrypoint ? ['ENTRYPOINT ["/nodejs/bin/node", "--enable-source-maps"]'] : []), ...middle, 'CMD ["dist/index.js"]'];
    return fc.tuple(...list.map((i) => written(i, esc))).map((lines) => {
      const body: string[] = [];
      lines.forEach((l, i) => {
        body.push(l);
        if (comments[i] !== undefined) body.push(comments[i]);
      });
      return `${esc === '`' ? '# escape=`\n' : ''}FROM ${BASE}\n${body.join('\n')}\n`;
    });
  }),
);

/** What the image config will hold, read with the parser. */
function parserReading(text: string): { User: string; Entrypoint: string[]; Cmd: string[] } {
  const parsed = parse(text);
  expect(parsed.problems).toEqual([]);
  const rt = parsed.stages[parsed.stages.length - 1];
  let user = '65532';
  let entrypoint = ['/nodejs/bin/node'];
  let cmd: string[] = [];
  for (const ins of rt.instructions) {
    const form = ins.json ? [...ins.json] : ['/bin/sh', '-c', ins.rest];
    if (ins.keyword === 'USER') user = ins.rest;
    if (ins.keyword === 'ENTRYPOINT') entrypoint = form;
    if (ins.keyword === 'CMD') cmd = form;
  }
  return { User: user, Entrypoint: entrypoint, Cmd: cmd };
}

describe('parser fidelity against buildah', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'msb-parser-fidelity-'));
  const tags: string[] = [];
  afterAll(() => {
    for (const tag of tags) spawnSync('podman', ['rmi', '-f', tag], { env: { ...process.env, CONTAINERS_CONF: inject('containersConf') } });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const samples = fc.sample(stage, { seed: SEED, numRuns: SAMPLES });

  it('the sample can tell readings apart: joining continuations before dropping comments reads some of it differently', () => {
    // the reading the policy used before (regular expressions over the text): a wrong parser must fail this test
    const naive = (text: string) => {
      const lines = text.replace(/[\\`][ \t]*\n\s*/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
      const last = (k: string) => [...lines].reverse().find((l) => l.toUpperCase().startsWith(`${k} `))?.slice(k.length + 1);
      return { User: last('USER') ?? '65532', Cmd: last('CMD') };
    };
    const differ = samples.filter((t) => {
      const p = parserReading(t);
      const n = naive(t);
      let cmd: unknown;
      try {
        cmd = JSON.parse(n.Cmd ?? '');
      } catch {
        cmd = ['/bin/sh', '-c', n.Cmd];
      }
      return n.User !== p.User || JSON.stringify(cmd) !== JSON.stringify(p.Cmd);
    });
    expect(differ.length).toBeGreaterThan(0);
  });
  it.each(samples.map((text, i) => [i, text] as const))(`sample %i (seed ${SEED}): User, Entrypoint and Cmd are what the parser reads`, (i, text) => {
    const file = path.join(dir, `Dockerfile.${i}`);
    fs.writeFileSync(file, text);
    const tag = `localhost/msb-parser-fidelity:${i}`;
    tags.push(tag);
    podman(['build', '--pull=never', '-q', '-f', file, '-t', tag, dir]);
    const config = JSON.parse(podman(['image', 'inspect', tag, '--format', '{{json .Config}}'])) as { User?: string; Entrypoint?: string[]; Cmd?: string[] };
    expect({ User: config.User ?? '', Entrypoint: config.Entrypoint ?? [], Cmd: config.Cmd ?? [] }, text).toEqual(parserReading(text));
  });
});
