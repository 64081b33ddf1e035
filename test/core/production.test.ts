/**
 * The production contract of the definition and the manifests: image references (no `latest`,
 * moving tags, digests), NetworkPolicy by default, spread, startup probe and shutdown timeline,
 * the Node.js heap from the memory limit, ConfigMap and Secret references.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppProps, podSecurityViolations, schemaError } from '../../src';
import { heapMiB } from '../../src/families/node';
import { mebibytes, parseQuantity } from '../../src/k8s/quantity';
import { gitShortCommit } from '../../src/util/git';
import { kustomize, parseYaml, synth, tempDir, validationProblems, writePackage } from '../util';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const DEBUG_DIGEST = `sha256:${'b'.repeat(64)}`;
const STATIC: AppProps = { runtime: { family: 'static', binary: 'bin/server' } };

const problems = validationProblems;

function fields(props: AppProps, dir?: string): string[] {
  return problems(props, dir).map((p) => p.field);
}

function deployment(files: Record<string, string>): any {
  return parseYaml(files['k8s/base/deployment.yaml'])[0];
}

/** A project folder whose package.json has no version. */
function versionless(): string {
  const dir = tempDir();
  writePackage(dir, { name: 'orders-api' });
  return dir;
}

const git = (dir: string, ...args: string[]) => execFileSync('git', args, {
  cwd: dir,
  encoding: 'utf8',
  env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' },
}).trim();

describe('image tag: never latest by default', () => {
  it('the app version, else the git commit, else 0.0.0-dev, with a warning for the last two', () => {
    const versioned = synth();
    expect(deployment(versioned.files).spec.template.spec.containers[0].image).toBe('orders-api:1.2.3');
    expect(versioned.app.imageWarnings()).toEqual([]);

    const plain = synth({}, { dir: versionless() });
    expect(plain.app.imageTag).toBe('0.0.0-dev');
    expect(plain.app.imageWarnings()).toEqual([expect.stringMatching(/image tag 0\.0\.0-dev is a placeholder/)]);
    for (const [file, text] of Object.entries(plain.files)) expect(text, file).not.toMatch(/latest/);

    const repo = versionless();
    git(repo, 'init', '-q');
    expect(synth({}, { dir: repo }).app.imageTag).toBe('0.0.0-dev'); // a repository without a commit
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'first');
    const sha = git(repo, 'rev-parse', 'HEAD').slice(0, 7);
    const committed = synth({}, { dir: repo });
    expect(committed.app.imageTag).toBe(`0.0.0-${sha}`);
    expect(deployment(committed.files).metadata.labels['app.kubernetes.io/version']).toBe(`0.0.0-${sha}`);
    expect(committed.app.imageWarnings()).toEqual([expect.stringMatching(/comes from the git commit/)]);
  });

  it('reads loose refs, packed refs, a detached HEAD and a worktree\'s .git file without git', () => {
    const sha = 'c0ffee'.padEnd(40, '0');
    const other = 'deadbeef'.padEnd(40, '1');
    const repo = tempDir();
    fs.mkdirSync(path.join(repo, '.git/refs/heads'), { recursive: true });
    fs.writeFileSync(path.join(repo, '.git/HEAD'), 'ref: refs/heads/main\n');
    expect(gitShortCommit(repo)).toBeUndefined(); // no commit on the branch yet
    fs.writeFileSync(path.join(repo, '.git/packed-refs'), `# pack-refs with: peeled\n${other} refs/heads/other\n${sha} refs/heads/main\n`);
    expect(gitShortCommit(path.join(repo))).toBe('c0ffee0');
    fs.writeFileSync(path.join(repo, '.git/refs/heads/main'), `${other}\n`);
    expect(gitShortCommit(repo)).toBe('deadbee'); // the loose ref wins
    fs.mkdirSync(path.join(repo, 'services/orders'), { recursive: true });
    expect(gitShortCommit(path.join(repo, 'services/orders'))).toBe('deadbee'); // the enclosing repository
    fs.writeFileSync(path.join(repo, '.git/HEAD'), `${sha}\n`);
    expect(gitShortCommit(repo)).toBe('c0ffee0'); // detached
    // a worktree: .git is a file naming its git dir, whose refs live in the common dir
    const wt = tempDir();
    fs.mkdirSync(path.join(repo, '.git/worktrees/wt'), { recursive: true });
    fs.writeFileSync(path.join(repo, '.git/worktrees/wt/HEAD'), 'ref: refs/heads/other\n');
    fs.writeFileSync(path.join(repo, '.git/worktrees/wt/commondir'), '../..\n');
    fs.writeFileSync(path.join(wt, '.git'), `gitdir: ${path.join(repo, '.git/worktrees/wt')}\n`);
    expect(gitShortCommit(wt)).toBe('deadbee');
    expect(gitShortCommit(tempDir())).toBeUndefined();
  });

  it('a moving tag is pulled Always, with a warning; a digest pins it', () => {
    for (const tag of ['latest', 'main', 'stable']) {
      const { files, app } = synth({ image: { tag } });
      expect(deployment(files).spec.template.spec.containers[0].imagePullPolicy).toBe('Always');
      expect(app.imageWarnings()).toEqual([expect.stringMatching(new RegExp(`image tag "${tag}" moves`))]);
    }
    const pinned = synth({ image: { tag: 'latest', digest: DIGEST, debugDigest: DEBUG_DIGEST } });
    expect(deployment(pinned.files).spec.template.spec.containers[0].imagePullPolicy).toBe('IfNotPresent');
    expect(pinned.app.imageWarnings()).toEqual([]);
    expect(deployment(synth({ image: { tag: 'latest-1' } }).files).spec.template.spec.containers[0].imagePullPolicy).toBe('IfNotPresent');
  });

  it('digests pin the Deployment and the debug overlay (kubectl kustomize)', () => {
    const { dir, files } = synth({ image: { repository: 'registry.example.com/shop/orders', tag: '1.4.0', digest: DIGEST, debugDigest: DEBUG_DIGEST } });
    expect(deployment(files).spec.template.spec.containers[0].image).toBe(`registry.example.com/shop/orders:1.4.0@${DIGEST}`);
    const base = kustomize(path.join(dir, 'k8s/base')).find((o) => o.kind === 'Deployment');
    const debug = kustomize(path.join(dir, 'k8s/overlays/debug')).find((o) => o.kind === 'Deployment');
    expect(base.spec.template.spec.containers[0].image).toBe(`registry.example.com/shop/orders:1.4.0@${DIGEST}`);
    expect(debug.spec.template.spec.containers[0].image).toBe(`registry.example.com/shop/orders:1.4.0-debug@${DEBUG_DIGEST}`);
  });

  it('bad digests are named errors; a runtime digest needs the debug digest', () => {
    expect(problems({ image: { digest: 'sha256:abc', debugDigest: `md5:${'b'.repeat(32)}` } }).map((p) => [p.field, p.value])).toEqual([
      ['image.digest', 'sha256:abc'], ['image.debugDigest', `md5:${'b'.repeat(32)}`],
    ]);
    const missing = problems({ image: { digest: DIGEST } });
    expect(missing.map((p) => p.field)).toEqual(['image.debugDigest']);
    expect(missing[0].expected).toMatch(/required when image\.digest is set/);
  });
});

describe('NetworkPolicy on by default', () => {
  it('admits the same namespace to the app port; listed namespaces and pod labels add to it; false opts out', () => {
    const np = parseYaml(synth().files['k8s/base/networkpolicy.yaml'])[0];
    expect(np.spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'orders-api', 'app.kubernetes.io/instance': 'orders-api' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: {} }], ports: [{ port: 'http', protocol: 'TCP' }] }],
    });
    const listed = parseYaml(synth({ kubernetes: { networkPolicy: { allowFromNamespaces: ['monitoring'], allowFromPodLabels: [{ role: 'gateway' }] } } }).files['k8s/base/networkpolicy.yaml'])[0];
    expect(listed.spec.ingress[0].from).toEqual([
      { podSelector: { matchLabels: { role: 'gateway' } } },
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
    ]);
    expect(synth({ kubernetes: { networkPolicy: false } }).files['k8s/base/networkpolicy.yaml']).toBeUndefined();
  });

  it('with an Ingress the controller\'s namespace must be listed', () => {
    const p = problems({ kubernetes: { ingress: { host: 'orders.example.com' } } });
    expect(p.map((x) => x.field)).toEqual(['kubernetes.networkPolicy.allowFromNamespaces']);
    expect(p[0].expected).toMatch(/ingress controller's namespace/);
    expect(fields({ kubernetes: { networkPolicy: 'on' as any } })).toEqual(['kubernetes.networkPolicy']);
    synth({ kubernetes: { ingress: { host: 'orders.example.com' }, networkPolicy: false } });
  });
});

describe('spread, startup and shutdown', () => {
  it('spreads over hostname and zone only when more than one pod may run', () => {
    const spread = (props: AppProps) => (deployment(synth(props).files).spec.template.spec.topologySpreadConstraints ?? [])
      .map((t: any) => t.topologyKey);
    expect(spread({ kubernetes: { replicas: 1 } })).toEqual([]);
    expect(spread({ kubernetes: { replicas: 1, autoscaling: { minReplicas: 1, maxReplicas: 1 } } })).toEqual([]);
    expect(spread({ kubernetes: { replicas: 1, autoscaling: { minReplicas: 1, maxReplicas: 3 } } })).toEqual(['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
    const t = deployment(synth().files).spec.template.spec.topologySpreadConstraints[0];
    expect(t).toEqual({ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'orders-api', 'app.kubernetes.io/instance': 'orders-api' } } });
  });

  it('startup probe: the liveness check with a budget of 60 s by default, configurable', () => {
    const c = deployment(synth().files).spec.template.spec.containers[0];
    expect(c.startupProbe).toEqual({ httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 12 });
    const tcp = deployment(synth({ healthCheckPath: false, kubernetes: { startupProbeBudgetSeconds: 121 } }).files).spec.template.spec.containers[0];
    expect(tcp.startupProbe).toMatchObject({ tcpSocket: { port: 'http' }, periodSeconds: 5, failureThreshold: 25 });
    expect(fields({ kubernetes: { startupProbeBudgetSeconds: 0 } })).toEqual(['kubernetes.startupProbeBudgetSeconds']);
  });

  it('preStop sleep 5 s and grace 30 s by default, schema-valid with the sleep action (and the schema check still bites)', () => {
    const dep = deployment(synth().files);
    const c = dep.spec.template.spec.containers[0];
    expect(c.lifecycle).toEqual({ preStop: { sleep: { seconds: 5 } } });
    expect(dep.spec.template.spec.terminationGracePeriodSeconds).toBe(30);
    expect(schemaError('Deployment', dep)).toBeUndefined();
    expect(podSecurityViolations(dep.spec.template.spec)).toEqual([]);
    const broken = JSON.parse(JSON.stringify(dep));
    broken.spec.template.spec.containers[0].lifecycle.preStop.sleep.seconds = 'five';
    expect(schemaError('Deployment', broken)).toMatch(/seconds/);
    const none = deployment(synth({ kubernetes: { preStopSleepSeconds: 0, terminationGracePeriodSeconds: 10 } }).files);
    expect(none.spec.template.spec.containers[0].lifecycle).toBeUndefined();
    expect(none.spec.template.spec.terminationGracePeriodSeconds).toBe(10);
  });

  it('an older cluster than 1.30 needs preStopSleepSeconds: 0; the grace period must exceed the sleep', () => {
    const old = problems({ kubernetes: { minVersion: '1.29' } });
    expect(old.map((p) => [p.field, p.value])).toEqual([['kubernetes.preStopSleepSeconds', 5]]);
    expect(old[0].expected).toMatch(/needs Kubernetes 1\.30\+/);
    expect(deployment(synth({ kubernetes: { minVersion: '1.29', preStopSleepSeconds: 0 } }).files).spec.template.spec.containers[0].lifecycle).toBeUndefined();
    synth({ kubernetes: { minVersion: '1.33' } });
    expect(fields({ kubernetes: { minVersion: '1.x' } })).toEqual(['kubernetes.minVersion']);
    expect(fields({ kubernetes: { preStopSleepSeconds: 30 } })).toEqual(['kubernetes.terminationGracePeriodSeconds']);
    expect(fields({ kubernetes: { preStopSleepSeconds: -1 } })).toEqual(['kubernetes.preStopSleepSeconds']);
    expect(fields({ kubernetes: { terminationGracePeriodSeconds: 2.5 } })).toEqual(['kubernetes.terminationGracePeriodSeconds']);
  });
});

describe('heap follows the memory limit (Node.js)', () => {
  it('parses Kubernetes quantities', () => {
    expect(parseQuantity('128Mi')).toBe(128 * 2 ** 20);
    expect(parseQuantity('1Gi')).toBe(2 ** 30);
    expect(parseQuantity('0.5Gi')).toBe(2 ** 29);
    expect(parseQuantity('500M')).toBe(5e8);
    expect(parseQuantity('1G')).toBe(1e9);
    expect(parseQuantity('268435456')).toBe(268435456);
    expect(parseQuantity('1e9')).toBe(1e9);
    expect(parseQuantity('64Ki')).toBe(65536);
    expect(parseQuantity('100m')).toBeCloseTo(0.1);
    for (const bad of ['', 'Mi', '1 Gi', '1GB', '-1Gi', '1.2.3', undefined]) expect(parseQuantity(bad), String(bad)).toBeUndefined();
    expect(mebibytes('1G')).toBe(953);
    expect(heapMiB('256Mi', 75)).toBe(192);
    expect(heapMiB('1Gi', 75)).toBe(768);
    expect(heapMiB('512M', 75)).toBe(366);
  });

  it('sets NODE_OPTIONS in the Deployment (not the image), 75 % by default, runtime.heapPercent to change it', () => {
    const env = (props: AppProps) => deployment(synth(props).files).spec.template.spec.containers[0].env;
    expect(env({})).toEqual([{ name: 'NODE_OPTIONS', value: '--max-old-space-size=192' }]);
    expect(synth().files.Dockerfile).not.toContain('max-old-space-size');
    expect(env({ runtime: { heapPercent: 50 }, kubernetes: { resources: { memoryLimit: '2Gi' } } })).toEqual([{ name: 'NODE_OPTIONS', value: '--max-old-space-size=1024' }]);
    // the user's own NODE_OPTIONS (Deployment's, else the image's) is kept and extended
    expect(env({ kubernetes: { env: { NODE_OPTIONS: '--enable-source-maps', A: 'b' } } })).toEqual([
      { name: 'NODE_OPTIONS', value: '--enable-source-maps --max-old-space-size=192' }, { name: 'A', value: 'b' },
    ]);
    expect(env({ env: { NODE_OPTIONS: '--trace-warnings' } })).toEqual([{ name: 'NODE_OPTIONS', value: '--trace-warnings --max-old-space-size=192' }]);
    // an explicit heap within 90 % is theirs
    expect(env({ kubernetes: { env: { NODE_OPTIONS: '--max-old-space-size=200' } } })).toEqual([{ name: 'NODE_OPTIONS', value: '--max-old-space-size=200' }]);
    // the static family has no heap to size
    const staticDir = tempDir();
    writePackage(staticDir);
    fs.mkdirSync(path.join(staticDir, 'bin'));
    fs.writeFileSync(path.join(staticDir, 'bin/server'), '');
    expect(deployment(synth(STATIC, { dir: staticDir }).files).spec.template.spec.containers[0].env).toBeUndefined();
  });

  it('an explicit heap above 90 % of the limit, or a bad share, is a named error', () => {
    const p = problems({ kubernetes: { env: { NODE_OPTIONS: '--max-old-space-size=250' } } });
    expect(p.map((x) => [x.field, x.value])).toEqual([['kubernetes.env.NODE_OPTIONS', '--max-old-space-size=250']]);
    expect(p[0].expected).toMatch(/at most 230 \(MiB, 90% of kubernetes\.resources\.memoryLimit 256Mi\)/);
    expect(fields({ env: { NODE_OPTIONS: '--max_old_space_size 1000' } })).toEqual(['env.NODE_OPTIONS']);
    expect(fields({ kubernetes: { env: { NODE_OPTIONS: '--max-old-space-size-percentage=95' } } })).toEqual(['kubernetes.env.NODE_OPTIONS']);
    expect(fields({ runtime: { heapPercent: 95 } })).toEqual(['runtime.heapPercent']);
    expect(fields({ runtime: { heapPercent: 7.5 } })).toEqual(['runtime.heapPercent']);
  });
});

describe('ConfigMaps and Secrets by reference', () => {
  it('envFrom and envValueFrom render names and keys, never values', () => {
    const c = deployment(synth({
      kubernetes: {
        env: { LOG_LEVEL: 'info' },
        envFrom: [{ configMap: 'orders-config' }, { secret: 'orders-env', optional: true }],
        envValueFrom: { DB_PASSWORD: { secret: 'orders-db', key: 'password' }, REGION: { configMap: 'cluster-info', key: 'region' } },
      },
    }).files).spec.template.spec.containers[0];
    expect(c.envFrom).toEqual([{ configMapRef: { name: 'orders-config' } }, { secretRef: { name: 'orders-env', optional: true } }]);
    expect(c.env).toEqual([
      { name: 'LOG_LEVEL', value: 'info' },
      { name: 'NODE_OPTIONS', value: '--max-old-space-size=192' },
      { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'orders-db', key: 'password' } } },
      { name: 'REGION', valueFrom: { configMapKeyRef: { name: 'cluster-info', key: 'region' } } },
    ]);
  });

  it('bad references are named errors', () => {
    expect(fields({
      kubernetes: {
        env: { TOKEN: 'x' },
        envFrom: [{ configMap: 'Bad_Name' }, { configMap: 'a', secret: 'b' } as any, {} as any, { secret: 'ok', optional: 'yes' as any }],
        envValueFrom: { 'BAD-NAME': { secret: 'db', key: 'k' }, 'TOKEN': { secret: 'db', key: 'token' }, 'NOKEY': { secret: 'db' } as any, 'SLASH': { configMap: 'c', key: 'a/b' } },
      },
    })).toEqual([
      'kubernetes.envFrom[0]', 'kubernetes.envFrom[1]', 'kubernetes.envFrom[2]', 'kubernetes.envFrom[3].optional',
      'kubernetes.envValueFrom.BAD-NAME', 'kubernetes.envValueFrom.TOKEN', 'kubernetes.envValueFrom.NOKEY', 'kubernetes.envValueFrom.SLASH',
    ]);
    expect(fields({ kubernetes: { envFrom: { secret: 'x' } as any } })).toEqual(['kubernetes.envFrom']);
  });

  it('configMapGenerator: files in k8s/base, rendered into the kustomization; kustomize hashes the name and rewrites the reference', () => {
    const dir = tempDir();
    writePackage(dir);
    fs.mkdirSync(path.join(dir, 'k8s/base/config'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'k8s/base/config/app.properties'), 'greeting=hello\n');
    fs.writeFileSync(path.join(dir, 'k8s/base/config/settings.conf'), 'LOG_LEVEL=debug\n');
    const { files } = synth({
      kubernetes: {
        configMapGenerator: { name: 'orders-config', files: ['k8s/base/config/app.properties'], envFile: './k8s/base/config/settings.conf' },
        envFrom: [{ configMap: 'orders-config' }],
      },
    }, { dir });
    expect(parseYaml(files['k8s/base/kustomization.yaml'])[0].configMapGenerator).toEqual([
      { name: 'orders-config', files: ['config/app.properties'], envs: ['config/settings.conf'] },
    ]);
    for (const folder of ['k8s/base', 'k8s/overlays/debug']) {
      const objs = kustomize(path.join(dir, folder));
      const cm = objs.find((o) => o.kind === 'ConfigMap');
      expect(cm.metadata.name).toMatch(/^orders-config-[a-z0-9]{10}$/);
      expect(cm.data).toEqual({ 'app.properties': 'greeting=hello\n', 'LOG_LEVEL': 'debug' });
      const dep = objs.find((o) => o.kind === 'Deployment');
      expect(dep.spec.template.spec.containers[0].envFrom).toEqual([{ configMapRef: { name: cm.metadata.name } }]);
    }
  });

  it('configMapGenerator refuses secrets, paths outside k8s/base, missing files and an empty generator', () => {
    const dir = tempDir();
    writePackage(dir);
    fs.mkdirSync(path.join(dir, 'k8s/base'), { recursive: true });
    // *.env files count as secrets too (SECRET_PATTERNS): an envFile is a plain KEY=value file such as settings.conf
    for (const f of ['.env', 'config.json', 'server.key']) fs.writeFileSync(path.join(dir, f === 'config.json' ? f : `k8s/base/${f}`), 'x=1\n');
    const p = problems({
      kubernetes: {
        configMapGenerator: { name: 'orders-config', files: ['k8s/base/.env', 'config.json', '../etc/passwd', 'k8s/base/server.key', 'k8s/base/missing.txt'] },
      },
    }, dir);
    expect(p.map((x) => [x.field, x.value])).toEqual([
      ['kubernetes.configMapGenerator.files[0]', 'k8s/base/.env'],
      ['kubernetes.configMapGenerator.files[1]', 'config.json'],
      ['kubernetes.configMapGenerator.files[2]', '../etc/passwd'],
      ['kubernetes.configMapGenerator.files[3]', 'k8s/base/server.key'],
      ['kubernetes.configMapGenerator.files[4]', 'k8s/base/missing.txt'],
    ]);
    expect(p[0].expected).toMatch(/not a secret/);
    expect(p[1].expected).toMatch(/inside k8s\/base\//);
    expect(p[4].expected).toMatch(/an existing file/);
    expect(fields({ kubernetes: { configMapGenerator: { name: 'Bad Name' } } })).toEqual(['kubernetes.configMapGenerator.name', 'kubernetes.configMapGenerator']);
  });
});
