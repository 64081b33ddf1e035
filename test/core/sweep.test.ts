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
            image: { repository: i % 2 ? 'registry.example.com:5000/team/svc' : 'svc', tag: `1.${i}.0` },
            kubernetes: {
              replicas: i % 3,
              autoscaling: i % 5 === 0 ? { minReplicas: 2, maxReplicas: 4 } : undefined,
              networkPolicy: i % 7 < 3 ? {} : undefined,
              ingress: i % 3 === 0 ? { host: 'svc.example.com' } : undefined,
              namespace: i % 2 ? 'shop' : undefined,
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
      for (const l of rt.filter((x) => x.startsWith('COPY '))) expect(l).toContain(`--chown=${uid}:${gid}`);
      expect([pod.securityContext.runAsUser, pod.securityContext.runAsGroup, pod.securityContext.fsGroup]).toEqual([uid, gid, gid]);

      // image: Deployment runs the definition's image; the debug overlay its debug tag
      expect(c.image).toBe(`${props.image!.repository}:${props.image!.tag}`);
      const overlay = parseYaml(files['k8s/overlays/debug/kustomization.yaml'])[0];
      expect(overlay.images).toEqual([{ name: props.image!.repository, newTag: `${props.image!.tag}-debug` }]);

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
