/**
 * The outputs a workspace (monorepo) project shares between its Apps: one `.dockerignore` at the
 * repository root (the build context of every App: Buildah 1.28 reads only the context's ignore
 * file), judged for the union of what every App copies, and a root kustomization that includes
 * every App's base (`k8s/kustomization.yaml`) and debug overlay (`k8s/overlays/debug/`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ignoreMatcher from '@balena/dockerignore';
import { Component } from 'projen/lib/component';
import { Project } from 'projen/lib/project';
import { stringify } from 'yaml';
import { dockerignoreLeaks } from './dockerfile-policy';
import type { DockerignoreInput } from './dockerfiles';
import { GenerationGuard } from './edit-guard';
import { GeneratedTextFile } from './generated-file';
import type { TemplateRenderer } from './templates';
import * as v from './validation';

/** The paths a workspace project writes at its root. */
export const WORKSPACE_PATHS = {
  dockerignore: '.dockerignore',
  kustomization: 'k8s/kustomization.yaml',
  debugKustomization: 'k8s/overlays/debug/kustomization.yaml',
} as const;

/** What the workspace outputs read from one App. */
export interface WorkspaceMember {
  /** The App's folder, e.g. `apps/web`. */
  readonly appPath: string;
  /** Construct path for messages. */
  readonly displayPath: string;
  /** Validates and renders the App (once per synthesis); throws its problems. */
  readonly ensureChecked: () => void;
  /** What the App adds to `.dockerignore` (after `ensureChecked`). */
  readonly ignoreInput: () => DockerignoreInput | undefined;
  readonly templates: TemplateRenderer;
  readonly extraIgnores: readonly string[];
  readonly allowInsecureDockerfile: () => boolean;
  readonly provenance: (template?: string) => string[];
}

/** One per workspace project: created by the first App with a `path`. */
export class WorkspaceOutputs extends Component {
  /** The workspace outputs of a project, created on first use. */
  static of(project: Project): WorkspaceOutputs {
    const found = project.components.find((c): c is WorkspaceOutputs => c instanceof WorkspaceOutputs);
    return found ?? new WorkspaceOutputs(project);
  }

  private readonly members: WorkspaceMember[] = [];
  private readonly dockerignoreFile: GeneratedTextFile;

  private constructor(project: Project) {
    super(project, 'WorkspaceOutputs');
    const guard = GenerationGuard.of(project);
    this.dockerignoreFile = new GeneratedTextFile(this, WORKSPACE_PATHS.dockerignore, (marker) => this.renderDockerignore(marker));
    guard.track(this.dockerignoreFile, () => this.members[0]?.provenance('dockerignore') ?? ['built-in']);
    const kustomization = (render: () => string) => (marker: string) => {
      for (const m of this.members) m.ensureChecked();
      return `# ${marker}\n${render()}`;
    };
    const base = new GeneratedTextFile(this, WORKSPACE_PATHS.kustomization, kustomization(() => stringify(this.kustomization('..', 'k8s/base'))));
    const debug = new GeneratedTextFile(this, WORKSPACE_PATHS.debugKustomization, kustomization(() => stringify(this.kustomization('../../..', 'k8s/overlays/debug'))));
    guard.track(base, () => ['built-in']);
    guard.track(debug, () => ['built-in']);
  }

  /** Adds an App. */
  add(member: WorkspaceMember): void {
    this.members.push(member);
  }

  /** The Apps' folders, sorted. */
  get appPaths(): string[] {
    return this.members.map((m) => m.appPath).sort();
  }

  /** A kustomization that includes every App's folder `sub`, from a file `up` levels below the root. */
  kustomization(up: string, sub: string): Record<string, unknown> {
    return {
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: this.appPaths.map((p) => `${up}/${p}/${sub}`),
    };
  }

  private renderDockerignore(marker: string): string | undefined {
    for (const m of this.members) m.ensureChecked();
    const inputs = this.members
      .map((m) => ({ m, input: m.ignoreInput() }))
      .filter((x): x is { m: WorkspaceMember; input: DockerignoreInput } => x.input !== undefined);
    if (inputs.length === 0) return undefined;
    const templates = inputs[0].m.templates;
    const uniq = <T>(xs: T[]) => [...new Set(xs)];
    const sections = new Map<string, DockerignoreInput['familyIgnores'][number]>();
    for (const { input } of inputs) for (const s of input.familyIgnores) if (!sections.has(s.comment)) sections.set(s.comment, s);
    const contextSources = uniq(inputs.flatMap(({ input }) => [...input.contextSources])).sort();
    const context = {
      marker,
      build: undefined,
      familyIgnores: [...sections.values()],
      secretPatterns: uniq(inputs.flatMap(({ input }) => [...input.secretPatterns])),
      extra: uniq(inputs.flatMap(({ m }) => [...m.extraIgnores])),
      appOutputs: uniq(inputs.flatMap(({ input }) => [...input.ignored])),
      keep: [] as string[],
    };
    let text = templates.render('dockerignore', context);
    // Never ignore a file any App's Dockerfile copies from the context: re-include it explicitly.
    const ignored = ignoreMatcher().add(text);
    const keep = contextSources.filter((src) => ignored.ignores(src));
    if (keep.length > 0) text = templates.render('dockerignore', { ...context, keep });
    // The secret rules hold for the union: one App's re-include is every App's build context.
    if (!inputs.every(({ m }) => m.allowInsecureDockerfile())) {
      const dependencyDirs = uniq(inputs.flatMap(({ m, input }) => input.dependencyDirs.flatMap((d) => [d, `${m.appPath}/${d}`])));
      const p = new v.Problems(inputs[0].m.displayPath.split('/')[0]);
      const optOut = 'set allowInsecureDockerfile: true on every App in .projenrc.ts to opt out, visibly';
      const leaks = dockerignoreLeaks(text, contextSources, 12, dependencyDirs);
      if (leaks.length > 0) {
        p.add(`.dockerignore (the build context of ${this.appPaths.join(', ')}; templates: ${templates.sourcesUsed('dockerignore').join(', ')})`, leaks,
          `a .dockerignore that keeps secrets and VCS data out of the build context (${optOut})`);
      }
      const shadow = readIfFile(path.join(this.project.outdir, '.containerignore'));
      if (shadow !== undefined) {
        const shadowLeaks = dockerignoreLeaks(shadow, contextSources, 12, dependencyDirs);
        if (shadowLeaks.length > 0) {
          p.add('.containerignore (read by podman and buildah instead of the generated .dockerignore)', shadowLeaks,
            `no .containerignore, or one that keeps secrets and VCS data out of the build context as .dockerignore does (${optOut})`);
        }
      }
      if (p.all.length > 0) throw v.userError(new v.MsbValidationError(p.all));
    }
    return text;
  }
}

function readIfFile(file: string): string | undefined {
  try {
    return fs.statSync(file).isFile() ? fs.readFileSync(file, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}
