/**
 * The kubernetes-models classes this package uses. The published package carries this module as a
 * bundle of just these kinds and their schema validators (built by the post-compile task), so that
 * projects do not install the whole kubernetes-models package (22 MB) to validate seven kinds.
 */
export { Deployment } from 'kubernetes-models/apps/v1/Deployment';
export { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
export { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
export { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
export { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
export { Service } from 'kubernetes-models/v1/Service';
export { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
