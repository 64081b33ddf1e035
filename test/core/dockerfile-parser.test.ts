/**
 * The builder-faithful Dockerfile parser: the rules of BuildKit's and Buildah's (imagebuilder's)
 * parsers, one case each, and the places where the two differ (reported as problems).
 */
import ignoreMatcher from '@balena/dockerignore';
import { describe, expect, it } from 'vitest';
import { MAX_LINE_BYTES, extractFlags, parse, parseDockerfile, secretMounts } from '../../src/dockerfile/parser';
import { dockerignoreLeaks, HEALTHCHECK_POLICY, mergeRuntimeStagePolicies, MULTI_ARCH_POLICY, ROOT_OWNED_FILES_POLICY, runtimeStageViolations, SECRET_FILE_SAMPLES, SECRET_PATTERNS } from '../../src/dockerfile-policy';
import { INIT_POLICY, NODE_RUNTIME_POLICY, TRACED_STAGE_POLICY } from '../../src/families/node/policy';

const kw = (text: string) => parse(text).stages.flatMap((s) => [`FROM ${s.from}`, ...s.instructions.map((i) => `${i.keyword} ${i.args}`)]);

describe('Dockerfile parser', () => {
  it('drops comment lines before joining continuations: `# keep me \\` joins nothing', () => {
    expect(kw('FROM a\n# keep me \\\nUSER 0:0\n')).toEqual(['FROM a', 'USER 0:0']);
  });

  it('drops comment and empty lines inside a continuation; joins the rest without a separator', () => {
    expect(kw('FROM a\nRUN echo \\\n# comment \\\n\n   \n  hi\n')).toEqual(['FROM a', 'RUN echo   hi']);
    expect(kw('FROM a\nRUN a\\\nb\n')).toEqual(['FROM a', 'RUN ab']);
  });

  it('a continuation may be followed by blanks; a continuation at the end of the file ends the instruction', () => {
    expect(kw('FROM a\nUSER 1 \\ \t\n:2\n')).toEqual(['FROM a', 'USER 1 :2']);
    expect(kw('FROM a\nCMD x \\')).toEqual(['FROM a', 'CMD x']);
  });

  it('reads the escape directive at the top only; a backtick then continues lines and a backslash does not', () => {
    const p = parse('# escape=`\nFROM a\nRUN echo `\n  hi\nRUN c:\\\nUSER 1\n');
    expect(p.escape).toBe('`');
    expect(p.stages[0].instructions.map((i) => i.args)).toEqual(['echo   hi', 'c:\\', '1']);
    expect(parse('# hello\n# escape=`\nFROM a\n').escape).toBe('\\');
    expect(parse('\n# escape=`\nFROM a\n').escape).toBe('\\');
    expect(parse('  #  ESCAPE = `\nFROM a\n').escape).toBe('`');
  });

  it('reports what the builders read differently: # syntax= and # check= directives, a bad escape value, heredocs, unknown instructions', () => {
    expect(parse('# syntax=docker/dockerfile:1\n# escape=`\nFROM a\n').problems.map((p) => p.message)).toEqual([expect.stringMatching(/"# syntax=" parser directive/)]);
    expect(parse('# check=skip=all\nFROM a\n').problems).toHaveLength(1);
    expect(parse('# escape=\\\\\nFROM a\n').problems[0].message).toMatch(/must be exactly/);
    expect(parse('FROM a\nRUN <<EOF\necho hi\nEOF\n').problems.map((p) => p.message)).toEqual([expect.stringMatching(/heredoc/), expect.stringMatching(/unknown instruction ECHO/), expect.stringMatching(/unknown instruction EOF/)]);
    expect(parse('FROM a\nCOPY <<-"X" /a\n').problems[0].message).toMatch(/heredoc/);
    expect(parse('FROM a\nFOO bar\n').problems[0].message).toMatch(/unknown instruction FOO/);
    expect(parse('USER 1\nFROM a\n').problems[0].message).toMatch(/USER before the first FROM/);
    expect(parse('FROM a AS x\nFROM b AS X\n').problems[0].message).toMatch(/stage name "x" is used twice/);
    expect(parse('FROM a\nLABEL a="\u0001"\n').problems[0].message).toMatch(/control character U\+0001/);
    expect(parse('FROM a\r\nUSER 1\r\n').problems).toEqual([]);
  });

  it(`reports a line longer than ${MAX_LINE_BYTES} bytes (Buildah stops reading there)`, () => {
    expect(parse(`FROM a\nENV X=${'a'.repeat(MAX_LINE_BYTES - 6)}\n`).problems).toEqual([]);
    expect(parse(`FROM a\nENV X=${'a'.repeat(MAX_LINE_BYTES - 5)}\nUSER 0:0\n`).problems[0]).toEqual({ line: 2, message: expect.stringMatching(/65536 bytes long; Buildah reads at most 65535/) });
  });

  it('reads flags, exec and shell forms, FROM ... AS name (case-insensitive)', () => {
    const [b, r] = parseDockerfile('from --platform=$BUILDPLATFORM node:26 as Build\nfrom gcr.io/x:nonroot\nCOPY --from=build --chown=1:2 --chmod=0644 /app/a ./a\nCMD ["a b", "c"]\nentrypoint node x\n');
    expect(b).toMatchObject({ from: 'node:26', name: 'build', index: 0 });
    expect(b.fromInstruction.flags).toEqual([{ name: 'platform', value: '$BUILDPLATFORM' }]);
    expect(r.name).toBeUndefined();
    const [copy, cmd, ep] = r.instructions;
    expect(copy.flags).toEqual([{ name: 'from', value: 'build' }, { name: 'chown', value: '1:2' }, { name: 'chmod', value: '0644' }]);
    expect(copy.rest).toBe('/app/a ./a');
    expect(cmd.json).toEqual(['a b', 'c']);
    expect(ep.keyword).toBe('ENTRYPOINT');
    expect(ep.json).toBeUndefined();
    expect(extractFlags('--mount="type=secret,id=a" -- --x').flags).toEqual([{ name: 'mount', value: 'type=secret,id=a' }]);
    expect(extractFlags('--a=1 rest --b=2')).toEqual({ flags: [{ name: 'a', value: '1' }], rest: 'rest --b=2' });
  });

  it('reads secret mounts with their default target', () => {
    const [s] = parseDockerfile('FROM a\nRUN --mount=type=cache,target=/c --mount=type=secret,id=npmrc,target=/root/.npmrc --mount=type=secret,id=ca x\n');
    expect(secretMounts(s.instructions[0])).toEqual([{ id: 'npmrc', target: '/root/.npmrc' }, { id: 'ca', target: '/run/secrets/ca' }]);
  });
});

const RT = 'gcr.io/distroless/nodejs26-debian13:nonroot';
const EXPECTED = { image: RT, uid: 65532, gid: 65532, workdir: '/app', policy: NODE_RUNTIME_POLICY };
const dockerfile = (...runtime: string[]) => ['FROM node:26 AS build', 'WORKDIR /app', 'FROM build AS prod-deps', `FROM ${RT} AS runtime`, 'WORKDIR /app', ...runtime, 'USER 65532:65532', 'CMD ["dist/index.js"]', ''].join('\n');

describe('runtime-stage policy', () => {
  it('accepts the plain stage and names each violation', () => {
    expect(runtimeStageViolations(dockerfile('COPY --from=build --chown=65532:65532 /app/dist ./dist'), EXPECTED)).toEqual([]);
    expect(runtimeStageViolations(dockerfile('VOLUME /x'), EXPECTED)).toEqual([expect.stringMatching(/VOLUME is not allowed/)]);
    expect(runtimeStageViolations(dockerfile('COPY --from=build --chown=65532:65532 /app/.npmrc ./x'), EXPECTED)).toEqual([expect.stringMatching(/a secret path/)]);
    expect(runtimeStageViolations(dockerfile('COPY --from=build --chown=65532:65532 /app/$X ./x'), EXPECTED)).toEqual([expect.stringMatching(/no variables/)]);
    expect(runtimeStageViolations(dockerfile('COPY --from=build --chown=65532:65532 --chmod=u+s /app/x ./x'), EXPECTED)).toEqual([expect.stringMatching(/an octal mode/)]);
    expect(runtimeStageViolations(dockerfile().replace(`FROM ${RT} AS runtime`, 'ARG R\nFROM $R AS runtime'), EXPECTED).join('\n')).toMatch(/build argument/);
    expect(runtimeStageViolations(dockerfile().replace(`FROM ${RT}`, `FROM --platform=$TARGETPLATFORM ${RT}`), { ...EXPECTED, policy: mergeRuntimeStagePolicies(NODE_RUNTIME_POLICY, MULTI_ARCH_POLICY) })).toEqual([expect.stringMatching(/no flags on the runtime stage's FROM/)]);
  });

  it('admits the planned features only through their policy entries', () => {
    const entries = [NODE_RUNTIME_POLICY, INIT_POLICY, HEALTHCHECK_POLICY, ROOT_OWNED_FILES_POLICY, TRACED_STAGE_POLICY, MULTI_ARCH_POLICY];
    const all = mergeRuntimeStagePolicies(...entries);
    const features = [
      'COPY --from=build /usr/bin/tini-static /tini',
      'ENTRYPOINT ["/tini", "--", "/nodejs/bin/node"]',
      'HEALTHCHECK --interval=10s CMD ["/nodejs/bin/node", "dist/health.js"]',
      'COPY --from=build --chown=0:0 --chmod=0644 /app/dist ./dist',
    ];
    const text = dockerfile(...features).replace('FROM node:26 AS build', 'FROM --platform=$BUILDPLATFORM node:26 AS build');
    expect(runtimeStageViolations(text, { ...EXPECTED, policy: all })).toEqual([]);
    // the Node entry admits root-owned read-only files itself: the other five features and the platform stay refused
    expect(runtimeStageViolations(text, EXPECTED)).toHaveLength(6);
    expect(runtimeStageViolations(text, { ...EXPECTED, policy: { ...NODE_RUNTIME_POLICY, rootOwnedReadOnlyFiles: false } })).toHaveLength(7);
    expect(runtimeStageViolations(dockerfile('ENTRYPOINT ["/tini", "--", "/bin/sh"]'), { ...EXPECTED, policy: all })).toEqual([expect.stringMatching(/ENTRYPOINT may only be one of/)]);
    expect(runtimeStageViolations(dockerfile('HEALTHCHECK CMD curl -f localhost'), { ...EXPECTED, policy: all })).toEqual([expect.stringMatching(/exec form/)]);
    expect(runtimeStageViolations(dockerfile('COPY --from=build --chown=0:0 --chmod=0664 /app/dist ./dist'), { ...EXPECTED, policy: all })).toEqual([expect.stringMatching(/no write bit for group or other/)]);
    expect(runtimeStageViolations(dockerfile('COPY --from=build --chown=0:0 /app/dist ./dist'), { ...EXPECTED, policy: all })).toEqual([expect.stringMatching(/without --chmod/)]);
  });

  it('build stages: a RUN with a secret mount may read it only in the allowed ways', () => {
    const mounts = '--mount=type=secret,id=npmrc,target=/root/.npmrc --mount=type=secret,id=ca_cert,target=/run/secrets/ca_cert';
    const run = (cmd: string) => runtimeStageViolations(dockerfile().replace('WORKDIR /app\nFROM build', `WORKDIR /app\nRUN ${mounts} ${cmd}\nFROM build`), EXPECTED);
    expect(run('[ ! -f /run/secrets/ca_cert ] || export NODE_EXTRA_CA_CERTS=/run/secrets/ca_cert; npm ci --store-dir /root/.cache/x')).toEqual([]);
    for (const bad of ['cp /root/.npmrc ./x', 'tar c ~ > /app/home.tar', 'cp -r /run/secrets /app/s', 'base64 /run/secrets/ca_cert', "cat '/root/.np''mrc' > x"]) {
      expect(run(bad), bad).toEqual([expect.stringMatching(/names the secret/)]);
    }
    // Indirect names: a glob, a variable, command substitution, an escape.
    for (const bad of ['cp /root/.np?rc dist/x', 'cat /root/.np*', 'cat $NODE_EXTRA_CA_CERTS > dist/ca', 'cat $(echo /root/.npmrc)', 'cat /root/.np\\mrc', 'cat `ls /root`']) {
      expect(run(bad).join('\n'), bad).toMatch(/could name a secret indirectly/);
    }
    expect(run('cat $HOME/.npmrc')).toEqual([expect.stringMatching(/indirectly/), expect.stringMatching(/names the secret/)]);
  });
});

describe('.dockerignore evaluation', () => {
  it('every sample is a secret (or VCS data) for the patterns', () => {
    const m = ignoreMatcher().add([...SECRET_PATTERNS, '**/.git']);
    expect(SECRET_FILE_SAMPLES.filter((s) => !m.ignores(s) || !m.ignores(`a/b/${s}`))).toEqual([]);
  });

  it('finds leaks below every re-include and copied path, and none in the secret patterns alone', () => {
    const base = ['**/.git', 'node_modules', ...SECRET_PATTERNS].join('\n');
    expect(dockerignoreLeaks(base)).toEqual([]);
    expect(dockerignoreLeaks(`${base}\n!deploy/**`)).toContain('deploy/.env');
    expect(dockerignoreLeaks(`${base}\n!lib/**/conf`)).toContain('lib/x/y/conf/.npmrc');
    expect(dockerignoreLeaks(`${base}\n!.env.example`)).toContain('.env.example');
    expect(dockerignoreLeaks(`${base}\n!vendor`, ['vendor'])).toContain('vendor/.ssh/id_rsa');
    expect(dockerignoreLeaks('.env\n.git')).toContain('src/.env');
  });
});
