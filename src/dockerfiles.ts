/**
 * The Dockerfiles component: Dockerfile, Dockerfile.debug (identical but for the final base image)
 * and .dockerignore, rendered from the model with the family's templates, and the policy every
 * rendering must keep (runtime stage not weakened, secrets out of the build context).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ignoreMatcher from '@balena/dockerignore';
import { IConstruct } from 'constructs';
import { Component } from 'projen/lib/component';
import type { RuntimeFamily } from './contract/family';
import { type AppModel, fromReference } from './contract/model';
import { DOCKERFILE_PATHS } from './contract/record';
import { SECRET_PATTERNS, dockerignoreLeaks, runtimeStageViolations } from './dockerfile-policy';
import { GenerationGuard } from './edit-guard';
import { GeneratedTextFile } from './generated-file';
import { TemplateRenderer } from './templates';
import type { Problems } from './validation';


/** Props of {@link Dockerfiles}. */
export interface DockerfilesProps {
  readonly family: RuntimeFamily;
  /** Every runtime family: a dependency folder of another family is not required in .dockerignore. */
  readonly templates: TemplateRenderer;
  /** `.dockerignore` additions of the org templates. */
  readonly extraIgnores: readonly string[];
  /** Validates the whole App (once per synthesis) before any output is read. */
  readonly ensureChecked: () => void;
  /** Template sources that shaped a file (for the generation record). */
  readonly provenance: (template?: string) => string[];
  /**
   * The App's folder in a workspace, e.g. `apps/web`: the Dockerfiles are written there and the
   * project's one `.dockerignore` (at the root, the build context) belongs to {@link WorkspaceOutputs}.
   * @default - the project root; this component owns `.dockerignore`
   */
  readonly appPath?: string;
}

/** What one App contributes to a `.dockerignore` (the project's, or the union of a workspace's). */
export interface DockerignoreInput {
  readonly familyIgnores: RuntimeFamily['dockerignore']['sections'];
  readonly secretPatterns: readonly string[];
  readonly dependencyDirs: readonly string[];
  /** Paths the Dockerfiles copy from the context (never ignored). */
  readonly contextSources: readonly string[];
  /** Host build output and generated deployment files of this App: never part of the context. */
  readonly ignored: readonly string[];
}

/** Renders and owns the Dockerfiles and .dockerignore. */
export class Dockerfiles extends Component {
  private readonly props: DockerfilesProps;
  private readonly files = new Map<string, GeneratedTextFile>();
  private rendered?: Record<string, string>;
  /** What this App adds to the `.dockerignore`, once rendered. */
  ignoreInput?: DockerignoreInput;
  private readonly prefix: string;

  constructor(scope: IConstruct, props: DockerfilesProps) {
    super(scope, 'Dockerfiles');
    this.props = props;
    this.prefix = props.appPath ? `${props.appPath}/` : '';
    const guard = GenerationGuard.of(this.project);
    const templateOf: Record<string, string> = {
      [this.path(DOCKERFILE_PATHS.dockerfile)]: 'Dockerfile',
      [this.path(DOCKERFILE_PATHS.debugDockerfile)]: 'Dockerfile',
      ...(props.appPath ? {} : { [DOCKERFILE_PATHS.dockerignore]: 'dockerignore' }),
    };
    for (const [file, template] of Object.entries(templateOf)) {
      const f = new GeneratedTextFile(this, file, () => {
        props.ensureChecked();
        return this.rendered?.[file];
      });
      this.files.set(file, f);
      guard.track(f, () => props.provenance(template));
    }
  }

  /** A generated file's path: under the App's folder in a workspace. */
  path(file: string): string {
    return `${this.prefix}${file}`;
  }

  /** The rendered Dockerfile (after the App's check), e.g. for the build secrets it mounts. */
  get dockerfileText(): string | undefined {
    return this.rendered?.[this.path(DOCKERFILE_PATHS.dockerfile)];
  }

  /** Generated files of this component. */
  get generated(): readonly GeneratedTextFile[] {
    return [...this.files.values()];
  }

  /** Renders every file from the model and adds each rendered-output problem to `p`. */
  render(model: AppModel, p: Problems): void {
    const { family, templates } = this.props;
    const dockerfilePath = this.path(DOCKERFILE_PATHS.dockerfile);
    const debugPath = this.path(DOCKERFILE_PATHS.debugDockerfile);
    const marker = this.files.get(dockerfilePath)?.marker ?? '';
    const files = this.prefix ? { files: { dockerfile: dockerfilePath, debug: debugPath } } : {};
    const context = { ...dockerfileContext(model, family, marker), ...files };
    const dockerfile = templates.render('Dockerfile', { ...context, runtime: { image: fromReference(model.baseImages.runtime) } });
    const debugDockerfile = templates.render('Dockerfile', { ...context, runtime: { image: fromReference(model.baseImages.debug) } });
    const optOut = 'set allowInsecureDockerfile: true in .projenrc.ts to opt out, visibly';
    if (!model.allowInsecureDockerfile) {
      const expected = {
        uid: model.runtime.uid,
        gid: model.runtime.gid,
        workdir: model.workdir,
        stages: [...family.dockerfile.copyFrom(model)],
        policy: family.dockerfile.policy?.(model),
        env: Object.keys(model.env),
        cmd: (family.dockerfile.exec?.(model) ?? { cmd: model.runtime.cmd }).cmd,
      };
      const { runtime, debug } = model.baseImages;
      const weakened = [
        ...runtimeStageViolations(dockerfile, { ...expected, image: fromReference(runtime) }).map((x) => [dockerfilePath, x]),
        ...runtimeStageViolations(debugDockerfile, { ...expected, image: fromReference(debug) }).map((x) => [debugPath, x]),
      ];
      for (const [file, x] of weakened) {
        p.add(`${file} runtime stage (templates: ${templates.sourcesUsed('Dockerfile').join(', ')})`, x,
          `the distroless base of the definition, USER <uid>:<gid> of its non-root user, no RUN and no COPY from an image (${optOut})`);
      }
    }
    const contextSources = [...model.runtime.installFiles, ...model.copies.filter((c) => !c.from).map((c) => c.src)];
    // the local dev loop's compose file (at the project root) is a generated deployment file too
    const composeFile = model.compose ? [model.compose.file] : [];
    const secretPatterns = [...new Set([...SECRET_PATTERNS, ...family.dockerignore.secretFiles])];
    this.ignoreInput = {
      familyIgnores: family.dockerignore.sections,
      secretPatterns,
      dependencyDirs: family.dockerignore.dependencyDirs,
      contextSources,
      ignored: this.prefix
        ? [...(model.runtime.build ? [model.runtime.build.outDir] : []), this.path('k8s'), dockerfilePath, debugPath, ...composeFile]
        : [],
    };
    if (this.prefix) {
      // Only the Dockerfiles: the workspace's .dockerignore is rendered and judged for every App at once.
      for (const file of [dockerfilePath, debugPath]) {
        const shadow = readIfFile(path.join(this.project.outdir, `${file}.dockerignore`));
        if (shadow === undefined || model.allowInsecureDockerfile) continue;
        const shadowLeaks = dockerignoreLeaks(shadow, contextSources, 12, family.dockerignore.dependencyDirs);
        if (shadowLeaks.length > 0) {
          p.add(`${file}.dockerignore (read by BuildKit instead of the generated .dockerignore)`, shadowLeaks,
            `no ${file}.dockerignore, or one that keeps secrets and VCS data out of the build context as .dockerignore does (set allowInsecureDockerfile: true in .projenrc.ts to opt out, visibly)`);
        }
      }
      this.rendered = { [dockerfilePath]: dockerfile, [debugPath]: debugDockerfile };
      return;
    }
    const ignoreContext = {
      marker,
      build: model.runtime.build,
      familyIgnores: family.dockerignore.sections,
      secretPatterns,
      extra: this.props.extraIgnores,
      appOutputs: composeFile,
      keep: [] as string[],
    };
    let dockerignore = templates.render('dockerignore', ignoreContext);
    // Never ignore a file the Dockerfile copies from the context: re-include it explicitly.
    const ignored = ignoreMatcher().add(dockerignore);
    const keep = [...new Set(contextSources.filter((src) => ignored.ignores(src)))];
    if (keep.length > 0) dockerignore = templates.render('dockerignore', { ...ignoreContext, keep });
    if (!model.allowInsecureDockerfile) {
      const leaks = dockerignoreLeaks(dockerignore, contextSources, 12, family.dockerignore.dependencyDirs);
      if (leaks.length > 0) {
        p.add(`.dockerignore (templates: ${templates.sourcesUsed('dockerignore').join(', ')})`, leaks,
          `a .dockerignore that keeps secrets and VCS data out of the build context (${optOut})`);
      }
      // Files the builders read INSTEAD of .dockerignore: podman/buildah prefer .containerignore,
      // BuildKit prefers <Dockerfile>.dockerignore. Each is judged the same way.
      for (const file of SHADOWING_IGNORE_FILES) {
        const text = readIfFile(path.join(this.project.outdir, file));
        if (text === undefined) continue;
        const shadowLeaks = dockerignoreLeaks(text, contextSources, 12, family.dockerignore.dependencyDirs);
        if (shadowLeaks.length > 0) {
          p.add(`${file} (read by the builders instead of the generated .dockerignore)`, shadowLeaks,
            `no ${file}, or one that keeps secrets and VCS data out of the build context as .dockerignore does (${optOut})`);
        }
      }
    }
    this.rendered = {
      [DOCKERFILE_PATHS.dockerfile]: dockerfile,
      [DOCKERFILE_PATHS.debugDockerfile]: debugDockerfile,
      [DOCKERFILE_PATHS.dockerignore]: dockerignore,
    };
  }
}

/** Ignore files that replace .dockerignore for some builder: Buildah's, then BuildKit's per Dockerfile. */
export const SHADOWING_IGNORE_FILES = ['.containerignore', `${DOCKERFILE_PATHS.dockerfile}.dockerignore`, `${DOCKERFILE_PATHS.debugDockerfile}.dockerignore`];

function readIfFile(file: string): string | undefined {
  try {
    return fs.statSync(file).isFile() ? fs.readFileSync(file, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}

/** The context of the Dockerfile templates: the common part, then the family's. */
export function dockerfileContext(model: AppModel, family: RuntimeFamily, marker: string): Record<string, unknown> {
  return {
    marker,
    image: `${model.image.repository}:${model.image.tag}`,
    debugImage: `${model.image.repository}:${model.image.debugTag}`,
    workdir: model.workdir,
    uid: model.runtime.uid,
    gid: model.runtime.gid,
    port: model.port,
    builder: model.baseImages.builder ? { image: fromReference(model.baseImages.builder) } : undefined,
    baseSteps: model.builderSteps,
    buildSteps: model.buildSteps,
    build: model.runtime.build,
    secretsRequired: false,
    env: Object.entries(model.env).map(([name, value]) => ({ name, value })),
    copies: model.copies,
    labels: Object.entries(model.labels).map(([key, value]) => ({ key, value })),
    cmd: model.runtime.cmd,
    ...family.dockerfile.context(model),
  };
}
