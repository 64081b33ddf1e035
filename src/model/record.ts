/**
 * The part of the resolved model that `.projen/msb.json` records, so that `verify` reads the intent
 * (family, images, uid, CMD, what is copied, the package manager) instead of guessing it from the
 * Dockerfile's text. Plain JSON, stable key order.
 */
import type { RuntimeFamily } from '../contract/family';
import { type AppModel, fromReference } from '../contract/model';
import type { RecordedModel } from '../contract/record';

/** The recorded projection of a model. */
export function recordModel(model: AppModel, family: RuntimeFamily): RecordedModel {
  return JSON.parse(JSON.stringify({
    name: model.name,
    family: model.family,
    version: model.runtime.version,
    port: model.port,
    healthCheckPath: model.healthCheckPath,
    workdir: model.workdir,
    uid: model.runtime.uid,
    gid: model.runtime.gid,
    entrypoint: model.runtime.entrypoint,
    cmd: model.runtime.cmd,
    stages: family.dockerfile.stages(model),
    baseImages: { builder: model.baseImages.builder?.ref, runtime: model.baseImages.runtime.ref, debug: model.baseImages.debug.ref },
    image: `${model.image.repository}:${model.image.tag}`,
    debugImage: `${model.image.repository}:${model.image.debugTag}`,
    build: model.runtime.build,
    installFiles: model.runtime.installFiles,
    copies: model.copies,
    env: model.env,
    memoryLimit: model.kubernetes.resources.memoryLimit,
    settings: model.runtime.settings,
    verify: verifySlice(model, family),
  })) as RecordedModel;
}

function verifySlice(model: AppModel, family: RuntimeFamily): RecordedModel['verify'] {
  const exec = family.dockerfile.exec?.(model) ?? { cmd: model.runtime.cmd };
  const roles = family.dockerfile.roles?.(model) ?? {};
  const pm = model.runtime.settings.packageManager;
  const b = model.baseImages;
  return {
    family: model.family,
    name: model.name,
    workdir: model.workdir,
    port: model.port,
    uid: model.runtime.uid,
    gid: model.runtime.gid,
    healthPath: model.healthCheckPath,
    entrypoint: exec.entrypoint,
    cmd: exec.cmd,
    // what the FROM lines name (with the lock's digests), so verify measures the bases the builds used
    images: { builder: b.builder && fromReference(b.builder), runtime: fromReference(b.runtime), debug: fromReference(b.debug) },
    hasBuild: model.runtime.build !== undefined,
    stages: { ...roles, runtime: 'runtime' },
    packageManager: typeof pm === 'string' ? pm : undefined,
    env: { ...model.kubernetes.env },
    // recorded only when set, so a definition without them records what it always did
    ...(model.routes.length ? { routes: [...model.routes] } : {}),
  };
}
