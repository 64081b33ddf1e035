/**
 * The CI workflow files of a project: one per provider that an App's `ci` names, covering every such
 * App. Created by the first App with `ci` (a project without it gets nothing), written through the
 * generation guard like every output; a workflow of the user's own at the same path is never replaced.
 */
import { Component } from 'projen/lib/component';
import { Project } from 'projen/lib/project';
import type { CiAppModel } from './model';
import { type CiProvider, findCiProvider } from './provider';
import { GenerationGuard } from '../edit-guard';
import { GeneratedTextFile } from '../generated-file';

/** What the workflows read from one App. */
export interface CiMember {
  /** The App's folder in a workspace; undefined for the project's one App. */
  readonly appPath?: string;
  /** Validates and renders the App (once per synthesis); throws its problems. */
  readonly ensureChecked: () => void;
  /** The App's CI model (after `ensureChecked`). */
  readonly ci: () => CiAppModel;
}

/** One per project with `ci` on an App. */
export class CiWorkflows extends Component {
  /** The workflows of a project, created on first use. */
  static of(project: Project): CiWorkflows {
    const found = project.components.find((c): c is CiWorkflows => c instanceof CiWorkflows);
    return found ?? new CiWorkflows(project);
  }

  private readonly members: { provider: string; member: CiMember }[] = [];

  private constructor(project: Project) {
    super(project, 'CiWorkflows');
  }

  /** Adds an App under the provider its `ci` names (an unknown provider is the App's validation problem). */
  add(providerName: unknown, member: CiMember): void {
    const provider = findCiProvider(providerName);
    if (!provider) return;
    if (!this.members.some((m) => m.provider === provider.name)) this.createFile(provider);
    this.members.push({ provider: provider.name, member });
  }

  private createFile(provider: CiProvider): void {
    const file = new GeneratedTextFile(this, provider.path, (marker) => {
      const members = this.members.filter((m) => m.provider === provider.name).map((m) => m.member);
      for (const m of members) m.ensureChecked();
      const apps = members.sort((a, b) => (a.appPath ?? '').localeCompare(b.appPath ?? '')).map((m) => m.ci());
      return provider.render(apps, marker);
    });
    GenerationGuard.of(this.project).track(file, () => ['built-in'], { keepForeign: true });
  }
}
