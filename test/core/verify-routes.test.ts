/**
 * verify's route comparison for slim images, on its pure parts: the full image's Dockerfile, the
 * modules an app failed to load, the comparison, and the tracer's lines in the build output.
 */
import { describe, expect, it } from 'vitest';
import { parseDockerfile } from '../../src/verify';
import { RouteRun, compareRoutes, fullImageDockerfile, missingModules, routesAnswer, traceLines } from '../../src/verify/routes';
import { synth } from '../util';

const run = (up: boolean, answers: RouteRun['answers'], logs = ''): RouteRun => ({ image: 'x', up, answers, logs });

describe('the full image of a slim Dockerfile', () => {
  it('takes the runtime stage\'s node_modules from the dependency stage, and changes nothing else', () => {
    const slim = synth({ slim: true }).files.Dockerfile;
    const full = fullImageDockerfile(slim, 'traced', 'prod-deps');
    const stages = parseDockerfile(full);
    const runtime = stages[stages.length - 1];
    expect(runtime.instructions.map((i) => i.text)).toContain('COPY --from=prod-deps --chown=0:0 --chmod=0555 /app/node_modules ./node_modules');
    expect(runtime.instructions.some((i) => i.text.includes('--from=traced'))).toBe(false);
    // the traced stage itself is still there (unused), every other line as written
    expect(full.split('\n').filter((l, i) => l !== slim.split('\n')[i])).toHaveLength(1);
  });

  it('is an error for a Dockerfile whose runtime stage copies nothing from the traced stage', () => {
    expect(() => fullImageDockerfile(synth({}).files.Dockerfile, 'traced', 'prod-deps')).toThrow(/copies nothing from the "traced" stage/);
  });
});

describe('modules an app failed to load', () => {
  it('reads CommonJS and ES module errors', () => {
    const out = [
      "Error: Cannot find module 'left-pad'",
      'Require stack:',
      "Error [ERR_MODULE_NOT_FOUND]: Cannot find package '@scope/plugin' imported from /app/dist/main.js",
      "Error: Cannot find module 'left-pad'",
    ].join('\n');
    expect(missingModules(out)).toEqual(['left-pad', '@scope/plugin']);
    expect(missingModules('listening on 8080')).toEqual([]);
  });
});

describe('the slim image answers as the full image does', () => {
  const full = run(true, [{ path: '/healthz', status: 200, contentType: 'text/plain' }, { path: '/api', status: 200, contentType: 'application/json' }]);

  it('passes when every status code and content type match', () => {
    const c = compareRoutes(run(true, full.answers), full);
    expect(c).toMatchObject({ id: 'slim-routes', ok: true });
    expect(c.detail).toBe('GET /healthz -> 200 text/plain; GET /api -> 200 application/json');
  });

  it('fails on a different status, naming the module and the include entry', () => {
    const slim = run(true, [full.answers[0], { path: '/api', status: 500, contentType: 'text/html' }], "Error: Cannot find module '@acme/plugin/lib/x'");
    const c = compareRoutes(slim, full);
    expect(c.ok).toBe(false);
    expect(c.detail).toContain('GET /api: slim 500 text/html, full 200 application/json');
    expect(c.detail).toContain("the app failed to load '@acme/plugin/lib/x'");
    expect(c.detail).toContain('"node_modules/@acme/plugin"');
  });

  it('fails on a different content type alone', () => {
    const slim = run(true, [full.answers[0], { path: '/api', status: 200, contentType: 'text/html' }]);
    expect(compareRoutes(slim, full).ok).toBe(false);
  });

  it('fails when the slim image does not come up, and blames the app when the full one does not', () => {
    expect(compareRoutes(run(false, [], "Cannot find module 'express'"), full).detail).toMatch(/the slim image did not come up; the app failed to load 'express'/);
    expect(compareRoutes(full, run(false, [])).detail).toMatch(/the full image did not answer/);
  });

  it('without slim, routes must answer below 500', () => {
    expect(routesAnswer(full).ok).toBe(true);
    expect(routesAnswer(run(true, [{ path: '/api', status: 503 }])).ok).toBe(false);
    expect(routesAnswer(run(true, [{ path: '/api', error: 'socket hang up' }])).detail).toContain('no answer (socket hang up)');
  });
});

describe('the tracer\'s lines in the build output', () => {
  it('keeps the warnings and the count', () => {
    const t = traceLines(['STEP 6/6: RUN ...', 'slim: tracer warning: Failed to resolve dependency "pg-native"', 'slim: 233 files traced from src/index.js, 1 included']);
    expect(t).toEqual({ warnings: ['Failed to resolve dependency "pg-native"'], summary: '233 files traced from src/index.js, 1 included' });
  });
});
