/**
 * `slim` for the Node.js family: a `traced` build stage copies the production dependencies and the
 * app's runtime files, traces the entrypoint's file dependencies with `@vercel/nft` (installed in
 * that stage only, at the pinned version below) and assembles only the traced files of
 * `node_modules` (plus `slim.include`) under the working directory; the runtime stage copies that
 * tree instead of the dependency stage's whole `node_modules`.
 *
 * The tracer runs in the builder, on the platform the image is built for, so the native addons it
 * keeps (node-gyp-build prebuilds, `bindings`) are that platform's; the other platforms' prebuilt
 * binaries in a package are not traced and not copied.
 */
import type { AppProps, SlimOptions } from '../../contract/app-props';
import * as v from '../../validation';

/** The tracer, pinned: installed in the `traced` stage only, never a dependency of the project. */
export const SLIM_TRACER = { package: '@vercel/nft', version: '1.11.5', prefix: '/opt/tracer' } as const;

/** The stage that holds the traced tree (the runtime-stage policy's TRACED_STAGE_POLICY names it). */
export const TRACED_STAGE = 'traced';

/** Folder of the `traced` stage where the full production tree and the app files are traced. */
export const TRACE_ROOT = '/trace';

/** Prefix of the tracer's lines in the build output (verify reports the warnings). */
export const TRACE_LOG_PREFIX = 'slim:';

/** The `slim` setting in the model: the include list when on. */
export interface SlimSettings {
  readonly include: readonly string[];
}

/** The resolved `slim` prop, or `undefined` when off. */
export function slimSettings(props: AppProps): SlimSettings | undefined {
  const s = props.slim;
  if (s === undefined || s === false) return undefined;
  const include = s === true ? [] : ((s as SlimOptions).include ?? []);
  return { include: Array.isArray(include) ? include.map((x) => v.normalizePath(String(x))) : [] };
}

const INCLUDE_RULE = 'a path under node_modules/ relative to the working directory, of letters, digits and @ . _ + - / (no wildcards, no ".."), e.g. "node_modules/my-plugin"';

/** Problems of the `slim` prop. */
export function validateSlim(props: AppProps, p: v.Problems): void {
  const s = props.slim;
  if (s === undefined || typeof s === 'boolean') return;
  if (typeof s !== 'object' || s === null || Array.isArray(s)) {
    p.add('slim', s, 'true, false or { include: [...] }');
    return;
  }
  const include = (s as SlimOptions).include;
  if (include === undefined) return;
  if (!Array.isArray(include)) {
    p.add('slim.include', include, `a list of paths, each ${INCLUDE_RULE}`);
    return;
  }
  for (const [i, x] of include.entries()) {
    const ok = typeof x === 'string' && v.isRelativePath(x) && /^node_modules\/[A-Za-z0-9@._+/-]+$/.test(v.normalizePath(x)) && !v.normalizePath(x).split('/').includes('..');
    p.check(ok, `slim.include[${i}]`, x, INCLUDE_RULE);
  }
}

/**
 * The trace, as `node -e` source lines, joined with spaces (every statement ends with a semicolon or
 * a brace); the Dockerfile runs it in exec form, so no shell reads it.
 * Arguments: the entrypoint, then the include paths. Symbolic links (pnpm's layout) are recreated
 * after the files they point to.
 */
export function traceScript(workdir: string): string[] {
  const root = `${TRACE_ROOT}${workdir}`;
  return [
    'const fs = require("fs"), path = require("path");',
    `const { nodeFileTrace } = require("${SLIM_TRACER.prefix}/lib/node_modules/${SLIM_TRACER.package}");`,
    `const root = ${JSON.stringify(root)}, out = ${JSON.stringify(workdir)}, log = (m) => console.log(${JSON.stringify(TRACE_LOG_PREFIX)} + " " + m);`,
    'const [entry, ...include] = process.argv.slice(1);',
    'const exists = (p) => { try { fs.lstatSync(p); return true; } catch { return false; } };',
    'const copy = (rel, merge) => { const dest = path.join(out, rel); if (!merge && exists(dest)) return; fs.mkdirSync(path.dirname(dest), { recursive: true }); fs.cpSync(path.join(root, rel), dest, { recursive: true, verbatimSymlinks: true }); };',
    'nodeFileTrace([path.join(root, entry)], { base: root, processCwd: root }).then(({ fileList, warnings }) => {',
    '  for (const w of warnings) log("tracer warning: " + String(w && w.message || w).split("\\n")[0]);',
    '  const deps = [...fileList].filter((f) => f.startsWith("node_modules/")).sort();',
    '  const links = new Set(deps.filter((f) => fs.lstatSync(path.join(root, f)).isSymbolicLink()));',
    '  for (const f of deps) if (!links.has(f)) copy(f);',
    '  for (const f of links) copy(f);',
    '  for (const i of include) { if (!fs.existsSync(path.join(root, i))) { console.error("slim.include: " + i + " is not in the production dependencies"); process.exit(1); } copy(i, true); }',
    '  fs.mkdirSync(path.join(out, "node_modules"), { recursive: true });',
    '  log(deps.length + " files traced from " + entry + ", " + include.length + " included");',
    '}).catch((e) => { console.error(e); process.exit(1); });',
  ];
}
