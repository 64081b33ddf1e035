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
  /**
   * Image tag when the definition gives none: the app version (package.json), else
   * `<gitTagPrefix><short commit>` in a git repository with a commit, else this (with a warning).
   * Never `latest`.
   */
  imageTag: '0.0.0-dev',
  /** Prefix of the tag made from the git short commit. */
  gitTagPrefix: '0.0.0-',
  /**
   * Tags documented or commonly used as moving: set explicitly they get `imagePullPolicy: Always`
   * and a warning (a digest pin, `image.digest`, makes them safe).
   */
  movingTags: ['latest', 'main', 'master', 'dev', 'edge', 'nightly', 'stable'],
  /** Suffix of the debug image's tag. */
  debugTagSuffix: '-debug',
  /** Time limit of each registry request of `create-msb-app lock`, in seconds. */
  registryTimeoutSeconds: 20,
  /** The local dev loop (`compose`): the compose file at the project root. */
  compose: { file: 'compose.yaml' },
  kubernetes: {
    replicas: 2,
    servicePort: 80,
    serviceType: 'ClusterIP',
    podDisruptionBudget: true,
    resources: { cpuRequest: '100m', memoryRequest: '128Mi', memoryLimit: '256Mi' },
    autoscaling: { minReplicas: 2, maxReplicas: 5, targetCpuUtilization: 75 },
    ingressPath: '/',
    /** Oldest Kubernetes minor the manifests target (the preStop `sleep` action needs 1.30). */
    minVersion: '1.30',
    /** Startup probe: the app has periodSeconds x failureThreshold to pass it before liveness applies. */
    startupProbe: { budgetSeconds: 60, periodSeconds: 5 },
    /** Seconds the pod keeps serving after it is marked terminating, while endpoints update. */
    preStopSleepSeconds: 5,
    terminationGracePeriodSeconds: 30,
    /** The NetworkPolicy is on unless `kubernetes.networkPolicy: false`. */
    networkPolicy: true,
    /** Topology keys the pods are spread over when more than one may run (ScheduleAnyway). */
    topologySpreadKeys: ['kubernetes.io/hostname', 'topology.kubernetes.io/zone'],
  },
} as const;
