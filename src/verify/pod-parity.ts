/**
 * The pod-parity run: the runtime image runs with the settings its Deployment gives the pod (uid and
 * gid, read-only root filesystem with the emptyDir volumes as tmpfs, every capability dropped,
 * no-new-privileges, the memory limit without extra swap, the container's env), its port published on
 * 127.0.0.1 only. Then, as the kubelet would: the readiness and liveness paths within the startup
 * budget, SIGTERM and the time to exit against the grace period (minus the preStop sleep). The
 * family's profile adds its own checks on the same settings (Node.js: the heap limit).
 *
 * The Deployment (k8s/base/deployment.yaml) is the source of truth for the pod's settings:
 * {@link readPodSettings} reads it, through the one reader of a Deployment's pod settings
 * (src/k8s/pod-settings.ts, which the compose file of the local dev loop uses too).
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CheckResult, Resources, containerName, freePort, imageConfig } from './checks';
import type { ProjectFacts } from './context';
import { CommandResult, Engine, EngineName, VerifyError } from './engine';
import type { PodRun } from '../contract/verify-profile';
import { type PodDefaults, type PodSettings, type ProbeSpec, podSettings, quantityBytes } from '../k8s/pod-settings';

/** Where the Deployment is, relative to the project. */
export const DEPLOYMENT_FILE = 'k8s/base/deployment.yaml';
export { DEFAULT_EMPTYDIR_BYTES, DEFAULT_GRACE_S, DEFAULT_STARTUP_BUDGET_S, type PodSettings, type ProbeSpec } from '../k8s/pod-settings';

/**
 * A Kubernetes quantity as verify reads it from the Deployment (`256Mi`, `1G`, `512e6`, `1.5Gi`) in
 * bytes, rounded up; `undefined` when it is not one (src/k8s/pod-settings.ts).
 */
export const parseQuantity = quantityBytes;

const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MiB`;

/** Reads the pod's settings from the project's Deployment file (src/k8s/pod-settings.ts reads the object). */
export function readPodSettings(dir: string, facts: PodDefaults): PodSettings {
  const file = path.join(dir, DEPLOYMENT_FILE);
  if (!fs.existsSync(file)) throw new VerifyError(`${file} not found: the pod-parity run reads the pod's settings from the Deployment (run \`npx projen\`, or pass --no-pod-parity).`);
  return podSettings(parseYaml(fs.readFileSync(file, 'utf8')) ?? {}, facts);
}

/** The engine options that give a container the pod's settings (without ports, name and image). */
export function podRunOptions(s: PodSettings, envFile?: string, engine: EngineName = 'podman'): string[] {
  const args = ['--user', `${s.uid}:${s.gid}`];
  // podman's --read-only adds tmpfs at /tmp, /var/tmp and /run unless told not to; docker's adds none:
  // only the Deployment's emptyDir volumes are writable, as in the pod
  if (s.readOnlyRootFilesystem) args.push('--read-only', ...(engine === 'podman' ? ['--read-only-tmpfs=false'] : []));
  for (const t of s.tmpfs) args.push('--tmpfs', `${t.path}:rw,size=${t.bytes},mode=1777`);
  if (s.dropAll) args.push('--cap-drop', 'ALL');
  if (s.noNewPrivileges) args.push('--security-opt', 'no-new-privileges');
  // the pod gets no swap: memory+swap = the limit (the engines' default would double it)
  if (s.memoryBytes !== undefined) args.push('--memory', `${s.memoryBytes}b`, '--memory-swap', `${s.memoryBytes}b`);
  if (envFile) args.push('--env-file', envFile);
  for (const [k, v] of Object.entries(s.env)) args.push('--env', `${k}=${v}`);
  return args;
}

/** A description of the settings for the report. */
export function describePod(s: PodSettings): string {
  return [
    `uid ${s.uid}:${s.gid}`,
    s.readOnlyRootFilesystem ? 'read-only root filesystem' : 'writable root filesystem',
    ...s.tmpfs.map((t) => `tmpfs ${t.path} ${mib(t.bytes)}`),
    s.dropAll ? 'all capabilities dropped' : 'default capabilities',
    s.noNewPrivileges ? 'no-new-privileges' : 'privilege escalation allowed',
    s.memoryBytes !== undefined ? `memory limit ${s.memory} (${mib(s.memoryBytes)}, no swap)` : 'no memory limit',
    `env ${Object.keys(s.env).join(', ') || '(none)'}`,
  ].join(', ');
}

/** Where the app tried to write, from its output: EROFS/EACCES errors and "Read-only file system" messages. */
export function findWriteErrors(logs: string, writable: readonly string[] = []): { path: string; code: string }[] {
  const found: { path: string; code: string }[] = [];
  const add = (code: string, p: string) => {
    if (!writable.some((w) => p === w || p.startsWith(`${w.replace(/\/+$/, '')}/`)) && !found.some((f) => f.path === p)) found.push({ path: p, code });
  };
  for (const m of logs.matchAll(/\b(EROFS|EACCES|EPERM)\b[^\n'"]*?['"](\/[^'"\n]+)['"]/g)) add(m[1], m[2]);
  // Node's recursive mkdir reports ENOENT, not EROFS, on a read-only filesystem (it creates the parents itself)
  for (const m of logs.matchAll(/\bENOENT\b[^\n'"]*?\bmkdir ['"](\/[^'"\n]+)['"]/g)) add('EROFS', m[1]);
  for (const m of logs.matchAll(/(\/[^\s'":]+)['"]?:?\s*(?:\[Errno 30\]\s*)?[Rr]ead-only file system/g)) add('EROFS', m[1]);
  for (const m of logs.matchAll(/[Rr]ead-only file system[^\n]*?['"](\/[^'"\n]+)['"]/g)) add('EROFS', m[1]);
  return found;
}

/** Ports the output names (`port 3000`, `:3000`, `PORT=3000`), other than `expected`. */
export function portsInLogs(logs: string, expected: number): number[] {
  const ports = new Set<number>();
  for (const m of logs.matchAll(/(?:\bport\b\s*[=:]?\s*|(?:localhost|0\.0\.0\.0|127\.0\.0\.1|\[::\]|\]):)(\d{2,5})\b/gi)) {
    const p = Number(m[1]);
    if (p > 0 && p < 65536 && p !== expected) ports.add(p);
  }
  return [...ports];
}

/**
 * TCP ports a container's processes listen on, read on the host from /proc/<pid>/net/tcp and tcp6
 * (the network namespace of its main process); `undefined` where that cannot be read (a remote engine).
 */
export function listeningPorts(pid: number, procRoot = '/proc'): number[] | undefined {
  const ports = new Set<number>();
  let read = false;
  for (const f of ['tcp', 'tcp6']) {
    let text: string;
    try {
      text = fs.readFileSync(path.join(procRoot, String(pid), 'net', f), 'utf8');
      read = true;
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // local_address is ADDR:PORT in hex; state 0A is LISTEN
      if (cols[3] === '0A') ports.add(parseInt(cols[1].split(':')[1], 16));
    }
  }
  return read ? [...ports].sort((a, b) => a - b) : undefined;
}

function httpStatus(url: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

function tcpOpen(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port, timeout: timeoutMs });
    // a published port accepts at once (the engine's proxy): only data or a clean close says more
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });
}

/** Options of {@link podParityChecks}. */
export interface PodParityOptions {
  /** A local env file for the values the Deployment takes from ConfigMaps and Secrets. @default - none: they are "not checked" */
  readonly envFile?: string;
  /** Progress messages. */
  readonly log?: (line: string) => void;
  /** The settings; @default - read from the project's Deployment */
  readonly settings?: PodSettings;
}

/** What the pod-parity run found: its checks, and what it could not check. */
export interface PodParityResult {
  readonly checks: CheckResult[];
  readonly notChecked: { readonly id: string; readonly title: string; readonly reason: string }[];
  readonly settings: PodSettings;
  /** Seconds from SIGTERM to exit; none when the app did not exit in time (or was not running). */
  readonly shutdownS?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs the runtime image as the pod runs it and checks what the kubelet would: the port answers,
 * readiness and liveness within the startup budget, nothing written outside the writable volumes,
 * exit within the grace period after SIGTERM; then the family's own pod checks.
 */
export async function podParityChecks(
  engine: Engine,
  image: string,
  facts: ProjectFacts,
  res: Resources,
  options: PodParityOptions = {},
): Promise<PodParityResult> {
  const pod = await preparePod(engine, image, facts, res, options);
  try {
    if (!(await startPod(pod))) return { checks: pod.checks, notChecked: pod.notChecked, settings: pod.settings };
    const startup = await awaitStartup(pod);
    for (const step of POD_STEPS) await step(pod, startup);
    return { checks: pod.checks, notChecked: pod.notChecked, settings: pod.settings, shutdownS: pod.shutdownS };
  } finally {
    await engine.removeContainer(pod.name);
    res.containers.delete(pod.name);
  }
}

/** What the steps of a pod-parity run share: the container with the pod's settings, its ports, and what the steps found. */
interface PodContext {
  readonly engine: Engine;
  readonly image: string;
  readonly facts: ProjectFacts;
  readonly res: Resources;
  readonly settings: PodSettings;
  /** The engine options that give the container the pod's settings ({@link podRunOptions}). */
  readonly runOptions: string[];
  /** The settings as the report describes them ({@link describePod}). */
  readonly settingsText: string;
  /** The container's name. */
  readonly name: string;
  /** The ports published on 127.0.0.1: the container ports and the probes' ports. */
  readonly ports: number[];
  /** The host port of each published port. */
  readonly hostPort: Map<number, number>;
  /** The definition's port (the first container port). */
  readonly mainPort: number;
  /** Where the app may write: the Deployment's emptyDir volumes. */
  readonly writable: string[];
  readonly checks: CheckResult[];
  readonly notChecked: PodParityResult['notChecked'][number][];
  /** Seconds from SIGTERM to exit, set by {@link sigtermCheck} when the app exited in time. */
  shutdownS?: number;
}

/** One try of a probe: whether it passed, and what it got. */
interface ProbeAnswer {
  readonly ok: boolean;
  readonly what: string;
}

/** What the wait for the app found. */
interface Startup {
  /** Whether the main port answered HTTP (any status). */
  readonly answered: boolean;
  /** The exit code, when the container exited before it answered. */
  readonly exited?: number;
  readonly readiness: ProbeAnswer;
  readonly liveness: ProbeAnswer;
  /** Seconds the wait took, as printed (e.g. `1.5`). */
  readonly elapsed: string;
  /** The app's output at the end of the wait. */
  readonly logs: string;
}

/** A step after the wait for the app: it adds its checks to `pod.checks`. */
type PodStep = (pod: PodContext, startup: Startup) => Promise<void> | void;

/** The steps after the wait for the app, in the order of their checks in the report. */
const POD_STEPS: readonly PodStep[] = [portChecks, probeChecks, sigtermCheck, familyPodChecks];

/** Reads the pod's settings, notes what cannot be checked here, and picks the container's name and host ports. */
async function preparePod(engine: Engine, image: string, facts: ProjectFacts, res: Resources, options: PodParityOptions): Promise<PodContext> {
  const log = options.log ?? (() => undefined);
  const s = options.settings ?? readPodSettings(facts.dir, facts);
  const notChecked: PodContext['notChecked'] = [];
  if (s.unresolvedEnv.length) {
    if (options.envFile) log(`  env from ${options.envFile} for ${s.unresolvedEnv.join(', ')}`);
    else notChecked.push({ id: 'pod-env', title: 'env values from ConfigMaps and Secrets', reason: `not checked: ${s.unresolvedEnv.join(', ')} cannot be resolved outside the cluster; pass --env-file <file> to run with local values` });
  }
  if (s.otherMounts.length) notChecked.push({ id: 'pod-volumes', title: 'volumes other than emptyDir', reason: `not mounted: ${s.otherMounts.join(', ')}` });
  const runOptions = podRunOptions(s, options.envFile, engine.name);
  const settingsText = describePod(s);
  log(`Running the runtime image as the pod runs it: ${settingsText}`);

  // publish every container port (and the probes' ports) on 127.0.0.1
  const probePorts = [s.readiness, s.liveness].flatMap((p) => (p && p.kind !== 'other' ? [p.port] : []));
  const ports = [...new Set([...s.ports, ...probePorts])];
  const hostPort = new Map<number, number>();
  for (const p of ports) hostPort.set(p, await freePort());
  const name = containerName('pod');
  res.containers.add(name);
  return {
    engine,
    image,
    facts,
    res,
    settings: s,
    runOptions,
    settingsText,
    name,
    ports,
    hostPort,
    mainPort: s.ports[0],
    writable: s.tmpfs.map((t) => t.path),
    checks: [],
    notChecked,
  };
}

/** Starts the container with the pod's settings; when it does not start, the `pod-run` check says why (and nothing else is checked). */
async function startPod(pod: PodContext): Promise<boolean> {
  const portArgs = pod.ports.flatMap((p) => ['-p', `127.0.0.1:${pod.hostPort.get(p)}:${p}`]);
  const started = await pod.engine.exec(['run', '-d', '--name', pod.name, ...pod.runOptions, ...portArgs, pod.image]);
  if (started.code === 0) return true;
  pod.checks.push({ id: 'pod-run', title: `the runtime image starts with the pod's settings (${pod.settingsText})`, ok: false, detail: `the container did not start:\n${`${started.stdout}\n${started.stderr}`.trim()}` });
  return false;
}

/** Waits until the main port answers HTTP (any status) and both probes pass, or the container exits, or the startup budget passes. */
async function awaitStartup(pod: PodContext): Promise<Startup> {
  const s = pod.settings;
  const t0 = Date.now();
  const deadline = t0 + s.startupBudgetS * 1000;
  let answered = false;
  let exited: number | undefined;
  let readiness: ProbeAnswer = { ok: false, what: 'no answer' };
  let liveness: ProbeAnswer = { ok: false, what: 'no answer' };
  while (Date.now() < deadline) {
    try {
      await httpStatus(`http://127.0.0.1:${pod.hostPort.get(pod.mainPort)}/`, 2000);
      answered = true;
    } catch {
      // not yet
    }
    if (answered) {
      readiness = await probeOnce(pod, s.readiness);
      liveness = await probeOnce(pod, s.liveness);
      if (readiness.ok && liveness.ok) break;
    }
    const st = await containerState(pod);
    if (!st.running) {
      exited = st.code;
      break;
    }
    await sleep(250);
  }
  const elapsed = ((Date.now() - t0) / 1000).toFixed(1);
  return { answered, exited, readiness, liveness, elapsed, logs: await containerLogs(pod) };
}

/** One try of a probe, as the kubelet makes it, on the probe port's host port. */
async function probeOnce(pod: PodContext, p: ProbeSpec | undefined): Promise<ProbeAnswer> {
  if (!p || p.kind === 'other') return { ok: true, what: p ? `not checked (${p.what} probe)` : 'no probe' };
  const hp = pod.hostPort.get(p.port)!;
  if (p.kind === 'tcp') return (await tcpOpen(hp, 2000)) ? { ok: true, what: `TCP ${p.port} open` } : { ok: false, what: `TCP ${p.port} closed` };
  try {
    const status = await httpStatus(`http://127.0.0.1:${hp}${p.path}`, 2000);
    return { ok: status >= 200 && status < 400, what: `GET ${p.path} on port ${p.port} -> ${status}` };
  } catch (e) {
    return { ok: false, what: `GET ${p.path} on port ${p.port}: ${(e as Error).message}` };
  }
}

/** Whether the container runs, its exit code, and the pid of its main process. */
async function containerState(pod: PodContext): Promise<{ running: boolean; code: number; pid: number }> {
  const r = await pod.engine.exec(['inspect', '--format', '{{.State.Running}} {{.State.ExitCode}} {{.State.Pid}}', pod.name]);
  const [running, code, pid] = r.stdout.trim().split(/\s+/);
  return { running: running === 'true', code: Number(code), pid: Number(pid) };
}

/** The container's output (stdout, then stderr). */
async function containerLogs(pod: PodContext): Promise<string> {
  const r = await pod.engine.exec(['logs', pod.name]);
  return `${r.stdout}\n${r.stderr}`;
}

/** Whether the app wrote only to its volumes, from its output (the pod's root filesystem is read-only). */
function readOnlyCheck(pod: PodContext, logs: string, exited?: number): CheckResult {
  const { settings: s, writable } = pod;
  const errors = s.readOnlyRootFilesystem ? findWriteErrors(logs, writable) : [];
  const title = `the app writes only to its volumes (${writable.join(', ') || 'none'}): the pod's root filesystem is read-only`;
  if (errors.length === 0) return { id: 'pod-read-only', title, ok: true, detail: `no write errors in the app's output${s.readOnlyRootFilesystem ? '' : ' (the Deployment does not set readOnlyRootFilesystem)'}` };
  const first = errors[0];
  return {
    id: 'pod-read-only',
    title,
    ok: false,
    detail: `the app wrote to ${first.path}: the pod's root filesystem is read-only; write under ${writable[0] ?? '/tmp'} or declare a volume` +
      `${errors.length > 1 ? ` (also ${errors.slice(1).map((e) => e.path).join(', ')})` : ''} [${first.code}${exited !== undefined ? `, the app exited with code ${exited}` : ''}]`,
  };
}

/** The read-only check, then whether the app answers on the definition's port (and if not, where it listens instead). */
async function portChecks(pod: PodContext, startup: Startup): Promise<void> {
  const { settings: s, mainPort, checks } = pod;
  const { answered, exited, elapsed, logs } = startup;
  const portTitle = `the app answers on port ${mainPort} (the definition's port)`;
  if (exited !== undefined) {
    const ro = readOnlyCheck(pod, logs, exited);
    checks.push(ro);
    checks.push({ id: 'pod-port', title: portTitle, ok: false, detail: `the app exited with code ${exited} after ${elapsed}s${ro.ok ? '' : ': see the read-only check'}; its output:\n${tailText(logs)}` });
  } else if (!answered) {
    checks.push(readOnlyCheck(pod, logs));
    const pid = (await containerState(pod)).pid;
    const listening = pid > 0 ? listeningPorts(pid)?.filter((p) => p !== mainPort) : undefined;
    const named = portsInLogs(logs, mainPort);
    const others = listening?.length ? listening : named;
    const where = listening?.length ? `it listens on port ${listening.join(', ')}` : `its output names port ${named.join(', ')}`;
    checks.push({
      id: 'pod-port',
      title: portTitle,
      ok: false,
      detail: `nothing answers on port ${mainPort} within ${s.startupBudgetS}s but the container is running` +
        (others.length ? `: ${where}; listen on the PORT env (${s.env.PORT ?? mainPort}) or set the definition's port to ${others[0]}` : `; its output:\n${tailText(logs)}`),
    });
  } else {
    checks.push(readOnlyCheck(pod, logs));
    checks.push({ id: 'pod-port', title: portTitle, ok: true, detail: `HTTP answers on ${mainPort} after ${elapsed}s` });
  }
}

/** The readiness and the liveness probe succeed within the startup budget. */
function probeChecks(pod: PodContext, startup: Startup): void {
  const s = pod.settings;
  const { answered, exited, readiness, liveness } = startup;
  const budget = `within ${s.startupBudgetS}s (${s.startupFrom})`;
  const probeTitle = (kind: string, p?: ProbeSpec) => `${kind} probe ${p?.kind === 'http' ? `GET ${p.path}` : p?.kind === 'tcp' ? `TCP ${p.port}` : '(none)'} succeeds (200-399) ${budget}`;
  pod.checks.push({ id: 'pod-readiness', title: probeTitle('readiness', s.readiness), ok: answered && readiness.ok, detail: answered ? readiness.what : `not reached: ${exited !== undefined ? 'the app exited' : 'nothing answers'}` });
  pod.checks.push({ id: 'pod-liveness', title: probeTitle('liveness', s.liveness), ok: answered && liveness.ok, detail: answered ? liveness.what : `not reached: ${exited !== undefined ? 'the app exited' : 'nothing answers'}` });
}

/** SIGTERM, as the kubelet sends it after the preStop hook: the app exits within the grace period minus the preStop sleep. */
async function sigtermCheck(pod: PodContext, startup: Startup): Promise<void> {
  const s = pod.settings;
  const allowed = s.graceS - s.preStopSleepS;
  const termTitle = `the app exits within ${allowed}s of SIGTERM (terminationGracePeriodSeconds ${s.graceS} - preStop sleep ${s.preStopSleepS}s)`;
  if (startup.exited !== undefined) {
    pod.checks.push({ id: 'pod-sigterm', title: termTitle, ok: false, detail: `not checked: the app had already exited (code ${startup.exited})` });
    return;
  }
  const sent = Date.now();
  const kill = await pod.engine.exec(['kill', '--signal', 'TERM', pod.name]);
  let code: number | undefined;
  while (kill.code === 0 && Date.now() - sent < allowed * 1000) {
    const st = await containerState(pod);
    if (!st.running) {
      code = st.code;
      break;
    }
    await sleep(100);
  }
  if (code !== undefined) {
    const shutdownS = (Date.now() - sent) / 1000;
    pod.shutdownS = shutdownS;
    pod.checks.push({ id: 'pod-sigterm', title: termTitle, ok: true, detail: `shutdown time ${shutdownS.toFixed(1)}s after SIGTERM (exit code ${code})` });
  } else {
    pod.checks.push({
      id: 'pod-sigterm',
      title: termTitle,
      ok: false,
      detail: kill.code !== 0
        ? `SIGTERM could not be sent: ${kill.stderr.trim()}`
        : `the app did not exit within ${allowed}s of SIGTERM: as PID 1 it must handle SIGTERM (process.on('SIGTERM', ...) closing the server, then exit) or use an init process; the kubelet would kill it with SIGKILL`,
    });
  }
}

/** The family's checks on the same settings (e.g. Node.js: the heap limit), each run in a new container with them. */
async function familyPodChecks(pod: PodContext): Promise<void> {
  const { engine, image, facts, res, settings: s, runOptions } = pod;
  if (!facts.profile.podChecks) return;
  const cfg = await imageConfig(engine, image);
  const runner: PodRun = {
    settings: { memoryBytes: s.memoryBytes, memory: s.memory, env: s.env },
    entrypoint: cfg.entrypoint,
    run: async (entrypoint, args) => {
      const n = containerName('pod-check');
      res.containers.add(n);
      try {
        return await engine.exec(['run', '--rm', '--name', n, ...runOptions, '--entrypoint', entrypoint, image, ...args]);
      } finally {
        res.containers.delete(n);
      }
    },
  };
  pod.checks.push(...(await facts.profile.podChecks(runner)));
}

function tailText(text: string, n = 15): string {
  return text.trim().split('\n').slice(-n).map((l) => `  ${l}`).join('\n');
}

/** The result type of a {@link PodRun} (for profiles, which do not import the engine). */
export type PodRunResult = CommandResult;
