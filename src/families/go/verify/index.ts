/**
 * The Go family's verify profile: the binary built in the `build` stage is the only app file of
 * distroless static (or base, with cgo), run as `ENTRYPOINT ["<workdir>/server"]`.
 *
 * No Go toolchain, C compiler or package manager may be in the runtime image; on distroless static
 * no C library or dynamic loader either (the binary is static). The dependency layer is
 * `go mod download` (from go.mod and go.sum only), which a source-only change must take from the
 * cache. The single-stage equivalent is the builder with the sources and the build, as one image.
 */
import type { DependencyInstall, ForbiddenExecutable, NotApplicable, ProfileCheck, ProfileContext, VerifyProfile } from '../../../contract/verify-profile';
import { staticBinaryPath, staticFileChecks } from '../../kit/static-binary';

/** The Go toolchain and C compilers (cgo): none belongs in the runtime image. */
const COMPILERS = ['go', 'gofmt', 'gcc', 'cc', 'clang', 'ld'];
const PACKAGE_MANAGERS = ['apt', 'apt-get', 'dpkg'];

const FORBIDDEN: readonly ForbiddenExecutable[] = [
  ...COMPILERS.map((name): ForbiddenExecutable => ({ name, kind: 'compiler', pattern: new RegExp(`/(s?bin|go/bin)/${name}$`) })),
  ...PACKAGE_MANAGERS.map((name): ForbiddenExecutable => ({ name, kind: 'package manager', pattern: new RegExp(`/s?bin/${name}$`) })),
];

/** The download step the rebuild check must find cached. */
export const GO_DOWNLOAD = 'go mod download';

/** The Go family's checks: the binary is there; on distroless static, no libc (the base has none). */
export function goFileChecks(files: readonly string[], ctx: Pick<ProfileContext, 'model'>): ProfileCheck[] {
  const checks = staticFileChecks(files, ctx);
  const isStatic = /\/static-debian\d+[:@]/.test(ctx.model.images.runtime);
  const goRoot = files.filter((f) => /\/go\/(src|pkg)\//.test(f) || /\/pkg\/mod\/cache\//.test(f));
  return [
    ...checks.filter((c) => c.id !== 'no-libc' || isStatic),
    {
      id: 'no-go-sources',
      title: 'no Go sources, module cache or GOROOT in the runtime image (the binary only)',
      ok: goRoot.length === 0 && !files.some((f) => f.endsWith('.go')),
      detail: goRoot.length ? `found ${goRoot.slice(0, 5).join(', ')}` : files.filter((f) => f.endsWith('.go')).slice(0, 5).join(', ') || 'none',
    },
  ];
}

function renderSingleStage(ctx: ProfileContext): string {
  const lines = ['# Single-stage equivalent of the generated Dockerfile (create-msb-app verify size report).', `FROM ${ctx.stages[0].from}`];
  for (const stage of ctx.stages.slice(0, -1)) lines.push(...stage.instructions.map((i) => i.text));
  const runtime = ctx.stages[ctx.stages.length - 1];
  lines.push(...runtime.instructions.filter((i) => ['ENV', 'EXPOSE', 'LABEL', 'WORKDIR'].includes(i.keyword)).map((i) => i.text));
  const binary = staticBinaryPath(ctx.model);
  const built = ctx.stages.flatMap((s) => s.instructions).map((i) => /-o (\S+)/.exec(i.args)?.[1]).find((x) => x !== undefined);
  lines.push(`ENTRYPOINT ${JSON.stringify([built ?? binary ?? '/app/server'])}`);
  return `${lines.join('\n')}\n`;
}

export const goVerifyProfile: VerifyProfile = {
  family: 'go',
  forbiddenExecutables: FORBIDDEN,
  readFacts: () => ({}),
  fileChecks: goFileChecks,
  // the binary is the runtime stage's copy from the build stage, which verify measures there
  needed: () => ({ sources: [] }),
  dependencyInstall(ctx): DependencyInstall | NotApplicable {
    const deps = ctx.stages.find((s) => s.name === ctx.model.stages.dependencies);
    if (deps && !deps.instructions.some((i) => i.keyword === 'RUN' && i.args.includes(GO_DOWNLOAD))) {
      return { notApplicable: 'the module is vendored (vendor/modules.txt): the build downloads nothing, so there is no download layer to reuse' };
    }
    return {
      commands: [GO_DOWNLOAD],
      isDependencyLayer: (createdBy) => createdBy.includes(GO_DOWNLOAD),
      sourceFile: /\.go$/,
      skipDirs: ['vendor'],
      comment: (text) => `// ${text}`,
    };
  },
  singleStage: (ctx) => ({ dockerfile: renderSingleStage(ctx) }),
};
