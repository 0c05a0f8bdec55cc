import { DevCluster, kubectlOut } from '@cairn/kube-testenv';
import { parseLabelChange } from './labels';

/**
 * kubectl and the API server are the oracle for label keys and values: every argument that
 * `parseLabelChange` accepts, `kubectl label --dry-run=server` accepts too, and every one it
 * refuses, kubectl (or the API server behind it) refuses.
 */
describe('parseLabelChange against kubectl label', () => {
  let cluster: DevCluster;

  beforeAll(async () => {
    cluster = await DevCluster.start({ seed: false });
  }, 300_000);

  afterAll(() => cluster?.stop());

  const long = (n: number) => 'a'.repeat(n);
  const ARGS = [
    'app=web',
    'app.kubernetes.io/name=web',
    'tier=',
    'Team_A.b-c=X_1.2-z',
    'example.com/x=y',
    `${long(63)}=v`,
    `k=${long(63)}`,
    'app-',
    'example.com/zone-',
    `${long(64)}=v`,
    `k=${long(64)}`,
    '-app=web',
    'app-=web',
    'app=-web',
    'app=web-',
    'app=we b',
    'Example.com/x=y',
    'a/b/c=d',
    '/x=y',
    'example.com/=y',
    'app',
    '=web',
    'app=a/b',
    'ex_ample.com/x=y',
  ];

  it('accepts exactly what kubectl label --dry-run=server accepts', async () => {
    await kubectlOut(cluster, ['create', 'configmap', 'labels-oracle', '-n', 'default']);
    const disagreements: string[] = [];
    for (const arg of ARGS) {
      const ours = parseLabelChange(arg);
      const refusal = await kubectlOut(cluster, ['label', '--overwrite', '--dry-run=server', '-n', 'default', 'configmap/labels-oracle', arg]).then(() => undefined, (err: Error) => err.message);
      const weAccept = !('problem' in ours);
      if (weAccept !== (refusal === undefined)) disagreements.push(`${arg}: we ${weAccept ? 'accept' : `refuse (${(ours as { problem: string }).problem})`}, kubectl ${refusal === undefined ? 'accepts' : `refuses: ${refusal}`}`);
    }
    expect(disagreements).toEqual([]);
  });

  it('says what a refused argument lacks, in words', () => {
    expect(parseLabelChange('app=we b')).toEqual({ problem: expect.stringContaining('letters, digits') });
    expect(parseLabelChange(`${long(64)}=v`)).toEqual({ problem: expect.stringContaining('longer than 63 characters') });
    expect(parseLabelChange('app')).toEqual({ problem: expect.stringContaining('key=value') });
    expect(parseLabelChange('example.com/zone-')).toEqual({ key: 'example.com/zone' });
    expect(parseLabelChange(' tier= ')).toEqual({ key: 'tier', value: '' });
  });
});
