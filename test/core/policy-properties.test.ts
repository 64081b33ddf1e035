/**
 * Property-based tests of the runtime-stage policy and the .dockerignore check.
 *
 * Runtime stages are assembled from Dockerfile fragments whose meaning for the builders is known by
 * construction (a comment ending in `\` joins nothing, blank and comment lines inside a
 * continuation are dropped, keywords are case-insensitive, a continuation may carry trailing
 * blanks), so the policy's verdict can be compared with what the builders will really build.
 * fast-check prints the seed and the shrunk counterexample on failure; FC_NUM_RUNS raises the
 * number of cases (nightly), FC_SEED replays one.
 */
import ignoreMatcher from '@balena/dockerignore';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from '../../src/dockerfile/parser';
import { SECRET_FILE_SAMPLES, SECRET_PATTERNS, dockerignoreLeaks, runtimeStageViolations } from '../../src/dockerfile-policy';
import { NODE_RUNTIME_POLICY } from '../../src/families/node/policy';
import { synth } from '../util';

const RUNS = Number(process.env.FC_NUM_RUNS ?? 1000);
const SEED = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const params = { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) };

const IMAGE = 'gcr.io/distroless/nodejs26-debian13:nonroot';
const EXPECTED = { image: IMAGE, uid: 65532, gid: 65532, workdir: '/app', policy: NODE_RUNTIME_POLICY };

let builders = '';
let dockerignore = '';
beforeAll(() => {
  const { files } = synth();
  const text = files.Dockerfile;
  builders = text.slice(0, text.indexOf('# Runtime:'));
  dockerignore = files['.dockerignore'];
});

/** A fragment: the instruction as the builders will read it, and whether the runtime stage may hold it. */
interface Fragment {
  readonly keyword: string;
  readonly words: string[];
  readonly safe: boolean;
}

const f = (safe: boolean, keyword: string, ...words: string[]): Fragment => ({ keyword, words, safe });
const SAFE: Fragment[] = [
  f(true, 'ENV', 'LOG_LEVEL="info"'),
  f(true, 'LABEL', 'team="payments"'),
  f(true, 'EXPOSE', '8080'),
  f(true, 'STOPSIGNAL', 'SIGTERM'),
  f(true, 'ARG', 'VERSION'),
  f(true, 'COPY', '--from=build', '--chown=65532:65532', '/app/dist', './dist'),
  f(true, 'COPY', '--from=prod-deps', '--chown=65532:65532', '/app/node_modules', './node_modules'),
  f(true, 'COPY', '--chown=65532:65532', 'package.json', './package.json'),
  f(true, 'COPY', '--from=build', '--chown=65532:65532', '--chmod=0755', '/app/dist/cli.js', './bin/cli.js'),
  f(true, 'USER', '65532:65532'),
  f(true, 'CMD', '["dist/index.js"]'),
];
const UNSAFE: Fragment[] = [
  f(false, 'USER', '0:0'),
  f(false, 'USER', 'root'),
  f(false, 'USER', '65532'),
  f(false, 'USER', '1000:1000'),
  f(false, 'RUN', 'echo', 'hi'),
  f(false, 'RUN', '["/bin/sh","-c","id"]'),
  f(false, 'SHELL', '["/bin/sh","-c"]'),
  f(false, 'ENTRYPOINT', '["/bin/sh"]'),
  f(false, 'VOLUME', '/data'),
  f(false, 'ADD', 'https://example.com/x', './x'),
  f(false, 'ONBUILD', 'RUN', 'id'),
  f(false, 'HEALTHCHECK', 'CMD', 'curl', 'localhost'),
  f(false, 'FROM', 'docker.io/library/node:26-trixie', 'AS', 'evil'),
  f(false, 'FROM', IMAGE, 'AS', 'again'),
  f(false, 'CMD', 'node', 'dist/index.js'),
  f(false, 'COPY', '--from=build', '--chown=65532:65532', '/app/../bin/sh', './sh'),
  f(false, 'COPY', '--from=build', '--chown=65532:65532', '/app/dist/../../bin/busybox', './busybox'),
  f(false, 'COPY', '--from=base', '--chown=65532:65532', '/app/dist', './dist'),
  f(false, 'COPY', '--from=docker.io/library/busybox', '--chown=65532:65532', '/bin/sh', './sh'),
  f(false, 'COPY', '--from=build', '--chown=0:0', '--chmod=4755', '/app/dist/x', './x'),
  f(false, 'COPY', '--from=build', '--chown=root', '/app/dist/x', './x'),
  f(false, 'COPY', '--from=build', '--chown=65532:65532', '--chmod=0777', '/app/dist/x', './x'),
  f(false, 'COPY', '--from=build', '--chown=65532:65532', '/app/dist', '/nodejs/bin/'),
  f(false, 'COPY', '--from=build', '/app/dist', './dist'),
  f(false, 'COPY', '--chown=65532:65532', '.npmrc', './.npmrc'),
  f(false, 'COPY', '--chown=65532:65532', 'deploy/.aws/credentials', './creds'),
  f(false, 'WORKDIR', '/'),
  f(false, 'MAINTAINER', 'someone'),
];

const blank = fc.constantFrom('', ' ', '\t', '  \t ');
const comment = fc.constantFrom('# note', '# keep me \\', '#\\', '  # indented \\  ', '# escape=`', '# syntax=docker/dockerfile:1', '#USER 0:0', '# FROM evil \\');
const mixedCase = (k: string) => fc.array(fc.boolean(), { minLength: k.length, maxLength: k.length }).map((up) => [...k].map((c, i) => (up[i] ? c.toUpperCase() : c.toLowerCase())).join(''));

/** Writes a fragment as text the builders read as that fragment: odd case, blanks, continuations with comments and empty lines. */
const render = (fr: Fragment) =>
  fc.record({
    keyword: mixedCase(fr.keyword),
    lead: blank,
    // after each word: a plain space, or a continuation (escape char + blanks) with noise lines before the next word
    joins: fc.array(fc.record({ cont: fc.boolean(), trail: fc.constantFrom('', ' ', '\t '), noise: fc.array(fc.oneof(comment, fc.constant(''), fc.constant('   ')), { maxLength: 2 }), indent: fc.constantFrom(' ', '    ', '\t') }), { minLength: fr.words.length, maxLength: fr.words.length }),
  }).map(({ keyword, lead, joins }) => {
    let text = `${lead}${keyword}`;
    fr.words.forEach((w, i) => {
      const j = joins[i];
      // JSON arguments stay on one line (their inner spaces are part of the value)
      if (j.cont && !fr.words[0].startsWith('[')) text += ` \\${j.trail}\n${j.noise.map((n) => `${n}\n`).join('')}${j.indent}${w}`;
      else text += ` ${w}`;
    });
    return text;
  });

const stage = fc
  .tuple(
    fc.array(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...SAFE) }, { weight: 1, arbitrary: fc.constantFrom(...UNSAFE) }), { maxLength: 6 }),
    fc.array(comment, { maxLength: 3 }),
    fc.nat(),
  )
  .chain(([middle, comments, pos]) => {
    const fragments = [f(true, 'FROM', IMAGE, 'AS', 'runtime'), f(true, 'WORKDIR', '/app'), ...middle, f(true, 'USER', '65532:65532'), f(true, 'CMD', '["dist/index.js"]')];
    return fc.tuple(...fragments.map(render)).map((lines) => {
      const all = [...lines];
      // comment lines (some ending in "\") between instructions: they join nothing
      comments.forEach((c, i) => all.splice(1 + ((pos + i) % (all.length - 1)), 0, c));
      return { fragments, text: `${all.join('\n')}\n` };
    });
  });

describe('runtime stage assembled from fragments (property)', () => {
  it(`the policy accepts exactly the stages the builders read as safe (${RUNS} cases)`, () => {
    let accepted = 0;
    fc.assert(
      fc.property(stage, ({ fragments, text }) => {
        const dockerfile = `${builders}${text}`;
        const violations = runtimeStageViolations(dockerfile, EXPECTED);
        const safe = fragments.every((x) => x.safe);
        if (violations.length === 0) accepted++;
        expect(violations.length === 0, `${safe ? 'safe stage rejected' : 'unsafe stage accepted'}:\n${text}\n${violations.join('\n')}`).toBe(safe);
        if (safe) {
          // read by the parser, an accepted output keeps the runtime-stage rules
          const parsed = parse(dockerfile);
          expect(parsed.problems).toEqual([]);
          const rt = parsed.stages[parsed.stages.length - 1];
          expect(rt.from).toBe(IMAGE);
          expect(rt.instructions.map((i) => i.keyword)).toEqual(fragments.slice(1).map((x) => x.keyword));
          for (const ins of rt.instructions) {
            expect(['WORKDIR', 'ENV', 'COPY', 'USER', 'EXPOSE', 'LABEL', 'CMD', 'ARG', 'STOPSIGNAL']).toContain(ins.keyword);
            if (ins.keyword === 'USER') expect(ins.rest).toBe('65532:65532');
            if (ins.keyword === 'CMD') expect(ins.json).toBeDefined();
          }
        }
      }),
      params,
    );
    // not vacuous: both verdicts occur
    expect(accepted).toBeGreaterThan(RUNS / 10);
    expect(accepted).toBeLessThan(RUNS);
  });

  it(`an escape directive changes the continuation character; the parser follows it (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(fc.constantFrom('\\', '`'), fc.array(fc.constantFrom(...SAFE, ...UNSAFE), { minLength: 1, maxLength: 5 }), fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }), (esc, frs, conts) => {
        const other = esc === '\\' ? '`' : '\\';
        const lines = frs.map((fr, n) => {
          let t = fr.keyword;
          fr.words.forEach((w, i) => {
            t += conts[(n + i) % conts.length] && !fr.words[0].startsWith('[') ? ` ${esc}\n# c ${other}\n  ${w}` : ` ${w}`;
          });
          return t;
        });
        const text = `${esc === '`' ? '# escape=`\n' : ''}FROM ${IMAGE}\n${lines.join(`\n# keep me ${esc}\n`)}\n`;
        const parsed = parse(text);
        const ins = parsed.stages.flatMap((s, i) => (i === 0 ? s.instructions : [s.fromInstruction, ...s.instructions]));
        expect(parsed.escape).toBe(esc);
        expect(ins.map((i) => i.keyword)).toEqual(frs.map((x) => x.keyword));
        expect(ins.map((i) => i.args.replace(/\s+/g, ' '))).toEqual(frs.map((x) => x.words.join(' ')));
      }),
      params,
    );
  });
});

const FOLDERS = ['src', 'deploy', 'ops', 'test', 'packages/a', 'config', 'docs', 'lib', 'a/b', 'ops/k8s'];
const ignoreLine = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('*.md', 'docs', 'tmp/', '**/*.log', 'build', '!README.md', '!docs/**', '!lib', '!src/index.ts') },
  { weight: 1, arbitrary: fc.constantFrom('!**/config', '!deploy/**', '!ops', '!.env.example', '!src/**/*.key', '!**/.kube', '!packages/*/src') },
  { weight: 1, arbitrary: fc.constantFrom(...FOLDERS).map((d) => `!${d}/**`) },
  { weight: 1, arbitrary: fc.constantFrom(...FOLDERS).map((d) => `!${d}`) },
);
const probe = fc.tuple(fc.array(fc.constantFrom(...FOLDERS, 'x', 'k8s'), { maxLength: 3 }), fc.constantFrom(...SECRET_FILE_SAMPLES)).map(([dirs, name]) => [...dirs, name].join('/'));

describe('.dockerignore files (property)', () => {
  it(`when no generated secret path leaks, no random secret path leaks either (${RUNS} cases)`, () => {
    let clean = 0;
    fc.assert(
      fc.property(
        fc.array(ignoreLine, { maxLength: 4 }),
        fc.array(fc.nat(59), { maxLength: 2 }),
        fc.subarray(['test', 'deploy', 'config/app.json', 'index.js']),
        fc.array(probe, { minLength: 20, maxLength: 20 }),
        (extra, dropped, copied, probes) => {
          // drop some of the built-in lines (a weakened partial), add org lines
          const lines = dockerignore.split('\n');
          const base = lines.filter((_, i) => !dropped.includes(i) || i === 0);
          // copied paths are re-included, then the secrets excluded again (as the built-in template does)
          const text = [...base, ...extra, ...copied.map((c) => `!${c}`), ...(copied.length > 0 ? ['**/.git', ...SECRET_PATTERNS] : [])].join('\n');
          const leaks = dockerignoreLeaks(text, copied, 1);
          if (leaks.length > 0) return;
          clean++;
          const m = ignoreMatcher().add(text);
          for (const p of probes) expect(m.ignores(p), `${p} leaks through:\n${text}`).toBe(true);
        },
      ),
      params,
    );
    expect(clean).toBeGreaterThan(RUNS / 10);
    expect(clean).toBeLessThan(RUNS);
  });
});
