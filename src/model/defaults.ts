/**
 * The one table of defaults. Every place that needs a default (the App's resolution, validation,
 * the CLI's prompts and `--help`, the README options table) reads it from here; no default is
 * written twice. Family-specific defaults (Node.js line, package manager) live in the family.
 */
export const DEFAULTS = {
  /** Directory (and app name) `create-msb-app` uses when it is given none. */
  projectDirectory: 'msb-app',
  /** Runtime family when the definition names none. */
  family: 'node',
  /** Port the app listens on. */
  port: 8080,
  /** HTTP path of the readiness and liveness probes. */
  healthCheckPath: '/healthz',
  /** Working directory in the image. */
  workdir: '/app',
  /** package.json script that builds the app, and the folder it writes. */
  build: { script: 'build', outDir: 'dist' },
  /** Image tag when the definition and package.json give none. */
  imageTag: 'latest',
  /** Suffix of the debug image's tag. */
  debugTagSuffix: '-debug',
  kubernetes: {
    replicas: 2,
    servicePort: 80,
    serviceType: 'ClusterIP',
    podDisruptionBudget: true,
    resources: { cpuRequest: '100m', memoryRequest: '128Mi', memoryLimit: '256Mi' },
    autoscaling: { minReplicas: 2, maxReplicas: 5, targetCpuUtilization: 75 },
    ingressPath: '/',
  },
} as const;
