/**
 * The Python family's verify profile: pip, uv, Poetry and the C compilers must not be in the
 * runtime image (the virtualenv is made without pip); no tests and no bytecode caches of the build
 * context in the workdir. What the runtime image needs is the virtualenv of the `venv` stage and
 * what the runtime stage copies; the dependency layer is the lockfile install. The uid is printed
 * with the image's own Python.
 */
import type {
  DependencyInstall, ForbiddenExecutable, NotApplicable, ProfileCheck, ProfileContext, VerifyProfile,
} from '../../../contract/verify-profile';
import { VerifyProfileError } from '../../../contract/verify-profile';
import { VENV_DIR } from '../catalog';

const FORBIDDEN: readonly ForbiddenExecutable[] = [
  { name: 'pip', kind: 'package manager', pattern: /(\/s?bin\/pip[0-9.]*|\/site-packages\/pip\/__init__\.py|\/dist-packages\/pip\/__init__\.py)$/ },
  { name: 'uv', kind: 'package manager', pattern: /\/s?bin\/uvx?$/ },
  { name: 'poetry', kind: 'package manager', pattern: /(\/s?bin\/poetry|\/site-packages\/poetry\/__init__\.py)$/ },
  ...['gcc', 'g++', 'cc', 'c++', 'clang'].map((name): ForbiddenExecutable => ({
    name,
    kind: 'compiler',
    pattern: new RegExp(`/s?bin/${name.replace(/\+/g, '\\+')}(-[0-9]+)?$`),
  })),
];

const list = (xs: readonly string[]) => xs.slice(0, 8).join(', ') + (xs.length > 8 ? `, ... (${xs.length})` : '');

/** The Python family's checks on the runtime image's file list. */
export function pythonFileChecks(files: readonly string[], ctx: Pick<ProfileContext, 'model'>): ProfileCheck[] {
  const wd = ctx.model.workdir.replace(/\/+$/, '');
  const venv = `${wd}/${VENV_DIR}`;
  const appOwn = files.filter((f) => f.startsWith(`${wd}/`) && f !== venv && !f.startsWith(`${venv}/`));
  const tests = appOwn.filter((f) => /\/(test|tests)(\/|$)/.test(f.slice(wd.length)) || /\/(test_[^/]*|[^/]*_test)\.py$/.test(f) || /\/conftest\.py$/.test(f));
  const caches = appOwn.filter((f) => /\/(__pycache__|\.pytest_cache|\.mypy_cache)(\/|$)/.test(f));
  const interpreter = `${venv}/bin/python3`;
  return [
    { id: 'venv-present', title: `the virtualenv's interpreter (${interpreter}) is in the runtime image`, ok: files.includes(interpreter), detail: files.includes(interpreter) ? `found ${interpreter}` : `${interpreter} is not among ${files.length} paths` },
    { id: 'no-tests', title: `no test folders or test files in ${wd}`, ok: tests.length === 0, detail: tests.length ? `found ${list(tests)}` : 'none' },
    { id: 'no-bytecode-caches', title: `no __pycache__ or tool caches from the build context in ${wd}`, ok: caches.length === 0, detail: caches.length ? `found ${list(caches)}` : 'none' },
  ];
}

/** The single-stage equivalent: the builder with the virtualenv and every source, run by the venv's Python. */
function singleStage(ctx: ProfileContext): string {
  const byName = (n: string | undefined) => (n === undefined ? undefined : ctx.stages.find((s) => s.name === n));
  const base = ctx.stages[0];
  const deps = byName(ctx.model.stages.dependencies);
  if (!deps) throw new VerifyProfileError(`${ctx.dockerfile} has no dependency stage ("${ctx.model.stages.dependencies ?? ''}").`);
  const lines = ['# Single-stage equivalent of the generated Dockerfile (create-msb-app verify size report).', `FROM ${base.from}`];
  lines.push(...base.instructions.map((i) => i.text), ...deps.instructions.map((i) => i.text), 'COPY . .');
  const runtime = ctx.stages[ctx.stages.length - 1];
  lines.push(...runtime.instructions.filter((i) => ['ENV', 'EXPOSE', 'LABEL', 'ENTRYPOINT'].includes(i.keyword)).map((i) => i.text));
  lines.push(`CMD ${JSON.stringify(ctx.model.cmd)}`);
  return `${lines.join('\n')}\n`;
}

export const pythonVerifyProfile: VerifyProfile = {
  family: 'python',
  forbiddenExecutables: FORBIDDEN,
  readFacts: () => ({}),
  fileChecks: pythonFileChecks,
  needed(ctx) {
    const wd = ctx.model.workdir.replace(/\/+$/, '');
    const stage = ctx.model.stages.dependencies;
    if (!stage) throw new VerifyProfileError(`${ctx.dockerfile} has no dependency stage in the model: cannot tell what the runtime image needs.`);
    return { sources: [{ path: `${wd}/${VENV_DIR}`, kind: 'dependencies', stage, src: `${wd}/${VENV_DIR}` }] };
  },
  dependencyInstall(ctx): DependencyInstall | NotApplicable {
    const deps = ctx.stages.find((s) => s.name === ctx.model.stages.dependencies);
    const install = deps?.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args) ?? [];
    return {
      commands: install,
      isDependencyLayer: (createdBy) => createdBy.includes(`-m venv --without-pip ${VENV_DIR}`) || createdBy.includes(`${VENV_DIR} `),
      sourceFile: /\.py$/,
      skipDirs: [VENV_DIR, '__pycache__', 'node_modules'],
      comment: (text) => `# ${text}`,
    };
  },
  singleStage: (ctx) => ({ dockerfile: singleStage(ctx) }),
  interpreterUid: {
    command(entrypoint) {
      const python = entrypoint.find((e) => /(^|\/)python3?(\.\d+)?$/.test(e)) ?? entrypoint[0];
      return python ? { entrypoint: python, args: ['-c', 'import os; print(os.getuid(), os.getgid())'] } : undefined;
    },
  },
};
