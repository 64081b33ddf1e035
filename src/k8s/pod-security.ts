/**
 * A check of a pod template against the Pod Security Standards "restricted" profile.
 *
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
 */
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';

const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes',
]);
const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);

interface SecurityContextLike {
  seLinuxOptions?: { type?: string; user?: string; role?: string };
  windowsOptions?: { hostProcess?: boolean };
  appArmorProfile?: { type?: string };
  seccompProfile?: { type?: string };
}

/** Rules shared by the pod and container security contexts. */
function contextViolations(sc: SecurityContextLike, where: string): string[] {
  const out: string[] = [];
  const se = sc.seLinuxOptions;
  if (se && !SELINUX_TYPES.has(se.type ?? '')) out.push(`${where}.seLinuxOptions.type must be one of container_t, container_init_t, container_kvm_t, container_engine_t`);
  if (se?.user || se?.role) out.push(`${where}.seLinuxOptions.user and .role must not be set`);
  if (sc.windowsOptions?.hostProcess) out.push(`${where}.windowsOptions.hostProcess must not be true`);
  const aa = sc.appArmorProfile?.type;
  if (aa !== undefined && aa !== 'RuntimeDefault' && aa !== 'Localhost') out.push(`${where}.appArmorProfile.type must be RuntimeDefault or Localhost`);
  const sec = sc.seccompProfile?.type;
  if (sec !== undefined && sec !== 'RuntimeDefault' && sec !== 'Localhost') out.push(`${where}.seccompProfile.type must be RuntimeDefault or Localhost`);
  return out;
}

const ALLOWED_VOLUME_TYPES = new Set([
  'configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret',
]);

/**
 * Returns one message per violation of the "restricted" profile (baseline included), empty when the
 * pod passes. Paths are relative to the pod spec, e.g. `containers[0].securityContext.runAsNonRoot`.
 */
export function podSecurityViolations(spec: IPodSpec, podAnnotations: Record<string, string> = {}): string[] {
  const out: string[] = [];
  const podSc = spec.securityContext ?? {};
  if (spec.hostNetwork) out.push('hostNetwork must not be true');
  if (spec.hostPID) out.push('hostPID must not be true');
  if (spec.hostIPC) out.push('hostIPC must not be true');
  for (const [i, v] of (spec.volumes ?? []).entries()) {
    const types = Object.keys(v).filter((k) => k !== 'name');
    for (const t of types) if (!ALLOWED_VOLUME_TYPES.has(t)) out.push(`volumes[${i}] uses type "${t}", not allowed`);
  }
  if (podSc.runAsUser === 0) out.push('securityContext.runAsUser must not be 0');
  out.push(...contextViolations(podSc, 'securityContext'));
  for (const sysctl of podSc.sysctls ?? []) {
    if (!SAFE_SYSCTLS.has(sysctl.name)) out.push(`securityContext.sysctls: ${sysctl.name} is not a safe sysctl`);
  }
  for (const [key, value] of Object.entries(podAnnotations)) {
    if (key.startsWith('container.apparmor.security.beta.kubernetes.io/') && value !== 'runtime/default' && !value.startsWith('localhost/')) {
      out.push(`annotation ${key} must be runtime/default or localhost/<profile>`);
    }
  }
  const podSeccomp = podSc.seccompProfile?.type;
  const all = [
    ...(spec.initContainers ?? []).map((c, i) => ({ c, where: `initContainers[${i}]` })),
    ...spec.containers.map((c, i) => ({ c, where: `containers[${i}]` })),
    ...(spec.ephemeralContainers ?? []).map((c, i) => ({ c, where: `ephemeralContainers[${i}]` })),
  ];
  for (const { c, where } of all) {
    const sc = (c.securityContext ?? {}) as NonNullable<typeof c.securityContext> & SecurityContextLike;
    if (sc.privileged) out.push(`${where}.securityContext.privileged must not be true`);
    if (sc.allowPrivilegeEscalation !== false) out.push(`${where}.securityContext.allowPrivilegeEscalation must be false`);
    const runAsNonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
    if (runAsNonRoot !== true) out.push(`${where}.securityContext.runAsNonRoot must be true (on the container or the pod)`);
    if (sc.runAsUser === 0) out.push(`${where}.securityContext.runAsUser must not be 0`);
    if (sc.procMount !== undefined && sc.procMount !== 'Default') out.push(`${where}.securityContext.procMount must be Default`);
    out.push(...contextViolations(sc, `${where}.securityContext`).filter((x) => !x.includes('seccompProfile')));
    const seccomp = sc.seccompProfile?.type ?? podSeccomp;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') {
      out.push(`${where}.securityContext.seccompProfile.type must be RuntimeDefault or Localhost (on the container or the pod)`);
    }
    const drop = sc.capabilities?.drop ?? [];
    if (!drop.includes('ALL')) out.push(`${where}.securityContext.capabilities.drop must include ALL`);
    for (const cap of sc.capabilities?.add ?? []) {
      if (cap !== 'NET_BIND_SERVICE') out.push(`${where}.securityContext.capabilities.add must not add ${cap}`);
    }
    for (const [j, p] of (c.ports ?? []).entries()) {
      if (p.hostPort) out.push(`${where}.ports[${j}].hostPort must not be set`);
    }
  }
  return out;
}
