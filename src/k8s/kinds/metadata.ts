/**
 * What every kind shares: the object's metadata, and dropping an empty map so the YAML does not
 * hold `{}` for it.
 */
import type { WorkloadModel } from './workload';

/** The object itself when it has a member, else undefined (left out of the YAML). */
export function nonEmpty<T extends object>(o: T): T | undefined {
  return Object.keys(o).length > 0 ? o : undefined;
}

/**
 * The metadata of every object: the workload's name, namespace and labels, and its annotations
 * merged with the kind's own.
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/
 */
export function metadata(m: WorkloadModel, extra: { annotations?: Record<string, string> } = {}) {
  return {
    name: m.name,
    namespace: m.namespace,
    labels: { ...m.labels },
    annotations: nonEmpty({ ...m.annotations, ...(extra.annotations ?? {}) }),
  };
}
