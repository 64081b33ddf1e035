/**
 * Pure rendering of the local dev loop's compose file: one service per App, from the pod's settings
 * its rendered Deployment gives (src/k8s/pod-settings.ts), the family's shell-free health check and
 * the App's compose settings. Plain objects, serialized to YAML by the component (compose-file.ts).
 */
import type { ExecHealthcheck } from '../contract/family';
import type { ComposeSettings } from '../contract/model';
import type { PodSettings } from '../k8s/pod-settings';
import { secretFileVariable } from '../model/compose';

/** What one service is rendered from. */
export interface ComposeServiceInput {
  /** The service name: the App's name. */
  readonly name: string;
  /** `repository:tag` of the runtime image (the name the build tags). */
  readonly image: string;
  /** The App's Dockerfile, relative to the project root (the build context). */
  readonly dockerfile: string;
  readonly settings: ComposeSettings;
  /** What the Deployment gives the pod. */
  readonly pod: PodSettings;
  /** The image's shell-free health check, if the family has one; else why not. */
  readonly healthcheck: ExecHealthcheck | { readonly none: string };
  /** Paths (relative to the project root) whose change rebuilds the service. */
  readonly watch: readonly string[];
  /** The optional env file of the values the Deployment takes from ConfigMaps and Secrets. */
  readonly envFile: string;
}

/** One rendered service. */
export interface RenderedService {
  readonly service: Record<string, unknown>;
  /** Top-level `secrets` its build uses, by id. */
  readonly secrets: Record<string, { readonly file: string }>;
  /** Lines for the file's header: what the pod has that the service cannot have. */
  readonly notes: readonly string[];
}

/** Compose interpolates `$VAR` and `${VAR}` in every value: a literal `$` is written `$$`. */
export function composeLiteral(value: string): string {
  return value.replace(/\$/g, '$$$$');
}

/** Bytes as docker's units (binary): `64m`, `512k`, or bytes. */
export function byteSize(bytes: number): string {
  if (bytes % 2 ** 20 === 0) return `${bytes / 2 ** 20}m`;
  if (bytes % 2 ** 10 === 0) return `${bytes / 2 ** 10}k`;
  return String(bytes);
}

/** The service of one App. */
export function renderComposeService(i: ComposeServiceInput): RenderedService {
  const { pod, settings } = i;
  const notes: string[] = [];
  const env = Object.fromEntries(Object.entries(pod.env).map(([k, v]) => [k, composeLiteral(v)]));
  if (pod.unresolvedEnv.length > 0) notes.push(`${i.envFile} (optional, keep it out of git) holds what the Deployment takes from ConfigMaps and Secrets: ${pod.unresolvedEnv.join(', ')}`);
  if (pod.otherMounts.length > 0) notes.push(`not mounted (not an emptyDir): ${pod.otherMounts.join(', ')}`);
  if ('none' in i.healthcheck) notes.push(`no health check: ${i.healthcheck.none}`);
  const hc = 'none' in i.healthcheck ? undefined : i.healthcheck;
  const memory = pod.memoryBytes === undefined ? undefined : byteSize(pod.memoryBytes);
  const service = {
    image: i.image,
    // always built from the sources here, never pulled: a registry may hold another image of that name
    pull_policy: 'build',
    build: {
      context: '.',
      dockerfile: i.dockerfile,
      ...(settings.buildSecrets.length > 0 ? { secrets: [...settings.buildSecrets] } : {}),
    },
    user: `${pod.uid}:${pod.gid}`,
    ...(pod.readOnlyRootFilesystem ? { read_only: true } : {}),
    ...(pod.tmpfs.length > 0 ? { tmpfs: pod.tmpfs.map((t) => `${t.path}:size=${byteSize(t.bytes)},mode=1777`) } : {}),
    ...(pod.dropAll ? { cap_drop: ['ALL'] } : {}),
    ...(pod.noNewPrivileges ? { security_opt: ['no-new-privileges:true'] } : {}),
    ...(Object.keys(env).length > 0 ? { environment: env } : {}),
    env_file: [{ path: i.envFile, required: false }],
    ports: [`127.0.0.1:${settings.hostPort}:${pod.ports[0]}`],
    // the pod gets no swap: memory + swap = the limit
    ...(memory ? { mem_limit: memory, memswap_limit: memory } : {}),
    ...(pod.cpus !== undefined ? { cpus: pod.cpus } : {}),
    // SIGTERM comes after the preStop sleep in the pod: the app has the rest of the grace period
    stop_grace_period: `${Math.max(1, pod.graceS - pod.preStopSleepS)}s`,
    ...(hc ? {
      healthcheck: {
        test: ['CMD', ...hc.cmd.map(composeLiteral)],
        interval: hc.interval,
        timeout: hc.timeout,
        retries: hc.retries,
        start_period: hc.startPeriod,
      },
    } : {}),
    // a distroless read-only container has no tools to sync files into: every change rebuilds
    develop: { watch: i.watch.map((path) => ({ path, action: 'rebuild' })) },
  };
  const secrets = Object.fromEntries(settings.buildSecrets.map((id) => {
    const variable = secretFileVariable(id);
    return [id, { file: `\${${variable}:?set ${variable} to the file of the build secret ${id}}` }];
  }));
  return { service, secrets, notes };
}

/** The compose document of several services. */
export function renderComposeDocument(services: readonly { readonly name: string; readonly rendered: RenderedService }[]): Record<string, unknown> {
  const secrets = Object.assign({}, ...services.map((s) => s.rendered.secrets)) as Record<string, unknown>;
  return {
    services: Object.fromEntries(services.map((s) => [s.name, s.rendered.service])),
    ...(Object.keys(secrets).length > 0 ? { secrets } : {}),
  };
}
