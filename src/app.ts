/**
 * The App: one service, one typed definition. It resolves the definition into the model
 * (src/model/resolve.ts) with the runtime family's help, and wires the components that own the
 * outputs: {@link Dockerfiles} (Dockerfile, Dockerfile.debug, .dockerignore), {@link Kubernetes}
 * (k8s/base, k8s/overlays/debug) and, with `compose`, its service in the project's
 * {@link ComposeFile}. At synthesis it runs one validation pass, in order: the model's
 * problems, then the rendered outputs' problems; the hand-edit guard runs after it, then the write.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Component } from 'projen/lib/component';
import { Project } from 'projen/lib/project';
import { type CiAppModel, resolveCi, validateCi } from './ci/model';
import { ciProviderNames } from './ci/provider';
import { CiWorkflows } from './ci/workflows';
import { ComposeFile } from './compose/compose-file';
import { AppProps } from './contract/app-props';
import { DEFAULTS } from './contract/defaults';
import type { RuntimeFamily } from './contract/family';
import type { AppModel } from './contract/model';
import { BASE_IMAGE_LOCK_FILE, DOCKERFILE_PATHS, type RecordedModel } from './contract/record';
import { Dockerfiles } from './dockerfiles';
import { GenerationGuard } from './edit-guard';
import { FAMILIES, familyNames, findFamily } from './families';
import { GeneratedTextFile } from './generated-file';
import { Kubernetes } from './k8s/kubernetes';
import type { BaseImagePins } from './lock/pins';
import { validateConfigFiles } from './model/kubernetes';
import { recordModel } from './model/record';
import { resolve } from './model/resolve';
import { validateModel } from './model/validate';
import { TemplateSources, familyTemplateFolders } from './org-template';
import { BuildStage, RuntimeStage } from './stages';
import { TemplateRenderer, builtinTemplateFolders } from './templates';
import { gitShortCommit } from './util/git';
import * as v from './validation';
import { WorkspaceOutputs } from './workspace';

// Kept here for the modules that import them from this path.


/**
 * A service built into a distroless image and deployed to Kubernetes.
 */
export class App extends Component {
  /** Returns the App of a project, if any (the first one in a workspace project). */
  static of(project: Project): App | undefined {
    return project.components.find((c): c is App => c instanceof App);
  }

  /** Every App of a project (several in a workspace project, each with its own `path`). */
  static all(project: Project): App[] {
    return project.components.filter((c): c is App => c instanceof App);
  }

  /** The App's folder in a workspace (its `path`, normalized); undefined for the project's one App. */
  readonly appPath?: string;

  readonly name: string;
  readonly port: number;
  readonly healthCheckPath?: string;
  /** The runtime family that builds and runs this App. */
  readonly family: RuntimeFamily;
  readonly buildStage: BuildStage;
  readonly runtimeStage: RuntimeStage;
  /** The Kubernetes outputs and their escape hatches (`addPatch`, `addOverride`). */
  readonly kubernetes: Kubernetes;
  /** The Dockerfiles and .dockerignore. */
  readonly dockerfiles: Dockerfiles;
  readonly imageRepository: string;
  readonly imageTag: string;
  readonly templates: TemplateRenderer;
  private readonly resolved: AppModel;
  private readonly facts: unknown;
  private readonly sources?: TemplateSources;
  /** The project's base-image lock; undefined when it has none. */
  private readonly pins?: BaseImagePins;
  /** The project's compose file, when this App's `compose` is on. */
  private readonly composeFile?: ComposeFile;
  private readonly familyProblems: v.ValidationProblem[] = [];
  private checked = false;

  constructor(project: Project, ownProps: AppProps = {}) {
    const appPath = ownProps.path === undefined ? undefined : checkAppPath(project, ownProps.path);
    const others = App.all(project);
    if (others.length > 0 && (appPath === undefined || others.some((o) => o.appPath === undefined))) {
      throw v.userError(new v.MsbValidationError([{
        path: project.name,
        field: 'path',
        value: ownProps.path,
        expected: 'a folder for every App of a project with several Apps (e.g. path: "apps/web"): without one, an App\'s outputs (Dockerfile, .dockerignore, k8s/) are the project root\'s, which hold one service',
      }]));
    }
    const name = ownProps.name ?? (appPath ? appPath.split('/').pop()! : project.name);
    const clash = others.find((o) => o.appPath === appPath || o.name === name || isInside(o.appPath!, appPath!) || isInside(appPath!, o.appPath!));
    if (clash) {
      throw v.userError(new v.MsbValidationError([{
        path: project.name,
        field: clash.name === name ? 'name' : 'path',
        value: clash.name === name ? name : ownProps.path,
        expected: `a name and a folder no other App of the project has, neither inside another App's folder nor around it (App "${clash.name}" has path "${clash.appPath}")`,
      }]));
    }
    super(project, appPath ? `App:${name}` : 'App');
    this.appPath = appPath;
    const sources = (this.sources = TemplateSources.of(project));
    const orgDefaults = sources?.defaults ?? {};
    const props: AppProps = { ...ownProps, name, ...(appPath ? { path: appPath } : {}) };
    const familyName = String(props.runtime?.family ?? orgDefaults.runtime?.family ?? DEFAULTS.family);
    const family = findFamily(familyName);
    if (!family) {
      const expected = `one of ${familyNames().map((x) => `"${x}"`).join(', ')}`;
      this.familyProblems.push({ path: this.displayPath, field: 'runtime.family', value: familyName, expected });
    }
    this.family = family ?? FAMILIES[DEFAULTS.family];
    this.facts = this.family.readFacts(project.outdir, appPath);
    const model = (this.resolved = resolve(props, orgDefaults, this.family, this.facts, { gitCommit: () => gitShortCommit(project.outdir) }));
    this.pins = baseImagePins(project);

    this.name = model.name;
    this.port = model.port;
    this.healthCheckPath = model.healthCheckPath;
    this.imageRepository = model.image.repository;
    this.imageTag = model.image.tag;
    this.buildStage = new BuildStage(this, model);
    this.runtimeStage = new RuntimeStage(this, model);
    // A source's <family>/ subfolder applies to this family only, before the source's own partials.
    const folders = familyTemplateFolders([...(model.definition.templateFolders ?? []), ...(sources?.sources ?? [])], this.family.name);
    this.templates = new TemplateRenderer(folders, builtinTemplateFolders(this.family.name));

    const wiring = { ensureChecked: () => this.check(), provenance: (template?: string) => this.provenance(template) };
    this.dockerfiles = new Dockerfiles(this, {
      ...wiring,
      family: this.family,
      templates: this.templates,
      extraIgnores: sources?.dockerignore ?? [],
      appPath,
    });
    this.kubernetes = new Kubernetes(this, { ...wiring, model, appPath });
    if (model.compose) {
      this.composeFile = ComposeFile.of(project, model.compose.file);
      this.composeFile.add({
        displayPath: this.displayPath,
        appPath,
        family: this.family,
        ensureChecked: () => this.check(),
        model: () => this.model,
        deployment: () => this.kubernetes.renderedObject('Deployment'),
        dockerfile: () => ({ path: this.dockerfiles.path(DOCKERFILE_PATHS.dockerfile), text: this.dockerfiles.dockerfileText }),
      });
    }
    GenerationGuard.of(project).recordModel(() => this.recordedModel(), appPath);
    // Opt-in: a project without `ci` gets no workflow component at all.
    if (model.definition.ci !== undefined) {
      CiWorkflows.of(project).add(model.definition.ci?.provider, { appPath, ensureChecked: () => this.check(), ci: () => this.ci! });
    }
    if (appPath) {
      WorkspaceOutputs.of(project).add({
        appPath,
        displayPath: this.displayPath,
        ensureChecked: () => this.check(),
        ignoreInput: () => this.dockerfiles.ignoreInput,
        templates: this.templates,
        extraIgnores: sources?.dockerignore ?? [],
        allowInsecureDockerfile: () => this.model.allowInsecureDockerfile,
        provenance: (template?: string) => this.provenance(template),
      });
    }
  }

  /**
   * The resolved model, with what was added to the stages since construction and, last, the digests
   * of the project's base-image lock (looked up by the final references).
   */
  get model(): AppModel {
    const model = this.runtimeStage.applyTo(this.buildStage.applyTo(this.resolved));
    return this.pins ? this.pins.apply(model) : model;
  }

  /** The App's CI settings, resolved; undefined without `ci`. */
  get ci(): CiAppModel | undefined {
    return resolveCi(this.model, this.family, this.facts, this.appPath);
  }

  /** What `.projen/msb.json` records about this App (the resolved model, as plain JSON). */
  recordedModel(): RecordedModel {
    return recordModel(this.model, this.family);
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
    return this.resolved.image.debugTag;
  }

  /** Paths of the files this App writes with the content they will have (after validation), the compose file it is in too. */
  outputs(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const f of [...this.node.findAll(), ...(this.composeFile ? [this.composeFile.file] : [])]) {
      const content = f instanceof GeneratedTextFile ? f.content() : undefined;
      if (content !== undefined) out[(f as GeneratedTextFile).path] = content;
    }
    return out;
  }

  /** Construct path for messages, rooted at the project name: `orders-api/App`. */
  get displayPath(): string {
    return [this.project.name, ...this.node.scopes.slice(1).map((s) => s.node.id)].join('/');
  }

  /** Every problem in the definition (the model), collected; empty when valid. */
  validate(): v.ValidationProblem[] {
    const p = new v.Problems(this.displayPath);
    validateModel(this.model, this.family, this.facts, this.sources?.policies ?? [], p);
    validateConfigFiles(p, this.model, this.appPath ? path.join(this.project.outdir, this.appPath) : this.project.outdir);
    validateCi(this.model, this.ci, ciProviderNames(), p);
    return [...this.familyProblems, ...p.all];
  }

  /** Runs the validation pass and renders every output, before the guard and the write. */
  preSynthesize(): void {
    this.checked = false;
    this.check();
    for (const warning of [...this.imageWarnings(), ...this.lockWarnings(), ...this.buildWarnings()]) this.project.logger.warn(warning);
  }

  /** What the image reference risks although it is valid: a tag from a fallback, or a moving tag. */
  imageWarnings(): string[] {
    const img = this.model.image;
    const out: string[] = [];
    if (img.tagSource === 'git') out.push(`image tag ${img.tag} comes from the git commit (no image.tag and no app version usable as a tag): set image.tag or a version in the project`);
    if (img.tagSource === 'fallback') out.push(`image tag ${img.tag} is a placeholder (no image.tag, no app version usable as a tag, no git commit): set image.tag or a version in the project`);
    if (img.pullPolicy === 'Always') out.push(`image tag "${img.tag}" moves (the same name points at new images): the Deployment pulls it with imagePullPolicy Always; pin it with image.digest or use a version tag`);
    return out;
  }

  /**
   * The base images the project's lock (`msb.lock.json`) could pin but does not (not in the lock, or a
   * runtime/debug pair not held together): their FROM lines use the tags. Empty without a lock.
   */
  lockWarnings(): string[] {
    return [...(this.pins?.warnings(this.model) ?? [])];
  }

  /**
   * What would make `docker build` fail although the definition is valid (e.g. a missing lockfile
   * or copied path). Warnings, not errors: right after scaffolding the lockfile does not exist yet.
   */
  buildWarnings(): string[] {
    const dir = this.project.outdir;
    const missing = this.model.copies
      .filter((c) => !c.from && !fs.existsSync(path.join(dir, c.src)))
      .map((c) => `${c.src} not found: the runtime stage copies it from the build context`);
    return this.family.buildWarnings(this.model, dir, missing);
  }

  /**
   * The validation pass, once per synthesis: the model's problems; then, on a valid model, every
   * rendered output's problems (Dockerfile policy, .dockerignore, schema, Pod Security). Throws one
   * {@link v.MsbValidationError} carrying every problem of the first step that has any.
   */
  private check(): void {
    if (this.checked) return;
    const lockProblem = this.pins?.problem;
    if (lockProblem) throw lockProblem;
    const problems = this.validate();
    if (problems.length > 0) throw v.userError(new v.MsbValidationError(problems));
    const model = this.model;
    const rendered = new v.Problems(this.displayPath);
    this.dockerfiles.render(model, rendered);
    this.kubernetes.render(model, rendered);
    if (rendered.all.length > 0) throw v.userError(new v.MsbValidationError(rendered.all));
    this.checked = true;
  }
}

/** An App's `path`: a relative folder inside the project, normalized; a named error otherwise. */
function checkAppPath(project: Project, value: unknown): string {
  const fail = (expected: string): never => {
    throw v.userError(new v.MsbValidationError([{ path: project.name, field: 'path', value, expected }]));
  };
  if (!v.isRelativePath(value)) return fail(`${v.RELATIVE_PATH_RULE}, naming the App's folder in the workspace (e.g. "apps/web")`);
  const norm = v.normalizePath(value);
  if (norm === '' || norm === '.') return fail('a folder below the project root (e.g. "apps/web"); leave path out for the project root');
  // Every level must be a real folder: outputs are never written through a symbolic link.
  let dir = project.outdir;
  for (const part of norm.split('/')) {
    dir = path.join(dir, part);
    let st: fs.Stats | undefined;
    try {
      st = fs.lstatSync(dir);
    } catch {
      return fail(`an existing folder of the project (${path.relative(project.outdir, dir)} does not exist)`);
    }
    if (st.isSymbolicLink()) return fail(`a folder inside the project without symbolic links (${path.relative(project.outdir, dir)} is a link)`);
    if (!st.isDirectory()) return fail(`a folder (${path.relative(project.outdir, dir)} is not one)`);
  }
  return norm;
}

function isInside(parent: string, child: string): boolean {
  return child.startsWith(`${parent}/`);
}

/** The project's base-image lock: its code is loaded only when the project has the file. */
function baseImagePins(project: Project): BaseImagePins | undefined {
  if (!fs.existsSync(path.join(project.outdir, BASE_IMAGE_LOCK_FILE))) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('./lock/pins') as typeof import('./lock/pins')).BaseImagePins.of(project);
}
