/**
 * The local dev loop: one compose file at the project root (`compose.yaml`), one service per App
 * whose `compose` is on, each built from its Dockerfile (the build context is the project root) and
 * run the way its pod runs. The pod's settings are read from the App's rendered Deployment (patches
 * applied) through the one reader of them (src/k8s/pod-settings.ts), so the service cannot drift from
 * the manifests. A compose file of the user's is never replaced, shadowed or merged into: synthesis
 * stops naming it (the hand-edit guard's notion of a foreign file).
 */
import { Component } from 'projen/lib/component';
import { Project } from 'projen/lib/project';
import { stringify } from 'yaml';
import { renderComposeDocument, renderComposeService, type RenderedService } from './render';
import type { RuntimeFamily } from '../contract/family';
import type { AppModel } from '../contract/model';
import { parseDockerfile, secretMounts } from '../dockerfile/parser';
import { GenerationGuard } from '../edit-guard';
import { GeneratedTextFile } from '../generated-file';
import type { ManifestObject } from '../k8s/manifests';
import { podSettings } from '../k8s/pod-settings';
import { COMPOSE_DEFAULT_FILES } from '../model/compose';
import { GitignoreLines } from '../project';
import * as v from '../validation';

/**
 * YAML options: no folding, and YAML 1.1's reading of plain scalars (podman-compose parses with
 * PyYAML, a YAML 1.1 parser: `65532:0` would be a base-60 number, `yes` a boolean), so every string
 * that 1.1 would read as something else is quoted.
 */
const COMPOSE_YAML = { lineWidth: 0, version: '1.1' } as const;

/** What the compose file reads from one App. */
export interface ComposeMember {
  /** Construct path for messages. */
  readonly displayPath: string;
  /** The App's folder in a workspace, e.g. `apps/web`. @default - the project root */
  readonly appPath?: string;
  readonly family: RuntimeFamily;
  /** Validates and renders the App (once per synthesis); throws its problems. */
  readonly ensureChecked: () => void;
  /** The App's model (with `compose` on). */
  readonly model: () => AppModel;
  /** The App's rendered Deployment, after `ensureChecked`. */
  readonly deployment: () => ManifestObject | undefined;
  /** The App's Dockerfile (path relative to the project root) and its rendered text, after `ensureChecked`. */
  readonly dockerfile: () => { readonly path: string; readonly text?: string };
}

/** One per project: created by the first App whose `compose` is on. */
export class ComposeFile extends Component {
  /** The compose file of a project, created on first use at `file` (the first App's `compose.file`). */
  static of(project: Project, file: string): ComposeFile {
    const found = project.components.find((c): c is ComposeFile => c instanceof ComposeFile);
    return found ?? new ComposeFile(project, file);
  }

  /** The generated file. */
  readonly file: GeneratedTextFile;
  private readonly members: ComposeMember[] = [];

  private constructor(project: Project, file: string) {
    super(project, 'ComposeFile');
    this.file = new GeneratedTextFile(this, file, (marker) => this.render(marker));
    // a compose file of the user's at this path is never replaced, not even with MSB_FORCE
    GenerationGuard.of(project).track(this.file, () => ['built-in'], { keepForeign: true });
  }

  /** Adds an App's service. */
  add(member: ComposeMember): void {
    this.members.push(member);
  }

  private render(marker: string): string {
    for (const m of this.members) m.ensureChecked();
    const problems: v.ValidationProblem[] = [];
    const services: { name: string; rendered: RenderedService }[] = [];
    const published = new Map<number, string>();
    const owner = this.members[0].model().name;
    for (const m of this.members) {
      const model = m.model();
      const settings = model.compose!;
      const p = new v.Problems(m.displayPath);
      if (settings.file !== this.file.path) {
        p.add('compose.file', settings.file, `"${this.file.path}", the compose file of App "${owner}": one compose file holds every App of the project`);
      }
      const other = published.get(settings.hostPort);
      if (other !== undefined) p.add('compose.hostPort', settings.hostPort, `a port no other App's service is published on (App "${other}" is on ${settings.hostPort}): set compose.hostPort`);
      published.set(settings.hostPort, model.name);
      const dockerfile = m.dockerfile();
      const mounted = [...new Set(parseDockerfile(dockerfile.text ?? '').flatMap((s) => s.instructions.flatMap(secretMounts)).map((x) => x.id))];
      for (const [i, id] of settings.buildSecrets.entries()) {
        p.check(mounted.includes(id), `compose.buildSecrets[${i}]`, id, mounted.length > 0
          ? `one of the build secrets ${dockerfile.path} mounts: ${mounted.join(', ')}`
          : `nothing: ${dockerfile.path} mounts no build secret`);
      }
      const rendered = renderComposeService({
        name: model.name,
        image: `${model.image.repository}:${model.image.tag}`,
        dockerfile: dockerfile.path,
        settings,
        pod: podSettings(m.deployment(), { name: model.name, port: model.port, uid: model.runtime.uid, gid: model.runtime.gid }),
        healthcheck: m.family.healthcheck?.(model) ?? { none: noHealthcheck(model) },
        watch: watchPaths(model, m.appPath),
        envFile: envFile(model.name),
      });
      services.push({ name: model.name, rendered });
      problems.push(...p.all);
    }
    problems.push(...this.shadowing());
    if (problems.length > 0) throw v.userError(new v.MsbValidationError(problems));
    const gitignore = GitignoreLines.of(this.project);
    for (const s of services) gitignore?.add(`/${envFile(s.name)}`);
    return [`# ${marker}`, ...this.header(services), stringify(renderComposeDocument(services), COMPOSE_YAML)].join('\n');
  }

  /**
   * A compose file of the user's that the generated one would replace, shadow or be merged with:
   * every name compose tools read by default when the generated file has one of them, else its own.
   */
  private shadowing(): v.ValidationProblem[] {
    const file = this.file.path;
    const readByDefault = (COMPOSE_DEFAULT_FILES as readonly string[]).includes(file);
    const foreign = GenerationGuard.of(this.project).foreignFiles(readByDefault ? COMPOSE_DEFAULT_FILES : [file]);
    if (foreign.length === 0) return [];
    const owner = this.members[0];
    const p = new v.Problems(owner.displayPath);
    const own = owner.model().definition.compose;
    const field = typeof own === 'object' && own.file !== undefined ? 'compose.file' : 'compose';
    const others = foreign.filter((f) => f !== file);
    const what = [
      ...(foreign.includes(file) ? [`${file} exists and is not generated by create-msb-app: it would be replaced`] : []),
      ...(others.length > 0 ? [`${others.join(', ')} ${others.length === 1 ? 'exists and is' : 'exist and are'} not generated by create-msb-app: next to ${file}, docker compose reads only the first of ${COMPOSE_DEFAULT_FILES.slice(0, 4).join(', ')} and podman-compose merges every one`] : []),
    ];
    p.add(field, field === 'compose' ? own : file,
      `no compose file of your own under a name compose tools read by default (${what.join('; ')}). Set compose.file to another name (e.g. "compose.msb.yaml", then run docker compose -f compose.msb.yaml ...), move your file away, or leave compose off`);
    return [...p.all];
  }

  private header(services: readonly { name: string; rendered: RenderedService }[]): string[] {
    const file = this.file.path;
    const f = (COMPOSE_DEFAULT_FILES as readonly string[]).includes(file) ? '' : ` -f ${file}`;
    const lines = [
      'The local dev loop: each service runs its image the way its pod runs (its k8s/base Deployment):',
      'read-only root filesystem, a tmpfs for /tmp and every emptyDir, no capabilities, no-new-privileges,',
      'the non-root user, the Deployment\'s env and memory limit; published on 127.0.0.1 only.',
      `  docker compose${f} watch             build, run, and rebuild a service when its sources change`,
      `  docker compose${f} up --build -d     or podman-compose${f} up --build -d (podman-compose has no watch)`,
      ...(f ? [] : ['Settings of your own: compose.override.yaml next to this file (docker compose merges it).']),
      ...services.flatMap((s) => s.rendered.notes.map((n) => `${s.name}: ${n}`)),
    ];
    return lines.map((l) => `# ${l}`);
  }
}

/** The optional env file of a service (the values of the Deployment's ConfigMaps and Secrets). */
export function envFile(service: string): string {
  return `${service}.env`;
}

/** Why an App's service has no health check. */
function noHealthcheck(model: AppModel): string {
  return model.healthCheckPath === undefined
    ? 'the probes are TCP (healthCheckPath: false); compose has no TCP check without a shell'
    : `the ${model.family} family builds no shell-free health check into its runtime image (Kubernetes uses the probes)`;
}

/**
 * The paths whose change rebuilds an App's service: the project root for the project's one App; in
 * a workspace, the App's folder, the folders of what its image copies from the context (its
 * internal packages) and the files its install reads (the root manifest and lockfile). Compose
 * applies the .dockerignore to them.
 */
export function watchPaths(model: AppModel, appPath?: string): string[] {
  if (appPath === undefined) return ['.'];
  const folder = (src: string) => (src.includes('/') ? src.slice(0, src.lastIndexOf('/')) : src);
  const paths = [...new Set([appPath, ...model.copies.filter((c) => !c.from).map((c) => folder(c.src)), ...model.runtime.installFiles])];
  const inside = (p: string, q: string) => p !== q && p.startsWith(`${q}/`);
  return paths.filter((p) => !paths.some((q) => inside(p, q)));
}
