/**
 * The two Dockerfile stages of an App, as mutable parts of the model: the build stage (builder
 * image, steps) and the runtime stage (distroless image, what is copied in, env, labels). They are
 * seeded from the resolved model; what is added after construction shows in the outputs, since the
 * outputs are rendered at synthesis from {@link BuildStage.applyTo} / {@link RuntimeStage.applyTo}.
 */
import { IConstruct } from 'constructs';
import { Component } from 'projen/lib/component';
import type { AppModel, BaseImage, RuntimeCopy } from './contract/model';

export type { RuntimeCopy } from './contract/model';

/**
 * The builder: dependency install from the lockfile, then the sources and the build script (what
 * exactly is the runtime family's; a family without a builder has no build stage in its Dockerfile).
 */
export class BuildStage extends Component {
  /** Builder image reference; undefined when the family has no builder. */
  image?: string;
  /** Build script, undefined when the app runs its sources as they are. */
  readonly buildScript?: string;
  /** Folder the build writes. */
  readonly outDir?: string;
  /** Files copied from the context before the dependency install (manifest, lockfile, local packages). */
  readonly installFiles: readonly string[];
  private readonly steps: string[] = [];
  private readonly baseSteps: string[];

  constructor(scope: IConstruct, model: AppModel) {
    super(scope, 'BuildStage');
    this.image = model.baseImages.builder?.ref;
    this.buildScript = model.runtime.build?.script;
    this.outDir = model.runtime.build?.outDir;
    this.installFiles = [...model.runtime.installFiles];
    this.baseSteps = [...model.builderSteps];
  }

  /**
   * Adds a shell command run in the build stage after the sources are copied, before the build
   * script (e.g. code generation).
   */
  addStep(command: string): void {
    this.steps.push(command);
  }

  /**
   * Adds a shell command at the start of the builder (shared by every builder stage), e.g.
   * trusting a corporate CA or installing a system package a native addon needs.
   */
  addBaseStep(command: string): void {
    this.baseSteps.push(command);
  }

  /** Steps added with {@link addStep}. */
  get buildSteps(): readonly string[] {
    return [...this.steps];
  }

  /** Steps added with {@link addBaseStep} (after the org template's). */
  get builderSteps(): readonly string[] {
    return [...this.baseSteps];
  }

  /** Whether the app has a build step. */
  get hasBuild(): boolean {
    return this.buildScript !== undefined;
  }

  /** The model with this stage's current state. */
  applyTo(model: AppModel): AppModel {
    const builder = model.baseImages.builder;
    const changed = builder && this.image !== undefined && this.image !== builder.ref;
    return {
      ...model,
      baseImages: { ...model.baseImages, builder: changed ? { ref: this.image!, origin: 'project' } : builder },
      buildSteps: this.buildSteps,
      builderSteps: this.builderSteps,
    };
  }
}

/**
 * The distroless runtime: only what runs is copied in, owned by the non-root user.
 */
export class RuntimeStage extends Component {
  /** Runtime base image reference. */
  image: string;
  /** Debug base image reference, used by Dockerfile.debug and nothing else. */
  debugImage: string;
  readonly port: number;
  readonly entrypoint: string;
  readonly workdir: string;
  /** uid the image runs as. */
  readonly uid: number;
  /** gid the image runs as. */
  readonly gid: number;
  /** CMD in exec form. */
  readonly cmd: string[];
  private readonly env: Map<string, string>;
  private readonly labels: Map<string, string>;
  private readonly copies: RuntimeCopy[];

  constructor(scope: IConstruct, model: AppModel) {
    super(scope, 'RuntimeStage');
    this.image = model.baseImages.runtime.ref;
    this.debugImage = model.baseImages.debug.ref;
    this.port = model.port;
    this.entrypoint = model.runtime.entrypoint;
    this.workdir = model.workdir;
    this.uid = model.runtime.uid;
    this.gid = model.runtime.gid;
    this.cmd = [...model.runtime.cmd];
    this.env = new Map(Object.entries(model.env));
    this.labels = new Map(Object.entries(model.labels));
    this.copies = [...model.copies];
  }

  /** Sets an environment variable baked into the image (both Dockerfiles). */
  addEnv(name: string, value: string): void {
    this.env.set(name, value);
  }

  /** Adds or replaces an image label. */
  addLabel(key: string, value: string): void {
    this.labels.set(key, value);
  }

  /**
   * Copies a file or folder into the runtime image, owned by the non-root user.
   * @param src path in the build context (or in stage `from`)
   * @param dest destination relative to the working directory @default - same as `src`
   * @param from stage to copy from, e.g. `build` @default - the build context
   */
  addCopy(src: string, dest?: string, from?: string): void {
    this.copies.push({ src, dest: dest ?? src, from });
  }

  /** Environment baked into the image. */
  get environment(): ReadonlyMap<string, string> {
    return new Map(this.env);
  }

  /** Image labels. */
  get imageLabels(): ReadonlyMap<string, string> {
    return new Map(this.labels);
  }

  /** Files copied in (besides the installed dependencies). */
  get runtimeCopies(): readonly RuntimeCopy[] {
    return [...this.copies];
  }

  /** The model with this stage's current state. */
  applyTo(model: AppModel): AppModel {
    const image = (ref: string, was: BaseImage): BaseImage => (ref === was.ref ? was : { ref, origin: 'project' });
    return {
      ...model,
      baseImages: {
        ...model.baseImages,
        runtime: image(this.image, model.baseImages.runtime),
        debug: image(this.debugImage, model.baseImages.debug),
      },
      env: Object.fromEntries(this.env),
      labels: Object.fromEntries(this.labels),
      copies: this.runtimeCopies,
    };
  }
}
