import type { ManifestObject, WorkloadModel } from './workload';
import { Ingress } from '../models';
import { metadata } from './metadata';

/**
 * The Ingress: one host and path prefix to the Service's named port, with TLS when a secret is
 * named; its annotations are added to the workload's. Undefined without an ingress.
 * @see https://kubernetes.io/docs/concepts/services-networking/ingress/
 */
export function renderIngress(m: WorkloadModel): ManifestObject | undefined {
  const ing = m.ingress;
  if (!ing) return undefined;
  return new Ingress({
    metadata: metadata(m, { annotations: ing.annotations }),
    spec: {
      ingressClassName: ing.className,
      tls: ing.tlsSecretName ? [{ hosts: [ing.host], secretName: ing.tlsSecretName }] : undefined,
      rules: [
        {
          host: ing.host,
          http: {
            paths: [
              { path: ing.path, pathType: 'Prefix', backend: { service: { name: m.name, port: { name: m.portName } } } },
            ],
          },
        },
      ],
    },
  }).toJSON();
}
