import type { ManifestObject, WorkloadModel } from './workload';
import { ServiceAccount } from '../models';
import { metadata } from './metadata';

/**
 * The ServiceAccount the pod runs as, without an API token: the app does not call the Kubernetes API.
 * @see https://kubernetes.io/docs/concepts/security/service-accounts/
 */
export function renderServiceAccount(m: WorkloadModel): ManifestObject {
  return new ServiceAccount({
    metadata: metadata(m),
    // The app does not call the Kubernetes API: no token in the pod.
    automountServiceAccountToken: false,
  }).toJSON();
}
