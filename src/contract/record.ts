/**
 * The record synthesis leaves behind and the paths it writes: what verify and the base-image lock
 * read instead of the generated files' text. Plain data and types; nothing here renders or loads.
 */

/** Where checksums and template provenance are recorded (tracked, generated). */
export const RECORD_FILE = '.projen/msb.json';

/**
 * The base-image lock at the project (repository) root: written by `create-msb-app lock`, read by
 * synthesis, which then pins every FROM line by digest. Projects without it are not affected.
 */
export const BASE_IMAGE_LOCK_FILE = 'msb.lock.json';

/** The Dockerfiles component's paths. */
export const DOCKERFILE_PATHS = { dockerfile: 'Dockerfile', debugDockerfile: 'Dockerfile.debug', dockerignore: '.dockerignore' } as const;

/** Where the manifests are written. */
export const KUBERNETES_PATHS = { base: 'k8s/base', debugOverlay: 'k8s/overlays/debug' } as const;

/** The generated paths: part of the product's contract. */
export const OUTPUT_PATHS = { ...DOCKERFILE_PATHS, ...KUBERNETES_PATHS } as const;

/** What the record holds. */
export interface GenerationRecord {
  /** create-msb-app version that wrote the files. */
  readonly generator: string;
  /** path -> sha256 of the content written. */
  readonly files: Record<string, string>;
  /** path -> template sources that supplied the file, e.g. ["built-in"]. */
  readonly templates: Record<string, string[]>;
  /**
   * The resolved model the files were rendered from (family, images, uid/gid, CMD, stages...): what
   * `create-msb-app verify` reads as the intent, instead of guessing it from the Dockerfile text.
   */
  readonly model?: unknown;
  /** The resolved models of a workspace's Apps, by folder (e.g. `apps/web`). */
  readonly apps?: Record<string, unknown>;
}

/** What the generation record holds about the App. */
export interface RecordedModel {
  readonly name: string;
  readonly family: string;
  readonly version: string;
  readonly port: number;
  readonly healthCheckPath?: string;
  readonly workdir: string;
  readonly uid: number;
  readonly gid: number;
  readonly entrypoint: string;
  readonly cmd: readonly string[];
  readonly stages: readonly string[];
  /** The base images as the definition resolves them (tags; digests only where the definition pins them, not the lock's). */
  readonly baseImages: { readonly builder?: string; readonly runtime: string; readonly debug: string };
  readonly image: string;
  readonly debugImage: string;
  readonly build?: { readonly script: string; readonly outDir: string };
  readonly installFiles: readonly string[];
  readonly copies: readonly { readonly src: string; readonly dest: string; readonly from?: string }[];
  readonly env: Readonly<Record<string, string>>;
  readonly memoryLimit: string;
  readonly settings: Readonly<Record<string, unknown>>;
  /** What `create-msb-app verify` checks the images against. */
  readonly verify: VerifyModel;
}

/** The slice of the resolved model verify needs. */
export interface VerifyModel {
  /** Runtime family, e.g. `node` or `static`; selects the verify profile. */
  readonly family: string;
  /** App name (labels, resource names); names the images verify builds. */
  readonly name: string;
  /** WORKDIR of the runtime image. */
  readonly workdir: string;
  /** Port the app listens on (EXPOSE, containerPort). */
  readonly port: number;
  /** uid and gid the runtime image runs as (USER, runAsUser/runAsGroup). */
  readonly uid: number;
  readonly gid: number;
  /** HTTP path of the probes; `undefined` when the probes use TCP. */
  readonly healthPath?: string;
  /** ENTRYPOINT written into the runtime stage; `undefined` keeps the base image's. */
  readonly entrypoint?: readonly string[];
  /** CMD of the runtime stage (exec form); empty when there is none. */
  readonly cmd: readonly string[];
  /** Base images: the builder (none without a build stage), the runtime and the debug runtime. */
  readonly images: { readonly builder?: string; readonly runtime: string; readonly debug: string };
  /** Whether the Dockerfile builds the app (the image then holds build output, not sources). */
  readonly hasBuild: boolean;
  /**
   * Stage names of the Dockerfile: the dependency install, the build, the traced dependency tree
   * (`slim`: the runtime stage copies it instead of the dependency stage's), the runtime stage.
   */
  readonly stages: { readonly dependencies?: string; readonly build?: string; readonly traced?: string; readonly runtime: string };
  /** The name of the family's package manager, where it has one. */
  readonly packageManager?: string;
  /** env of the Deployment's container. */
  readonly env: Readonly<Record<string, string>>;
  /** The app's own routes (`routes`), requested besides the health path. */
  readonly routes?: readonly string[];
}
