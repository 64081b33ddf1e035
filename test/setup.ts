/** Every test file: the temporary directories its tests made are removed when it ends. */
import { afterAll } from 'vitest';
import { removeTempDirs } from './util';

afterAll(() => removeTempDirs());
