import type { ManifestObject, WorkloadModel } from './workload';
import { HorizontalPodAutoscaler } from '../models';
import { metadata } from './metadata';

/**
 * The HorizontalPodAutoscaler of the Deployment on CPU utilization; undefined without autoscaling.
 * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/
 */
export function renderHorizontalPodAutoscaler(m: WorkloadModel): ManifestObject | undefined {
  if (!m.autoscaling) return undefined;
  return new HorizontalPodAutoscaler({
    metadata: metadata(m),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: m.name },
      minReplicas: m.autoscaling.minReplicas,
      maxReplicas: m.autoscaling.maxReplicas,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: m.autoscaling.targetCpuUtilization } },
        },
      ],
    },
  }).toJSON();
}
