import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCHEMA_FILE, generateSchema } from '../../scripts/msb-template-schema';
import { manifestProblems } from '../../src/org-template';

const ROOT = path.resolve(__dirname, '../..');

describe('the JSON Schema of msb-template.json', () => {
  it('is what the TypeScript types generate (run "npx tsx scripts/msb-template-schema.ts" after changing the props)', () => {
    expect(fs.readFileSync(SCHEMA_FILE, 'utf8')).toBe(generateSchema());
  });

  it('is published with the package', () => {
    const ignored = fs.readFileSync(path.join(ROOT, '.npmignore'), 'utf8').split('\n').map((l) => l.trim());
    expect(ignored.some((l) => /^\/?schemas\/?$/.test(l))).toBe(false);
    expect(path.relative(ROOT, SCHEMA_FILE)).toBe(path.join('schemas', 'msb-template.schema.json'));
  });

  it('accepts the example org template and names what is wrong in a bad one', () => {
    const example = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples/org-template/msb-template.json'), 'utf8'));
    expect(manifestProblems(example)).toEqual([]);
    expect(manifestProblems({ defaults: { runtime: { family: 'static', binary: 'bin/server' } } })).toEqual([]);
    expect(manifestProblems({ defaults: { runtime: { family: 'cobol' } } })).toEqual(['defaults.runtime.family: got "cobol"; expected one of "node", "static", "python"']);
    expect(manifestProblems({ defaults: { runtime: { nodeVersion: 24 } } })).toEqual(['defaults.runtime.nodeVersion: got 24; expected a string']);
    expect(manifestProblems({ defaults: { runtime: { family: 'static', packageManager: 'npm' } } }))
      .toEqual(['defaults.runtime.packageManager: unknown setting; expected one of family, binary']);
    expect(manifestProblems({ defaults: { kubernetes: { tolerations: 'x' } } })).toEqual(['defaults.kubernetes.tolerations: got "x"; expected an array']);
    expect(manifestProblems({ defaults: { allowInsecureDockerfile: true } })[0]).toMatch(/^defaults\.allowInsecureDockerfile: unknown setting/);
  });
});
