/**
 * The plan of the code, held by a test: the floors of src/, which floor may import which, and no
 * import cycle. Every import counts, type imports and `import()` included, because a type import
 * that runs up a floor is how a cycle starts. A module on no floor fails the test until it is given
 * one; a family folder imports its own folder and the floors below, never a sibling family.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(__dirname, '..', '..', 'src');

/** A floor: the modules on it (folder prefixes ending in `/`, or files) and the floors it may import. */
interface Floor {
  readonly paths: readonly string[];
  readonly imports: readonly FloorName[];
}

type FloorName = 'base' | 'contract' | 'engines' | 'kit' | 'family' | 'registry' | 'model' | 'components' | 'lock' | 'app' | 'index' | 'verify' | 'cli';

/** The floors, lowest first. A floor always imports itself (the family floor: its own folder only). */
export const FLOORS: Readonly<Record<FloorName, Floor>> = {
  /** Helpers with no knowledge of the product: JSON, exec, git, the validation rules and error type. */
  base: { paths: ['util/', 'validation.ts'], imports: [] },
  /** AppProps and every option type, the resolved model, DEFAULTS, the family interfaces, the record and the output paths. */
  contract: { paths: ['contract/'], imports: ['base'] },
  /** Parsers and rules that know no family: the Dockerfile parser and policy, quantities, the pod's settings and PSS, the template engine. */
  engines: {
    paths: ['dockerfile/', 'dockerfile-policy.ts', 'k8s/quantity.ts', 'k8s/pod-settings.ts', 'k8s/pod-security.ts', 'templates.ts'],
    imports: ['base', 'contract'],
  },
  /** What the families share: build secrets, distroless data, projen tooling, the runtime-line setting. */
  kit: { paths: ['families/kit/'], imports: ['base', 'contract', 'engines'] },
  /** One folder per family (src/families/<name>/). */
  family: { paths: ['families/*/'], imports: ['base', 'contract', 'engines', 'kit'] },
  /** The one table of families. */
  registry: { paths: ['families/index.ts'], imports: ['contract', 'family'] },
  /** Definition to model, pure, with every definition rule; the org templates that merge into the definition. */
  model: { paths: ['model/', 'org-template.ts'], imports: ['base', 'contract', 'engines', 'registry'] },
  /** The components synthesis wires: Dockerfiles, manifests, compose, CI, the guarded writer. */
  components: {
    paths: ['dockerfiles.ts', 'stages.ts', 'workspace.ts', 'edit-guard.ts', 'generated-file.ts', 'project.ts', 'synth/', 'k8s/', 'compose/', 'ci/'],
    imports: ['base', 'contract', 'engines', 'kit', 'registry', 'model'],
  },
  /** The base-image lock: its file, the pins synthesis applies, the registry client; reads the record only. */
  lock: { paths: ['lock/'], imports: ['base', 'contract'] },
  /** The App: resolves the props and wires the components. Only the package index imports it. */
  app: { paths: ['app.ts'], imports: ['base', 'contract', 'engines', 'registry', 'model', 'components', 'lock'] },
  /** What a .projenrc.ts imports. */
  index: { paths: ['index.ts'], imports: ['base', 'contract', 'engines', 'family', 'registry', 'model', 'components', 'app'] },
  /** `create-msb-app verify`: reads the record and the family's verify profile, never the model or the components. */
  verify: { paths: ['verify/'], imports: ['base', 'contract', 'engines', 'registry'] },
  /** The command: every floor but the App itself (it reaches the App through the package index). */
  cli: { paths: ['cli/'], imports: ['base', 'contract', 'engines', 'kit', 'registry', 'model', 'components', 'lock', 'index', 'verify'] },
};

/**
 * Imports the floors do not allow, each named with its reason. Empty: an entry here is a debt, and
 * the test prints it.
 */
const ALLOWED: readonly { readonly from: string; readonly to: string; readonly why: string }[] = [];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** The specifiers a module imports: import/export declarations, `import type`, `import()` calls and types, `require()`. */
export function importSpecifiers(text: string, file = 'x.ts'): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (n: ts.Node): void => {
    const declaration = ts.isImportDeclaration(n) || ts.isExportDeclaration(n);
    if (declaration && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) out.push(n.moduleSpecifier.text);
    if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument) && ts.isStringLiteral(n.argument.literal)) out.push(n.argument.literal.text);
    if (ts.isCallExpression(n) && (n.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(n.expression) && n.expression.text === 'require'))) {
      const [arg] = n.arguments;
      if (arg && ts.isStringLiteralLike(arg)) out.push(arg.text);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

/** The module a relative specifier names (relative to src/), or undefined for a package or a file that is not TypeScript. */
function resolveSpecifier(fromRel: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = path.resolve(SRC, path.dirname(fromRel), spec.replace(/\.js$/, ''));
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts')]) {
    if (fs.existsSync(candidate)) return path.relative(SRC, candidate).split(path.sep).join('/');
  }
  return undefined;
}

/** The floor of a module (relative to src/) and, on the family floor, its family. */
export function floorOf(rel: string): { floor: FloorName; family?: string } | undefined {
  let best: { floor: FloorName; family?: string; length: number } | undefined;
  for (const [floor, f] of Object.entries(FLOORS) as [FloorName, Floor][]) {
    for (const p of f.paths) {
      const family = p === 'families/*/' ? /^families\/([^/]+)\//.exec(rel)?.[1] : undefined;
      const match = p === 'families/*/' ? family !== undefined && !rel.startsWith('families/kit/') : p.endsWith('/') ? rel.startsWith(p) : rel === p;
      const length = p === 'families/*/' ? `families/${family}/`.length : p.length;
      if (match && (!best || length > best.length)) best = { floor, family, length };
    }
  }
  return best && { floor: best.floor, family: best.family };
}

/** Every import of src/ as `from -> to` (relative to src/). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const rel = path.relative(SRC, file).split(path.sep).join('/');
    const deps = importSpecifiers(fs.readFileSync(file, 'utf8'), file).map((s) => resolveSpecifier(rel, s)).filter((d): d is string => d !== undefined);
    graph.set(rel, [...new Set(deps)]);
  }
  return graph;
}

/** Why an import breaks the floors, or undefined when it is allowed. */
export function layeringProblem(from: string, to: string): string | undefined {
  const a = floorOf(from);
  const b = floorOf(to);
  if (!a) return `${from} is on no floor: add it to FLOORS in test/core/layering.test.ts`;
  if (!b) return `${to} is on no floor: add it to FLOORS in test/core/layering.test.ts`;
  if (a.floor === 'family' && b.floor === 'family' && a.family !== b.family) return `${from} imports ${to}: a family imports its own folder only, never another family (share it through families/kit/)`;
  if (a.floor === b.floor) return undefined;
  if (FLOORS[a.floor].imports.includes(b.floor)) return undefined;
  return `${from} (${a.floor}) imports ${to} (${b.floor}): the ${a.floor} floor may import ${FLOORS[a.floor].imports.join(', ') || 'nothing below it'}`;
}

/** The strongly connected components of more than one module (Tarjan), each sorted. */
function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const on = new Set<string>();
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const found: string[][] = [];
  const connect = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) {
        low.set(v, Math.min(low.get(v)!, idx.get(w)!));
      }
    }
    if (low.get(v) === idx.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) connect(v);
  return found;
}

describe('the floors of src/', () => {
  const graph = importGraph();

  it('every module is on a floor', () => {
    expect([...graph.keys()].filter((f) => !floorOf(f))).toEqual([]);
  });

  it('no import runs up a floor or across families (type imports included)', () => {
    const problems: string[] = [];
    for (const [from, deps] of graph) {
      for (const to of deps) {
        const problem = layeringProblem(from, to);
        if (problem && !ALLOWED.some((a) => a.from === from && a.to === to)) problems.push(problem);
      }
    }
    expect(problems).toEqual([]);
  });

  it('the import graph has no cycle (type imports included)', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('fails on an import that runs up, across families, or from a module on no floor (the rule can fail)', () => {
    expect(layeringProblem('contract/model.ts', 'families/index.ts')).toBe(
      'contract/model.ts (contract) imports families/index.ts (registry): the contract floor may import base',
    );
    expect(layeringProblem('families/go/verify/index.ts', 'families/static/verify/index.ts')).toMatch(/a family imports its own folder only, never another family/);
    expect(layeringProblem('verify/context.ts', 'app.ts')).toMatch(/^verify\/context\.ts \(verify\) imports app\.ts \(app\)/);
    expect(layeringProblem('cli/create.ts', 'app.ts')).toMatch(/the cli floor may import/);
    expect(layeringProblem('families/node/cli/index.ts', 'cli/errors.ts')).toMatch(/\(family\) imports cli\/errors\.ts \(cli\)/);
    expect(layeringProblem('stray.ts', 'util/json.ts')).toMatch(/stray\.ts is on no floor/);
    expect(layeringProblem('families/node/index.ts', 'families/kit/build-secrets.ts')).toBeUndefined();
    expect(layeringProblem('families/node/cli/infer.ts', 'families/node/package-json.ts')).toBeUndefined();
    // type-only imports and import() count
    expect(importSpecifiers("import type { A } from './a';\nexport type { B } from './b';\ntype C = typeof import('./c');\nconst d = () => import('./d');\n")).toEqual(['./a', './b', './c', './d']);
  });

  it('the cycle finder finds a cycle (it can fail)', () => {
    expect(cycles(new Map([['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', ['a.ts']], ['d.ts', ['a.ts']]]))).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });
});

/** Functions of at least `min` lines under `dir` (relative to src/), as `file:line name (n lines)`. */
function longFunctions(dir: string, min: number): string[] {
  const out: string[] = [];
  for (const file of sourceFiles(path.join(SRC, dir))) {
    const sf = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (n: ts.Node): void => {
      if (ts.isFunctionLike(n) && 'body' in n && n.body) {
        const first = sf.getLineAndCharacterOfPosition(n.getStart()).line;
        const lines = sf.getLineAndCharacterOfPosition(n.end).line - first + 1;
        if (lines >= min) out.push(`${path.relative(SRC, file)}:${first + 1} (${lines} lines)`);
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return out;
}

describe('the entry points a newcomer reads first', () => {
  it.each(['cli', 'verify', 'k8s'])('src/%s has no function of 100 lines or more', (dir) => {
    expect(longFunctions(dir, 100)).toEqual([]);
  });
});
