/**
 * The resolved model: every default applied, every source (org defaults, the project's props, the
 * family) merged once. Validation, rendering and the org policies read this and nothing else.
 */
import type { AppProps, ConfigMapGeneratorOptions, EnvFromSource, EnvValueSource } from './app-props';

/** A file or folder copied into the runtime image. */
export interface RuntimeCopy {
  /** Source path: in the build context, or in the stage named by `from`. */
  readonly src: string;
  /** Destination, relative to the working directory. */
  readonly dest: string;
  /** Stage to copy from (`build`), or undefined for the build context. */
  readonly from?: string;
}

/** Where a base image reference came from. */
export type ImageOrigin = 'catalog' | 'org' | 'project';

/** A base image and where it came from. */
export interface BaseImage {
  /** The reference as the definition resolves it (a tag, or a digest pinned in the definition). */
  readonly ref: string;
  readonly origin: ImageOrigin;
  /** The digest the project's base-image lock (`msb.lock.json`) pins `ref` to, if any. */
  readonly lockedDigest?: string;
}

/** The reference a `FROM` line names: `ref`, with the lock's digest appended when it pins one. */
export function fromReference(image: BaseImage): string {
  return image.lockedDigest ? `${image.ref}@${image.lockedDigest}` : image.ref;
}

/** The resolved Kubernetes settings. */
export interface KubernetesModel {
  readonly namespace?: string;
  readonly replicas: number;
  readonly servicePort: number;
  readonly serviceType: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
  readonly resources: { readonly cpuRequest: string; readonly memoryRequest: string; readonly memoryLimit: string; readonly cpuLimit?: string };
  /** The container's env in the Deployment: the definition's, with what the family adds (e.g. NODE_OPTIONS) merged in. */
  readonly env: Readonly<Record<string, string>>;
  readonly envFrom: readonly EnvFromSource[];
  readonly envValueFrom: Readonly<Record<string, EnvValueSource>>;
  readonly configMapGenerator?: ConfigMapGeneratorOptions;
  /** Oldest Kubernetes version targeted, `1.<minor>`. */
  readonly minVersion: string;
  readonly startupProbe: { readonly periodSeconds: number; readonly failureThreshold: number };
  /** 0: no preStop hook. */
  readonly preStopSleepSeconds: number;
  readonly terminationGracePeriodSeconds: number;
  /** Topology keys the pods spread over (empty when at most one pod runs). */
  readonly topologySpreadKeys: readonly string[];
  readonly podDisruptionBudget: boolean;
  readonly autoscaling?: { readonly minReplicas: number; readonly maxReplicas: number; readonly targetCpuUtilization: number };
  readonly networkPolicy?: { readonly allowFromNamespaces: readonly string[]; readonly allowFromPodLabels: readonly Record<string, string>[] };
  readonly ingress?: {
    readonly host: string;
    readonly path: string;
    readonly className?: string;
    readonly tlsSecretName?: string;
    readonly annotations: Readonly<Record<string, string>>;
  };
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly podAnnotations: Readonly<Record<string, string>>;
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly tolerations: readonly unknown[];
  readonly priorityClassName?: string;
  readonly allowPodSecurityViolations: boolean;
}

/** One App, resolved. */
export interface AppModel {
  /** The merged props (org defaults under the project's own), kept for messages that show a value as given. */
  readonly definition: AppProps;
  readonly name: string;
  readonly port: number;
  /** HTTP path of the probes; undefined for TCP probes. */
  readonly healthCheckPath?: string;
  /** The app's own routes verify requests (`routes`). */
  readonly routes: readonly string[];
  readonly workdir: string;
  /** The runtime family's name, e.g. `node`. */
  readonly family: string;
  /** What the family resolved (version, CMD, copies, settings). */
  readonly runtime: FamilyResolution;
  readonly baseImages: { readonly builder?: BaseImage; readonly runtime: BaseImage; readonly debug: BaseImage };
  /** The app's own image. */
  readonly image: {
    readonly repository: string;
    readonly tag: string;
    readonly debugTag: string;
    /** Where the tag came from: the definition, the app version, the git commit, or the last fallback. */
    readonly tagSource: 'definition' | 'version' | 'git' | 'fallback';
    readonly digest?: string;
    readonly debugDigest?: string;
    /** `Always` for a moving tag without a digest, else `IfNotPresent`. */
    readonly pullPolicy: 'Always' | 'IfNotPresent';
  };
  /** Environment baked into the image. */
  readonly env: Readonly<Record<string, string>>;
  /** Names in `env` that an org template's defaults set (the project's own definition does not). */
  readonly orgEnv: readonly string[];
  /** Image labels, in the order they are written. */
  readonly labels: Readonly<Record<string, string>>;
  /** Commands at the start of the builder (org `buildSteps`, then `addBaseStep`). */
  readonly builderSteps: readonly string[];
  /** Commands after the sources are copied (`addStep`). */
  readonly buildSteps: readonly string[];
  /** What the runtime stage copies in (the family's, then `addCopy`). */
  readonly copies: readonly RuntimeCopy[];
  readonly kubernetes: KubernetesModel;
  /** The App's service in the local dev loop's compose file; undefined when `compose` is off. */
  readonly compose?: ComposeSettings;
  /** The project's own opt-out of the Dockerfile guarantees (never from an org template). */
  readonly allowInsecureDockerfile: boolean;
  /** The project's own acceptance of an org template's base images (never from an org template). */
  readonly allowOrgBaseImages: boolean;
}

/** The `compose` prop in the model, when on. */
export interface ComposeSettings {
  /** The compose file at the project root, e.g. `compose.yaml`. */
  readonly file: string;
  /** Port on 127.0.0.1 the service is published on. */
  readonly hostPort: number;
  /** Build secret ids the compose build passes, each from the file `$<ID>_FILE` names. */
  readonly buildSecrets: readonly string[];
}

/** What a family resolves the definition to; plain data, recorded in `.projen/msb.json`. */
export interface FamilyResolution {
  /** The runtime line, e.g. `26` for Node.js. */
  readonly version: string;
  /** Upstream base images of the line (full references); the App applies the mirror and overrides. */
  readonly images: { readonly builder?: string; readonly runtime: string; readonly debug: string };
  /** Tag of the debug variant, used when the runtime image is overridden without a debug image. */
  readonly debugTag: string;
  /** OCI platforms the line's runtime image is published for (what a multi-platform release may build), from the catalog. */
  readonly platforms: readonly string[];
  /** uid and gid of the image's non-root user. */
  readonly uid: number;
  readonly gid: number;
  /** What the runtime runs, relative to the working directory. */
  readonly entrypoint: string;
  /**
   * The file or folder of the entrypoint, for the common checks (a relative path the runtime image
   * must hold), when the entrypoint is not a path itself (e.g. a Python module `orders.main:app`
   * lives in `orders`).
   * @default - the entrypoint
   */
  readonly entrypointPath?: string;
  /** CMD in exec form, as the runtime image's ENTRYPOINT expects it. */
  readonly cmd: readonly string[];
  /** The build script and the folder it writes; undefined when there is no build. */
  readonly build?: { readonly script: string; readonly outDir: string };
  /** Files copied from the context before the dependency install (manifest, lockfile, local packages). */
  readonly installFiles: readonly string[];
  /** What the runtime stage copies in (from the context or a stage), in order. */
  readonly copies: readonly RuntimeCopy[];
  /** Image metadata the project itself declares (e.g. in package.json). */
  readonly metadata: { readonly version?: string; readonly description?: string; readonly sourceUrl?: string };
  /** Family-specific resolved settings (e.g. the package manager), JSON-serializable. */
  readonly settings: Readonly<Record<string, unknown>>;
  /** Env the image needs to run (e.g. a framework's bind address); the definition's `env` wins. */
  readonly env?: Readonly<Record<string, string>>;
  /** Folders the app writes under the working directory (relative): emptyDir volumes under the read-only root. */
  readonly writablePaths?: readonly string[];
  /** A folder the runtime image always holds (e.g. `node_modules`): an entrypoint may be inside it. */
  readonly dependencyDir?: string;
}
