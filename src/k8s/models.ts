/**
 * The kubernetes-models classes this package uses. The published package carries them as
 * lib/k8s/models.bundle.js, a bundle of just these kinds and their schema validators (built by the
 * post-compile task, at a path `tsc` does not write), so that projects do not install the whole
 * kubernetes-models package (22 MB) to validate seven kinds. Without the bundle (sources run
 * directly, e.g. in tests) the kinds come from kubernetes-models itself.
 */
/* eslint-disable @typescript-eslint/no-require-imports */

interface Kinds {
  Deployment: typeof import('kubernetes-models/apps/v1/Deployment').Deployment;
  HorizontalPodAutoscaler: typeof import('kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler').HorizontalPodAutoscaler;
  Ingress: typeof import('kubernetes-models/networking.k8s.io/v1/Ingress').Ingress;
  NetworkPolicy: typeof import('kubernetes-models/networking.k8s.io/v1/NetworkPolicy').NetworkPolicy;
  PodDisruptionBudget: typeof import('kubernetes-models/policy/v1/PodDisruptionBudget').PodDisruptionBudget;
  Service: typeof import('kubernetes-models/v1/Service').Service;
  ServiceAccount: typeof import('kubernetes-models/v1/ServiceAccount').ServiceAccount;
}

/** The bundle's file name next to this module (written by the post-compile task). */
export const MODELS_BUNDLE = 'models.bundle.js';

function load(): Kinds {
  try {
    return require(`./${MODELS_BUNDLE}`) as Kinds;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    // Node says MODULE_NOT_FOUND; a bundler that inlined this module says so without a code.
    if ((err.code !== undefined && err.code !== 'MODULE_NOT_FOUND') || !String(err.message).includes(MODELS_BUNDLE)) throw e;
  }
  return {
    Deployment: require('kubernetes-models/apps/v1/Deployment').Deployment,
    HorizontalPodAutoscaler: require('kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler').HorizontalPodAutoscaler,
    Ingress: require('kubernetes-models/networking.k8s.io/v1/Ingress').Ingress,
    NetworkPolicy: require('kubernetes-models/networking.k8s.io/v1/NetworkPolicy').NetworkPolicy,
    PodDisruptionBudget: require('kubernetes-models/policy/v1/PodDisruptionBudget').PodDisruptionBudget,
    Service: require('kubernetes-models/v1/Service').Service,
    ServiceAccount: require('kubernetes-models/v1/ServiceAccount').ServiceAccount,
  };
}

const kinds = load();
export const Deployment = kinds.Deployment;
export const HorizontalPodAutoscaler = kinds.HorizontalPodAutoscaler;
export const Ingress = kinds.Ingress;
export const NetworkPolicy = kinds.NetworkPolicy;
export const PodDisruptionBudget = kinds.PodDisruptionBudget;
export const Service = kinds.Service;
export const ServiceAccount = kinds.ServiceAccount;
