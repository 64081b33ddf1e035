/**
 * CI providers: one entry per CI service, each rendering the same {@link CiAppModel}s into its own
 * workflow file. A new service is one object here (a path and a renderer), nothing else changes.
 */
import { githubActions } from './github/workflow';
import type { CiAppModel } from './model';

/** A CI service the workflow can be generated for. */
export interface CiProvider {
  /** The `ci.provider` value that selects it. */
  readonly name: string;
  /** The service's name, for docs and comments. */
  readonly title: string;
  /** The workflow file, relative to the repository root. */
  readonly path: string;
  /** The workflow for every App of the project that names this provider, with the marker line first. */
  render(apps: readonly CiAppModel[], marker: string): string;
}

/** Every CI provider, by the `ci.provider` value that selects it. */
export const CI_PROVIDERS: Readonly<Record<string, CiProvider>> = {
  github: githubActions,
};

/** The provider names, in table order. */
export function ciProviderNames(): string[] {
  return Object.keys(CI_PROVIDERS);
}

/** Looks up a provider; undefined when the table has none of that name. */
export function findCiProvider(name: unknown): CiProvider | undefined {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(CI_PROVIDERS, name) ? CI_PROVIDERS[name] : undefined;
}
