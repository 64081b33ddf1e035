/**
 * The two Dockerfile stages of an App: the build stage (builder image, dependency install, build
 * command) and the runtime stage (distroless image, what is copied in, user, port, CMD, labels).
 */
import { IConstruct } from 'constructs';
import { Component } from 'projen';
import { RuntimeSpec } from './runtime/catalog';
import { PackageManagerSpec } from './runtime/package-managers';

/** A file or folder copied into the runtime image. */
export interface RuntimeCopy {
  /** Source path: in the build context, or in the stage named by `from`. */
  readonly src: string;
  /** Destination, relative to the working directory. */
  readonly dest: string;
  /** Stage to copy from (`build`), or undefined for the build context. */
  readonly from?: string;
}

/** Props of {@link BuildStage}. */
export interface BuildStageProps {
  readonly runtime: RuntimeSpec;
  readonly packageManager: PackageManagerSpec;
  /** Builder image reference (with tag or digest). */
  readonly image: string;
  /** package.json script that builds the app; undefined when there is no build. */
  readonly buildScript?: string;
  /** Folder the build writes. */
  readonly outDir: string;
  /**
   * Paths inside the project that package.json installs from (`file:` dependencies): copied before
   * the install, since the lockfile points at them.
   * @default []
   */
  readonly localPackages?: string[];
}

/**
 * The builder: dependency install from the lockfile (production-only and full, each in its own
 * stage, with cache mounts), then the sources and the build script.
 */
export class BuildStage extends Component {
  readonly runtime: RuntimeSpec;
  readonly packageManager: PackageManagerSpec;
  /** Builder image reference. */
  image: string;
  /** Build script, undefined when the app runs its sources as they are. */
  readonly buildScript?: string;
  readonly outDir: string;
  /** Paths the install reads besides package.json and the lockfile (local `file:` dependencies). */
  readonly localPackages: readonly string[];
  private readonly steps: string[] = [];
  private readonly baseSteps: string[] = [];

  constructor(scope: IConstruct, props: BuildStageProps) {
    super(scope, 'BuildStage');
    this.runtime = props.runtime;
    this.packageManager = props.packageManager;
    this.image = props.image;
    this.buildScript = props.buildScript;
    this.outDir = props.outDir;
    this.localPackages = [...(props.localPackages ?? [])];
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

  /** Steps added with {@link addBaseStep}. */
  get builderSteps(): readonly string[] {
    return [...this.baseSteps];
  }

  /** Whether the app has a build step. */
  get hasBuild(): boolean {
    return this.buildScript !== undefined;
  }

  /** The files copied before the sources: package manifest and lockfile. */
  get manifests(): string[] {
    return ['package.json', this.packageManager.lockfile];
  }
}

/** Props of {@link RuntimeStage}. */
export interface RuntimeStageProps {
  readonly runtime: RuntimeSpec;
  /** Runtime base image reference (distroless, non-root tag or digest). */
  readonly image: string;
  /** Debug base image reference (same image with a busybox shell). */
  readonly debugImage: string;
  readonly port: number;
  readonly entrypoint: string;
  readonly workdir: string;
}

/**
 * The distroless runtime: only what runs is copied in, owned by the non-root user.
 */
export class RuntimeStage extends Component {
  readonly runtime: RuntimeSpec;
  /** Runtime base image reference. */
  image: string;
  /** Debug base image reference, used by Dockerfile.debug and nothing else. */
  debugImage: string;
  readonly port: number;
  readonly entrypoint: string;
  readonly workdir: string;
  private readonly env = new Map<string, string>();
  private readonly labels = new Map<string, string>();
  private readonly copies: RuntimeCopy[] = [];

  constructor(scope: IConstruct, props: RuntimeStageProps) {
    super(scope, 'RuntimeStage');
    this.runtime = props.runtime;
    this.image = props.image;
    this.debugImage = props.debugImage;
    this.port = props.port;
    this.entrypoint = props.entrypoint;
    this.workdir = props.workdir;
  }

  /** uid the image runs as. */
  get uid(): number {
    return this.runtime.uid;
  }

  /** gid the image runs as. */
  get gid(): number {
    return this.runtime.gid;
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

  /** Files copied in (besides production node_modules). */
  get runtimeCopies(): readonly RuntimeCopy[] {
    return [...this.copies];
  }

  /** CMD in exec form. */
  get cmd(): string[] {
    return this.runtime.cmd(this.entrypoint);
  }
}
