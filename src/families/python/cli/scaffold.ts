/**
 * The files of a new Python project besides the definition, from templates/python/sample/:
 * pyproject.toml, requirements.txt (the lockfile pip installs from; the sample needs nothing beyond
 * the standard library), a small HTTP service with a health endpoint and graceful SIGTERM handling,
 * its tests (`python -m unittest`), .gitignore, a README; and the package.json of the tooling that
 * runs .projenrc.ts.
 */
import type { FamilyDefinition, Tooling } from '../../../contract/family-cli';
import { toolingPackageJson } from '../../kit/projen-tooling';
import { sampleFiles } from '../../kit/sample';

export const NEW_PYTHON_PROJECT_VERSION = '0.1.0';

/** The package the sample runs (`python -m app`): the folder `app/` of the sample. */
export const SAMPLE_MODULE = 'app';

export function newPythonProjectFiles(def: FamilyDefinition, tooling: Tooling): Record<string, string> {
  const context = {
    name: def.name,
    port: def.port,
    healthPath: def.healthCheckPath === false ? '/healthz' : def.healthCheckPath,
    version: NEW_PYTHON_PROJECT_VERSION,
    pythonVersion: def.runtime.pythonVersion,
    repository: def.image.repository,
    tag: def.image.tag ?? NEW_PYTHON_PROJECT_VERSION,
  };
  return { ...sampleFiles('python', context), 'package.json': toolingPackageJson(def, tooling) };
}
