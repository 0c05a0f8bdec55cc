import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { readGatewaySettings } from '../settings/gateway-settings';
import { clustersFromKubeconfigs, inClusterConfig } from './kubeconfig';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

describe('configured clusters', () => {
  let dir: string;
  const file = (name: string, content: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : stringify(content));
    return path;
  };
  const kubeconfig = (clusters: Array<[string, Record<string, unknown>]>, contexts: Array<[string, string, string?]>) => ({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: clusters.map(([name, cluster]) => ({ name, cluster })),
    contexts: contexts.map(([name, cluster, namespace]) => ({ name, context: { cluster, user: 'u', ...(namespace ? { namespace } : {}) } })),
  });

  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'cairn-kubeconfig-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('merges several files like kubectl: the first to define a name wins', () => {
    writeFileSync(join(dir, 'ca.crt'), PEM);
    const a = file('a', kubeconfig([['prod', { server: 'https://prod.example:6443', 'certificate-authority': 'ca.crt' }]], [['prod', 'prod', 'shop']]));
    const b = file('b', kubeconfig([['prod', { server: 'https://other:6443' }], ['dev', { server: 'https://dev:6443', 'insecure-skip-tls-verify': true }]], [['prod', 'prod'], ['dev', 'dev']]));
    const { clusters, problems } = clustersFromKubeconfigs([a, join(dir, 'missing'), b]);
    expect(problems).toEqual([]);
    expect(clusters).toEqual([
      { name: 'prod', server: 'https://prod.example:6443', ca: PEM, insecureSkipTlsVerify: false, tlsServerName: undefined, namespace: 'shop', source: 'kubeconfig' },
      { name: 'dev', server: 'https://dev:6443', ca: undefined, insecureSkipTlsVerify: true, tlsServerName: undefined, namespace: undefined, source: 'kubeconfig' },
    ]);
  });

  it('leaves out a bad context or file, naming it and why, and keeps the others', () => {
    const good = file('good', kubeconfig([['ok', { server: 'https://ok:6443' }]], [['ok', 'ok']]));
    const found = clustersFromKubeconfigs([
      file('bad', 'clusters: ['),
      file('http', kubeconfig([['c', { server: 'http://plain:80' }]], [['c', 'c']])),
      file('orphan', kubeconfig([], [['x', 'nowhere']])),
      good,
    ]);
    expect(found.clusters.map((c) => c.name)).toEqual(['ok']);
    expect(found.problems).toEqual([
      { name: join(dir, 'bad'), message: expect.stringMatching(/bad is not valid YAML/) },
      { name: 'c', message: 'cluster "c" in ' + join(dir, 'http') + ': server "http://plain:80" must use https' },
      { name: 'x', message: 'context "x" in ' + join(dir, 'orphan') + ' names cluster "nowhere", which no kubeconfig file defines with a server' },
    ]);
  });

  it('finds the in-cluster API server, honouring KUBERNETES_SERVICE_HOST/PORT overrides (a proxy such as Capsule\u2019s)', () => {
    writeFileSync(join(dir, 'ca.crt'), PEM);
    writeFileSync(join(dir, 'namespace'), 'cairn\n');
    expect(inClusterConfig({ KUBERNETES_SERVICE_HOST: 'capsule-proxy.capsule-system.svc', KUBERNETES_SERVICE_PORT: '9001' }, 'main', dir)).toEqual({
      name: 'main',
      server: 'https://capsule-proxy.capsule-system.svc:9001',
      ca: PEM,
      insecureSkipTlsVerify: false,
      namespace: 'cairn',
      source: 'in-cluster',
    });
    expect(inClusterConfig({ KUBERNETES_SERVICE_HOST: 'fd00::1' }, 'main', dir)?.server).toBe('https://[fd00::1]:443');
    expect(inClusterConfig({}, 'main', dir)).toBeUndefined();
  });

  it('stops start-up on a bad cluster setting, naming it', () => {
    const base = { CAIRN_WEB_ROOT: dir };
    // A bad kubeconfig context or file does not stop start-up: it is left out, with the reason, and the rest works.
    const settings = readGatewaySettings({ ...base, KUBECONFIG: `${file('bad', 'clusters: [')}:${file('good', kubeconfig([['ok', { server: 'https://ok:6443' }]], [['ok', 'ok']]))}` }, dir);
    expect(settings.clusters.map((c) => c.name)).toEqual(['ok']);
    expect(settings.kubeconfigProblems).toEqual([{ name: join(dir, 'bad'), message: expect.stringMatching(/is not valid YAML/) }]);
    expect(() => readGatewaySettings({ ...base, CAIRN_IN_CLUSTER: 'true', CAIRN_SERVICE_ACCOUNT_DIR: dir }, dir)).toThrow(/^CAIRN_IN_CLUSTER: is true, but KUBERNETES_SERVICE_HOST is unset/);
    expect(() => readGatewaySettings({ ...base, CAIRN_SESSION_KEY: 'short' }, dir)).toThrow('CAIRN_SESSION_KEY: must be at least 32 characters');
    expect(() => readGatewaySettings({ ...base, CAIRN_CA_BUNDLE: file('empty.pem', 'nothing') }, dir)).toThrow('holds no PEM certificate');
    expect(() => readGatewaySettings({ ...base, CAIRN_INSECURE_SKIP_TLS_VERIFY: 'maybe' }, dir)).toThrow('CAIRN_INSECURE_SKIP_TLS_VERIFY: "maybe" is not a boolean');
  });

  it('reads a CA bundle from a file or from every .pem/.crt of a directory', () => {
    const bundle = join(dir, 'cas');
    mkdirSync(bundle);
    writeFileSync(join(bundle, 'one.pem'), PEM + PEM);
    writeFileSync(join(bundle, 'readme.txt'), PEM);
    expect(readGatewaySettings({ CAIRN_WEB_ROOT: dir, CAIRN_CA_BUNDLE: bundle }, dir).extraCa).toHaveLength(2);
  });
});
