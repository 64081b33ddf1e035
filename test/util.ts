/**
 * Test helpers: synthesize into a temporary directory (never the repository) and read the result.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv from 'ajv';
import { parseAllDocuments } from 'yaml';
import { App, AppProps, MsbProject, MsbValidationError } from '../src';
import { parse as parseDockerfileText } from '../src/dockerfile/parser';

const made: string[] = [];

/** A fresh directory under the OS temp dir, removed by {@link removeTempDirs} after the test file. */
export function tempDir(prefix = 'msb-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Removes every directory {@link tempDir} made (test/setup.ts calls it after each test file). */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) {
    try {
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // a test that made a folder unreadable on purpose restores it itself; nothing else to do
    }
  }
}

/** All files under `dir` (relative paths, sorted), excluding `exclude` prefixes. */
export function listFiles(dir: string, exclude: string[] = ['node_modules/', '.git/']): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const abs = path.join(d, e.name);
      const rel = path.relative(dir, abs).split(path.sep).join('/');
      if (exclude.some((x) => rel === x.replace(/\/$/, '') || rel.startsWith(x))) continue;
      if (e.isDirectory()) walk(abs);
      else out.push(rel);
    }
  };
  walk(dir);
  return out.sort();
}

/** `{ path: content }` of every file under `dir`. */
export function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of listFiles(dir)) out[f] = fs.readFileSync(path.join(dir, f), 'utf8');
  return out;
}

/** A service package.json (and lockfile) so the App has something to read. */
export function writePackage(dir: string, pkg: object = { name: 'orders-api', version: '1.2.3' }, lockfile = 'package-lock.json'): void {
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
  fs.writeFileSync(path.join(dir, lockfile), '{}\n');
}

export interface Synth {
  readonly dir: string;
  readonly project: MsbProject;
  readonly app: App;
  readonly files: Record<string, string>;
}

/**
 * Builds a project with one App in a new temp dir (or `dir`), synthesizes it and returns what is on
 * disk. `configure` runs after construction, before synthesis.
 */
export function synth(props: AppProps = {}, opts: { dir?: string; name?: string; configure?: (app: App) => void } = {}): Synth {
  const dir = opts.dir ?? tempDir();
  if (!fs.existsSync(path.join(dir, 'package.json'))) writePackage(dir);
  const project = new MsbProject({ name: opts.name ?? 'orders-api', outdir: dir });
  const app = new App(project, props);
  opts.configure?.(app);
  project.synth();
  return { dir, project, app, files: readTree(dir) };
}

/** The problems of a definition that synthesis must refuse; throws when it is accepted. */
export function validationProblems(props: AppProps, dir?: string): { field: string; value: unknown; expected: string }[] {
  try {
    synth(props, { dir });
  } catch (e) {
    if (!(e instanceof MsbValidationError)) throw e;
    return [...e.problems];
  }
  throw new Error('expected a validation error');
}

/** Parses a (multi-document) YAML string into plain objects. */
export function parseYaml(text: string): any[] {
  return parseAllDocuments(text).map((d) => d.toJS()).filter((x) => x !== null);
}

/** `kubectl kustomize <dir>` parsed into objects. */
export function kustomize(dir: string): any[] {
  const out = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
  return parseYaml(out);
}

/** Instructions of a Dockerfile as the builders read them (the package's parser): `KEYWORD args`. */
export function instructions(dockerfile: string): string[] {
  const parsed = parseDockerfileText(dockerfile);
  return [...parsed.preamble, ...parsed.stages.flatMap((s) => [s.fromInstruction, ...s.instructions])]
    .sort((a, b) => a.line - b.line)
    .map((i) => `${i.keyword} ${i.args}`.trim());
}

/** The instructions of one stage (`FROM ... AS name` up to the next FROM). */
export function stage(dockerfile: string, name: string): string[] {
  const lines = instructions(dockerfile);
  const start = lines.findIndex((l) => new RegExp(`^FROM \\S+ AS ${name}$`).test(l));
  if (start < 0) throw new Error(`no stage ${name}`);
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((l) => l.startsWith('FROM '));
  return [lines[start], ...(end < 0 ? rest : rest.slice(0, end))];
}

/** JSON Schema draft-07's meta-schema, as ajv 6 ships it. */
const DRAFT_07 = JSON.parse(fs.readFileSync(require.resolve('ajv/lib/refs/json-schema-draft-07.json'), 'utf8'));

/**
 * A validator for a JSON schema file of the repository (e.g. schemas/vendor/compose-spec.json):
 * returns the errors of a value as `<path> <message>` lines, empty when valid. ajv 6 implements
 * draft-07; a schema that declares another draft is refused, and draft-07 named by its https
 * address (as compose-spec does) is the same meta-schema.
 */
export function schemaValidator(schemaFile: string): (value: unknown) => string[] {
  const schema = JSON.parse(fs.readFileSync(schemaFile, 'utf8'));
  const declared = String(schema.$schema ?? '');
  if (!/^https?:\/\/json-schema\.org\/draft-07\/schema#?$/.test(declared)) {
    throw new Error(`${schemaFile} declares ${declared ? `$schema ${declared}` : 'no $schema'}: ajv 6 validates draft-07 schemas`);
  }
  const ajv = new Ajv({ allErrors: true, logger: false });
  if (!ajv.getSchema(declared)) ajv.addMetaSchema({ ...DRAFT_07, $id: declared });
  const validate = ajv.compile(schema);
  return (value) => (validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.dataPath || '/'} ${e.message}`));
}

/** Where .ci/run installs actionlint (`go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12`). */
export const ACTIONLINT_INSTALL = 'GOBIN=/usr/local/bin go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12';

/** A program on PATH, or an error saying how CI installs it. */
export function requireProgram(name: string, install: string): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const file = path.join(dir, name);
    if (dir && fs.existsSync(file)) return file;
  }
  throw new Error(`${name} is not installed (not on PATH). .ci/run installs it: ${install}`);
}

/**
 * Runs actionlint (with shellcheck on the `run:` scripts) on a workflow's text; returns its
 * findings as `line:col: message [kind]`, empty when the workflow is clean.
 */
export function actionlint(workflow: string): string[] {
  const bin = requireProgram('actionlint', ACTIONLINT_INSTALL);
  requireProgram('shellcheck', 'apt-get install -y shellcheck');
  const dir = tempDir('msb-actionlint-');
  const file = path.join(dir, '.github', 'workflows', 'msb-ci.yml');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, workflow);
  let out: string;
  try {
    out = execFileSync(bin, ['-format', '{{json .}}', file], { cwd: dir, encoding: 'utf8' });
  } catch (e) {
    const err = e as { status?: number; stdout?: string; stderr?: string };
    // exit 1: problems found (printed as JSON); anything else is a failure of the run itself
    if (err.status !== 1) throw new Error(`actionlint failed (exit ${err.status}): ${err.stderr}`);
    out = err.stdout ?? '[]';
  }
  return (JSON.parse(out) as { line: number; column: number; message: string; kind: string }[]).map((x) => `${x.line}:${x.column}: ${x.message} [${x.kind}]`);
}
