/**
 * What a Dockerfile and its .dockerignore must keep, whoever rendered them (built-in templates, an
 * org template, escape hatches): secrets out of the build context, and a runtime stage that stays
 * distroless, non-root and shell-free.
 *
 * The Dockerfile is judged on the stages the builder-faithful parser reads (`./dockerfile/parser`),
 * never on the text. What the runtime stage may hold is data ({@link RuntimeStagePolicy}): one entry
 * per family and per feature, merged with {@link mergeRuntimeStagePolicies}.
 *
 * The .dockerignore is judged by evaluating it with the matcher Docker uses (`@balena/dockerignore`
 * mirrors moby's `patternmatcher`; Buildah 1.28 uses the same rules through containers/storage
 * `pkg/fileutils`, parent folders included) against a generated tree of secret-looking paths.
 */
import * as path from 'node:path';
import ignoreMatcher from '@balena/dockerignore';
import type { RuntimeStagePolicy } from './contract/policy';
import { Instruction, ParseProblem, Stage, flagValue, parse, secretMounts, words } from './dockerfile/parser';

/**
 * Patterns that keep secrets out of the build context, at any depth. A path the definition copies
 * must not match them; a template must not drop them.
 */
export const SECRET_PATTERNS = [
  '**/.env', '**/.env.*', '**/*.env', '**/.envrc',
  '**/.npmrc', '**/.netrc', '**/.git-credentials', '**/.pypirc',
  '**/*.pem', '**/*.key', '**/*.p12', '**/*.pfx', '**/*.jks',
  '**/id_rsa*', '**/id_ed25519*', '**/id_ecdsa*', '**/id_dsa*',
  '**/.aws', '**/.docker', '**/.kube', '**/.gnupg', '**/.ssh', '**/.config/gcloud', '**/.azure',
];

/** Secret-looking files, one per pattern family, as they appear in a folder. */
export const SECRET_FILE_SAMPLES = [
  '.env', '.env.production', 'prod.env', '.envrc', '.npmrc', '.netrc', '.git-credentials', '.pypirc',
  'server.pem', 'tls.key', 'client.p12', 'client.pfx', 'keystore.jks', 'id_rsa', 'id_ed25519', 'id_ecdsa', 'id_dsa',
  '.aws/credentials', '.docker/config.json', '.kube/config', '.gnupg/private-keys-v1.d/a.key', '.ssh/id_rsa', '.ssh/config',
  '.config/gcloud/application_default_credentials.json', '.azure/accessTokens.json', '.git/config',
];

/** Folders the secret samples are placed in: the root and 1, 2 and 3 levels down. */
export const SECRET_SAMPLE_FOLDERS = ['', 'src/', 'deploy/', 'ops/', 'test/', 'packages/a/', 'ops/k8s/secrets/'];

/**
 * Secret-looking paths (and VCS data) that a .dockerignore lets into the build context. The tree is
 * generated: every sample secret in every sample folder, in every folder a `!` line re-includes
 * (and the re-included path itself), and in every path the definition copies from the context
 * (`copied`: a `files` entry such as `test` must not carry `test/.env` in). Empty means safe;
 * `max` stops after that many leaks. `dependencyDirs` are the family's installed-dependency folders
 * (e.g. Node's `node_modules`), which the build context must not hold either.
 */
export function dockerignoreLeaks(text: string, copied: readonly string[] = [], max = Infinity, dependencyDirs: readonly string[] = []): string[] {
  const ignore = ignoreMatcher().add(text);
  const folders = new Set(SECRET_SAMPLE_FOLDERS);
  const dependencySamples = dependencyDirs.map((d) => `${d.replace(/\/+$/, '')}/x/index`);
  const literal = new Set<string>(dependencySamples);
  const addFolder = (p: string) => {
    const clean = path.posix.normalize(p).replace(/^(\.\/)+/, '').replace(/^\/+/, '').replace(/\/+$/, '');
    if (clean === '' || clean === '.' || clean.startsWith('..')) return;
    folders.add(`${clean}/`);
    // its parents too: a re-include of a deep folder opens every level above it
    const parts = clean.split('/');
    for (let i = 1; i < parts.length; i++) folders.add(`${parts.slice(0, i).join('/')}/`);
  };
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line.startsWith('!')) continue;
    const pattern = line.slice(1).trim();
    // The folder the pattern starts in (before its first glob), and concrete instances of it: every
    // character class and escape resolved to a character it matches (`c[o]nfig`, `conf\\ig` name
    // `config`), so no glob syntax hides a re-included folder from the samples.
    const segments = pattern.split('/');
    const plain: string[] = [];
    for (const s of segments) {
      if (/[*?[\\]/.test(s)) break;
      plain.push(s);
    }
    addFolder(plain.join('/'));
    for (const instance of literalInstances(pattern)) {
      addFolder(instance);
      literal.add(instance.replace(/^\/+/, ''));
      // and the folder it starts in, once its glob-free prefix is resolved
      const resolved = instance.split('/');
      addFolder(resolved.slice(0, Math.max(plain.length, resolved.length - 1)).join('/'));
    }
    if (plain.length < segments.length) addFolder(`${plain.join('/')}/x/y`);
  }
  for (const c of copied) addFolder(c);
  // Every sample is a secret (or VCS data) by construction; a re-included path only when it looks like one.
  const candidates = new Set<string>([...literal].filter((p) => dependencySamples.includes(p) || SECRET_MATCHER.ignores(p)));
  for (const folder of folders) for (const name of SECRET_FILE_SAMPLES) candidates.add(`${folder}${name}`);
  const leaks: string[] = [];
  const ignores = lastRuleDecides(ignore);
  for (const p of candidates) {
    if (!ignores(p)) leaks.push(p);
    if (leaks.length >= max) break;
  }
  return leaks.sort();
}

const SECRET_MATCHER = ignoreMatcher().add([...SECRET_PATTERNS, '**/.git']);

/**
 * The matcher's own `ignores`, evaluated from the last rule backwards: the last rule that matches a
 * path (or a parent folder of it) decides, so the search can stop there (same answer, a fraction of
 * the work on long files). Falls back to `ignores` if the matcher's rule list is not available.
 */
function lastRuleDecides(m: ReturnType<typeof ignoreMatcher>): (p: string) => boolean {
  const inner = m as unknown as { _rules?: { negative: boolean; dirs: string[] }[]; _match?: (file: string, rule: unknown) => boolean };
  const rules = inner._rules;
  const match = inner._match;
  if (!Array.isArray(rules) || typeof match !== 'function') return (p) => m.ignores(p);
  return (file) => {
    const parent = path.posix.dirname(file);
    const parentDirs = parent.split('/');
    for (let r = rules.length - 1; r >= 0; r--) {
      const rule = rules[r];
      let hit = match.call(m, file, rule);
      if (!hit && parent !== '.') {
        if (rule.dirs.includes('**')) {
          for (let i = rule.dirs.filter((x) => x !== '**').length; i <= parentDirs.length && !hit; i++) hit = match.call(m, parentDirs.slice(0, i).join('/'), rule);
        } else if (rule.dirs.length <= parentDirs.length) {
          hit = match.call(m, parentDirs.slice(0, rule.dirs.length).join('/'), rule);
        }
      }
      if (hit) return !rule.negative;
    }
    return false;
  };
}

/** A HEALTHCHECK that needs no shell. */
export const HEALTHCHECK_POLICY: RuntimeStagePolicy = { execHealthcheck: true };
/** App files owned by root and not writable by the app user. */
export const ROOT_OWNED_FILES_POLICY: RuntimeStagePolicy = { rootOwnedReadOnlyFiles: true };
/** Multi-arch builds: builders run on the build platform. */
export const MULTI_ARCH_POLICY: RuntimeStagePolicy = { builderPlatforms: ['$BUILDPLATFORM', '$TARGETPLATFORM'] };

/** Merges policy entries (lists joined, switches or-ed). */
export function mergeRuntimeStagePolicies(...entries: RuntimeStagePolicy[]): Required<RuntimeStagePolicy> {
  const all = <K extends keyof RuntimeStagePolicy>(k: K) => entries.flatMap((e) => (e[k] ?? []) as any[]);
  return {
    env: [...new Set(all('env') as string[])],
    controlEnv: [...new Set([...COMMON_CONTROL_ENV, ...(all('controlEnv') as string[])])],
    copyFrom: [...new Set(all('copyFrom') as string[])],
    fixedCopies: all('fixedCopies'),
    entrypoints: all('entrypoints'),
    execHealthcheck: entries.some((e) => e.execHealthcheck),
    rootOwnedReadOnlyFiles: entries.some((e) => e.rootOwnedReadOnlyFiles),
    builderPlatforms: [...new Set(all('builderPlatforms') as string[])],
    secretReads: [...new Set(all('secretReads') as string[])],
  };
}

/** What the definition expects of the runtime stage. */
export interface ExpectedRuntimeStage {
  /** The runtime (or debug) base image, exactly. */
  readonly image: string;
  readonly uid: number;
  readonly gid: number;
  /** WORKDIR of the runtime stage; copied paths must lie under it. */
  readonly workdir: string;
  /** Stages the runtime stage may copy from. @default the policy's `copyFrom` */
  readonly stages?: string[];
  /**
   * Names of the definition's env: the only ENV the runtime stage may set, with PORT and the
   * policy's `env`. @default - ENV is not judged
   */
  readonly env?: readonly string[];
  /** The exec-form CMD of the definition: the runtime stage's CMD must be exactly this. @default - not judged */
  readonly cmd?: readonly string[];
  /** The allow-list: the family's entry, merged with the features' entries. @default - the common rules only */
  readonly policy?: RuntimeStagePolicy;
}

const BASE_INSTRUCTIONS = new Set(['WORKDIR', 'ENV', 'COPY', 'USER', 'EXPOSE', 'LABEL', 'CMD', 'ARG', 'STOPSIGNAL']);
const SAFE_PATH = /^[A-Za-z0-9._@+\-/]+$/;

/** ENV names that change what any process runs: the dynamic loader's. */
export const COMMON_CONTROL_ENV: readonly string[] = ['LD_PRELOAD', 'LD_LIBRARY_PATH', 'LD_AUDIT'];

/**
 * Concrete paths a .dockerignore pattern matches, for the leak samples: `**` as one and as two
 * folders, `*` and `?` as `x`, a character class as a character it admits (the first listed, or
 * for a `^`-negated class one it excludes), an escaped character as itself.
 */
export function literalInstances(pattern: string): string[] {
  const resolve = (doubleStar: string) => {
    let out = '';
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern[i];
      if (c === '\\' && i + 1 < pattern.length) {
        out += pattern[++i];
      } else if (c === '*' && pattern[i + 1] === '*') {
        out += doubleStar;
        i++;
      } else if (c === '*' || c === '?') {
        out += 'x';
      } else if (c === '[') {
        const end = pattern.indexOf(']', i + 2);
        if (end < 0) {
          out += c;
          continue;
        }
        let body = pattern.slice(i + 1, end);
        // Docker's matcher turns the pattern into a regular expression: `^` negates, `!` is a character
        const negated = body.startsWith('^');
        if (negated) body = body.slice(1);
        const chars = body.replace(/\\(.)/g, '$1');
        out += negated ? ['x', 'q', 'z', '0'].find((ch) => !chars.includes(ch)) ?? '_' : (chars[0] ?? 'x');
        i = end;
      } else {
        out += c;
      }
    }
    return out;
  };
  return [...new Set([resolve('x'), resolve('x/y')])];
}

/**
 * What a template must not do to the runtime stage (the last stage), read as the builders read the
 * Dockerfile: change its base image, add a stage after it, run as another user, use an instruction
 * that needs a shell or changes what runs (RUN, ADD, SHELL, ONBUILD, VOLUME, an ENTRYPOINT that is
 * not allow-listed), copy from anywhere but the named stages' workdir, make files root-owned and
 * setuid or writable; and what the build stages must not do with a secret mount. Also every parse
 * problem (what the builders would read differently). Empty means the Dockerfile is safe.
 */
export function runtimeStageViolations(dockerfile: string, expected: ExpectedRuntimeStage): string[] {
  const parsed = parse(dockerfile);
  const out: string[] = parsed.problems.map((p: ParseProblem) => `line ${p.line}: ${p.message}`);
  const policy = mergeRuntimeStagePolicies(expected.policy ?? {});
  const stages = parsed.stages;
  if (stages.length === 0) return [...out, 'there is no FROM line'];
  const rt = stages[stages.length - 1];
  const at = (i: Instruction) => `line ${i.line}: ${i.text.length > 120 ? `${i.text.slice(0, 117)}...` : i.text}`;
  const user = `${expected.uid}:${expected.gid}`;
  const copyFrom = expected.stages ?? policy.copyFrom;
  const workdir = path.posix.normalize(expected.workdir);

  // The base image, exactly, and nothing that a build argument or another stage could change.
  if (rt.from !== expected.image) out.push(`${at(rt.fromInstruction)} (the runtime stage must start FROM ${expected.image})`);
  if (rt.from.includes('$')) out.push(`${at(rt.fromInstruction)} (the runtime stage's base comes from a build argument: --build-arg could change it)`);
  if (rt.fromInstruction.flags.length > 0) out.push(`${at(rt.fromInstruction)} (no flags on the runtime stage's FROM)`);
  if (stages.slice(0, -1).some((s) => s.name !== undefined && s.name === rt.from.toLowerCase())) out.push(`${at(rt.fromInstruction)} (the runtime base names a build stage)`);
  const runtimeNamed = stages.findIndex((s) => s.name === 'runtime');
  if (runtimeNamed >= 0 && runtimeNamed !== stages.length - 1) out.push(`${at(stages[runtimeNamed + 1].fromInstruction)} (a stage after the runtime stage: the runtime stage must be the last)`);

  const named = new Map(stages.slice(0, -1).filter((s) => s.name).map((s) => [s.name!, s]));
  let users = 0;
  let cmds = 0;
  let currentWorkdir = '/';
  for (const ins of rt.instructions) {
    const k = ins.keyword;
    const allowed = BASE_INSTRUCTIONS.has(k) || (k === 'ENTRYPOINT' && policy.entrypoints.length > 0) || (k === 'HEALTHCHECK' && policy.execHealthcheck);
    if (!allowed) {
      out.push(`${at(ins)} (${k} is not allowed in the runtime stage: no shell, nothing but what runs)`);
      continue;
    }
    if (k === 'USER') {
      users++;
      if (ins.rest !== user) out.push(`${at(ins)} (expected USER ${user})`);
    } else if (k === 'WORKDIR') {
      currentWorkdir = path.posix.resolve(currentWorkdir, ins.rest);
      if (ins.rest.includes('$') || currentWorkdir !== workdir) out.push(`${at(ins)} (expected WORKDIR ${expected.workdir})`);
    } else if (k === 'CMD') {
      cmds++;
      if (!ins.json) out.push(`${at(ins)} (CMD must be exec form: the image has no shell)`);
      else if (expected.cmd && JSON.stringify(ins.json) !== JSON.stringify(expected.cmd)) out.push(`${at(ins)} (expected CMD ${JSON.stringify(expected.cmd)}, the definition's entrypoint)`);
    } else if (k === 'ENV' && expected.env) {
      // One pair per instruction, as the templates write it (value quoted with `$` escaped, or bare).
      const m = /^([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\$]|\\.)*"|[^\s"'\\$]*)$/.exec(ins.rest);
      const allowedEnv = new Set([...expected.env, 'PORT', ...policy.env]);
      if (!m) out.push(`${at(ins)} (ENV must be one NAME=value pair with a quoted or plain value, as the templates write it)`);
      else if (!allowedEnv.has(m[1])) out.push(`${at(ins)} (ENV ${m[1]} is not in the definition: the runtime stage sets only the definition's env, PORT${policy.env.length ? ` and ${policy.env.join(', ')}` : ''})`);
    } else if (k === 'ENTRYPOINT') {
      if (!ins.json || !policy.entrypoints.some((e) => e.length === ins.json!.length && e.every((x, i) => x === ins.json![i]))) {
        out.push(`${at(ins)} (ENTRYPOINT may only be one of ${policy.entrypoints.map((e) => JSON.stringify(e)).join(', ')})`);
      }
    } else if (k === 'HEALTHCHECK') {
      const ok = /^NONE$/i.test(ins.rest) || (ins.flags.every((f) => ['interval', 'timeout', 'start-period', 'start-interval', 'retries'].includes(f.name)) && /^CMD[\t ]+\[/i.test(ins.rest) && isJsonStrings(ins.rest.replace(/^CMD[\t ]+/i, '')));
      if (!ok) out.push(`${at(ins)} (HEALTHCHECK must be NONE or CMD in exec form: the image has no shell)`);
    } else if (k === 'COPY') {
      out.push(...copyViolations(ins, { copyFrom, named, workdir, currentWorkdir, user, policy }).map((x) => (x.startsWith('COPY --from=') ? `line ${ins.line}: ${x}` : `${at(ins)} (${x})`)));
    }
  }
  if (users === 0) out.push(`no USER in the runtime stage (expected USER ${user})`);
  if (expected.cmd && expected.cmd.length > 0 && cmds === 0) out.push(`no CMD in the runtime stage (expected CMD ${JSON.stringify(expected.cmd)})`);

  // Build stages: FROM --platform only as allowed; a secret mount's target may not be copied out.
  for (const s of stages.slice(0, -1)) {
    const platform = flagValue(s.fromInstruction, 'platform');
    if (s.fromInstruction.flags.some((f) => f.name !== 'platform') || (platform !== undefined && !policy.builderPlatforms.includes(platform))) {
      out.push(`${at(s.fromInstruction)} (FROM flags allowed on build stages: ${policy.builderPlatforms.map((p) => `--platform=${p}`).join(', ') || 'none'})`);
    }
    for (const ins of s.instructions) {
      if (ins.keyword === 'RUN') out.push(...secretUseViolations(ins, policy.secretReads).map((x) => `${at(ins)} (${x})`));
    }
  }
  return out;
}

function andList(xs: readonly string[]): string {
  return xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;
}

function isJsonStrings(s: string): boolean {
  try {
    const v: unknown = JSON.parse(s);
    return Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string');
  } catch {
    return false;
  }
}

interface CopyContext {
  readonly copyFrom: readonly string[];
  readonly named: ReadonlyMap<string, Stage>;
  readonly workdir: string;
  readonly currentWorkdir: string;
  readonly user: string;
  readonly policy: Required<RuntimeStagePolicy>;
}

const secretPaths = () => ignoreMatcher().add(SECRET_PATTERNS);

function copyViolations(ins: Instruction, c: CopyContext): string[] {
  const out: string[] = [];
  const unknown = ins.flags.filter((f) => !['from', 'chown', 'chmod'].includes(f.name));
  if (unknown.length > 0) out.push(`COPY flags ${unknown.map((f) => `--${f.name}`).join(' ')}: only --from, --chown and --chmod`);
  const list = ins.json ?? words(ins.rest);
  if (list.length < 2) return [...out, 'COPY needs a source and a destination'];
  if (list.some((w) => !SAFE_PATH.test(w))) out.push('COPY paths of the runtime stage are letters, digits and . _ @ + - / only (no variables, quotes, escapes or globs)');
  const srcs = list.slice(0, -1);
  const dest = list[list.length - 1];
  const from = flagValue(ins, 'from');
  const chown = flagValue(ins, 'chown');
  const chmod = flagValue(ins, 'chmod');
  const fixed = from !== undefined && srcs.length === 1
    && c.policy.fixedCopies.some((f) => f.from === from.toLowerCase() && f.src === srcs[0] && f.dest === dest);
  if (from !== undefined) {
    const stage = from.toLowerCase();
    if (!c.copyFrom.includes(stage) || !c.named.has(stage)) out.push(`COPY --from=${from} (only the ${andList(c.copyFrom)} stages may be copied from)`);
    if (!fixed) {
      const secrets = secretPaths();
      for (const s of srcs) {
        const abs = path.posix.normalize(`/${s}`);
        if (!abs.startsWith(`${c.workdir}/`)) out.push(`copies from outside ${c.workdir}: ${s} is ${abs}`);
        else if (secrets.ignores(abs.slice(c.workdir.length + 1))) out.push(`copies ${s}, a secret path (${SECRET_PATTERNS.join(' ')})`);
      }
    }
  } else {
    const secrets = secretPaths();
    for (const s of srcs) {
      const rel = path.posix.normalize(s).replace(/^\/+/, '');
      if (rel === '..' || rel.startsWith('../')) out.push(`copies ${s} from outside the build context`);
      if (secrets.ignores(rel)) out.push(`copies ${s}, a secret path (${SECRET_PATTERNS.join(' ')})`);
    }
  }
  if (!fixed) {
    const target = path.posix.resolve(c.currentWorkdir, dest);
    if (target !== c.workdir && !target.startsWith(`${c.workdir}/`)) out.push(`copies to ${target}, outside ${c.workdir}`);
  }
  // Ownership and mode: the app user's, or (when allowed) root's without write bits for others.
  const root = chown !== undefined && isRootOwner(chown);
  if (chown !== undefined && chown !== c.user && !(root && c.policy.rootOwnedReadOnlyFiles)) {
    out.push(`--chown=${chown}: expected --chown=${c.user}${c.policy.rootOwnedReadOnlyFiles ? ' or --chown=0:0 with a --chmod without write bits for group and other' : ''}`);
  }
  if (chown === undefined && !fixed) out.push(`no --chown: expected --chown=${c.user}`);
  if (chmod !== undefined) {
    if (!/^[0-7]{3,4}$/.test(chmod)) {
      out.push(`--chmod=${chmod}: an octal mode such as 0755 (both builders read octal)`);
    } else {
      // digits: [special] owner group other; special = setuid 4 + setgid 2 + sticky 1; write = 2
      const digits = chmod.padStart(4, '0').split('').map(Number);
      if (digits[0] !== 0) out.push(`--chmod=${chmod}: no setuid, setgid or sticky bit`);
      if (digits[2] % 4 >= 2 || digits[3] % 4 >= 2) out.push(`--chmod=${chmod}: no write bit for group or other on code`);
    }
  } else if (root) {
    out.push(`--chown=${chown} without --chmod: root-owned files need an explicit mode without write bits for group and other`);
  }
  return out;
}

function isRootOwner(chown: string): boolean {
  const [u, g] = chown.split(':');
  const root = (x: string | undefined) => x !== undefined && (/^0+$/.test(x) || x === 'root');
  return root(u) || root(g);
}

/**
 * A RUN with a secret mount may name the secret only in the allow-listed ways: naming its target
 * (or its file name, its folder as `~` or `$HOME` for `/root`, or `/run/secrets`) otherwise could
 * copy or print it into a layer that reaches the runtime stage.
 */
function secretUseViolations(ins: Instruction, reads: readonly string[]): string[] {
  const mounts = secretMounts(ins);
  if (mounts.length === 0) return [];
  let command = ins.json ? ins.json.join(' ') : ins.rest;
  for (const r of reads) command = command.split(r).join(' ');
  const out: string[] = [];
  // With a secret mounted, nothing may name a path indirectly: a glob (`/root/.np?rc`), a variable
  // (`$NODE_EXTRA_CA_CERTS`, `$(...)`), a backtick or a backslash escape. Quotes only join words
  // (`'/root/.np''mrc'` is `/root/.npmrc`): they are dropped before the names are looked for.
  const indirect = /[*?[\]$`\\{}]/.exec(command);
  if (indirect) {
    out.push(`the build step uses "${indirect[0]}" while the secrets ${mounts.map((m) => m.id).join(', ')} are mounted: globs, variables, command substitution and escapes could name a secret indirectly; write the paths out`);
  }
  command = command.replace(/['"]/g, '');
  for (const m of mounts) {
    const names = [m.target, path.posix.basename(m.target), ...(m.target.startsWith('/run/secrets/') ? ['/run/secrets'] : [])];
    // The folder that holds it, named as a whole (`cp -r ~ x`), not a path below it (`/root/.cache`).
    const dir = path.posix.dirname(m.target);
    const folders = [dir, `${dir}/`, ...(dir === '/root' ? ['~', '~/', '$HOME', '${HOME}', '$HOME/', '${HOME}/'] : [])];
    const hit = names.find((n) => n && containsWord(command, n)) ?? folders.find((n) => containsWord(command, n, true));
    if (hit) out.push(`the build step names the secret ${m.id} (${hit}) outside the allowed reads: a secret must not be copied, printed or stored`);
  }
  return out;
}

/** `word` in `text` not as part of a longer name; `whole`: followed by a shell separator only. */
function containsWord(text: string, word: string, whole = false): boolean {
  let i = text.indexOf(word);
  while (i >= 0) {
    const before = i === 0 ? ' ' : text[i - 1];
    const after = text[i + word.length] ?? ' ';
    const endOk = whole ? /[\s;&|)'"`]/.test(after) : !/[A-Za-z0-9_-]/.test(after);
    if (!/[A-Za-z0-9_]/.test(before) && endOk) return true;
    i = text.indexOf(word, i + 1);
  }
  return false;
}
