/**
 * A check of a pod template against the Pod Security Standards "restricted" profile.
 *
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
 */
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';

const ALLOWED_VOLUME_TYPES = new Set([
  'configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret',
]);

/**
 * Returns one message per violation of the "restricted" profile (baseline included), empty when the
 * pod passes. Paths are relative to the pod spec, e.g. `containers[0].securityContext.runAsNonRoot`.
 */
export function podSecurityViolations(spec: IPodSpec): string[] {
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
  const podSeccomp = podSc.seccompProfile?.type;
  const all = [
    ...(spec.initContainers ?? []).map((c, i) => ({ c, where: `initContainers[${i}]` })),
    ...spec.containers.map((c, i) => ({ c, where: `containers[${i}]` })),
  ];
  for (const { c, where } of all) {
    const sc = c.securityContext ?? {};
    if (sc.privileged) out.push(`${where}.securityContext.privileged must not be true`);
    if (sc.allowPrivilegeEscalation !== false) out.push(`${where}.securityContext.allowPrivilegeEscalation must be false`);
    const runAsNonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
    if (runAsNonRoot !== true) out.push(`${where}.securityContext.runAsNonRoot must be true (on the container or the pod)`);
    if (sc.runAsUser === 0) out.push(`${where}.securityContext.runAsUser must not be 0`);
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
