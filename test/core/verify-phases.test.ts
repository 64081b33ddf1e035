/**
 * verify prints its own wall time split by phase, from the report's `phasesMs` (also in its JSON report).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatReport } from '../../src/verify';
import { type VerifyReport, writeReport } from '../../src/verify/verify';

const size = { image: 'i', baseImage: 'b', fileBytes: 2, baseFileBytes: 1, addedBytes: 1, waste: 0, missing: 0, layers: { image: 'i', total: 2, base: 1, dependencies: 0, app: 1, other: 0 } };
const report: VerifyReport = {
  project: '/p',
  engine: 'podman',
  images: { runtime: 'r', debug: 'd', stages: [] },
  buildMs: { runtime: 12_000, debug: 1_500 },
  phasesMs: { 'build runtime': 12_000, 'build debug': 1_500, 'run checks': 4_250, 'pod parity': 20_000, 'total': 40_000 },
  checks: [{ id: 'uid', title: 'runtime image runs as uid 65532, gid 65532 (non-root)', ok: true, detail: 'x' }],
  notApplicable: [],
  model: { family: 'node', source: 'recorded' },
  sizes: { needed: { items: [], dependencies: 0, app: 1, total: 1 }, runtime: size, debug: size },
  runtimeFiles: [],
  ok: true,
};

describe("verify's wall time by phase", () => {
  it('is printed as one line: the runtime build, then each lane with its phases in the order they ran', () => {
    expect(formatReport(report, '/')).toContain('Time:   40.0 s = build runtime 12.0 s, then at once: containers (run checks 4.3 s + pod parity 20.0 s) and images (build debug 1.5 s)');
  });

  it('is in the JSON report', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'msb-phases-'));
    try {
      const { json } = writeReport(report, dir);
      expect(JSON.parse(fs.readFileSync(json, 'utf8')).phasesMs).toEqual(report.phasesMs);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
