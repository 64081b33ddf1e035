/**
 * What a Deployment gives its app's pod, read from the Deployment object itself: the one reader of
 * the pod's settings. `create-msb-app verify` reads them from k8s/base/deployment.yaml for its
 * pod-parity run; synthesis reads them from the rendered (patched) Deployment for the local dev
 * loop's compose file. Pure: no disk, no engine.
 */
import { QUANTITY_SUFFIX } from './quantity';

/** Startup budget without a startup probe, in seconds. */
export const DEFAULT_STARTUP_BUDGET_S = 60;
/** terminationGracePeriodSeconds when the Deployment sets none (Kubernetes' default). */
export const DEFAULT_GRACE_S = 30;
/** Size of an emptyDir without sizeLimit (the tmpfs verify mounts for it). */
export const DEFAULT_EMPTYDIR_BYTES = 64 * 1024 * 1024;

/** How a probe checks the container. */
export type ProbeSpec = { readonly kind: 'http'; readonly path: string; readonly port: number } | { readonly kind: 'tcp'; readonly port: number } | { readonly kind: 'other'; readonly what: string };

/** What the Deployment gives the app's pod. */
export interface PodSettings {
  readonly uid: number;
  readonly gid: number;
  readonly readOnlyRootFilesystem: boolean;
  /** emptyDir volumes, mounted as tmpfs. */
  readonly tmpfs: readonly { readonly path: string; readonly bytes: number }[];
  /** Volumes verify cannot mount (configMap, secret, persistent volumes), by mount path. */
  readonly otherMounts: readonly string[];
  readonly dropAll: boolean;
  readonly noNewPrivileges: boolean;
  /** limits.memory in bytes; none without a limit. */
  readonly memoryBytes?: number;
  /** limits.memory as written, e.g. `256Mi`. */
  readonly memory?: string;
  /** limits.cpu in cores (`500m` is 0.5); none without a CPU limit. */
  readonly cpus?: number;
  /** Literal env values of the container. */
  readonly env: Readonly<Record<string, string>>;
  /** env entries with valueFrom, and envFrom sources: their values are not in the Deployment. */
  readonly unresolvedEnv: readonly string[];
  /** containerPorts. */
  readonly ports: readonly number[];
  readonly readiness?: ProbeSpec;
  readonly liveness?: ProbeSpec;
  /** Seconds the app has to start: startupProbe failureThreshold x periodSeconds (+ initialDelaySeconds), else 60. */
  readonly startupBudgetS: number;
  readonly startupFrom: string;
  readonly graceS: number;
  readonly preStopSleepS: number;
}

/** What the pod's settings fall back to where the Deployment says nothing (the App's own values). */
export interface PodDefaults {
  /** The container's name (else the first container). */
  readonly name: string;
  readonly port: number;
  readonly uid: number;
  readonly gid: number;
}

/**
 * A Kubernetes quantity as a Deployment may hold it (`256Mi`, `1G`, `512e6`, `1.5Gi`, or a YAML
 * number) in its unit (bytes for memory), not rounded; `undefined` when it is not one. The
 * definition's own quantities are checked by src/k8s/quantity.ts (the same suffixes; this one also
 * takes numbers and surrounding space).
 */
export function quantityValue(q: string | number | undefined): number | undefined {
  if (typeof q === 'number') return Number.isFinite(q) && q >= 0 ? q : undefined;
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E))?\s*$/.exec(q ?? '');
  if (!m) return undefined;
  return Number(m[1] + (m[2] ?? '')) * QUANTITY_SUFFIX[m[3] ?? ''];
}

/** A memory quantity in bytes, rounded up; `undefined` when it is not one. */
export function quantityBytes(q: string | number | undefined): number | undefined {
  const n = quantityValue(q);
  return n === undefined ? undefined : Math.ceil(n);
}

/**
 * The pod's settings from a Deployment object: the container named like the app (or the first),
 * its securityContext (falling back to the pod's), volumes, resources, env, probes, preStop and the
 * grace period.
 */
export function podSettings(deployment: unknown, defaults: PodDefaults): PodSettings {
  const pod = (deployment as any)?.spec?.template?.spec ?? {};
  const containers: any[] = pod.containers ?? [];
  const c = containers.find((x) => x?.name === defaults.name) ?? containers[0] ?? {};
  const sc = { ...(pod.securityContext ?? {}), ...(c.securityContext ?? {}) };
  const volumes = new Map<string, any>((pod.volumes ?? []).map((v: any) => [v.name, v]));
  const tmpfs: { path: string; bytes: number }[] = [];
  const otherMounts: string[] = [];
  for (const m of c.volumeMounts ?? []) {
    const v = volumes.get(m.name);
    if (v && 'emptyDir' in v) tmpfs.push({ path: m.mountPath, bytes: quantityBytes(v.emptyDir?.sizeLimit) ?? DEFAULT_EMPTYDIR_BYTES });
    else otherMounts.push(m.mountPath);
  }
  const ports: number[] = (c.ports ?? []).map((p: any) => Number(p.containerPort)).filter((p: number) => p > 0);
  if (ports.length === 0) ports.push(defaults.port);
  const portOf = (p: unknown) => (typeof p === 'number' ? p : Number((c.ports ?? []).find((x: any) => x.name === p)?.containerPort ?? p) || defaults.port);
  const probe = (p: any): ProbeSpec | undefined => {
    if (!p) return undefined;
    if (p.httpGet && (p.httpGet.scheme ?? 'HTTP') === 'HTTP') return { kind: 'http', path: p.httpGet.path ?? '/', port: portOf(p.httpGet.port) };
    if (p.tcpSocket) return { kind: 'tcp', port: portOf(p.tcpSocket.port) };
    return { kind: 'other', what: Object.keys(p).filter((k) => !/Seconds|Threshold/.test(k)).join(', ') };
  };
  const sp = c.startupProbe;
  const env: Record<string, string> = {};
  const unresolvedEnv: string[] = [];
  for (const e of c.env ?? []) {
    if (e?.value !== undefined) env[e.name] = String(e.value);
    else unresolvedEnv.push(`${e.name} (valueFrom)`);
  }
  for (const e of c.envFrom ?? []) {
    const ref = e.configMapRef ? `ConfigMap ${e.configMapRef.name}` : e.secretRef ? `Secret ${e.secretRef.name}` : 'a source';
    unresolvedEnv.push(`envFrom ${ref}${e.prefix ? ` (prefix ${e.prefix})` : ''}`);
  }
  const memory = c.resources?.limits?.memory;
  const cpu = c.resources?.limits?.cpu;
  return {
    uid: Number(sc.runAsUser ?? defaults.uid),
    gid: Number(sc.runAsGroup ?? defaults.gid),
    readOnlyRootFilesystem: sc.readOnlyRootFilesystem === true,
    tmpfs,
    otherMounts,
    dropAll: (sc.capabilities?.drop ?? []).includes('ALL'),
    noNewPrivileges: sc.allowPrivilegeEscalation === false,
    memory: memory === undefined ? undefined : String(memory),
    memoryBytes: quantityBytes(memory),
    ...(cpu === undefined ? {} : { cpus: quantityValue(cpu) }),
    env,
    unresolvedEnv,
    ports,
    readiness: probe(c.readinessProbe),
    liveness: probe(c.livenessProbe),
    startupBudgetS: sp ? (sp.failureThreshold ?? 3) * (sp.periodSeconds ?? 10) + (sp.initialDelaySeconds ?? 0) : DEFAULT_STARTUP_BUDGET_S,
    startupFrom: sp ? `startupProbe failureThreshold ${sp.failureThreshold ?? 3} x periodSeconds ${sp.periodSeconds ?? 10}` : 'no startupProbe: 60 s',
    graceS: Number(pod.terminationGracePeriodSeconds ?? DEFAULT_GRACE_S),
    preStopSleepS: Number(c.lifecycle?.preStop?.sleep?.seconds ?? 0),
  };
}
