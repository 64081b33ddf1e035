import type { ManifestObject, WorkloadModel } from './workload';
import { Service } from '../models';
import { metadata } from './metadata';

/**
 * The Service in front of the pods: the service port to the container's named port.
 * @see https://kubernetes.io/docs/concepts/services-networking/service/
 */
export function renderService(m: WorkloadModel): ManifestObject {
  return new Service({
    metadata: metadata(m),
    spec: {
      type: m.serviceType,
      selector: { ...m.selectorLabels },
      ports: [{ name: m.portName, port: m.servicePort, targetPort: m.portName, protocol: 'TCP' }],
    },
  }).toJSON();
}
