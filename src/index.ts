// What a .projenrc.ts uses: the project, the App and its props, the stages and the Kubernetes
// escape hatches, the errors, org templates, and the runtime families a platform team may read.
export { App } from './app';
export * from './contract/app-props';
export { MsbProject, type MsbProjectOptions, isUserError, DiskWriteError, OutputPathError, SynthesisLockError } from './project';
export { UnsafeKeyError } from './util/safe-object';
export { BuildStage, RuntimeStage, type RuntimeCopy } from './stages';
export { Dockerfiles } from './dockerfiles';
export { Kubernetes } from './k8s/kubernetes';
export { KubernetesManifests, type ManifestTypes } from './k8s/patches';
export { MANIFEST_FILES, type ManifestKind, type ManifestObject, type WorkloadModel, renderManifests, schemaError } from './k8s/manifests';
export { podSecurityViolations } from './k8s/pod-security';
export { GenerationGuard, HandEditError, FORCE_ENV } from './edit-guard';
export { OUTPUT_PATHS, RECORD_FILE, type GenerationRecord, type RecordedModel } from './contract/record';
export { TemplateRenderer, TemplateError, BUILTIN_TEMPLATE_DIR, dockerfileQuote, dockerfileText } from './templates';
export type { TemplateFolder } from './contract/template-folder';
export {
  TemplateSources, TEMPLATE_MANIFEST, parsePackageSpec,
  type OrgTemplateDefaults, type OrgTemplatePolicies, type OrgTemplateManifest, type TemplateSource, type TemplateSourceOptions,
} from './org-template';
export { FAMILIES, familyNames, findFamily, type RuntimeFamily, type FamilyResolution, type DockerignoreSection, type VerifyProfile } from './families';
export type { AppModel, KubernetesModel, BaseImage, ImageOrigin } from './contract/model';
export { resolve } from './model/resolve';
export { DEFAULTS } from './contract/defaults';
// The generated CI workflow: its providers and the per-App model they render.
export { CI_PROVIDERS, ciProviderNames, findCiProvider, type CiProvider } from './ci/provider';
export { CI_DEFAULTS, BASE_IMAGE_SIGNERS, type CiAppModel, type CiBaseImage, type BaseImageSigner } from './ci/model';
export * from './families/node/public';
export { staticFamily, STATIC_RUNTIME } from './families/static';
// Errors and the validation rules (the CLI checks flags with the same rules).
export * from './validation';
export * from './dockerfile-policy';
