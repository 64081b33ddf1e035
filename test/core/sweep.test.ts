import { describe, expect, it } from 'vitest';
import { AppProps, ManifestKind, podSecurityViolations, schemaError } from '../../src';
import { MANIFEST_FILES } from '../../src/k8s/manifests';
import { instructions, parseYaml, stage, synth } from '../util';

/** A deterministic spread of option combinations (not the full product: ~70 cases). */
function* combinations(): Generator<AppProps> {
  const versions = ['22', '24', '26'];
  const pms = ['npm', 'pnpm', 'yarn'] as const;
  const ports = [80, 3000, 8080, 65535];
  const builds: (AppProps['build'])[] = [undefined, false, { script: 'compile', outDir: 'build' }];
  let i = 0;
  for (const nodeVersion of versions) {
    for (const packageManager of pms) {
      for (const build of builds) {
        for (const port of ports) {
          i++;
          if (i % 2 === 0 && port !== 8080) continue;
          yield {
            port,
            build,
            runtime: { nodeVersion, packageManager },
            entrypoint: build === false ? (i % 3 === 0 ? 'src/server.js' : 'server.js') : build ? 'build/main.js' : undefined,
            healthCheckPath: i % 4 === 0 ? false : '/healthz',
            image: {
              repository: i % 2 ? 'registry.example.com:5000/team/svc' : 'svc',
              tag: i % 11 === 0 ? 'main' : `1.${i}.0`,
              ...(i % 4 === 1 ? { digest: `sha256:${'a'.repeat(64)}`, debugDigest: `sha256:${'b'.repeat(64)}` } : {}),
            },
            kubernetes: {
              replicas: i % 3,
              autoscaling: i % 5 === 0 ? { minReplicas: 2, maxReplicas: 4 } : undefined,
              networkPolicy: i % 3 === 0
                ? { allowFromNamespaces: ['ingress-nginx'], allowFromPodLabels: i % 2 ? [{ role: 'gateway' }] : undefined }
                : (i % 7 === 0 ? false : undefined),
              ingress: i % 3 === 0 ? { host: 'svc.example.com' } : undefined,
              namespace: i % 2 ? 'shop' : undefined,
              resources: { memoryLimit: ['256Mi', '1Gi', '512M', '536870912'][i % 4] },
              env: i % 6 === 0 ? { NODE_OPTIONS: '--enable-source-maps' } : undefined,
              envFrom: i % 4 === 0 ? [{ configMap: 'svc-config' }, { secret: 'svc-env', optional: true }] : undefined,
              envValueFrom: i % 5 === 1 ? { DB_PASSWORD: { secret: 'svc-db', key: 'password' } } : undefined,
              minVersion: i % 8 === 0 ? '1.29' : undefined,
              preStopSleepSeconds: i % 8 === 0 ? 0 : (i % 3 === 1 ? 10 : undefined),
              terminationGracePeriodSeconds: i % 3 === 1 ? 45 : undefined,
              startupProbeBudgetSeconds: i % 5 === 2 ? 120 : undefined,
            },
          };
        }
      }
    }
  }
}

describe('sweep over option combinations', () => {
  const cases = [...combinations()];

  it(`every output is schema-valid, PSS-restricted and consistent across Dockerfile and manifests (${cases.length} cases)`, () => {
    // What the sweep covered, from the outputs themselves: distinct files and every kind.
    const dockerfiles = new Set<string>();
    const deployments = new Set<string>();
    const kinds = new Set<string>();
    for (const props of cases) {
      const label = JSON.stringify(props);
      const { files, app } = synth(props);
      const objs = Object.entries(files)
        .filter(([p]) => p.startsWith('k8s/base/') && !p.endsWith('kustomization.yaml'))
        .flatMap(([, t]) => parseYaml(t));
      for (const o of objs) expect(schemaError(o.kind as ManifestKind, o), `${o.kind} ${label}`).toBeUndefined();
      const dep = objs.find((o) => o.kind === 'Deployment');
      dockerfiles.add(files.Dockerfile);
      deployments.add(JSON.stringify(dep));
      for (const o of objs) kinds.add(o.kind);
      const svc = objs.find((o) => o.kind === 'Service');
      const pod = dep.spec.template.spec;
      const c = pod.containers[0];
      expect(podSecurityViolations(pod), label).toEqual([]);

      // port: EXPOSE = containerPort; Service and probes target the named port
      const rt = stage(files.Dockerfile, 'runtime');
      expect(rt, label).toContain(`EXPOSE ${props.port}`);
      expect(c.ports[0].containerPort).toBe(props.port);
      expect(svc.spec.ports[0].targetPort).toBe(c.ports[0].name);
      const probePort = c.readinessProbe.httpGet?.port ?? c.readinessProbe.tcpSocket?.port;
      expect(probePort).toBe(c.ports[0].name);

      // uid/gid: USER and every COPY --chown = runAsUser/runAsGroup/fsGroup
      const [uid, gid] = rt.find((l) => l.startsWith('USER '))!.slice(5).split(':').map(Number);
      // the app's files belong to root, readable and not writable by the app user
      for (const l of rt.filter((x) => x.startsWith('COPY '))) expect(l).toContain('--chown=0:0 --chmod=0555');
      expect(rt).toContain(`USER ${uid}:${gid}`);
      expect([pod.securityContext.runAsUser, pod.securityContext.runAsGroup, pod.securityContext.fsGroup]).toEqual([uid, gid, gid]);

      // image: Deployment runs the definition's image; the debug overlay its debug tag
      const { digest, debugDigest } = props.image!;
      expect(c.image).toBe(`${props.image!.repository}:${props.image!.tag}${digest ? `@${digest}` : ''}`);
      expect(c.imagePullPolicy, label).toBe(props.image!.tag === 'main' && !digest ? 'Always' : 'IfNotPresent');
      const overlay = parseYaml(files['k8s/overlays/debug/kustomization.yaml'])[0];
      expect(overlay.images).toEqual([{ name: props.image!.repository, newTag: `${props.image!.tag}-debug`, ...(debugDigest ? { digest: debugDigest } : {}) }]);

      // production settings: spread when more than one pod may run, startup probe, shutdown timeline
      const ko = props.kubernetes!;
      const mostPods = ko.autoscaling ? ko.autoscaling.maxReplicas! : ko.replicas!;
      expect((pod.topologySpreadConstraints ?? []).map((t: any) => t.topologyKey), label)
        .toEqual(mostPods > 1 ? ['kubernetes.io/hostname', 'topology.kubernetes.io/zone'] : []);
      expect(c.startupProbe.periodSeconds * c.startupProbe.failureThreshold).toBe(ko.startupProbeBudgetSeconds ?? 60);
      const sleep = ko.preStopSleepSeconds ?? 5;
      expect(c.lifecycle?.preStop?.sleep?.seconds).toBe(sleep > 0 ? sleep : undefined);
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(sleep);
      // the heap follows the memory limit (75 %), merged with the user's own NODE_OPTIONS
      const limitMiB = { '256Mi': 256, '1Gi': 1024, '512M': 488, '536870912': 512 }[ko.resources!.memoryLimit!]!;
      const nodeOptions = c.env.find((e: any) => e.name === 'NODE_OPTIONS').value;
      expect(nodeOptions, label).toBe(`${ko.env?.NODE_OPTIONS ? `${ko.env.NODE_OPTIONS} ` : ''}--max-old-space-size=${Math.floor(limitMiB * 0.75)}`);
      // secrets by reference only
      if (ko.envValueFrom) expect(c.env).toContainEqual({ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'svc-db', key: 'password' } } });
      expect(c.envFrom?.length ?? 0).toBe(ko.envFrom?.length ?? 0);
      // NetworkPolicy unless turned off
      expect(objs.some((o) => o.kind === 'NetworkPolicy'), label).toBe(ko.networkPolicy !== false);
      // no moving tag unless the definition sets one
      if (props.image!.tag !== 'main') for (const text of Object.values(files)) expect(text).not.toMatch(/:latest\b|newTag: latest/);

      // labels and selectors agree; names come from the definition
      for (const o of objs) expect(o.metadata.labels['app.kubernetes.io/name'], label).toBe(app.name);
      expect(svc.spec.selector).toEqual(dep.spec.selector.matchLabels);
      for (const [k, val] of Object.entries(dep.spec.selector.matchLabels)) expect(dep.spec.template.metadata.labels[k]).toBe(val);

      // entrypoint only in CMD
      const cmd = JSON.parse(rt[rt.length - 1].slice('CMD '.length));
      expect(cmd).toEqual([app.runtimeStage.entrypoint]);
      expect(instructions(files.Dockerfile).filter((l) => l.includes(app.runtimeStage.entrypoint) && !l.startsWith('CMD')).every((l) => l.startsWith('COPY'))).toBe(true);

      // PDB exactly when more than one replica runs
      const minReplicas = props.kubernetes!.autoscaling ? 2 : props.kubernetes!.replicas!;
      expect(objs.some((o) => o.kind === 'PodDisruptionBudget'), label).toBe(minReplicas > 1);
    }
    // the options really vary the outputs, and every kind was rendered and checked at least once
    expect(dockerfiles.size).toBeGreaterThan(10);
    expect(deployments.size).toBeGreaterThan(20);
    expect([...kinds].sort()).toEqual(Object.keys(MANIFEST_FILES).sort());
  });
});
