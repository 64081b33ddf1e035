/**
 * Escape hatches on the Kubernetes objects: typed patches and dotted-path overrides, applied before
 * the objects are validated and written.
 */
import { IConstruct } from 'constructs';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { Component } from 'projen/lib/component';
import { ManifestKind, ManifestObject, prune } from './manifests';
import { assertSafeKey } from '../util/safe-object';

/** The typed shape of each kind, for patches. */
export interface ManifestTypes {
  Deployment: IDeployment;
  Service: IService;
  ServiceAccount: IServiceAccount;
  PodDisruptionBudget: IPodDisruptionBudget;
  HorizontalPodAutoscaler: IHorizontalPodAutoscaler;
  NetworkPolicy: INetworkPolicy;
  Ingress: IIngress;
}

type Patch = (obj: any) => void;

/** Typed access to the manifests before they are written. */
export class KubernetesManifests extends Component {
  private readonly patches: { kind: ManifestKind; fn: Patch }[] = [];
  private readonly overrides: { kind: ManifestKind; path: string; value: unknown }[] = [];

  constructor(scope: IConstruct) {
    super(scope, 'Kubernetes');
  }

  /**
   * Changes an object before it is validated and written (escape hatch). The object is typed as
   * its kind (`IDeployment` for `Deployment`, ...); it is schema-checked after the patch.
   */
  addPatch<K extends ManifestKind>(kind: K, fn: (obj: ManifestTypes[K]) => void): void {
    this.patches.push({ kind, fn });
  }

  /**
   * Sets a value at a dotted path (`spec.template.spec.containers.0.image`); `undefined` deletes it.
   * A dot inside a key is written `\\.` (e.g. `metadata.annotations.example\\.com/team`).
   */
  addOverride(kind: ManifestKind, dottedPath: string, value: unknown): void {
    // `__proto__`, `constructor` and `prototype` would reach Object.prototype: an UnsafeKeyError, now.
    for (const key of overrideKeys(dottedPath)) assertSafeKey(key, `addOverride('${kind}', '${dottedPath}')`);
    this.overrides.push({ kind, path: dottedPath, value });
  }

  /** Applies patches and overrides in the order they were added. */
  apply(kind: ManifestKind, obj: ManifestObject): ManifestObject {
    for (const p of this.patches) if (p.kind === kind) p.fn(obj);
    for (const o of this.overrides) if (o.kind === kind) setPath(obj, o.path, o.value);
    return prune(obj);
  }
}

function overrideKeys(dotted: string): string[] {
  return dotted.split(/(?<!\\)\./).map((k) => k.replace(/\\\./g, '.'));
}

function setPath(obj: ManifestObject, dotted: string, value: unknown): void {
  const keys = overrideKeys(dotted);
  for (const key of keys) assertSafeKey(key, `override path ${dotted}`);
  let cur: any = obj;
  for (const key of keys.slice(0, -1)) {
    if (cur[key] === undefined || typeof cur[key] !== 'object') cur[key] = /^\d+$/.test(key) ? [] : {};
    cur = cur[key];
  }
  const last = keys[keys.length - 1];
  if (value === undefined) delete cur[last];
  else cur[last] = value;
}
