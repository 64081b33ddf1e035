/**
 * The static-binary family: a binary built before the image build (e.g. `CGO_ENABLED=0 go build`) is
 * copied from the build context into distroless `static` (no libc, no shell, non-root). No builder,
 * no dependency install, no build stage.
 *
 * @see https://github.com/GoogleContainerTools/distroless/blob/main/base/README.md
 */
import type { FamilyResolution, RuntimeFamily } from '../../contract/family';
import type { AppModel } from '../../contract/model';
import type { StaticRuntimeOptions } from '../../contract/options/static';
import { ROOT_OWNED_FILES_POLICY } from '../../dockerfile-policy';
import * as v from '../../validation';
import { BASE_DEBIAN13_ARCHES, distrolessPlatforms } from '../kit/distroless';
import { TOOLING_CI_INSTALL } from '../kit/projen-tooling';

/**
 * The one catalog line: distroless static on Debian 13. The image has no ENTRYPOINT, but its debug
 * tags have `/busybox/sh`: the binary is the ENTRYPOINT (exec form), so both images run it.
 */
export const STATIC_RUNTIME = {
  version: 'debian13',
  runtimeImage: 'gcr.io/distroless/static-debian13',
  runtimeTag: 'nonroot',
  debugTag: 'debug-nonroot',
  uid: 65532,
  gid: 65532,
  platforms: distrolessPlatforms(BASE_DEBIAN13_ARCHES),
} as const;

function options(props: { runtime?: unknown }): Partial<StaticRuntimeOptions> {
  return (props.runtime ?? {}) as Partial<StaticRuntimeOptions>;
}

export const staticFamily: RuntimeFamily = {
  name: 'static',
  description: 'a prebuilt static binary from the build context on distroless static',

  readFacts: () => undefined,

  validate(props, _facts, p) {
    const o = options(props);
    const binary = typeof o.binary === 'string' ? v.normalizePath(o.binary) : o.binary;
    p.check(v.isRelativePath(binary), 'runtime.binary', o.binary, `the path of the prebuilt binary in the build context, ${v.RELATIVE_PATH_RULE.replace(/^a /, 'as ')}`);
    p.check(props.build === undefined || props.build === false, 'build', props.build, 'nothing (or false): the static family copies a prebuilt binary and has no build stage');
    p.check(props.entrypoint === undefined, 'entrypoint', props.entrypoint, 'nothing: the static family runs runtime.binary');
    p.check(props.image?.healthcheck === undefined || props.image.healthcheck === false, 'image.healthcheck', props.image?.healthcheck, 'false or nothing: the static images have no HTTP client for a shell-free HEALTHCHECK (the Node.js family has one)');
    for (const [key, value] of Object.entries(o)) {
      if (key !== 'family' && key !== 'binary') p.add(`runtime.${key}`, value, 'one of the static family\'s settings: family, binary');
    }
  },

  resolve(props): FamilyResolution {
    const o = options(props);
    // An invalid binary is reported once, as runtime.binary (validate); the model carries a stand-in.
    const given = typeof o.binary === 'string' ? v.normalizePath(o.binary) : undefined;
    const binary = v.isRelativePath(given) ? given : 'server';
    const workdir = props.workdir!; // resolved by the model before the family is asked
    return {
      version: STATIC_RUNTIME.version,
      images: { runtime: `${STATIC_RUNTIME.runtimeImage}:${STATIC_RUNTIME.runtimeTag}`, debug: `${STATIC_RUNTIME.runtimeImage}:${STATIC_RUNTIME.debugTag}` },
      platforms: STATIC_RUNTIME.platforms,
      debugTag: STATIC_RUNTIME.debugTag,
      uid: STATIC_RUNTIME.uid,
      gid: STATIC_RUNTIME.gid,
      entrypoint: binary,
      cmd: [`${workdir.replace(/\/+$/, '')}/${binary}`],
      installFiles: [],
      copies: [binary, ...(props.files ?? [])].map(v.normalizePath).map((f) => ({ src: f, dest: f })),
      metadata: {},
      settings: { binary },
    };
  },

  validateModel(model: AppModel, p) {
    p.check(model.buildSteps.length === 0 && model.builderSteps.length === 0, 'buildStage.steps', [...model.builderSteps, ...model.buildSteps],
      'no build steps: the static family has no builder stage (build the binary before the image build)');
  },

  dockerfile: {
    stages: () => ['runtime'],
    copyFrom: () => [],
    context: () => ({}),
    policy: (model) => ({ entrypoints: [model.runtime.cmd], ...ROOT_OWNED_FILES_POLICY }),
    exec: (model) => ({ entrypoint: model.runtime.cmd, cmd: [] }),
  },

  dockerignore: { sections: [], dependencyDirs: [], secretFiles: [] },

  buildWarnings: (_model, _dir, missingCopies) => [...missingCopies],


  // The binary is built before the image build, where its sources are: the workflow builds it with
  // `ci.prepare` and tests it with `ci.test`.
  ci: (model) => ({ toolchains: {}, install: [TOOLING_CI_INSTALL], test: [], note: 'a prebuilt binary: its tests run where it is built (ci.test)', prebuilt: model.runtime.entrypoint }),
};
