/**
 * The app's own routes (`routes` in the definition), requested on the running runtime image besides
 * the health path. With `slim`, the same build without the trace (the "full" image: the runtime
 * stage copies the dependency stage's tree instead of the traced one) answers them too, and each
 * route must answer the slim image with the same status code and content type. A file the trace
 * missed shows as the module the app failed to load.
 */
import { CheckResult, Resources, containerName, freePort, httpGet } from './checks';
import type { ProjectFacts } from './context';
import { Engine, VerifyError } from './engine';
import { parseDockerfile } from './project';

/** What one route answered. */
export interface RouteAnswer {
  readonly path: string;
  readonly status?: number;
  /** The media type, without parameters (`application/json`). */
  readonly contentType?: string;
  /** Why there was no answer. */
  readonly error?: string;
}

/** What an image answered on the routes, and its output. */
export interface RouteRun {
  readonly image: string;
  /** Whether the app came up (answered the first path) before the deadline. */
  readonly up: boolean;
  readonly answers: readonly RouteAnswer[];
  /** The container's output (stdout and stderr). */
  readonly logs: string;
}

/** The paths requested: the health path first (it tells when the app is up), then the routes. */
export function requestedPaths(facts: ProjectFacts): string[] {
  const routes = facts.model.routes ?? [];
  return [...new Set([...(facts.model.healthPath ? [facts.model.healthPath] : []), ...routes])];
}

/**
 * Runs `image` with its port published on 127.0.0.1, waits until the first path answers (or the
 * container exits, or `timeoutMs` passes), then GETs every path once.
 */
export async function runRoutes(
  engine: Engine, image: string, facts: ProjectFacts, res: Resources, paths: readonly string[], timeoutMs = 30_000,
): Promise<RouteRun> {
  const hostPort = await freePort();
  const name = containerName('routes');
  res.containers.add(name);
  const started = await engine.exec(['run', '-d', '--name', name, '-p', `127.0.0.1:${hostPort}:${facts.port}`, image]);
  if (started.code !== 0) return { image, up: false, answers: [], logs: `${started.stdout}${started.stderr}` };
  const get = async (p: string): Promise<RouteAnswer> => {
    try {
      const r = await httpGet(`http://127.0.0.1:${hostPort}${p}`, 5000);
      return { path: p, status: r.status, contentType: r.contentType?.split(';')[0].trim().toLowerCase() };
    } catch (e) {
      return { path: p, error: (e as Error).message };
    }
  };
  try {
    const deadline = Date.now() + timeoutMs;
    let up = false;
    while (!up && Date.now() < deadline) {
      if ((await get(paths[0])).status !== undefined) {
        up = true;
        break;
      }
      const state = await engine.exec(['inspect', '--format', '{{.State.Running}}', name]);
      if (state.stdout.trim() === 'false') break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const answers = up ? await Promise.all(paths.map(get)) : [];
    const logs = await engine.exec(['logs', name]);
    return { image, up, answers, logs: `${logs.stdout}${logs.stderr}` };
  } finally {
    await engine.removeContainer(name);
    res.containers.delete(name);
  }
}

/**
 * Modules an app's output says it could not load: Node's `Cannot find module 'x'` (CommonJS) and
 * `Cannot find package 'x'` / `Cannot find module '/app/...'` (ES modules).
 */
export function missingModules(output: string): string[] {
  const found = [...output.matchAll(/Cannot find (?:module|package) '([^']+)'/g)].map((m) => m[1]);
  return [...new Set(found)];
}

function describe(a: RouteAnswer | undefined): string {
  if (!a) return 'no answer';
  if (a.error) return `no answer (${a.error})`;
  return `${a.status}${a.contentType ? ` ${a.contentType}` : ''}`;
}

/** The hint for a module the slim image lacks: where it is, and the include entry that adds it. */
function includeHint(modules: readonly string[]): string {
  const packages = modules.filter((m) => !m.startsWith('/') && !m.startsWith('.'));
  if (!packages.length) return '';
  const entries = packages.map((m) => `"node_modules/${m.startsWith('@') ? m.split('/').slice(0, 2).join('/') : m.split('/')[0]}"`);
  return `; list it in slim.include (${[...new Set(entries)].join(', ')}) if the app loads it by a computed name`;
}

/** The slim image answers every route as the full image does (same status code and content type). */
export function compareRoutes(slim: RouteRun, full: RouteRun): CheckResult {
  const id = 'slim-routes';
  const title = 'the slim image answers the health path and the routes as the full image does (status code, content type)';
  const missing = missingModules(slim.logs);
  const missed = missing.length ? `; the app failed to load ${missing.map((m) => `'${m}'`).join(', ')}${includeHint(missing)}` : '';
  if (!full.up) return { id, title, ok: false, detail: `the full image did not answer ${full.answers[0]?.path ?? 'the health path'}: fix the app first; its output:\n${full.logs.slice(-800)}` };
  if (!slim.up) return { id, title, ok: false, detail: `the slim image did not come up${missed}; its output:\n${slim.logs.slice(-800)}` };
  const differ = full.answers
    .map((f) => ({ f, s: slim.answers.find((a) => a.path === f.path) }))
    .filter(({ f, s }) => !s || s.status !== f.status || s.contentType !== f.contentType);
  if (differ.length) {
    return { id, title, ok: false, detail: `${differ.map(({ f, s }) => `GET ${f.path}: slim ${describe(s)}, full ${describe(f)}`).join('; ')}${missed}` };
  }
  return { id, title, ok: true, detail: full.answers.map((a) => `GET ${a.path} -> ${describe(a)}`).join('; ') };
}

/** Without slim: every route answers, with a status below 500. */
export function routesAnswer(run: RouteRun): CheckResult {
  const id = 'routes';
  const title = 'the routes answer on the runtime image (status below 500)';
  if (!run.up) return { id, title, ok: false, detail: `the app did not come up; its output:\n${run.logs.slice(-800)}` };
  const bad = run.answers.filter((a) => a.status === undefined || a.status >= 500);
  const missing = missingModules(run.logs);
  return {
    id,
    title,
    ok: bad.length === 0,
    detail: bad.length
      ? `${bad.map((a) => `GET ${a.path}: ${describe(a)}`).join('; ')}${missing.length ? `; the app failed to load ${missing.map((m) => `'${m}'`).join(', ')}` : ''}`
      : run.answers.map((a) => `GET ${a.path} -> ${describe(a)}`).join('; '),
  };
}

/**
 * The full image's Dockerfile: the project's, with the runtime stage's copies from the traced stage
 * taken from the dependency stage instead (same paths; every other instruction as written).
 */
export function fullImageDockerfile(text: string, traced: string, dependencies: string): string {
  const stages = parseDockerfile(text);
  const runtime = stages[stages.length - 1];
  const from = new RegExp(`--from=${traced.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=\\s)`);
  let out = text;
  let replaced = 0;
  for (const i of runtime.instructions) {
    if (i.keyword !== 'COPY' || !from.test(i.text)) continue;
    const at = out.lastIndexOf(i.text);
    if (at < 0) continue;
    out = `${out.slice(0, at)}${i.text.replace(from, `--from=${dependencies}`)}${out.slice(at + i.text.length)}`;
    replaced++;
  }
  if (replaced === 0) throw new VerifyError(`The runtime stage copies nothing from the "${traced}" stage: the Dockerfile does not look like a slim build (run \`npx projen\`).`);
  return out;
}

/** Tracer lines of a build's output (`slim: ...`): its warnings and the count of traced files. */
export function traceLines(output: readonly string[]): { warnings: string[]; summary?: string } {
  const lines = output.map((l) => l.trim()).filter((l) => l.startsWith('slim: '));
  return {
    warnings: lines.filter((l) => l.startsWith('slim: tracer warning: ')).map((l) => l.slice('slim: tracer warning: '.length)),
    summary: lines.find((l) => / files traced from /.test(l))?.slice('slim: '.length),
  };
}
