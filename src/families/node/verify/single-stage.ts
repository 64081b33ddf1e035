/**
 * The single-stage equivalent of a Node.js project's Dockerfile, for verify's size report: the
 * builder image, the manifests, every dependency, the sources and the build, in one image. It reuses
 * the generated instructions verbatim (so it shares their build cache) and is never written into
 * the project.
 */
import type { NodeVerifyFacts } from './facts';
import type { ProfileContext } from '../../../contract/verify-profile';
import { VerifyProfileError } from '../../../contract/verify-profile';

export function renderNodeSingleStage(ctx: ProfileContext): string {
  const byName = (n: string | undefined) => (n === undefined ? undefined : ctx.stages.find((s) => s.name === n));
  const base = ctx.stages[0];
  const lines = ['# Single-stage equivalent of the generated Dockerfile (create-msb-app verify size report).', `FROM ${base.from}`];
  lines.push(...base.instructions.map((i) => i.text));
  const build = ctx.model.hasBuild ? byName(ctx.model.stages.build) : undefined;
  const pm = (ctx.familyFacts as NodeVerifyFacts).packageManager;
  if (build) {
    lines.push(...build.instructions.map((i) => i.text));
  } else {
    const deps = byName(ctx.model.stages.dependencies);
    if (!deps) throw new VerifyProfileError(`${ctx.dockerfile} has neither a build stage nor a dependency stage ("${ctx.model.stages.dependencies ?? ''}").`);
    for (const i of deps.instructions) {
      lines.push(i.keyword === 'RUN' ? i.text.replace(pm.installProd, pm.installAll).replace(/ && mkdir -p node_modules/, '') : i.text);
    }
    lines.push('COPY . .');
  }
  const runtime = ctx.stages[ctx.stages.length - 1];
  lines.push(...runtime.instructions.filter((i) => ['ENV', 'EXPOSE', 'LABEL'].includes(i.keyword)).map((i) => i.text));
  lines.push(`CMD ${JSON.stringify(['node', ...ctx.model.cmd])}`);
  return `${lines.join('\n')}\n`;
}
