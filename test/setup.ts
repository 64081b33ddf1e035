/** Every test file: the temporary directories its tests made are removed when it ends. */
import { afterAll } from 'vitest';
import { removeTempDirs } from './util';
// The library loads a few modules only when a project needs them, with require() (the base-image
// lock's reader, src/app.ts). Under vitest require() is Node's own, which reads the TypeScript
// sources through this hook; the built package loads lib/*.js.
import 'sucrase/register/ts';

afterAll(() => removeTempDirs());
