/**
 * The Python family's entry in the runtime-stage allow-list (src/dockerfile-policy.ts): the runtime
 * stage copies the virtualenv from the `venv` stage and runs the virtualenv's interpreter (the one
 * ENTRYPOINT admitted: `<workdir>/.venv/bin/python3`, a link to the runtime's own Python, so the
 * virtualenv's site-packages and .pth files apply); the build stages read the CA secret only as
 * pip/uv/requests expect it (build-secrets contract).
 */
import { VENV_DIR } from './catalog';
import type { RuntimeStagePolicy } from '../../contract/policy';
import { ROOT_OWNED_FILES_POLICY, mergeRuntimeStagePolicies } from '../../dockerfile-policy';
import { CA_TRUST, caTrustReads } from '../kit/build-secrets';

/** A Python virtual environment stage. */
export const PYTHON_VENV_POLICY: RuntimeStagePolicy = { copyFrom: ['venv'] };

/** ENV names of the runtime stage that change what Python runs: only the project's own definition may set them. */
export const PYTHON_CONTROL_ENV = [
  'PYTHONPATH', 'PYTHONHOME', 'PYTHONSTARTUP', 'PYTHONINSPECT', 'PYTHONBREAKPOINT', 'PYTHONUSERBASE',
  'PYTHONEXECUTABLE', 'PYTHONPLATLIBDIR', 'PYTHONSAFEPATH', 'PYTHONWARNINGS', 'PYTHONDEVMODE',
];

/** The interpreter the runtime stage runs: the virtualenv's, under the working directory. */
export function pythonEntrypoint(workdir: string): string[] {
  return [`${workdir.replace(/\/+$/, '')}/${VENV_DIR}/bin/python3`];
}

/** The Python family's allow-list for a working directory. */
export function pythonRuntimePolicy(workdir: string): RuntimeStagePolicy {
  return mergeRuntimeStagePolicies(PYTHON_VENV_POLICY, ROOT_OWNED_FILES_POLICY, {
    env: ['PYTHONDONTWRITEBYTECODE', 'PYTHONUNBUFFERED'],
    controlEnv: PYTHON_CONTROL_ENV,
    entrypoints: [pythonEntrypoint(workdir)],
    secretReads: caTrustReads(CA_TRUST.python),
  });
}
