/**
 * The README's App options table shows the defaults of the one defaults table (and the Node
 * family's): a default changed in code and not in the README (or the other way round) fails here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CI_DEFAULTS } from '../../src/ci/model';
import { DEFAULTS } from '../../src/contract/defaults';
import { NODE_DEFAULTS } from '../../src/families/node';

const README = fs.readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');

/** The App props table row of `prop` (its first cell names it first), or its default cell. */
function row(prop: string): string {
  const found = README.split('\n').find((l) => l.startsWith(`| \`${prop}\` |`) || l.startsWith(`| \`${prop}\` (`));
  if (!found) throw new Error(`README has no options row for ${prop}`);
  return found;
}
const defaultOf = (prop: string) => row(prop).split('|')[2];

describe('README App options table', () => {
  const k = DEFAULTS.kubernetes;
  const cases: [string, (string | number)[]][] = [
    ['port', [DEFAULTS.port]],
    ['healthCheckPath', [DEFAULTS.healthCheckPath]],
    ['workdir', [DEFAULTS.workdir]],
    ['build', [`script: '${DEFAULTS.build.script}'`, `outDir: '${DEFAULTS.build.outDir}'`]],
    ['runtime.family', [DEFAULTS.family]],
    ['runtime.version', [NODE_DEFAULTS.version]],
    ['runtime.packageManager', [NODE_DEFAULTS.packageManager]],
    ['kubernetes.replicas', [k.replicas]],
    ['kubernetes.resources', [k.resources.cpuRequest, k.resources.memoryRequest, k.resources.memoryLimit]],
    ['kubernetes.autoscaling', [`min ${k.autoscaling.minReplicas}`, `max ${k.autoscaling.maxReplicas}`, `${k.autoscaling.targetCpuUtilization} %`]],
    ['ci.platforms', CI_DEFAULTS.platforms.map((p) => `\`${p}\``)],
    ['ci.releaseBranch', [CI_DEFAULTS.releaseBranch]],
  ];
  for (const [prop, values] of cases) {
    it(`${prop}: ${values.join(', ')}`, () => {
      // autoscaling is off by default: its numbers are in the row's description
      const cell = prop === 'kubernetes.autoscaling' ? row(prop) : defaultOf(prop);
      for (const v of values) expect(cell).toContain(String(v));
    });
  }

  it('the production settings', () => {
    expect(defaultOf('kubernetes.minVersion')).toContain(k.minVersion);
    expect(defaultOf('kubernetes.startupProbeBudgetSeconds')).toContain(String(k.startupProbe.budgetSeconds));
    expect(defaultOf('kubernetes.preStopSleepSeconds')).toContain(String(k.preStopSleepSeconds));
    expect(defaultOf('kubernetes.terminationGracePeriodSeconds')).toContain(String(k.terminationGracePeriodSeconds));
    expect(defaultOf('runtime.heapPercent')).toContain(String(NODE_DEFAULTS.heapPercent));
    expect(row('runtime.heapPercent')).toContain(`${NODE_DEFAULTS.maxHeapPercent} %`);
    expect(defaultOf('runtime.init')).toContain(String(NODE_DEFAULTS.init));
    expect(defaultOf('image.healthcheck')).toContain(String(NODE_DEFAULTS.healthcheck));
    expect(row('image.healthcheck')).toContain('--format docker');
    expect(defaultOf('kubernetes.networkPolicy')).toContain(k.networkPolicy ? '(on)' : 'off');
    expect(defaultOf('compose')).toContain('false');
    expect(row('compose')).toContain(`\`${DEFAULTS.compose.file}\``);
    const tagRow = README.split('\n').find((l) => l.startsWith('| `image.repository`, `image.tag`'))!;
    for (const tag of DEFAULTS.movingTags) expect(tagRow).toContain(`\`${tag}\``);
    expect(tagRow).toContain(`\`${DEFAULTS.gitTagPrefix}<git short commit>\``);
  });

  it('image.tag and the servicePort', () => {
    expect(README.split('\n').find((l) => l.startsWith('| `image.repository`, `image.tag`'))).toContain(`\`${DEFAULTS.imageTag}\``);
    expect(README).toContain(`\`servicePort\` (\`${k.servicePort}\`)`);
  });
});
