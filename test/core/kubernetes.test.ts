import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MANIFEST_FILES, ManifestKind, podSecurityViolations, schemaError } from '../../src';
import { kustomize, parseYaml, synth } from '../util';

const withEverything = {
  kubernetes: {
    replicas: 3,
    autoscaling: { minReplicas: 2, maxReplicas: 6 },
    networkPolicy: { allowFromNamespaces: ['ingress-nginx'] },
    ingress: { host: 'orders.example.com', tlsSecretName: 'orders-tls', className: 'nginx' },
  },
};

function objects(files: Record<string, string>): any[] {
  return Object.entries(files)
    .filter(([p]) => p.startsWith('k8s/base/') && !p.endsWith('kustomization.yaml'))
    .flatMap(([, text]) => parseYaml(text));
}

describe('Kubernetes manifests', () => {
  it('match the snapshot with every object turned on', () => {
    const { files } = synth(withEverything);
    for (const [p, text] of Object.entries(files)) if (p.startsWith('k8s/')) expect(text).toMatchSnapshot(p);
  });

  it('always has Deployment, Service and ServiceAccount (token not mounted), NetworkPolicy by default; PDB only when replicas > 1', () => {
    const one = synth({ kubernetes: { replicas: 1 } }).files;
    expect(Object.keys(one).filter((p) => p.startsWith('k8s/base/')).sort()).toEqual([
      'k8s/base/deployment.yaml', 'k8s/base/kustomization.yaml', 'k8s/base/networkpolicy.yaml', 'k8s/base/service.yaml', 'k8s/base/serviceaccount.yaml',
    ]);
    const sa = parseYaml(one['k8s/base/serviceaccount.yaml'])[0];
    expect(sa.automountServiceAccountToken).toBe(false);
    const two = synth({ kubernetes: { replicas: 2 } }).files;
    expect(two['k8s/base/poddisruptionbudget.yaml']).toBeDefined();
    expect(parseYaml(two['k8s/base/kustomization.yaml'])[0].resources).toContain('poddisruptionbudget.yaml');
  });

  it('passes the Pod Security Standards "restricted" profile, field by field', () => {
    const dep = parseYaml(synth().files['k8s/base/deployment.yaml'])[0];
    const pod = dep.spec.template.spec;
    const c = pod.containers[0];
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } });
    expect(c.securityContext.allowPrivilegeEscalation).toBe(false);
    expect(c.securityContext.capabilities).toEqual({ drop: ['ALL'] });
    expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(c.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(c.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }]);
    expect(c.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } });
    expect(podSecurityViolations(pod)).toEqual([]);
  });

  it('the pod-security check itself catches each weakening', () => {
    const pod = parseYaml(synth().files['k8s/base/deployment.yaml'])[0].spec.template.spec;
    const weaken = (f: (p: any) => void) => {
      const copy = JSON.parse(JSON.stringify(pod));
      f(copy);
      return podSecurityViolations(copy);
    };
    expect(weaken((p) => (p.containers[0].securityContext.allowPrivilegeEscalation = true))).toHaveLength(1);
    expect(weaken((p) => (p.containers[0].securityContext.capabilities = { drop: [] }))).toHaveLength(1);
    expect(weaken((p) => { delete p.securityContext.runAsNonRoot; delete p.containers[0].securityContext.runAsNonRoot; })).toHaveLength(1);
    expect(weaken((p) => { delete p.securityContext.seccompProfile; delete p.containers[0].securityContext.seccompProfile; })).toHaveLength(1);
    expect(weaken((p) => p.volumes.push({ name: 'h', hostPath: { path: '/' } }))).toHaveLength(1);
    expect(weaken((p) => (p.hostNetwork = true))).toHaveLength(1);
    expect(weaken((p) => (p.securityContext.sysctls = [{ name: 'net.core.somaxconn', value: '1024' }]))).toHaveLength(1);
    expect(weaken((p) => (p.securityContext.sysctls = [{ name: 'net.ipv4.tcp_keepalive_time', value: '60' }]))).toHaveLength(0);
    expect(weaken((p) => (p.containers[0].securityContext.seLinuxOptions = { type: 'spc_t' }))).toHaveLength(1);
    expect(weaken((p) => (p.containers[0].securityContext.procMount = 'Unmasked'))).toHaveLength(1);
    expect(weaken((p) => (p.containers[0].securityContext.appArmorProfile = { type: 'Unconfined' }))).toHaveLength(1);
    expect(weaken((p) => (p.securityContext.seccompProfile = { type: 'Unconfined' }))).toHaveLength(1);
    expect(weaken((p) => (p.securityContext.windowsOptions = { hostProcess: true }))).toHaveLength(1);
    expect(weaken((p) => p.ephemeralContainers = [{ name: 'dbg', image: 'busybox' }]).length).toBeGreaterThan(0);
    expect(podSecurityViolations(pod, { 'container.apparmor.security.beta.kubernetes.io/orders-api': 'unconfined' })).toHaveLength(1);
  });

  it('probes use the health path (httpGet) or the port (tcpSocket), on the named port the Service targets', () => {
    const http = parseYaml(synth({ healthCheckPath: '/ready' }).files['k8s/base/deployment.yaml'])[0].spec.template.spec.containers[0];
    expect(http.readinessProbe.httpGet).toEqual({ path: '/ready', port: 'http' });
    expect(http.livenessProbe.httpGet).toEqual({ path: '/ready', port: 'http' });
    const tcp = synth({ healthCheckPath: false }).files;
    const c = parseYaml(tcp['k8s/base/deployment.yaml'])[0].spec.template.spec.containers[0];
    expect(c.readinessProbe.tcpSocket).toEqual({ port: 'http' });
    expect(c.readinessProbe.httpGet).toBeUndefined();
    const svc = parseYaml(tcp['k8s/base/service.yaml'])[0];
    expect(svc.spec.ports[0].targetPort).toBe(c.ports[0].name);
  });

  it('every object validates against the Kubernetes schema', () => {
    const objs = objects(synth(withEverything).files);
    expect(objs.map((o) => o.kind).sort()).toEqual(Object.keys(MANIFEST_FILES).sort());
    for (const o of objs) expect(schemaError(o.kind as ManifestKind, o), o.kind).toBeUndefined();
  });

  it('the schema check catches a wrong type (so the check above can fail)', () => {
    const dep = parseYaml(synth().files['k8s/base/deployment.yaml'])[0];
    dep.spec.template.spec.containers[0].ports[0].containerPort = 'eighty';
    expect(schemaError('Deployment', dep)).toMatch(/containerPort must be integer/);
  });

  it('kubectl kustomize renders base and debug overlay; the overlay changes the image and nothing else', () => {
    const { dir } = synth({ ...withEverything, image: { repository: 'registry.example.com/shop/orders-api', tag: '1.4.0' } });
    const base = kustomize(path.join(dir, 'k8s/base'));
    const debug = kustomize(path.join(dir, 'k8s/overlays/debug'));
    expect(base.map((o) => o.kind).sort()).toEqual(Object.keys(MANIFEST_FILES).sort());
    for (const o of [...base, ...debug]) expect(schemaError(o.kind, o), o.kind).toBeUndefined();
    const baseDep = base.find((o) => o.kind === 'Deployment');
    const debugDep = debug.find((o) => o.kind === 'Deployment');
    expect(baseDep.spec.template.spec.containers[0].image).toBe('registry.example.com/shop/orders-api:1.4.0');
    expect(debugDep.spec.template.spec.containers[0].image).toBe('registry.example.com/shop/orders-api:1.4.0-debug');
    debugDep.spec.template.spec.containers[0].image = baseDep.spec.template.spec.containers[0].image;
    expect(debug).toEqual(base);
  });

  it('turning an object off removes its file and its kustomization entry', () => {
    const first = synth(withEverything);
    expect(first.files['k8s/base/ingress.yaml']).toBeDefined();
    const second = synth({ kubernetes: { replicas: 1, networkPolicy: false } }, { dir: first.dir });
    for (const gone of ['ingress.yaml', 'networkpolicy.yaml', 'horizontalpodautoscaler.yaml', 'poddisruptionbudget.yaml']) {
      expect(second.files[`k8s/base/${gone}`], gone).toBeUndefined();
      expect(parseYaml(second.files['k8s/base/kustomization.yaml'])[0].resources).not.toContain(gone);
    }
    expect(kustomize(path.join(first.dir, 'k8s/base')).map((o) => o.kind).sort()).toEqual(['Deployment', 'Service', 'ServiceAccount']);
  });

  it('namespace goes into the kustomization, HPA replaces fixed replicas', () => {
    const { files } = synth({ kubernetes: { namespace: 'shop', autoscaling: { minReplicas: 3, maxReplicas: 9 } } });
    expect(parseYaml(files['k8s/base/kustomization.yaml'])[0].namespace).toBe('shop');
    const dep = parseYaml(files['k8s/base/deployment.yaml'])[0];
    expect(dep.spec.replicas).toBeUndefined();
    const hpa = parseYaml(files['k8s/base/horizontalpodautoscaler.yaml'])[0];
    expect(hpa.spec).toMatchObject({ minReplicas: 3, maxReplicas: 9, scaleTargetRef: { kind: 'Deployment', name: 'orders-api' } });
  });
});
