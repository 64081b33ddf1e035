/**
 * Ignore files that builders read instead of the generated .dockerignore (podman/buildah:
 * .containerignore; BuildKit: Dockerfile.dockerignore, Dockerfile.debug.dockerignore) are judged
 * like it: against the generated tree of secret paths, before anything is written.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTree, synth, tempDir, writePackage } from '../util';

function project(files: Record<string, string>): string {
  const dir = tempDir();
  writePackage(dir);
  for (const [rel, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, rel), text);
  return dir;
}

describe('ignore files that shadow the generated .dockerignore', () => {
  for (const file of ['.containerignore', 'Dockerfile.dockerignore', 'Dockerfile.debug.dockerignore']) {
    it(`a ${file} that lets secrets in is a named error and nothing is written`, () => {
      const dir = project({ [file]: 'node_modules\n*.md\n' });
      const before = readTree(dir);
      expect(() => synth({}, { dir })).toThrow(new RegExp(`${file.replace(/\./g, '\\.')} \\(read by the builders instead of the generated \\.dockerignore\\): got \\[.*"\\.env"`));
      expect(readTree(dir)).toEqual(before);
    });
  }

  it('one that keeps the secrets out as .dockerignore does is accepted; the opt-out accepts any', () => {
    const generated = synth({}).files['.dockerignore'];
    expect(() => synth({}, { dir: project({ '.containerignore': generated }) })).not.toThrow();
    expect(() => synth({ allowInsecureDockerfile: true }, { dir: project({ '.containerignore': '*.md\n' }) })).not.toThrow();
  });
});
