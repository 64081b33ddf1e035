import type { ManifestObject, WorkloadModel } from './workload';
import { NetworkPolicy } from '../models';
import { metadata } from './metadata';

/**
 * The NetworkPolicy: ingress to the app port only, from the same namespace (all its pods, or the
 * listed label sets) and from every pod of the listed namespaces; undefined without a policy.
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */
export function renderNetworkPolicy(m: WorkloadModel): ManifestObject | undefined {
  if (!m.networkPolicy) return undefined;
  const sameNamespace = m.networkPolicy.allowFromPodLabels.length > 0
    ? m.networkPolicy.allowFromPodLabels.map((labels) => ({ podSelector: { matchLabels: { ...labels } } }))
    : [{ podSelector: {} }];
  const from = [
    ...sameNamespace,
    ...m.networkPolicy.allowFromNamespaces.map((ns) => ({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } },
    })),
  ];
  return new NetworkPolicy({
    metadata: metadata(m),
    spec: {
      podSelector: { matchLabels: { ...m.selectorLabels } },
      policyTypes: ['Ingress'],
      // Only the app port is open, and only to these sources.
      ingress: [
        {
          from,
          ports: [{ port: m.portName, protocol: 'TCP' }],
        },
      ],
    },
  }).toJSON();
}
