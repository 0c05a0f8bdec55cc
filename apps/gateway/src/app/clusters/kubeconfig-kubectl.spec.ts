import { ensureBinaries, freePort } from '@cairn/kube-testenv';
import { KubeConfig } from '@kubernetes/client-node';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { stringify } from 'yaml';
import { ClusterConfig, clustersFromKubeconfigs, inClusterConfig } from './kubeconfig';

/**
 * The configured clusters as oracles we did not write read them: KUBECONFIG's files as the
 * real kubectl merges them (`kubectl config view --merge --flatten`, which also embeds every
 * CA file, resolved against its own file's directory), and the in-cluster service account as
 * @kubernetes/client-node's `loadFromCluster` finds it.
 */

const CA_A = '-----BEGIN CERTIFICATE-----\nQUFB\n-----END CERTIFICATE-----\n';
const CA_B = '-----BEGIN CERTIFICATE-----\nQkJC\n-----END CERTIFICATE-----\n';

interface KubectlView {
  clusters: Array<{ name: string; cluster: { server?: string; 'certificate-authority-data'?: string; 'insecure-skip-tls-verify'?: boolean; 'tls-server-name'?: string } }> | null;
  contexts: Array<{ name: string; context: { cluster?: string; namespace?: string } }> | null;
}

type Seen = Omit<ClusterConfig, 'source'>;

describe('configured kubeconfigs, as kubectl merges them', () => {
  let kubectl: string;
  let dir: string;
  const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
  const write = (path: string, content: unknown) => {
    writeFileSync(join(dir, path), typeof content === 'string' ? content : stringify(content));
    return join(dir, path);
  };
  const kubectlView = (files: string[]) =>
    new Promise<{ view?: KubectlView; error?: string }>((resolve) => {
      execFile(kubectl, ['config', 'view', '--merge', '--flatten', '-o', 'json'], { env: { KUBECONFIG: files.join(delimiter), HOME: dir } }, (err, stdout, stderr) =>
        resolve(err ? { error: stderr } : { view: JSON.parse(stdout) as KubectlView }),
      );
    });
  /** What kubectl's merged view says of each context, and which contexts Cairn's rule (a defined cluster, https) keeps. */
  const kubectlSays = (view: KubectlView) => {
    const usable: Seen[] = [];
    const unusable: string[] = [];
    for (const { name, context } of view.contexts ?? []) {
      const cluster = view.clusters?.find((c) => c.name === context.cluster)?.cluster;
      if (!cluster?.server?.startsWith('https://')) {
        unusable.push(name);
        continue;
      }
      const caData = cluster['certificate-authority-data'];
      usable.push({
        name,
        server: cluster.server.replace(/\/+$/, ''), // kubectl keeps a trailing slash; a base URL has none
        ca: caData ? Buffer.from(caData, 'base64').toString('utf8') : undefined,
        insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
        tlsServerName: cluster['tls-server-name'],
        namespace: context.namespace,
      });
    }
    return { usable: usable.sort(byName), unusable: unusable.sort() };
  };
  const cairnSays = (files: string[]) => {
    const { clusters, problems } = clustersFromKubeconfigs(files);
    expect(clusters.every((c) => c.source === 'kubeconfig')).toBe(true);
    return { usable: clusters.map(({ name, server, ca, insecureSkipTlsVerify, tlsServerName, namespace }): Seen => ({ name, server, ca, insecureSkipTlsVerify, tlsServerName, namespace })).sort(byName), problems };
  };

  beforeAll(async () => {
    kubectl = (await ensureBinaries()).bin('kubectl');
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-kubeconfig-kubectl-'));
    mkdirSync(join(dir, 'second'));
    mkdirSync(join(dir, 'third'));
    writeFileSync(join(dir, 'second', 'ca.crt'), CA_B);
    writeFileSync(join(dir, 'third', 'ca.crt'), CA_A);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Three files that define some names twice, with CA files relative to their own directories. */
  const threeFiles = () => [
    write('a.yaml', {
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'prod',
      clusters: [{ name: 'prod', cluster: { server: 'https://prod.example:6443/', 'certificate-authority-data': Buffer.from(CA_A).toString('base64') } }],
      contexts: [{ name: 'prod', context: { cluster: 'prod', user: 'alice', namespace: 'shop' } }],
      users: [{ name: 'alice', user: { token: 'from-a' } }],
    }),
    join(dir, 'missing.yaml'),
    write('second/b.yaml', {
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'dev',
      clusters: [
        { name: 'prod', cluster: { server: 'https://not-the-first.example:6443' } },
        { name: 'dev', cluster: { server: 'https://10.0.0.7:6443', 'certificate-authority': 'ca.crt', 'tls-server-name': 'dev.internal' } },
        { name: 'plain', cluster: { server: 'http://plain.example:8080' } },
        { name: 'lab', cluster: { server: 'https://[fd00::7]:6443', 'insecure-skip-tls-verify': true } },
      ],
      contexts: [
        { name: 'prod', context: { cluster: 'dev', user: 'bob', namespace: 'not-the-first' } },
        { name: 'dev', context: { cluster: 'dev', user: 'bob', namespace: 'team' } },
        { name: 'orphan', context: { cluster: 'nowhere', user: 'bob' } },
        { name: 'plain', context: { cluster: 'plain', user: 'bob' } },
        { name: 'lab', context: { cluster: 'lab', user: 'alice' } },
      ],
      // A user Cairn never uses: its missing token file must not cost the clusters anything.
      users: [{ name: 'alice', user: { token: 'from-b' } }, { name: 'bob', user: { 'token-file': 'gone.token' } }],
    }),
    write('third/c.yaml', {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        { name: 'dev', cluster: { server: 'https://not-the-first:6443', 'certificate-authority': 'ca.crt' } },
        { name: 'edge', cluster: { server: 'https://edge.example', 'certificate-authority': '../second/ca.crt' } },
        { name: 'trusted', cluster: { server: 'https://trusted.example', 'certificate-authority': 'ca.crt' } },
      ],
      contexts: [
        { name: 'dev', context: { cluster: 'edge', user: 'bob' } },
        { name: 'edge', context: { cluster: 'edge', user: 'bob', namespace: 'edge-ns' } },
        { name: 'uses-second-dev', context: { cluster: 'dev', user: 'bob' } },
        { name: 'trusted', context: { cluster: 'trusted', user: 'bob' } },
      ],
    }),
  ];

  it('lists the contexts kubectl lists, each with the server, CA, namespace and TLS name kubectl resolves', async () => {
    const files = threeFiles();
    const { view, error } = await kubectlView(files);
    expect(error).toBeUndefined();
    const kubectl = kubectlSays(view as KubectlView);
    const cairn = cairnSays(files);
    // The fixture is not trivial: every rule is exercised.
    expect(kubectl.usable.map((c) => c.name)).toEqual(['dev', 'edge', 'lab', 'prod', 'trusted', 'uses-second-dev']);
    expect(kubectl.unusable).toEqual(['orphan', 'plain']);
    expect(cairn.usable).toEqual(kubectl.usable);
    expect(cairn.problems.map((p) => p.name).sort()).toEqual(kubectl.unusable);
    expect(cairn.problems.find((p) => p.name === 'plain')?.message).toBe(`cluster "plain" in ${join(dir, 'second/b.yaml')}: server "http://plain.example:8080" must use https`);
    expect(cairn.problems.find((p) => p.name === 'orphan')?.message).toBe(`context "orphan" in ${join(dir, 'second/b.yaml')} names cluster "nowhere", which no kubeconfig file defines with a server`);
  });

  it('gives the same answer whatever the order of KUBECONFIG, as kubectl does (the first file to define a name wins)', async () => {
    const files = threeFiles().reverse();
    const { view } = await kubectlView(files);
    const kubectl = kubectlSays(view as KubectlView);
    // Reversed, c.yaml comes first: its 'dev' cluster and context win, and 'prod' is b.yaml's context on that cluster.
    expect(kubectl.usable.find((c) => c.name === 'prod')).toMatchObject({ server: 'https://not-the-first:6443', ca: CA_A, namespace: 'not-the-first' });
    expect(kubectl.usable.find((c) => c.name === 'dev')).toMatchObject({ server: 'https://edge.example', ca: CA_B });
    expect(cairnSays(files).usable).toEqual(kubectl.usable);
  });

  it('keeps the other files working where kubectl refuses the whole list: a file that is not YAML, a CA file that is not there', async () => {
    const files = threeFiles();
    const notYaml = write('not-yaml.yaml', 'clusters: [');
    const noCa = write('no-ca.yaml', { clusters: [{ name: 'lost', cluster: { server: 'https://lost.example', 'certificate-authority': 'lost-ca.crt' } }], contexts: [{ name: 'lost', context: { cluster: 'lost' } }] });
    const refusedYaml = await kubectlView([...files, notYaml]);
    const refusedCa = await kubectlView([...files, noCa]);
    expect(refusedYaml.error).toContain(notYaml);
    expect(refusedCa.error).toContain(join(dir, 'lost-ca.crt'));

    const kubectl = kubectlSays((await kubectlView(files)).view as KubectlView);
    const cairn = cairnSays([...files, notYaml, noCa]);
    expect(cairn.usable).toEqual(kubectl.usable);
    expect(cairn.problems).toEqual(
      expect.arrayContaining([
        { name: notYaml, message: expect.stringMatching(new RegExp(`^${notYaml} is not valid YAML: `)) },
        { name: 'lost', message: `cluster "lost" in ${noCa}: certificate-authority ${join(dir, 'lost-ca.crt')} does not exist` },
      ]),
    );
  });

  it('refuses a cluster with both a CA file and CA data, as kubectl refuses to use its context', async () => {
    // Loopback, on a port nothing listens on: were kubectl to connect after all, nothing leaves the machine.
    const server = `https://127.0.0.1:${await freePort()}`;
    const both = write('second/both.yaml', {
      clusters: [{ name: 'both', cluster: { server, 'certificate-authority': 'ca.crt', 'certificate-authority-data': Buffer.from(CA_A).toString('base64') } }],
      contexts: [{ name: 'both', context: { cluster: 'both' } }],
    });
    // kubectl checks a context before it connects: this fails without sending anything.
    const used = await new Promise<string>((resolve) =>
      execFile(kubectl, ['--context', 'both', '--request-timeout=2s', 'get', '--raw', '/version'], { env: { KUBECONFIG: both, HOME: dir } }, (err, _stdout, stderr) => resolve(err ? stderr : 'kubectl used it')),
    );
    expect(used).toContain('certificate-authority-data and certificate-authority are both specified');
    expect(cairnSays([both])).toEqual({
      usable: [],
      problems: [{ name: 'both', message: `cluster "both" in ${both}: certificate-authority-data and certificate-authority are both set; kubectl refuses this too` }],
    });
  });

  it('refuses a file whose YAML is a list or a string, as kubectl does, and keeps the others', async () => {
    const files = threeFiles();
    const list = write('list.yaml', '- name: prod\n');
    const text = write('text.yaml', 'just some words\n');
    for (const odd of [list, text]) expect((await kubectlView([...files, odd])).error).toContain(odd);
    const kubectl = kubectlSays((await kubectlView(files)).view as KubectlView);
    const cairn = cairnSays([list, ...files, text]);
    expect(cairn.usable).toEqual(kubectl.usable);
    expect(cairn.problems.filter((p) => p.name.endsWith('.yaml'))).toEqual([
      { name: list, message: `${list} is not a kubeconfig: its YAML is not a mapping` },
      { name: text, message: `${text} is not a kubeconfig: its YAML is not a mapping` },
    ]);
  });

  it('refuses a file that defines a name twice within itself, as kubectl does (first-wins is across files only)', async () => {
    const files = threeFiles();
    const twice = write('twice.yaml', {
      clusters: [{ name: 'x', cluster: { server: 'https://one.example' } }, { name: 'x', cluster: { server: 'https://two.example' } }],
      contexts: [{ name: 'x', context: { cluster: 'x' } }],
    });
    expect((await kubectlView([...files, twice])).error).toContain('duplicate name "x"');
    const kubectl = kubectlSays((await kubectlView(files)).view as KubectlView);
    const cairn = cairnSays([twice, ...files]);
    expect(cairn.usable).toEqual(kubectl.usable);
    expect(cairn.problems).toContainEqual({ name: twice, message: `${twice} defines cluster "x" twice; kubectl refuses this file too` });
  });

  it('reads an empty file as kubectl does: as holding nothing', async () => {
    const files = [write('empty.yaml', ''), write('comments.yaml', '# nothing yet\n'), write('null.yaml', '~\n'), ...threeFiles()];
    expect((await kubectlView(files)).error).toBeUndefined();
    const kubectl = kubectlSays((await kubectlView(files)).view as KubectlView);
    const cairn = cairnSays(files);
    expect(cairn.usable).toEqual(kubectl.usable);
    expect(cairn.problems.map((p) => p.name).sort()).toEqual(kubectl.unusable);
  });
});

describe('the in-cluster configuration, as @kubernetes/client-node reads it', () => {
  const SA_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
  let root: string;
  let saDir: string;
  const saved = { host: process.env['KUBERNETES_SERVICE_HOST'], port: process.env['KUBERNETES_SERVICE_PORT'] };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'cairn-in-cluster-'));
    saDir = join(root, SA_PATH);
    mkdirSync(saDir, { recursive: true });
    writeFileSync(join(saDir, 'ca.crt'), CA_A);
    writeFileSync(join(saDir, 'token'), 'service-account-token');
    writeFileSync(join(saDir, 'namespace'), 'cairn');
  });
  afterEach(() => {
    for (const [key, value] of [['KUBERNETES_SERVICE_HOST', saved.host], ['KUBERNETES_SERVICE_PORT', saved.port]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    rmSync(root, { recursive: true, force: true });
  });

  /** client-node's reading, for the service variables of `env`: server, CA and namespace. */
  const clientNodeSays = (env: { KUBERNETES_SERVICE_HOST: string; KUBERNETES_SERVICE_PORT: string }) => {
    Object.assign(process.env, env); // loadFromCluster reads only process.env
    const config = new KubeConfig();
    config.loadFromCluster(root);
    const cluster = config.getCurrentCluster();
    const context = config.getContextObject(config.getCurrentContext());
    return { server: cluster?.server, caFile: cluster?.caFile, namespace: context?.namespace };
  };

  it.each([
    { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' },
    { KUBERNETES_SERVICE_HOST: 'capsule-proxy.capsule-system.svc', KUBERNETES_SERVICE_PORT: '9001' },
    { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '6443' },
  ])('finds the API server, CA and namespace client-node finds for $KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT', (env) => {
    const expected = clientNodeSays(env);
    const cairn = inClusterConfig(env, 'main', saDir);
    expect(cairn).toEqual({ name: 'main', server: expected.server, ca: CA_A, insecureSkipTlsVerify: false, namespace: expected.namespace, source: 'in-cluster' });
    expect(expected.caFile).toBe(join(saDir, 'ca.crt'));
  });

  it('speaks https to the ports where client-node would pick plain http, as client-go does', () => {
    const env = { KUBERNETES_SERVICE_HOST: 'api-proxy.example', KUBERNETES_SERVICE_PORT: '8080' };
    expect(clientNodeSays(env).server).toBe('http://api-proxy.example:8080');
    expect(inClusterConfig(env, 'main', saDir)?.server).toBe('https://api-proxy.example:8080');
  });
});
