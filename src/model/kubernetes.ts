/**
 * Checks of the Kubernetes settings that the schema alone does not catch (names, label syntax,
 * ranges), reported with the field and what is valid.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ignoreMatcher from '@balena/dockerignore';
import type { KubernetesOptions } from '../contract/app-props';
import { DEFAULTS } from '../contract/defaults';
import type { AppModel } from '../contract/model';
import { SECRET_PATTERNS } from '../dockerfile-policy';
import * as v from '../validation';

/** A digest as registries report it. */
export const DIGEST_RULE = 'an image digest "sha256:" followed by 64 lower-case hex digits';
export function isDigest(value: unknown): value is string {
  return typeof value === 'string' && /^sha256:[0-9a-f]{64}$/.test(value);
}

/** `1.30` -> 30; undefined when not a `1.<minor>` version. */
export function kubernetesMinor(version: unknown): number | undefined {
  const m = typeof version === 'string' ? /^v?1\.(\d{1,3})$/.exec(version) : null;
  return m ? Number(m[1]) : undefined;
}

/** The minor version that has the preStop `sleep` action (KEP-3960, on by default since 1.30). */
export const PRESTOP_SLEEP_MINOR = 30;

/** Where kustomize may read generator files from: the base kustomization's folder. */
const GENERATOR_ROOT = 'k8s/base/';

/** A configMapGenerator file: relative, inside k8s/base/, not a secret. */
function generatorFileProblem(file: unknown): string | undefined {
  if (!v.isRelativePath(file)) return v.RELATIVE_PATH_RULE;
  const norm = v.normalizePath(file);
  if (!norm.startsWith(GENERATOR_ROOT) || norm === GENERATOR_ROOT.slice(0, -1)) return `a file inside ${GENERATOR_ROOT} (kustomize reads nothing outside the kustomization's folder), e.g. "${GENERATOR_ROOT}config/app.properties"`;
  if (ignoreMatcher().add(SECRET_PATTERNS).ignores(norm)) return `a file that is not a secret (it matches one of ${SECRET_PATTERNS.join(' ')}): a ConfigMap is readable by anyone who reads the namespace; create a Secret out of band and reference it with kubernetes.envFrom or envValueFrom`;
  return undefined;
}

/** The generator files of the model, with their fields. */
function generatorFiles(model: AppModel): [string, unknown][] {
  const g = model.kubernetes.configMapGenerator;
  if (!g) return [];
  return [
    ...(Array.isArray(g.files) ? g.files.map((f, i): [string, unknown] => [`kubernetes.configMapGenerator.files[${i}]`, f]) : []),
    ...(g.envFile !== undefined ? [['kubernetes.configMapGenerator.envFile', g.envFile] as [string, unknown]] : []),
  ];
}

/** Problems only the project folder shows: configMapGenerator files that do not exist. */
export function validateConfigFiles(p: v.Problems, model: AppModel, projectDir: string): void {
  for (const [field, file] of generatorFiles(model)) {
    if (generatorFileProblem(file) !== undefined) continue; // reported by validateWorkload
    const full = path.join(projectDir, file as string);
    p.check(fs.statSync(full, { throwIfNoEntry: false })?.isFile() === true, field, file, `an existing file of the project (${full} not found)`);
  }
}

/** Problems of the resolved model's workload settings (image pins, shutdown timeline, references). */
export function validateWorkload(p: v.Problems, model: AppModel): void {
  const img = model.image;
  const own = model.definition.image ?? {};
  if (own.digest !== undefined) p.check(isDigest(own.digest), 'image.digest', own.digest, DIGEST_RULE);
  if (own.debugDigest !== undefined) p.check(isDigest(own.debugDigest), 'image.debugDigest', own.debugDigest, DIGEST_RULE);
  if (img.digest !== undefined && img.debugDigest === undefined) {
    p.add('image.debugDigest', undefined, `${DIGEST_RULE}: required when image.digest is set (the debug image has its own digest; without it the debug overlay would run the pinned runtime image)`);
  }
  const k = model.kubernetes;
  const ko = model.definition.kubernetes ?? {};
  const minor = kubernetesMinor(k.minVersion);
  p.check(minor !== undefined, 'kubernetes.minVersion', k.minVersion, 'a Kubernetes version "1.<minor>", e.g. "1.30"');
  const sleep = k.preStopSleepSeconds;
  const grace = k.terminationGracePeriodSeconds;
  const sleepOk = Number.isInteger(sleep) && sleep >= 0 && sleep <= 300;
  p.check(sleepOk, 'kubernetes.preStopSleepSeconds', ko.preStopSleepSeconds, 'a whole number of seconds from 0 (no preStop hook) to 300');
  p.check(Number.isInteger(grace) && grace >= 1 && grace <= 3600, 'kubernetes.terminationGracePeriodSeconds', ko.terminationGracePeriodSeconds, 'a whole number of seconds from 1 to 3600');
  if (sleepOk && Number.isInteger(grace)) {
    p.check(grace > sleep, 'kubernetes.terminationGracePeriodSeconds', grace, `more than kubernetes.preStopSleepSeconds (${sleep}): the app gets SIGTERM after the preStop sleep and must exit before the grace period ends`);
  }
  if (minor !== undefined && minor < PRESTOP_SLEEP_MINOR && sleepOk && sleep > 0) {
    p.add('kubernetes.preStopSleepSeconds', sleep, `0 when kubernetes.minVersion is ${k.minVersion}: the preStop sleep action needs Kubernetes 1.${PRESTOP_SLEEP_MINOR}+ (set kubernetes.minVersion to "1.${PRESTOP_SLEEP_MINOR}" or later, or preStopSleepSeconds: 0 and drain in the app)`);
  }
  if (ko.startupProbeBudgetSeconds !== undefined) {
    const b = ko.startupProbeBudgetSeconds;
    p.check(Number.isInteger(b) && b >= 1 && b <= 3600, 'kubernetes.startupProbeBudgetSeconds', b, 'a whole number of seconds from 1 to 3600');
  }
  if (k.ingress && k.networkPolicy && k.networkPolicy.allowFromNamespaces.length === 0) {
    p.add('kubernetes.networkPolicy.allowFromNamespaces', k.networkPolicy.allowFromNamespaces,
      'the ingress controller\'s namespace (e.g. ["ingress-nginx"]): with kubernetes.ingress the NetworkPolicy must let the controller reach the pods (or set kubernetes.networkPolicy: false)');
  }
  if (ko.envFrom !== undefined && !Array.isArray(ko.envFrom)) p.add('kubernetes.envFrom', ko.envFrom, 'a list such as [{ configMap: "orders-config" }, { secret: "orders-db" }]');
  for (const [i, src] of k.envFrom.entries()) {
    const s = src as Record<string, unknown>;
    const kinds = ['configMap', 'secret'].filter((x) => s[x] !== undefined);
    const name = s[kinds[0]];
    p.check(kinds.length === 1 && v.isDnsSubdomain(name), `kubernetes.envFrom[${i}]`, src, `one of { configMap: "<name>" } or { secret: "<name>" }, the name ${v.DNS_SUBDOMAIN_RULE}`);
    if (s.optional !== undefined) p.check(typeof s.optional === 'boolean', `kubernetes.envFrom[${i}].optional`, s.optional, 'true or false');
  }
  for (const [envName, src] of Object.entries(k.envValueFrom)) {
    const s = (src ?? {}) as Record<string, unknown>;
    const field = `kubernetes.envValueFrom.${envName}`;
    p.check(v.isEnvName(envName), field, envName, `a name that is ${v.ENV_NAME_RULE}`);
    const kinds = ['configMap', 'secret'].filter((x) => s[x] !== undefined);
    const ok = kinds.length === 1 && v.isDnsSubdomain(s[kinds[0]]) && typeof s.key === 'string' && /^[-._a-zA-Z0-9]{1,253}$/.test(s.key);
    p.check(ok, field, src, `{ secret: "<name>", key: "<key>" } or { configMap: "<name>", key: "<key>" }: the name ${v.DNS_SUBDOMAIN_RULE}, the key of letters, digits, "-", "_" and "."`);
    const literal = model.definition.kubernetes?.env ?? {};
    p.check(!Object.prototype.hasOwnProperty.call(literal, envName), field, envName, 'a name not also set in kubernetes.env (one source per variable)');
  }
  const g = k.configMapGenerator;
  if (g) {
    p.check(v.isDnsSubdomain(g.name), 'kubernetes.configMapGenerator.name', g.name, v.DNS_SUBDOMAIN_RULE);
    if (g.files !== undefined && !Array.isArray(g.files)) p.add('kubernetes.configMapGenerator.files', g.files, 'a list of files inside k8s/base/');
    const files = generatorFiles(model);
    p.check(files.length > 0, 'kubernetes.configMapGenerator', g, 'at least one of files or envFile');
    for (const [field, file] of files) {
      const problem = generatorFileProblem(file);
      if (problem) p.add(field, file, problem);
    }
  }
}

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
    ...((k.networkPolicy || {}).allowFromPodLabels ?? []).map((m, i): [string, Record<string, string>] => [`kubernetes.networkPolicy.allowFromPodLabels[${i}]`, m]),
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
  if (k.networkPolicy !== undefined && k.networkPolicy !== false && (typeof k.networkPolicy !== 'object' || k.networkPolicy === null)) {
    p.add('kubernetes.networkPolicy', k.networkPolicy, 'false, or { allowFromNamespaces?, allowFromPodLabels? }');
  }
  for (const ns of (k.networkPolicy || {}).allowFromNamespaces ?? []) {
    p.check(v.isDnsLabel(ns), 'kubernetes.networkPolicy.allowFromNamespaces', ns, v.DNS_LABEL_RULE);
  }
}
