/**
 * The Go family: the module's dependencies downloaded from go.mod/go.sum in a cacheable step, the
 * sources built with `CGO_ENABLED=0 go build -trimpath -ldflags="-s -w"` in `golang:<line>-trixie`,
 * and only the stripped binary copied into distroless `static-debian13:nonroot` (`base-debian13`
 * with cgo), run as its exec-form ENTRYPOINT.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_GO_VERSION, findGoRuntime, goVersions } from './catalog';
import { GoModFacts, readGoMod } from './go-mod';
import { goRuntimePolicy } from './policy';
import type { AppProps } from '../../contract/app-props';
import type { FamilyResolution, RuntimeFamily } from '../../contract/family';
import type { GoRuntimeOptions } from '../../contract/options/go';
import * as v from '../../validation';
import { buildSecretsContext, registrySecretFiles } from '../kit/build-secrets';
import { TOOLING_CI_INSTALL } from '../kit/projen-tooling';

export const GO_DEFAULTS = {
  version: DEFAULT_GO_VERSION,
  main: '.',
  cgo: false,
  /** The binary's name in the runtime image (under the workdir). */
  binary: 'server',
  /** Folder of the build stage the binary is written to (under the workdir). */
  outDir: '.msb-out',
} as const;

const SETTINGS = ['family', 'version', 'main', 'cgo', 'private'];
/** `.` or `./dir/...`: a package path inside the module. */
const MAIN_PACKAGE = /^\.(\/[A-Za-z0-9_@+-][A-Za-z0-9._@+-]*)*$/;
/** A GOPRIVATE pattern: a module path prefix, globs allowed. */
const PRIVATE_PATTERN = /^[A-Za-z0-9._~*?/-]+$/;

function options(props: AppProps): Partial<GoRuntimeOptions> {
  return (props.runtime ?? {}) as Partial<GoRuntimeOptions>;
}

function validMain(x: unknown): x is string {
  return typeof x === 'string' && MAIN_PACKAGE.test(x) && !x.split('/').includes('..');
}

export const goFamily: RuntimeFamily = {
  name: 'go',
  description: 'a Go module built into a static binary on distroless static (base with cgo)',

  readFacts: (dir: string): GoModFacts => readGoMod(dir),

  validate(props, _facts, p) {
    const o = options(props);
    const version = o.version ?? GO_DEFAULTS.version;
    p.check(findGoRuntime(String(version)) !== undefined, 'runtime.version', version, `one of ${goVersions().map((x) => `"${x}"`).join(', ')} (the Go lines with a golang:<line>-trixie builder)`);
    if (o.main !== undefined) p.check(validMain(o.main), 'runtime.main', o.main, 'the main package as go build names it: "." or "./" and a folder of the module, e.g. "./cmd/server"');
    if (o.cgo !== undefined) p.check(typeof o.cgo === 'boolean', 'runtime.cgo', o.cgo, 'true (glibc, distroless base) or false (static binary, distroless static)');
    if (o.private !== undefined) {
      p.check(Array.isArray(o.private) && o.private.every((x) => typeof x === 'string' && PRIVATE_PATTERN.test(x)), 'runtime.private', o.private,
        'a list of module path patterns for GOPRIVATE, e.g. ["github.com/acme/*"] (letters, digits and . _ ~ * ? / -)');
    }
    // `build` and `entrypoint` name what the family does anyway (the CLI writes them for readers); nothing else
    const b = props.build;
    p.check(b === undefined || b === false || (b.script === 'go build' && (b.outDir ?? GO_DEFAULTS.outDir) === GO_DEFAULTS.outDir), 'build', b,
      `nothing (or { script: "go build", outDir: "${GO_DEFAULTS.outDir}" }): the Go family builds runtime.main with go build`);
    p.check(props.entrypoint === undefined || props.entrypoint === GO_DEFAULTS.binary, 'entrypoint', props.entrypoint,
      `nothing (or "${GO_DEFAULTS.binary}"): the Go family runs the binary it builds (choose the package with runtime.main)`);
    p.check(props.image?.healthcheck === undefined || props.image.healthcheck === false, 'image.healthcheck', props.image?.healthcheck, 'false or nothing: distroless static has no HTTP client for a shell-free HEALTHCHECK (Kubernetes uses the probes)');
    for (const [key, value] of Object.entries(o)) {
      if (!SETTINGS.includes(key)) p.add(`runtime.${key}`, value, `one of the Go family's settings: ${SETTINGS.join(', ')}`);
    }
  },

  resolve(props, facts): FamilyResolution {
    const mod = (facts ?? { hasGoMod: false, hasGoSum: false, vendored: false }) as GoModFacts;
    const o = options(props);
    const spec = findGoRuntime(String(o.version ?? GO_DEFAULTS.version)) ?? findGoRuntime(GO_DEFAULTS.version)!;
    const cgo = o.cgo === true;
    const main = validMain(o.main) ? o.main : GO_DEFAULTS.main;
    const workdir = props.workdir!.replace(/\/+$/, '');
    const image = cgo ? spec.cgoRuntimeImage : spec.runtimeImage;
    const priv = Array.isArray(o.private) ? o.private.filter((x) => typeof x === 'string' && PRIVATE_PATTERN.test(x)) : [];
    return {
      version: spec.version,
      images: { builder: `${spec.builderImage}:${spec.builderTag}`, runtime: `${image}:${spec.runtimeTag}`, debug: `${image}:${spec.debugTag}` },
      platforms: spec.platforms,
      debugTag: spec.debugTag,
      uid: spec.uid,
      gid: spec.gid,
      entrypoint: GO_DEFAULTS.binary,
      cmd: [`${workdir}/${GO_DEFAULTS.binary}`],
      build: { script: 'go build', outDir: GO_DEFAULTS.outDir },
      installFiles: ['go.mod', ...(mod.hasGoSum ? ['go.sum'] : [])],
      copies: [
        { src: `${workdir}/${GO_DEFAULTS.outDir}/${GO_DEFAULTS.binary}`, dest: GO_DEFAULTS.binary, from: 'build' },
        ...(props.files ?? []).map(v.normalizePath).map((f) => ({ src: f, dest: f })),
      ],
      metadata: {},
      settings: { main, cgo, private: priv, vendored: mod.vendored, ...(mod.module ? { module: mod.module } : {}) },
    };
  },

  dockerfile: {
    stages: () => ['deps', 'build', 'runtime'],
    copyFrom: () => ['build'],
    policy: (model) => goRuntimePolicy(model.runtime.cmd),
    exec: (model) => ({ entrypoint: model.runtime.cmd, cmd: [] }),
    roles: () => ({ dependencies: 'deps', build: 'build' }),
    context(model) {
      const s = model.runtime.settings;
      return {
        ...buildSecretsContext('go', 'go'),
        go: {
          main: s.main,
          cgo: s.cgo === true ? 1 : 0,
          private: (s.private as string[]).join(','),
          vendored: s.vendored === true,
          installFiles: model.runtime.installFiles,
          output: `${model.workdir.replace(/\/+$/, '')}/${GO_DEFAULTS.outDir}/${GO_DEFAULTS.binary}`,
        },
      };
    },
  },

  dockerignore: {
    sections: [{
      comment: 'Go: test binaries, profiles and test data, the projen tooling\'s node_modules (modules come from go.mod and go.sum inside the build; vendor/, when present, is what the build uses and stays)',
      patterns: ['**/*.test', '**/*.out', '**/*_test.go', '**/testdata', 'node_modules'],
    }],
    dependencyDirs: [],
    secretFiles: registrySecretFiles('go'),
  },

  buildWarnings(model, dir, missingCopies) {
    const out: string[] = [];
    const mod = readGoMod(dir);
    const requires = mod.hasGoMod && /^\s*require\b/m.test(fs.readFileSync(path.join(dir, 'go.mod'), 'utf8'));
    if (!mod.hasGoMod) out.push('go.mod not found: the image build copies it before go mod download (run go mod init)');
    if (requires && !mod.hasGoSum && !mod.vendored) {
      out.push('go.sum not found although go.mod requires modules: the download cannot verify them (run go mod tidy)');
    }
    const main = String(model.runtime.settings.main);
    if (!fs.existsSync(path.join(dir, main))) out.push(`runtime.main ${main} not found: go build has no package to build`);
    out.push(...missingCopies);
    return out;
  },


  ci: (model) => ({ toolchains: { go: model.runtime.version }, install: [TOOLING_CI_INSTALL], test: ['go test ./...'] }),
};
