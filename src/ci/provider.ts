/**
 * CI providers: one entry per CI service, each rendering the same {@link CiAppModel}s into its own
 * workflow file. A new service is one object here (a path and a renderer), nothing else changes.
 */
import { githubActions } from './github/workflow';
import type { CiProvider } from './model';

export type { CiProvider };

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
