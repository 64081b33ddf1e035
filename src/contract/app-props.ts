/**
 * The props of an App: everything a service's definition can say, with its defaults.
 */
export type { RuntimeOptions } from './options';
import type { IToleration } from 'kubernetes-models/v1/Toleration';
import type { RuntimeOptions } from './options';
import type { TemplateFolder } from './template-folder';

/** How the app is built. */
export interface BuildOptions {
  /**
   * package.json script that builds the app.
   * @default "build"
   */
  readonly script?: string;
  /**
   * Folder the build writes; copied into the runtime image (the sources are not).
   * @default "dist"
   */
  readonly outDir?: string;
}

/** Base image overrides, for a registry mirror or digest pins. */
export interface BaseImageOptions {
  /**
   * Registry host that replaces the registry of the default images
   * (`docker.io`, `gcr.io`), e.g. `mirror.example.com`.
   * @default - the upstream registries
   */
  readonly mirror?: string;
  /**
   * Builder image reference, e.g. `mirror.example.com/node:26-trixie@sha256:...`.
   * @default "docker.io/library/node:<nodeVersion>-trixie"
   */
  readonly builder?: string;
  /**
   * Runtime image reference.
   * @default "gcr.io/distroless/nodejs<nodeVersion>-debian13:nonroot"
   */
  readonly runtime?: string;
  /**
   * Debug image reference (the same image with a busybox shell). Required when `runtime` is pinned
   * by digest, since the debug variant has its own digest.
   * @default - the runtime repository with the `debug-nonroot` tag
   */
  readonly debug?: string;
}

/** Container image of the app itself. */
export interface ImageOptions {
  /**
   * Repository the image is pushed to.
   * @default - the app name
   */
  readonly repository?: string;
  /**
   * Tag of the runtime image; the debug image is tagged `<tag>-debug`. A moving tag (`latest`,
   * `main`, `master`, `dev`, `edge`, `nightly`, `stable`) gets `imagePullPolicy: Always` and a
   * warning unless `digest` pins the image.
   * @default - the app version (package.json), else `0.0.0-<git short commit>`, else `0.0.0-dev` (with a warning); never `latest`
   */
  readonly tag?: string;
  /**
   * Digest of the runtime image (`sha256:<64 hex>`): the Deployment runs `<repository>:<tag>@<digest>`.
   * Requires `debugDigest`, since the debug image has its own digest.
   * @default - no digest (the tag alone)
   * @see https://kubernetes.io/docs/concepts/containers/images/#image-names
   */
  readonly digest?: string;
  /**
   * Digest of the debug image (`sha256:<64 hex>`), set by the debug overlay (kustomize `images[].digest`).
   * @default - no digest
   */
  readonly debugDigest?: string;
  /**
   * An exec-form `HEALTHCHECK` in the image for docker and compose users (Kubernetes ignores it and
   * uses the probes): Node's own `fetch` of `healthCheckPath` on `PORT`, no shell. Node.js family
   * only; needs an HTTP `healthCheckPath`. Podman keeps a HEALTHCHECK only with `--format docker`
   * (the OCI image format has no health check).
   * @default false
   */
  readonly healthcheck?: boolean;
}

/** Autoscaling on CPU. */
export interface AutoscalingOptions {
  /** @default 2 */
  readonly minReplicas?: number;
  /** @default 5 */
  readonly maxReplicas?: number;
  /** @default 75 */
  readonly targetCpuUtilization?: number;
}

/** Ingress for the Service. */
export interface IngressOptions {
  /** Host name, e.g. `orders.example.com`. */
  readonly host: string;
  /** @default "/" */
  readonly path?: string;
  /** @default - the cluster's default IngressClass */
  readonly className?: string;
  /** Secret holding the TLS certificate. @default - no TLS */
  readonly tlsSecretName?: string;
  /** @default {} */
  readonly annotations?: Record<string, string>;
}

/**
 * Who may reach the app port. The NetworkPolicy admits the pods of the same namespace (or only those
 * of `allowFromPodLabels`) plus every pod of `allowFromNamespaces`; nothing else reaches the pods.
 */
export interface NetworkPolicyOptions {
  /**
   * Namespaces whose pods may connect. With `kubernetes.ingress`, the ingress controller's namespace
   * (e.g. `ingress-nginx`) must be listed.
   * @default - none
   */
  readonly allowFromNamespaces?: string[];
  /** Pod label sets (same namespace) that may connect. @default - none: any pod of the namespace */
  readonly allowFromPodLabels?: Record<string, string>[];
}

/** Environment variables loaded whole from a ConfigMap or a Secret (`envFrom`). */
export type EnvFromSource =
  | {
    /** Name of the ConfigMap (e.g. one of `configMapGenerator`). */
    readonly configMap: string;
    /** The pod starts even when it does not exist. @default false */
    readonly optional?: boolean;
  }
  | {
    /** Name of the Secret; its values never appear in the manifests. */
    readonly secret: string;
    /** @default false */
    readonly optional?: boolean;
  };

/** One environment variable read from a key of a Secret or a ConfigMap (`valueFrom`). */
export type EnvValueSource =
  | { readonly secret: string; readonly key: string }
  | { readonly configMap: string; readonly key: string };

/** A ConfigMap kustomize generates from files of the project (`configMapGenerator`). */
export interface ConfigMapGeneratorOptions {
  /** Name of the ConfigMap (kustomize appends a content hash and rewrites the references). */
  readonly name: string;
  /**
   * Files whose content becomes a key each (the file name), relative to the project and inside
   * `k8s/base/` (kustomize reads nothing outside a kustomization's folder); never a secret file.
   * @default []
   */
  readonly files?: string[];
  /** A `KEY=value` file, relative to the project and inside `k8s/base/`. @default - none */
  readonly envFile?: string;
}

/** Resource requests and limits. */
export interface ResourceOptions {
  /** @default "100m" */
  readonly cpuRequest?: string;
  /** @default "128Mi" */
  readonly memoryRequest?: string;
  /** @default "256Mi" */
  readonly memoryLimit?: string;
  /** No CPU limit by default: throttling hurts latency more than it protects neighbours. @default - none */
  readonly cpuLimit?: string;
}

/** Kubernetes settings. */
export interface KubernetesOptions {
  /** @default - none (kubectl's current namespace) */
  readonly namespace?: string;
  /** @default 2 */
  readonly replicas?: number;
  /** @see https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/ */
  readonly resources?: ResourceOptions;
  /** Environment of the container in the Deployment only (not baked into the image). @default {} */
  readonly env?: Record<string, string>;
  /** Service port; the Service targets the named container port. @default 80 */
  readonly servicePort?: number;
  /** @default "ClusterIP" */
  readonly serviceType?: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
  /** A PodDisruptionBudget (maxUnavailable 1) when more than one replica runs. @default true */
  readonly podDisruptionBudget?: boolean;
  /** @default - no HorizontalPodAutoscaler */
  readonly autoscaling?: AutoscalingOptions;
  /**
   * Ingress to the app port from the same namespace plus what is listed; `false` writes no NetworkPolicy.
   * @default {} (on: the same namespace only)
   * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
   */
  readonly networkPolicy?: NetworkPolicyOptions | false;
  /**
   * Whole ConfigMaps or Secrets loaded as environment variables, e.g. `[{ secret: 'orders-db' }]`.
   * @default []
   * @see https://kubernetes.io/docs/tasks/configure-pod-container/configure-pod-configmap/#configure-all-key-value-pairs-in-a-configmap-as-container-environment-variables
   */
  readonly envFrom?: EnvFromSource[];
  /**
   * Single environment variables read from a key, e.g. `{ DB_PASSWORD: { secret: 'orders-db', key: 'password' } }`.
   * @default {}
   * @see https://kubernetes.io/docs/concepts/configuration/secret/#using-a-secret
   */
  readonly envValueFrom?: Record<string, EnvValueSource>;
  /**
   * A ConfigMap generated by kustomize from files in `k8s/base/` (rendered into kustomization.yaml).
   * @default - none
   * @see https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/configmapgenerator/
   */
  readonly configMapGenerator?: ConfigMapGeneratorOptions;
  /**
   * Oldest Kubernetes version (`1.<minor>`) the manifests must run on. The preStop `sleep` action
   * needs 1.30: an older target requires `preStopSleepSeconds: 0`.
   * @default "1.30"
   */
  readonly minVersion?: string;
  /**
   * Seconds the app has to pass its startup probe (same check as liveness, every 5 s) before the
   * liveness probe applies; rounded up to a multiple of 5.
   * @default 60
   */
  readonly startupProbeBudgetSeconds?: number;
  /**
   * Seconds the container keeps running after the pod is marked terminating (native `sleep`
   * preStop action), while endpoints stop sending it requests; 0 for none.
   * @default 5
   * @see https://kubernetes.io/docs/concepts/containers/container-lifecycle-hooks/
   */
  readonly preStopSleepSeconds?: number;
  /**
   * Seconds between the termination start and SIGKILL; must exceed `preStopSleepSeconds` (the app
   * has the rest to exit after SIGTERM).
   * @default 30
   */
  readonly terminationGracePeriodSeconds?: number;
  /** @default - no Ingress */
  readonly ingress?: IngressOptions;
  /** Extra labels on every object. @default {} */
  readonly labels?: Record<string, string>;
  /** Annotations on every object. @default {} */
  readonly annotations?: Record<string, string>;
  /** Annotations on the pod template. @default {} */
  readonly podAnnotations?: Record<string, string>;
  /** @default {} */
  readonly nodeSelector?: Record<string, string>;
  /** @default [] */
  readonly tolerations?: IToleration[];
  /** @default - none */
  readonly priorityClassName?: string;
  /**
   * Allows patches to break the Pod Security Standards "restricted" profile. Off by default:
   * a patch that weakens the pod is an error.
   * @default false
   */
  readonly allowPodSecurityViolations?: boolean;
}

/** `slim` settings. */
export interface SlimOptions {
  /**
   * Files or folders of the production dependencies copied besides the traced files, relative to
   * the working directory, e.g. `node_modules/my-plugin` for a plugin loaded by a computed name.
   * @default []
   */
  readonly include?: string[];
}

/**
 * A generated CI workflow for the App (opt-in). Pull requests run the project's tests, build both
 * images with a cache and run `create-msb-app verify`; pushes to `releaseBranch` and `v*` tags build
 * the images for `platforms`, attach SBOM and provenance attestations, push them to
 * `image.repository`, sign them (cosign keyless), verify the distroless bases' signatures and render
 * the manifests pinned to the pushed digests as an artifact. Several Apps share one workflow.
 */
export interface CiOptions {
  /**
   * The CI service: `github` (GitHub Actions, `.github/workflows/msb-ci.yml`).
   */
  readonly provider: 'github';
  /**
   * OCI platforms of the released images; each must be one the App's distroless line publishes.
   * @default ["linux/amd64", "linux/arm64"]; the static family: ["linux/amd64"] (its prebuilt binary is one platform's)
   */
  readonly platforms?: string[];
  /** Branch whose pushes release the images (tags `v*` release too). @default "main" */
  readonly releaseBranch?: string;
  /**
   * Shell commands run at the repository root before the tests and the image builds (code
   * generation; the static family's binary, e.g. `CGO_ENABLED=0 go build -o bin/server .`).
   * @default []
   */
  readonly prepare?: string[];
  /**
   * Shell commands that run the project's tests, in the App's folder.
   * @default - the family's: Node.js `<package manager> run test` when package.json has a test script, Go `go test ./...`, Java `mvn -B test` / `gradle test`, Python `pytest` when it is a dependency; none for the static family
   */
  readonly test?: string[];
}

/** `compose` settings: the App's service in the local dev loop's compose file. */
export interface ComposeOptions {
  /**
   * Port on 127.0.0.1 the service is published on (`127.0.0.1:<hostPort>:<port>`). In a project with
   * several Apps, each needs its own.
   * @default - the App's port
   */
  readonly hostPort?: number;
  /**
   * Build secrets the compose build passes (ids the Dockerfile mounts, e.g. `ca_cert`, `npmrc`),
   * each from the file an environment variable names: `ca_cert` from `$CA_CERT_FILE` (set it in the
   * shell or in `.env` next to the compose file; compose stops with a message naming it when unset).
   * @default [] (the build gets no secret: the Dockerfile's secrets are optional)
   */
  readonly buildSecrets?: string[];
  /**
   * The compose file, at the project root. A compose file of your own under a name compose tools
   * read by default is never replaced or shadowed: synthesis stops naming it; choose another name
   * here (e.g. `compose.msb.yaml`, then `docker compose -f compose.msb.yaml ...`). The same for
   * every App of a project.
   * @default "compose.yaml"
   */
  readonly file?: string;
}

/** Props of {@link App}. */
export interface AppProps {
  /**
   * The service name: Kubernetes object names, labels, image title.
   * @default - the project name
   */
  readonly name?: string;
  /**
   * The App's folder in a workspace (monorepo), relative to the project (repository) root, e.g.
   * `apps/web`. Its outputs are written there (`apps/web/Dockerfile`, `apps/web/Dockerfile.debug`,
   * `apps/web/k8s/`), the build context stays the repository root (one `.dockerignore` there serves
   * every App) and `entrypoint`, `build.outDir` and `files` are relative to this folder. A project
   * may hold several Apps, each with its own `path`.
   * @default - the project root: the project holds this one App
   */
  readonly path?: string;
  /** Port the app listens on. @default 8080 */
  readonly port?: number;
  /**
   * HTTP path for readiness and liveness probes; `false` probes the TCP port instead.
   * @default "/healthz"
   */
  readonly healthCheckPath?: string | false;
  /** Environment baked into the image (both Dockerfiles). @default {} */
  readonly env?: Record<string, string>;
  /**
   * Script the runtime runs, relative to the working directory (Node.js family; the static family
   * runs `runtime.binary`).
   * @default "<outDir>/index.js" with a build, "index.js" without
   */
  readonly entrypoint?: string;
  /**
   * The runtime family and its settings: `{ family: "node", version, packageManager }` (family
   * `node` may be left out; `nodeVersion` is an alias of `version`) or `{ family: "static", binary }`.
   * @default - Node.js 26 with npm
   */
  readonly runtime?: RuntimeOptions;
  /** Build settings; `false` when the app runs its sources as they are (no build script). @default {} (npm run build -> dist) */
  readonly build?: BuildOptions | false;
  /**
   * Files and folders copied from the build context into the runtime image besides what the
   * runtime family copies (Node.js: production dependencies and package.json; static: the binary).
   * @default - with a build: none (the build output is copied); without: the entrypoint's top-level folder, or the entrypoint file at the root
   */
  readonly files?: string[];
  /**
   * A slim runtime image (Node.js family): a build stage of its own traces the entrypoint's file
   * dependencies with `@vercel/nft` (installed there at a pinned version, never a dependency of the
   * project) and the runtime image gets only the traced files of `node_modules`, with the native
   * addons for the platform it is built on. What a tracer cannot see (a `require()` of a computed
   * name, files read by path) is listed in `include`. Prove it with `create-msb-app verify` and `routes`.
   * @default false
   */
  readonly slim?: boolean | SlimOptions;
  /**
   * HTTP paths (GET) of the app's own that `create-msb-app verify` requests on the running runtime
   * image besides the health path. With `slim`, each must answer with the same status code and
   * content type as the full image (the same build without the trace).
   * @default []
   */
  readonly routes?: string[];
  /**
   * A service in the project's compose file (the local dev loop): built from the Dockerfile and run
   * the way the pod runs (read-only root with a tmpfs for each emptyDir, no capabilities,
   * no-new-privileges, the non-root uid, the Deployment's env and memory limit, published on
   * 127.0.0.1), with the image's shell-free health check (Node.js) and `develop.watch` rebuilding
   * it when its sources change. `true`, or {@link ComposeOptions}.
   * @default false
   * @see https://compose-spec.io
   */
  readonly compose?: boolean | ComposeOptions;
  /** @default - the app name, tagged with the app version (never latest) */
  readonly image?: ImageOptions;
  /** @default - upstream images for the runtime line */
  readonly baseImages?: BaseImageOptions;
  /** Working directory in the images. @default "/app" */
  readonly workdir?: string;
  /** App version for the `org.opencontainers.image.version` label. @default - package.json version */
  readonly version?: string;
  /** Source repository URL for `org.opencontainers.image.source`. @default - package.json repository */
  readonly sourceUrl?: string;
  /** Extra image labels. @default {} */
  readonly labels?: Record<string, string>;
  /** @default - secure defaults (see README) */
  readonly kubernetes?: KubernetesOptions;
  /** A generated CI workflow (tests, images, verify; signed, attested, pinned releases). @default - none */
  readonly ci?: CiOptions;
  /**
   * Template folders searched before the project's template sources and the built-ins, first match wins.
   * @default []
   */
  readonly templateFolders?: TemplateFolder[];
  /**
   * Allows templates or escape hatches to weaken the runtime stage: another base image than the
   * definition's, a USER other than the image's non-root uid, RUN (a shell) or COPY from an image.
   * Off by default: such a Dockerfile is an error.
   * @default false
   */
  readonly allowInsecureDockerfile?: boolean;
  /**
   * Accepts the base images an org template's defaults set (`baseImages.builder`, `runtime`,
   * `debug`) where they differ from the family's catalog. Off by default: an org template may mirror
   * the catalog images (`baseImages.mirror`) but replacing them needs this opt-out in the project's
   * own definition (an org template cannot set it).
   * @default false
   */
  readonly allowOrgBaseImages?: boolean;
}
