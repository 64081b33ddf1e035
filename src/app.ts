/**
 * The App: one service, one typed definition. It owns the build and runtime stages and every output
 * derived from them: Dockerfile, Dockerfile.debug, .dockerignore, k8s/base and k8s/overlays/debug.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ignoreMatcher from '@balena/dockerignore';
import { Component, Project } from 'projen';
import { stringify } from 'yaml';
import { AppProps, BaseImageOptions } from './app-props';
import { SECRET_PATTERNS, dockerignoreLeaks, runtimeStageViolations } from './dockerfile-policy';
import { GenerationGuard } from './edit-guard';
import { GeneratedTextFile } from './generated-file';
import {
  MANIFEST_FILES,
  ManifestKind,
  ManifestObject,
  WorkloadModel,
  renderBaseKustomization,
  renderDebugKustomization,
  renderManifests,
  schemaError,
} from './k8s/manifests';
import { KubernetesManifests } from './k8s/patches';
import { podSecurityViolations } from './k8s/pod-security';
import { validateKubernetes } from './k8s/validate';
import { OrgTemplatePolicies, TemplateSources, deepMerge } from './org-template';
import { DEFAULT_NODE_VERSION, RuntimeSpec, findNodeRuntime, nodeVersions } from './runtime/catalog';
import { PackageManagerSpec, findPackageManager, packageManagerNames } from './runtime/package-managers';
import { BuildStage, RuntimeStage } from './stages';
import { TemplateRenderer } from './templates';
import * as v from './validation';

/** What synthesis writes, rendered once per synthesis. */
interface Rendered {
  readonly dockerfile: string;
  readonly debugDockerfile: string;
  readonly dockerignore: string;
  readonly manifests: Partial<Record<ManifestKind, ManifestObject>>;
  readonly baseKustomization: ManifestObject;
  readonly debugKustomization: ManifestObject;
}

/** The generated paths: part of the product's contract. */
export const OUTPUT_PATHS = {
  dockerfile: 'Dockerfile',
  debugDockerfile: 'Dockerfile.debug',
  dockerignore: '.dockerignore',
  base: 'k8s/base',
  debugOverlay: 'k8s/overlays/debug',
} as const;

/**
 * A service built into a distroless image and deployed to Kubernetes.
 */
export class App extends Component {
  /** Returns the App of a project, if any. */
  static of(project: Project): App | undefined {
    return project.components.find((c): c is App => c instanceof App);
  }

  readonly name: string;
  readonly port: number;
  readonly healthCheckPath?: string;
  readonly buildStage: BuildStage;
  readonly runtimeStage: RuntimeStage;
  readonly kubernetes: KubernetesManifests;
  readonly imageRepository: string;
  readonly imageTag: string;
  readonly templates: TemplateRenderer;
  private readonly props: AppProps;
  private readonly sources?: TemplateSources;
  private readonly problems: v.Problems;
  private rendered?: Rendered;
  private readonly files = new Map<string, GeneratedTextFile>();

  constructor(project: Project, ownProps: AppProps = {}) {
    if (App.of(project)) {
      throw new Error(`Project "${project.name}" already has an App: the output paths (Dockerfile, k8s/...) hold one service per project.`);
    }
    super(project, 'App');
    // Org template defaults sit under the App's own props.
    const sources = TemplateSources.of(project);
    const orgDefaults = sources?.defaults ?? {};
    const { buildSteps: orgBuildSteps, ...defaultProps } = orgDefaults;
    const props: AppProps = deepMerge(defaultProps as AppProps, ownProps);
    this.props = props;
    this.sources = sources;
    const problems = (this.problems = new v.Problems(this.displayPath));

    this.name = props.name ?? project.name;
    this.port = props.port ?? 8080;
    this.healthCheckPath = props.healthCheckPath === false ? undefined : (props.healthCheckPath ?? '/healthz');

    const nodeVersion = String(props.runtime?.nodeVersion ?? DEFAULT_NODE_VERSION);
    const runtime = findNodeRuntime(nodeVersion);
    problems.check(!!runtime, 'runtime.nodeVersion', props.runtime?.nodeVersion, `one of ${nodeVersions().map((x) => `"${x}"`).join(', ')}`);
    const pmName = props.runtime?.packageManager ?? 'npm';
    const pm = findPackageManager(pmName);
    problems.check(!!pm, 'runtime.packageManager', pmName, `one of ${packageManagerNames().map((x) => `"${x}"`).join(', ')}`);
    const spec: RuntimeSpec = runtime ?? findNodeRuntime(DEFAULT_NODE_VERSION)!;
    const pmSpec: PackageManagerSpec = pm ?? findPackageManager('npm')!;

    const build = props.build === false ? undefined : { script: props.build?.script ?? 'build', outDir: v.normalizePath(props.build?.outDir ?? 'dist') };
    const entrypoint = v.normalizePath(props.entrypoint ?? (build ? `${build.outDir}/index.js` : 'index.js'));
    const images = resolveBaseImages(spec, props.baseImages);
    const pkg = readPackageJson(project.outdir);

    this.buildStage = new BuildStage(this, {
      runtime: spec,
      packageManager: pmSpec,
      image: images.builder,
      buildScript: build?.script,
      outDir: build?.outDir ?? 'dist',
      localPackages: fileDependencies(pkg).inside,
    });
    this.runtimeStage = new RuntimeStage(this, {
      runtime: spec,
      image: images.runtime,
      debugImage: images.debug,
      port: this.port,
      entrypoint,
      workdir: props.workdir ?? '/app',
    });
    this.kubernetes = new KubernetesManifests(this);

    this.imageRepository = props.image?.repository ?? this.name;
    this.imageTag = props.image?.tag ?? 'latest';
    this.templates = new TemplateRenderer([...(props.templateFolders ?? []), ...(sources?.sources ?? [])]);
    for (const step of orgBuildSteps ?? []) this.buildStage.addBaseStep(step);

    // What the runtime image holds besides production node_modules.
    const rs = this.runtimeStage;
    rs.addCopy('package.json', 'package.json');
    if (build) rs.addCopy(`${rs.workdir}/${build.outDir}`, build.outDir, 'build');
    for (const f of (props.files ?? (build ? [] : [defaultRuntimeFile(entrypoint)])).map(v.normalizePath)) rs.addCopy(f, f);
    for (const [k, val] of Object.entries(props.env ?? {})) rs.addEnv(k, val);
    const version = props.version ?? pkg?.version;
    const source = props.sourceUrl ?? repositoryUrl(pkg?.repository);
    rs.addLabel('org.opencontainers.image.title', this.name);
    if (version) rs.addLabel('org.opencontainers.image.version', version);
    if (source) rs.addLabel('org.opencontainers.image.source', source);
    if (typeof pkg?.description === 'string' && pkg.description) rs.addLabel('org.opencontainers.image.description', pkg.description);
    for (const [k, val] of Object.entries(props.labels ?? {})) rs.addLabel(k, val);

    // Outputs: their content is rendered (and validated) in preSynthesize, before anything is written.
    const guard = GenerationGuard.of(project);
    const add = (file: string, render: (marker: string) => string | undefined, templated?: string) => {
      const f = new GeneratedTextFile(this, file, render);
      this.files.set(file, f);
      guard.track(f, () => this.provenance(templated));
    };
    add(OUTPUT_PATHS.dockerfile, () => this.render().dockerfile, 'Dockerfile');
    add(OUTPUT_PATHS.debugDockerfile, () => this.render().debugDockerfile, 'Dockerfile');
    add(OUTPUT_PATHS.dockerignore, () => this.render().dockerignore, 'dockerignore');
    // Only the kinds the definition turns on become files (which kinds depends on props alone): a
    // user's own file at the path of a kind that is off is never touched, and a file this App wrote
    // earlier for a kind now off is an orphan that projen removes (the guard protects hand edits).
    const enabled = Object.keys(renderManifests(this.workloadModel())) as ManifestKind[];
    for (const kind of enabled) {
      add(`${OUTPUT_PATHS.base}/${MANIFEST_FILES[kind]}`, (marker) => yamlFile(marker, this.render().manifests[kind]!));
    }
    add(`${OUTPUT_PATHS.base}/kustomization.yaml`, (marker) => yamlFile(marker, this.render().baseKustomization));
    add(`${OUTPUT_PATHS.debugOverlay}/kustomization.yaml`, (marker) => yamlFile(marker, this.render().debugKustomization));
  }

  /**
   * Which template sources produced a file: the partials they supplied (for a templated file), the
   * `msb-template.json` whose defaults or policies applied (every file), then the built-ins.
   */
  provenance(templateName?: string): string[] {
    const partials = templateName ? this.templates.sourcesUsed(templateName).filter((x) => x !== 'built-in') : [];
    const manifests = (this.sources?.sources ?? [])
      .filter((src) => src.manifestFile && (src.manifest.defaults || src.manifest.policies || src.manifest.dockerignore))
      .map((src) => `${src.source}: msb-template.json`);
    return [...partials, ...manifests, 'built-in'];
  }

  /** Full reference of the runtime image the Deployment runs. */
  get image(): string {
    return `${this.imageRepository}:${this.imageTag}`;
  }

  /** Full reference of the debug image the debug overlay runs. */
  get debugImage(): string {
    return `${this.imageRepository}:${this.debugImageTag}`;
  }

  /** Tag of the debug image. */
  get debugImageTag(): string {
    return `${this.imageTag}-debug`;
  }

  /** Paths of the files this App writes with the content they will have (after validation). */
  outputs(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [p, f] of this.files) {
      const content = f.content();
      if (content !== undefined) out[p] = content;
    }
    return out;
  }

  /** Construct path for messages, rooted at the project name: `orders-api/App`. */
  get displayPath(): string {
    return [this.project.name, ...this.node.scopes.slice(1).map((s) => s.node.id)].join('/');
  }

  /** Every problem in the definition, collected; empty when valid. */
  validate(): v.ValidationProblem[] {
    const p = new v.Problems(this.displayPath);
    const props = this.props;
    p.check(v.isDnsLabel(this.name), 'name', this.name, v.DNS_LABEL_RULE);
    p.check(v.isPort(this.port), 'port', this.port, v.PORT_RULE);
    if (props.healthCheckPath !== undefined && props.healthCheckPath !== false) {
      p.check(v.isHttpPath(props.healthCheckPath), 'healthCheckPath', props.healthCheckPath, `${v.HTTP_PATH_RULE}, or false for TCP probes`);
    }
    const rs = this.runtimeStage;
    const bs = this.buildStage;
    p.check(v.isRelativePath(rs.entrypoint), 'entrypoint', rs.entrypoint, v.RELATIVE_PATH_RULE);
    p.check(v.isAbsoluteImagePath(rs.workdir) && rs.workdir !== '/', 'workdir', rs.workdir, 'an absolute path other than "/", of letters, digits and . _ @ + - /, e.g. "/app"');
    if (bs.hasBuild) {
      p.check(typeof bs.buildScript === 'string' && /^[A-Za-z0-9:_.-]+$/.test(bs.buildScript), 'build.script', bs.buildScript, 'a package.json script name such as "build"');
      p.check(v.isRelativePath(bs.outDir) && !bs.outDir.includes('*'), 'build.outDir', bs.outDir, v.RELATIVE_PATH_RULE);
    }
    for (const [i, f] of (props.files ?? []).entries()) p.check(v.isRelativePath(f), `files[${i}]`, f, v.RELATIVE_PATH_RULE);
    // The entrypoint must be in the runtime image: in the build output, or among the copied files.
    if (v.isRelativePath(rs.entrypoint) && (!bs.hasBuild || v.isRelativePath(bs.outDir))) {
      const built = bs.hasBuild && covers(bs.outDir, rs.entrypoint);
      const copied = rs.runtimeCopies.some((c) => c.from === undefined && covers(c.dest, rs.entrypoint));
      p.check(built || copied, 'entrypoint', rs.entrypoint, bs.hasBuild
        ? `a file inside build.outDir "${bs.outDir}" (only the build output is copied into the image), or list it in "files"`
        : `a file the runtime image holds: list it (or its folder) in "files" (${JSON.stringify((props.files ?? []))})`);
    }
    for (const [name, value] of rs.environment) {
      p.check(v.isEnvName(name), `env.${name}`, name, `a name that is ${v.ENV_NAME_RULE}`);
      p.check(v.isSingleLine(value), `env.${name}`, value, v.SINGLE_LINE_RULE);
    }
    for (const [key, value] of rs.imageLabels) {
      p.check(/^[A-Za-z0-9][A-Za-z0-9._\-/]*$/.test(key), `labels.${key}`, key, 'a label key of letters, digits, ".", "-", "_" and "/"');
      p.check(v.isSingleLine(value), `labels.${key}`, value, v.SINGLE_LINE_RULE);
    }
    for (const [i, s] of [...bs.buildSteps, ...bs.builderSteps].entries()) {
      p.check(v.isSingleLine(s) && s.trim() !== '', `buildStage.steps[${i}]`, s, `a non-empty shell command on ${v.SINGLE_LINE_RULE}`);
    }
    const secrets = ignoreMatcher().add(SECRET_PATTERNS);
    for (const c of rs.runtimeCopies.filter((x) => !x.from)) {
      p.check(!secrets.ignores(c.src), 'files', c.src, `a path that is not a secret (it matches one of ${SECRET_PATTERNS.join(' ')}): pass secrets at run time (Kubernetes Secret), not in the image`);
    }
    const listed = new Set((props.files ?? []).map(v.normalizePath)); // already reported as files[i]
    for (const c of rs.runtimeCopies.filter((x) => x.from || !listed.has(x.src))) {
      const ok = c.from ? v.isAbsoluteImagePath(c.src) : v.isRelativePath(c.src);
      p.check(ok && v.isRelativePath(c.dest), 'runtimeStage.copies', c, `src ${v.RELATIVE_PATH_RULE} (absolute in a stage) and dest ${v.RELATIVE_PATH_RULE}`);
    }
    p.check(v.isImageReference(bs.image), 'baseImages.builder', bs.image, v.IMAGE_REFERENCE_RULE);
    p.check(v.isImageReference(rs.image), 'baseImages.runtime', rs.image, v.IMAGE_REFERENCE_RULE);
    p.check(v.isImageReference(rs.debugImage), 'baseImages.debug', rs.debugImage,
      rs.image.includes('@') ? `${v.IMAGE_REFERENCE_RULE}; required when baseImages.runtime is pinned by digest` : v.IMAGE_REFERENCE_RULE);
    if (props.baseImages?.mirror !== undefined) {
      p.check(/^[a-zA-Z0-9.-]+(:[0-9]+)?(\/[a-z0-9._-]+)*$/.test(props.baseImages.mirror), 'baseImages.mirror', props.baseImages.mirror, 'a registry host, optionally with port and path, e.g. "mirror.example.com"');
    }
    p.check(v.isImageRepository(this.imageRepository), 'image.repository', this.imageRepository, v.IMAGE_REPOSITORY_RULE);
    p.check(v.isImageTag(this.imageTag) && v.isImageTag(this.debugImageTag), 'image.tag', this.imageTag, `${v.IMAGE_TAG_RULE} (at most 122, since "-debug" is appended)`);
    validateKubernetes(p, props.kubernetes ?? {});
    for (const { source, policies } of this.sources?.policies ?? []) this.checkPolicies(p, source, policies);
    return [...this.problems.all, ...p.all];
  }

  private checkPolicies(p: v.Problems, source: string, pol: OrgTemplatePolicies): void {
    const by = `(policy of template ${source})`;
    const k = this.props.kubernetes ?? {};
    if (pol.allowedRegistries) {
      const images: [string, string][] = [['baseImages.builder', this.buildStage.image], ['baseImages.runtime', this.runtimeStage.image], ['baseImages.debug', this.runtimeStage.debugImage]];
      for (const [field, image] of images) {
        p.check(pol.allowedRegistries.some((r) => image.startsWith(`${r.replace(/\/+$/, '')}/`)), field, image, `an image from ${pol.allowedRegistries.join(' or ')} ${by}`);
      }
    }
    if (pol.allowedImageRepositories) {
      p.check(pol.allowedImageRepositories.some((r) => this.imageRepository.startsWith(r)), 'image.repository', this.imageRepository, `a repository starting with ${pol.allowedImageRepositories.join(' or ')} ${by}`);
    }
    const envNames = new Set([...this.runtimeStage.environment.keys(), ...Object.keys(k.env ?? {})]);
    for (const name of pol.requiredEnv ?? []) p.check(envNames.has(name), 'env', [...envNames], `an env variable named ${name} (in env or kubernetes.env) ${by}`);
    for (const key of pol.requiredLabels ?? []) p.check(this.runtimeStage.imageLabels.has(key), 'labels', Object.fromEntries(this.runtimeStage.imageLabels), `a label ${key} ${by}`);
    if (pol.minReplicas !== undefined) {
      const replicas = k.autoscaling ? (k.autoscaling.minReplicas ?? 2) : (k.replicas ?? 2);
      p.check(replicas >= pol.minReplicas, k.autoscaling ? 'kubernetes.autoscaling.minReplicas' : 'kubernetes.replicas', replicas, `at least ${pol.minReplicas} ${by}`);
    }
  }

  /** Validates, renders every output and checks the rendered objects; throws with every problem. */
  preSynthesize(): void {
    this.rendered = undefined;
    this.render();
    for (const warning of this.buildWarnings()) this.project.logger.warn(warning);
  }

  /**
   * What would make `docker build` fail although the definition is valid: a missing lockfile or
   * copied path, a `file:` dependency outside the build context. Warnings, not errors: right after
   * scaffolding (before the install) the lockfile does not exist yet.
   */
  buildWarnings(): string[] {
    const dir = this.project.outdir;
    const out: string[] = [];
    const lockfile = this.buildStage.packageManager.lockfile;
    if (!fs.existsSync(path.join(dir, lockfile))) {
      out.push(`${lockfile} not found: the image build copies it before the install (run ${this.buildStage.packageManager.name} install)`);
    }
    for (const c of this.runtimeStage.runtimeCopies.filter((x) => !x.from)) {
      if (!fs.existsSync(path.join(dir, c.src))) out.push(`${c.src} not found: the runtime stage copies it from the build context`);
    }
    for (const spec of fileDependencies(readPackageJson(dir)).outside) {
      out.push(`dependency ${spec} lies outside the project: the image build (whose context is the project) cannot install it; copy it into the project (e.g. vendor/) and point package.json there`);
    }
    return out;
  }

  private render(): Rendered {
    if (this.rendered) return this.rendered;
    const problems = this.validate();
    if (problems.length > 0) throw userError(new v.MsbValidationError(problems));

    const context = this.dockerfileContext();
    const dockerfile = this.templates.render('Dockerfile', { ...context, runtime: { image: this.runtimeStage.image } });
    const debugDockerfile = this.templates.render('Dockerfile', { ...context, runtime: { image: this.runtimeStage.debugImage } });
    if (!this.props.allowInsecureDockerfile) {
      const rs = this.runtimeStage;
      const weakened = [
        ...runtimeStageViolations(dockerfile, { image: rs.image, uid: rs.uid, gid: rs.gid, workdir: rs.workdir }).map((x) => ['Dockerfile', x]),
        ...runtimeStageViolations(debugDockerfile, { image: rs.debugImage, uid: rs.uid, gid: rs.gid, workdir: rs.workdir }).map((x) => ['Dockerfile.debug', x]),
      ];
      if (weakened.length > 0) {
        throw userError(new v.MsbValidationError(weakened.map(([file, x]) => ({
          path: this.displayPath,
          field: `${file} runtime stage (templates: ${this.templates.sourcesUsed('Dockerfile').join(', ')})`,
          value: x,
          expected: 'the distroless base of the definition, USER <uid>:<gid> of its non-root user, no RUN and no COPY from an image (set allowInsecureDockerfile: true in .projenrc.ts to opt out, visibly)',
        }))));
      }
    }
    const ignoreContext = {
      marker: context.marker,
      build: context.build,
      secretPatterns: SECRET_PATTERNS,
      extra: this.sources?.dockerignore ?? [],
      keep: [] as string[],
    };
    let dockerignore = this.templates.render('dockerignore', ignoreContext);
    // Never ignore a file the Dockerfile copies from the context: re-include it explicitly.
    const ignored = ignoreMatcher().add(dockerignore);
    const contextSources = [
      ...this.buildStage.manifests,
      ...this.buildStage.localPackages,
      ...this.runtimeStage.runtimeCopies.filter((c) => !c.from).map((c) => c.src),
    ];
    const keep = [...new Set(contextSources.filter((src) => ignored.ignores(src)))];
    if (keep.length > 0) dockerignore = this.templates.render('dockerignore', { ...ignoreContext, keep });
    if (!this.props.allowInsecureDockerfile) {
      const leaks = dockerignoreLeaks(dockerignore, contextSources, 12);
      if (leaks.length > 0) {
        throw userError(new v.MsbValidationError([{
          path: this.displayPath,
          field: `.dockerignore (templates: ${this.templates.sourcesUsed('dockerignore').join(', ')})`,
          value: leaks,
          expected: 'a .dockerignore that keeps secrets and VCS data out of the build context (set allowInsecureDockerfile: true in .projenrc.ts to opt out, visibly)',
        }]));
      }
    }

    const k8s = this.props.kubernetes ?? {};
    const manifests = renderManifests(this.workloadModel());
    const after = new v.Problems(this.displayPath);
    for (const kind of Object.keys(manifests) as ManifestKind[]) {
      const obj = this.kubernetes.apply(kind, manifests[kind]!);
      manifests[kind] = obj;
      const err = schemaError(kind, obj);
      if (err) after.add(`kubernetes ${kind} (${OUTPUT_PATHS.base}/${MANIFEST_FILES[kind]})`, '(rendered object)', `an object valid against the Kubernetes schema: ${err}`);
    }
    const pod = manifests.Deployment?.spec?.template?.spec;
    if (pod && !k8s.allowPodSecurityViolations) {
      for (const violation of podSecurityViolations(pod, manifests.Deployment?.spec?.template?.metadata?.annotations ?? {})) {
        after.add('kubernetes Deployment pod', violation, 'the Pod Security Standards "restricted" profile (set kubernetes.allowPodSecurityViolations: true to opt out, visibly)');
      }
    }
    if (after.all.length > 0) throw userError(new v.MsbValidationError(after.all));

    this.rendered = {
      dockerfile,
      debugDockerfile,
      dockerignore,
      manifests,
      baseKustomization: renderBaseKustomization(Object.keys(manifests) as ManifestKind[], k8s.namespace),
      debugKustomization: renderDebugKustomization(this.imageRepository, this.debugImageTag),
    };
    return this.rendered;
  }

  private dockerfileContext() {
    const bs = this.buildStage;
    const rs = this.runtimeStage;
    const pm = bs.packageManager;
    return {
      marker: this.files.get(OUTPUT_PATHS.dockerfile)?.marker ?? '',
      image: this.image,
      debugImage: this.debugImage,
      workdir: rs.workdir,
      uid: rs.uid,
      gid: rs.gid,
      port: rs.port,
      builder: { image: bs.image },
      pm: {
        name: pm.name,
        lockfile: pm.lockfile,
        installSpec: pm.installSpec,
        cacheDir: pm.cacheDir,
        installAll: pm.installAll,
        installProd: pm.installProd,
      },
      manifests: bs.manifests,
      localPackages: bs.localPackages,
      baseSteps: bs.builderSteps,
      buildSteps: bs.buildSteps,
      build: bs.hasBuild ? { script: bs.buildScript, outDir: bs.outDir, command: pm.run(bs.buildScript!) } : undefined,
      secretsRequired: false,
      env: [...rs.environment].map(([name, value]) => ({ name, value })),
      copies: rs.runtimeCopies,
      labels: [...rs.imageLabels].map(([key, value]) => ({ key, value })),
      cmd: rs.cmd,
    };
  }

  /** The resolved Kubernetes model (shared by every manifest). */
  workloadModel(): WorkloadModel {
    const k = this.props.kubernetes ?? {};
    const selectorLabels = { 'app.kubernetes.io/name': this.name, 'app.kubernetes.io/instance': this.name };
    const labels = {
      ...(k.labels ?? {}),
      ...selectorLabels,
      'app.kubernetes.io/version': this.imageTag,
      'app.kubernetes.io/component': 'server',
      'app.kubernetes.io/managed-by': 'create-msb-app',
    };
    const r = k.resources ?? {};
    const replicas = k.replicas ?? 2;
    return {
      name: this.name,
      namespace: k.namespace,
      labels,
      selectorLabels,
      annotations: { ...(k.annotations ?? {}) },
      podAnnotations: { ...(k.podAnnotations ?? {}) },
      image: this.image,
      port: this.port,
      portName: 'http',
      servicePort: k.servicePort ?? 80,
      serviceType: k.serviceType ?? 'ClusterIP',
      healthCheckPath: this.healthCheckPath,
      replicas,
      uid: this.runtimeStage.uid,
      gid: this.runtimeStage.gid,
      resources: {
        requests: { cpu: r.cpuRequest ?? '100m', memory: r.memoryRequest ?? '128Mi' },
        limits: { memory: r.memoryLimit ?? '256Mi', ...(r.cpuLimit ? { cpu: r.cpuLimit } : {}) },
      },
      env: { ...(k.env ?? {}) },
      podDisruptionBudget: k.podDisruptionBudget ?? true,
      autoscaling: k.autoscaling
        ? {
          minReplicas: k.autoscaling.minReplicas ?? 2,
          maxReplicas: k.autoscaling.maxReplicas ?? 5,
          targetCpuUtilization: k.autoscaling.targetCpuUtilization ?? 75,
        }
        : undefined,
      networkPolicy: k.networkPolicy
        ? { allowFromNamespaces: k.networkPolicy.allowFromNamespaces ?? [], allowFromPodLabels: k.networkPolicy.allowFromPodLabels ?? [] }
        : undefined,
      ingress: k.ingress
        ? { host: k.ingress.host, path: k.ingress.path ?? '/', className: k.ingress.className, tlsSecretName: k.ingress.tlsSecretName, annotations: k.ingress.annotations ?? {} }
        : undefined,
      nodeSelector: { ...(k.nodeSelector ?? {}) },
      tolerations: [...(k.tolerations ?? [])],
      priorityClassName: k.priorityClassName,
    };
  }
}

function resolveBaseImages(spec: RuntimeSpec, o: BaseImageOptions = {}) {
  const mirror = (image: string) => {
    if (!o.mirror) return image;
    const [, ...rest] = image.split('/');
    return `${o.mirror}/${rest.join('/')}`;
  };
  const builder = o.builder ?? mirror(`${spec.builderImage}:${spec.builderTag}`);
  const runtime = o.runtime ?? mirror(`${spec.runtimeImage}:${spec.runtimeTag}`);
  let debug = o.debug;
  if (!debug) {
    // Same repository, debug tag; a digest pin has no debug counterpart to derive.
    debug = runtime.includes('@') ? '' : `${runtime.replace(/:[^:/]+$/, '')}:${spec.debugTag}`;
  }
  return { builder, runtime, debug };
}

function defaultRuntimeFile(entrypoint: string): string {
  const first = entrypoint.split('/')[0];
  return first === entrypoint ? entrypoint : first;
}

function covers(dir: string, file: string): boolean {
  const d = v.normalizePath(dir);
  return file === d || file.startsWith(`${d}/`);
}

function yamlFile(marker: string, obj: ManifestObject): string {
  return `# ${marker}\n${stringify(obj, { lineWidth: 0 })}`;
}

/** The parts of package.json the App reads. */
export interface PackageJson {
  version?: string;
  description?: string;
  repository?: string | { url?: string };
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/**
 * The `file:` dependencies of a package.json, split into paths inside the project (relative,
 * normalized, sorted: the build copies them before the install) and specs pointing outside it (the
 * build context cannot hold them).
 */
export function fileDependencies(pkg: PackageJson | undefined): { inside: string[]; outside: string[] } {
  const specs = [pkg?.dependencies, pkg?.devDependencies, pkg?.optionalDependencies]
    .flatMap((d) => Object.values(d ?? {}))
    .filter((s): s is string => typeof s === 'string' && s.startsWith('file:'));
  const inside = new Set<string>();
  const outside = new Set<string>();
  for (const spec of specs) {
    const p = v.normalizePath(spec.slice('file:'.length));
    if (v.isRelativePath(p)) inside.add(p);
    else outside.add(spec);
  }
  return { inside: [...inside].sort(), outside: [...outside].sort() };
}

function readPackageJson(dir: string): PackageJson | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as PackageJson;
  } catch {
    return undefined;
  }
}

function repositoryUrl(repo: PackageJson['repository']): string | undefined {
  const url = typeof repo === 'string' ? repo : repo?.url;
  if (!url) return undefined;
  return url.replace(/^git\+/, '').replace(/\.git$/, '').replace(/^github:/, 'https://github.com/');
}

/** Errors meant for users print their message only, not a stack trace. */
function userError<T extends Error>(e: T): T {
  e.stack = `${e.name}: ${e.message}`;
  return e;
}
