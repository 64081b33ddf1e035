/**
 * Checks of the Kubernetes settings that the schema alone does not catch (names, label syntax,
 * ranges), reported with the field and what is valid.
 */
import type { KubernetesOptions } from '../app-props';
import { DEFAULTS } from '../model/defaults';
import * as v from '../validation';

/** Adds a problem for every invalid Kubernetes setting. */
export function validateKubernetes(p: v.Problems, k: KubernetesOptions): void {
  if (k.namespace !== undefined) p.check(v.isDnsLabel(k.namespace), 'kubernetes.namespace', k.namespace, v.DNS_LABEL_RULE);
  if (k.replicas !== undefined) p.check(Number.isInteger(k.replicas) && k.replicas >= 0, 'kubernetes.replicas', k.replicas, 'a whole number, 0 or more');
  if (k.servicePort !== undefined) p.check(v.isPort(k.servicePort), 'kubernetes.servicePort', k.servicePort, v.PORT_RULE);
  if (k.serviceType !== undefined) p.check(['ClusterIP', 'NodePort', 'LoadBalancer'].includes(k.serviceType), 'kubernetes.serviceType', k.serviceType, 'one of "ClusterIP", "NodePort", "LoadBalancer"');
  for (const [key, value] of Object.entries(k.resources ?? {})) {
    if (value !== undefined) p.check(v.isQuantity(value), `kubernetes.resources.${key}`, value, v.QUANTITY_RULE);
  }
  for (const [name, value] of Object.entries(k.env ?? {})) {
    p.check(v.isEnvName(name), `kubernetes.env.${name}`, name, `a name that is ${v.ENV_NAME_RULE}`);
    p.check(typeof value === 'string', `kubernetes.env.${name}`, value, 'a string');
  }
  const a = k.autoscaling;
  if (a) {
    const min = a.minReplicas ?? DEFAULTS.kubernetes.autoscaling.minReplicas;
    const max = a.maxReplicas ?? DEFAULTS.kubernetes.autoscaling.maxReplicas;
    p.check(Number.isInteger(min) && min >= 1, 'kubernetes.autoscaling.minReplicas', a.minReplicas, 'a whole number, 1 or more');
    p.check(Number.isInteger(max) && max >= min, 'kubernetes.autoscaling.maxReplicas', a.maxReplicas, `a whole number, at least minReplicas (${min})`);
    if (a.targetCpuUtilization !== undefined) {
      p.check(Number.isInteger(a.targetCpuUtilization) && a.targetCpuUtilization >= 1 && a.targetCpuUtilization <= 100, 'kubernetes.autoscaling.targetCpuUtilization', a.targetCpuUtilization, 'a percentage from 1 to 100');
    }
  }
  if (k.ingress) {
    p.check(typeof k.ingress.host === 'string' && /^(\*\.)?([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)*[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(k.ingress.host), 'kubernetes.ingress.host', k.ingress.host, 'a DNS name such as "orders.example.com"');
    if (k.ingress.path !== undefined) p.check(v.isHttpPath(k.ingress.path), 'kubernetes.ingress.path', k.ingress.path, v.HTTP_PATH_RULE);
  }
  const labelMaps: [string, Record<string, string> | undefined][] = [
    ['kubernetes.labels', k.labels],
    ['kubernetes.nodeSelector', k.nodeSelector],
    ...(k.networkPolicy?.allowFromPodLabels ?? []).map((m, i): [string, Record<string, string>] => [`kubernetes.networkPolicy.allowFromPodLabels[${i}]`, m]),
  ];
  for (const [field, map] of labelMaps) {
    for (const [key, value] of Object.entries(map ?? {})) {
      p.check(v.isQualifiedName(key), `${field}.${key}`, key, v.QUALIFIED_NAME_RULE);
      p.check(v.isLabelValue(value), `${field}.${key}`, value, v.LABEL_VALUE_RULE);
    }
  }
  for (const [field, map] of [['kubernetes.annotations', k.annotations], ['kubernetes.podAnnotations', k.podAnnotations], ['kubernetes.ingress.annotations', k.ingress?.annotations]] as const) {
    for (const [key, value] of Object.entries(map ?? {})) {
      p.check(v.isQualifiedName(key), `${field}.${key}`, key, v.QUALIFIED_NAME_RULE);
      p.check(typeof value === 'string', `${field}.${key}`, value, 'a string');
    }
  }
  if (k.tolerations !== undefined) {
    const ok = Array.isArray(k.tolerations) && k.tolerations.every((t) => typeof t === 'object' && t !== null && !Array.isArray(t));
    p.check(ok, 'kubernetes.tolerations', k.tolerations, 'a list of tolerations such as [{ "key": "pool", "operator": "Equal", "value": "general", "effect": "NoSchedule" }]');
  }
  if (k.priorityClassName !== undefined) p.check(v.isDnsSubdomain(k.priorityClassName), 'kubernetes.priorityClassName', k.priorityClassName, v.DNS_SUBDOMAIN_RULE);
  if (k.ingress?.className !== undefined) p.check(v.isDnsSubdomain(k.ingress.className), 'kubernetes.ingress.className', k.ingress.className, v.DNS_SUBDOMAIN_RULE);
  if (k.ingress?.tlsSecretName !== undefined) p.check(v.isDnsSubdomain(k.ingress.tlsSecretName), 'kubernetes.ingress.tlsSecretName', k.ingress.tlsSecretName, v.DNS_SUBDOMAIN_RULE);
  for (const ns of k.networkPolicy?.allowFromNamespaces ?? []) {
    p.check(v.isDnsLabel(ns), 'kubernetes.networkPolicy.allowFromNamespaces', ns, v.DNS_LABEL_RULE);
  }
}
