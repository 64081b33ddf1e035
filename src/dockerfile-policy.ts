/**
 * What a Dockerfile and its .dockerignore must keep, whoever rendered them (built-in templates, an
 * org template, escape hatches): secrets out of the build context, and a runtime stage that stays
 * distroless, non-root and shell-free.
 */

/**
 * Patterns that keep secrets out of the build context, at any depth. A path the definition copies
 * must not match them; a template must not drop them.
 */
export const SECRET_PATTERNS = [
  '**/.env', '**/.env.*', '**/*.pem', '**/*.key', '**/*.p12', '**/*.pfx', '**/.npmrc', '**/id_rsa*', '**/id_ed25519*', '.aws', '.docker', '.kube',
];

/** Paths a rendered .dockerignore must exclude (secrets and VCS data); checked after every render. */
export const MUST_IGNORE = [
  '.env', 'src/.env', 'config/.env.production', 'server.pem', 'certs/server.pem', 'src/server.key', '.npmrc',
  'packages/a/.npmrc', 'id_rsa', '.aws/credentials', '.docker/config.json', '.git/config', 'node_modules/x/index.js',
];

/**
 * What a template must not do to the runtime stage (the last stage): change its base image, run as
 * another user, use an instruction that needs a shell or changes what runs (RUN, SHELL, ENTRYPOINT,
 * ADD, ...), or copy from anywhere but the dependency and build stages' working directory.
 */
export function runtimeStageViolations(
  dockerfile: string,
  expected: { image: string; uid: number; gid: number; workdir: string; stages?: string[] },
): string[] {
  const lines = dockerfile.replace(/\\\n\s*/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const start = lines.map((l) => /^FROM\s/i.test(l)).lastIndexOf(true);
  if (start < 0) return ['there is no FROM line'];
  const rt = lines.slice(start);
  const out: string[] = [];
  const from = rt[0].split(/\s+/)[1];
  if (from !== expected.image) out.push(`FROM ${from} (expected ${expected.image})`);
  const allowed = new Set(['WORKDIR', 'ENV', 'COPY', 'USER', 'EXPOSE', 'LABEL', 'CMD', 'ARG', 'STOPSIGNAL']);
  const stages = expected.stages ?? ['prod-deps', 'build'];
  const user = `${expected.uid}:${expected.gid}`;
  for (const l of rt.slice(1)) {
    const instruction = l.split(/\s+/)[0].toUpperCase();
    if (!allowed.has(instruction)) {
      out.push(`${l.slice(0, 80)} (${instruction} is not allowed in the runtime stage: no shell, nothing but what runs)`);
      continue;
    }
    if (instruction === 'USER' && l.split(/\s+/)[1] !== user) out.push(`${l} (expected USER ${user})`);
    if (instruction === 'CMD' && !/^CMD\s+\[/i.test(l)) out.push(`${l.slice(0, 80)} (CMD must be exec form: the image has no shell)`);
    if (instruction === 'COPY') {
      const m = /--from=(\S+)/i.exec(l);
      if (m) {
        const src = l.split(/\s+/).filter((w) => !w.startsWith('--')).slice(1, -1);
        if (!stages.includes(m[1])) out.push(`COPY --from=${m[1]} (only the ${stages.join(' and ')} stages may be copied from)`);
        else if (src.some((x) => !x.startsWith(`${expected.workdir}/`))) out.push(`${l.slice(0, 80)} (copies from outside ${expected.workdir})`);
      }
    }
  }
  if (!rt.some((l) => /^USER\s/i.test(l))) out.push(`no USER (expected USER ${user})`);
  return out;
}
