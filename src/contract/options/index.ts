/** The `runtime` props of every runtime family, one file per family. */
import type { GoRuntimeOptions } from './go';
import type { JavaRuntimeOptions } from './java';
import type { NodeRuntimeOptions } from './node';
import type { PythonRuntimeOptions } from './python';
import type { StaticRuntimeOptions } from './static';

export type { GoRuntimeOptions } from './go';
export type { JavaRuntimeOptions } from './java';
export type { NodeRuntimeOptions, PackageManagerName } from './node';
export type { PythonRuntimeOptions, PythonPackageManager, PythonServer } from './python';
export type { StaticRuntimeOptions } from './static';

/**
 * `runtime` of the App props: a union tagged by `family` (JSON can express it, so org templates can
 * set it); `family` defaults to `node`.
 */
export type RuntimeOptions = NodeRuntimeOptions | StaticRuntimeOptions | PythonRuntimeOptions | GoRuntimeOptions | JavaRuntimeOptions;
