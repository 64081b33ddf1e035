/**
 * The model's problems, collected (never thrown one by one): the family's settings, the common
 * fields, the Kubernetes settings, the org templates' policies, and base images an org template
 * replaced without the project's opt-out.
 */
import ignoreMatcher from '@balena/dockerignore';
import { validateCompose } from './compose';
import { validateKubernetes, validateWorkload } from './kubernetes';
import type { RuntimeFamily } from '../contract/family';
import type { AppModel } from '../contract/model';
import { mergeRuntimeStagePolicies, SECRET_PATTERNS } from '../dockerfile-policy';
import type { OrgTemplatePolicies } from '../org-template';
import * as v from '../validation';

/** A policy and the template source that set it. */
export interface SourcedPolicies {
  readonly source: string;
  readonly policies: OrgTemplatePolicies;
}

/** Every problem of the model; empty when valid. */
export function validateModel(model: AppModel, family: RuntimeFamily, facts: unknown, policies: readonly SourcedPolicies[], p: v.Problems): void {
  const props = model.definition;
  family.validate(props, facts, p);
  p.check(v.isDnsLabel(model.name), 'name', model.name, v.DNS_LABEL_RULE);
  p.check(v.isPort(model.port), 'port', model.port, v.PORT_RULE);
  if (props.healthCheckPath !== undefined && props.healthCheckPath !== false) {
    p.check(v.isHttpPath(props.healthCheckPath), 'healthCheckPath', props.healthCheckPath, `${v.HTTP_PATH_RULE}, or false for TCP probes`);
  }
  if (props.routes !== undefined) {
    p.check(Array.isArray(props.routes), 'routes', props.routes, 'a list of HTTP paths, e.g. ["/api/users"]');
    for (const [i, r] of (Array.isArray(props.routes) ? props.routes : []).entries()) p.check(v.isHttpPath(r), `routes[${i}]`, r, v.HTTP_PATH_RULE);
  }
  if (props.slim !== undefined && props.slim !== false) {
    p.check(family.slim === true, 'slim', props.slim, `false or left out: the ${family.name} family has no dependency tree to trace`);
  }
  validateCompose(props, p);
  const rt = model.runtime;
  const entry = rt.entrypointPath ?? rt.entrypoint;
  p.check(v.isRelativePath(entry), 'entrypoint', rt.entrypoint, v.RELATIVE_PATH_RULE);
  p.check(isWorkdir(model.workdir), 'workdir', props.workdir ?? model.workdir, 'an absolute path other than "/" (also once "//" and "/." are normalised), of letters, digits and . _ @ + - /, e.g. "/app"');
  const build = rt.build;
  if (build) p.check(v.isRelativePath(build.outDir) && !build.outDir.includes('*'), 'build.outDir', build.outDir, v.RELATIVE_PATH_RULE);
  family.validateModel?.(model, p);
  for (const [i, f] of (props.files ?? []).entries()) p.check(v.isRelativePath(f), `files[${i}]`, f, v.RELATIVE_PATH_RULE);
  // The entrypoint must be in the runtime image: in the build output, or among the copied files.
  if (v.isRelativePath(entry) && (!build || v.isRelativePath(build.outDir))) {
    const built = !!build && covers(build.outDir, entry);
    // a copy from the context, or a family's copy of its build product from a build stage
    const copied = model.copies.some((c) => covers(c.dest, entry))
      || (rt.dependencyDir !== undefined && covers(rt.dependencyDir, entry));
    p.check(built || copied, 'entrypoint', rt.entrypoint, build
      ? `a file inside build.outDir "${build.outDir}" (only the build output is copied into the image), or list it in "files"`
      : `a file the runtime image holds: list it (or its folder) in "files" (${JSON.stringify((props.files ?? []))})`);
  }
  for (const [name, value] of Object.entries(model.env)) {
    p.check(v.isEnvName(name), `env.${name}`, name, `a name that is ${v.ENV_NAME_RULE}`);
    p.check(v.isSingleLine(value), `env.${name}`, value, v.SINGLE_LINE_RULE);
  }
  for (const [key, value] of Object.entries(model.labels)) {
    p.check(/^[A-Za-z0-9][A-Za-z0-9._\-/]*$/.test(key), `labels.${key}`, key, 'a label key of letters, digits, ".", "-", "_" and "/"');
    p.check(v.isSingleLine(value), `labels.${key}`, value, v.SINGLE_LINE_RULE);
  }
  for (const [i, s] of [...model.buildSteps, ...model.builderSteps].entries()) {
    p.check(v.isSingleLine(s) && s.trim() !== '', `buildStage.steps[${i}]`, s, `a non-empty shell command on ${v.SINGLE_LINE_RULE}`);
  }
  const secrets = ignoreMatcher().add([...SECRET_PATTERNS, ...family.dockerignore.secretFiles]);
  for (const c of model.copies.filter((x) => !x.from)) {
    p.check(!secrets.ignores(c.src), 'files', c.src, `a path that is not a secret (it matches one of ${SECRET_PATTERNS.join(' ')}): pass secrets at run time (Kubernetes Secret), not in the image`);
  }
  const listed = new Set((props.files ?? []).map(v.normalizePath)); // already reported as files[i]
  for (const c of model.copies.filter((x) => x.from || !listed.has(x.src))) {
    const ok = c.from ? v.isAbsoluteImagePath(c.src) : v.isRelativePath(c.src);
    p.check(ok && v.isRelativePath(c.dest), 'runtimeStage.copies', c, `src ${v.RELATIVE_PATH_RULE} (absolute in a stage) and dest ${v.RELATIVE_PATH_RULE}`);
  }
  const { builder, runtime, debug } = model.baseImages;
  if (builder) p.check(v.isImageReference(builder.ref), 'baseImages.builder', builder.ref, v.IMAGE_REFERENCE_RULE);
  p.check(v.isImageReference(runtime.ref), 'baseImages.runtime', runtime.ref, v.IMAGE_REFERENCE_RULE);
  p.check(v.isImageReference(debug.ref), 'baseImages.debug', debug.ref,
    runtime.ref.includes('@') ? `${v.IMAGE_REFERENCE_RULE}; required when baseImages.runtime is pinned by digest` : v.IMAGE_REFERENCE_RULE);
  if (props.baseImages?.mirror !== undefined) {
    p.check(/^[a-zA-Z0-9.-]+(:[0-9]+)?(\/[a-z0-9._-]+)*$/.test(props.baseImages.mirror), 'baseImages.mirror', props.baseImages.mirror, 'a registry host, optionally with port and path, e.g. "mirror.example.com"');
  }
  if (!model.allowInsecureDockerfile) {
    const control = mergeRuntimeStagePolicies(family.dockerfile.policy?.(model) ?? {}).controlEnv;
    for (const name of model.orgEnv.filter((n) => control.includes(n))) {
      p.add(`env.${name}`, model.env[name], `no ${name} from an org template's defaults: it changes what the runtime runs (${control.join(', ')}); set it in the project's own env, or allowInsecureDockerfile: true in .projenrc.ts`);
    }
  }
  if (!model.allowOrgBaseImages && !model.allowInsecureDockerfile) {
    for (const [key, image] of Object.entries(model.baseImages)) {
      if (image?.origin !== 'org') continue;
      p.add(`baseImages.${key}`, image.ref, `the ${family.name} family's catalog image (an org template may set baseImages.mirror; replacing the image needs allowOrgBaseImages: true in the project's own .projenrc.ts)`);
    }
  }
  p.check(v.isImageRepository(model.image.repository), 'image.repository', model.image.repository, v.IMAGE_REPOSITORY_RULE);
  p.check(v.isImageTag(model.image.tag) && v.isImageTag(model.image.debugTag), 'image.tag', model.image.tag, `${v.IMAGE_TAG_RULE} (at most 122, since "-debug" is appended)`);
  validateKubernetes(p, props.kubernetes ?? {});
  validateWorkload(p, model);
  for (const { source, policies: pol } of policies) checkPolicies(model, p, source, pol);
}

/** A (normalised) working directory: absolute, safe characters, not the root. */
function isWorkdir(workdir: string): boolean {
  return v.isAbsoluteImagePath(workdir) && workdir !== '/';
}

/** Whether `image` lies under `prefix` on a path boundary (`registry.acme.internal` does not cover `registry.acme.internal.evil.example/x`). */
export function underPrefix(image: string, prefix: string): boolean {
  const p = prefix.replace(/\/+$/, '');
  return p !== '' && (image === p || image.startsWith(`${p}/`));
}

function checkPolicies(model: AppModel, p: v.Problems, source: string, pol: OrgTemplatePolicies): void {
  const by = `(policy of template ${source})`;
  const k = model.kubernetes;
  if (pol.allowedRegistries) {
    for (const [key, image] of Object.entries(model.baseImages)) {
      if (!image) continue;
      p.check(pol.allowedRegistries.some((r) => underPrefix(image.ref, r)), `baseImages.${key}`, image.ref, `an image from ${pol.allowedRegistries.join(' or ')} ${by}`);
    }
  }
  if (pol.allowedImageRepositories) {
    const repo = model.image.repository;
    p.check(pol.allowedImageRepositories.some((r) => underPrefix(repo, r)), 'image.repository', repo, `a repository under ${pol.allowedImageRepositories.join(' or ')} ${by}`);
  }
  const envNames = new Set([...Object.keys(model.env), ...Object.keys(k.env)]);
  for (const name of pol.requiredEnv ?? []) p.check(envNames.has(name), 'env', [...envNames], `an env variable named ${name} (in env or kubernetes.env) ${by}`);
  for (const key of pol.requiredLabels ?? []) p.check(Object.prototype.hasOwnProperty.call(model.labels, key), 'labels', model.labels, `a label ${key} ${by}`);
  if (pol.minReplicas !== undefined) {
    const replicas = k.autoscaling ? k.autoscaling.minReplicas : k.replicas;
    p.check(replicas >= pol.minReplicas, k.autoscaling ? 'kubernetes.autoscaling.minReplicas' : 'kubernetes.replicas', replicas, `at least ${pol.minReplicas} ${by}`);
  }
}

function covers(dir: string, file: string): boolean {
  const d = v.normalizePath(dir);
  return file === d || file.startsWith(`${d}/`);
}
