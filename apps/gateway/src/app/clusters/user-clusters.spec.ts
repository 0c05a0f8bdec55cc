import { stringify } from 'yaml';
import { AddressPolicy } from './address-policy';
import { checkKubeconfig, decodeUserCluster, encodeUserCluster } from './user-clusters';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const b64 = (s: string) => Buffer.from(s).toString('base64');

function kubeconfig(users: Record<string, unknown>, cluster: Record<string, unknown> = { server: 'https://k8s.example:6443', 'certificate-authority-data': b64(PEM) }) {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster }],
    users: Object.entries(users).map(([name, user]) => ({ name, user })),
    contexts: Object.keys(users).map((name) => ({ name, context: { cluster: 'c', user: name, namespace: 'apps' } })),
  });
}

describe('user-added clusters', () => {
  it('accepts a token or an inline client certificate, and says why it refuses anything else', () => {
    const contexts = checkKubeconfig(
      kubeconfig({
        token: { token: 'abc' },
        cert: { 'client-certificate-data': b64(PEM), 'client-key-data': b64('-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n') },
        exec: { exec: { command: 'aws', args: ['eks', 'get-token'] } },
        provider: { 'auth-provider': { name: 'gcp' } },
        file: { tokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token' },
        certFile: { 'client-certificate': '/etc/passwd', 'client-key': '/etc/shadow' },
        basic: { username: 'u', password: 'p' },
      }),
    );
    const byName = Object.fromEntries(contexts.map((c) => [c.name, c]));
    expect(byName['token']?.problem).toBeUndefined();
    expect(decodeUserCluster(byName['token']?.entry as string)).toMatchObject({ server: 'https://k8s.example:6443', token: 'abc', ca: PEM });
    expect(byName['cert']?.entry).toBeDefined();
    expect(byName['exec']?.problem).toContain('runs a program on the server');
    expect(byName['provider']?.problem).toContain('auth-provider');
    expect(byName['file']?.problem).toContain('reads a token from a file on the server');
    expect(byName['certFile']?.problem).toContain('reads a certificate from a file on the server');
    expect(byName['basic']?.problem).toContain('basic authentication');
    expect(byName['token']?.namespace).toBe('apps');
  });

  it('refuses a server that reads a file, goes through a proxy or is not https', () => {
    const problem = (cluster: Record<string, unknown>) => checkKubeconfig(kubeconfig({ u: { token: 't' } }, cluster))[0]?.problem;
    expect(problem({ server: 'https://x:6443', 'certificate-authority': '/etc/kubernetes/pki/ca.crt' })).toContain('reads a CA from a file');
    expect(problem({ server: 'https://x:6443', 'proxy-url': 'socks5://10.0.0.1:1080' })).toContain('proxy');
    expect(problem({ server: 'http://x:8080' })).toContain('must use https');
    expect(problem({ server: 'https://x:6443', 'certificate-authority-data': b64('not pem') })).toContain('not a base64-encoded PEM block');
  });

  it('tells a file that is not a kubeconfig from one with a broken context', () => {
    expect(() => checkKubeconfig('{{{')).toThrow('not valid YAML');
    expect(() => checkKubeconfig('hello: world')).toThrow('it has no contexts');
    const broken = stringify({ contexts: [{ name: 'x', context: { cluster: 'missing', user: 'u' } }] });
    expect(checkKubeconfig(broken)[0]?.problem).toBe('context "x" names cluster "missing", which the file does not define');
  });

  it('checks a header entry as strictly as a kubeconfig entry', () => {
    const entry = encodeUserCluster({ server: 'https://k8s.example', insecureSkipTlsVerify: false, token: 't' });
    expect(decodeUserCluster(entry)).toMatchObject({ server: 'https://k8s.example', token: 't' });
    const smuggled = Buffer.from(JSON.stringify({ server: 'https://k8s.example', exec: { command: 'sh' } })).toString('base64url');
    expect(() => decodeUserCluster(smuggled)).toThrow('unsupported fields: exec');
    expect(() => decodeUserCluster('%%%')).toThrow('not base64url-encoded JSON');
  });
});

describe('address policy', () => {
  const open = new AddressPolicy(['0.0.0.0/0', '::/0']);

  it('never dials link-local, cloud metadata, unspecified or multicast addresses', () => {
    for (const address of ['169.254.169.254', '169.254.1.1', '100.100.100.200', '0.0.0.0', '224.0.0.1', 'fe80::1', 'fd00:ec2::254', '::ffff:169.254.169.254']) {
      expect(open.refusal(address)).toMatch(/which Cairn never connects to/);
    }
    expect(new AddressPolicy(['169.254.0.0/16']).refusal('169.254.169.254')).toMatch(/never connects to/);
  });

  it('refuses loopback unless the allowlist names it, and anything outside the allowlist', () => {
    expect(open.refusal('127.0.0.1')).toContain('loopback');
    expect(open.refusal('::1')).toContain('loopback');
    expect(new AddressPolicy(['127.0.0.1']).refusal('127.0.0.1')).toBeUndefined();
    const corp = new AddressPolicy(['10.0.0.0/8']);
    expect(corp.refusal('10.20.30.40')).toBeUndefined();
    expect(corp.refusal('8.8.8.8')).toContain('outside the addresses allowed');
    expect(open.refusal('203.0.113.7')).toBeUndefined();
  });

  it('refuses an allowlist entry that is not a range', () => {
    expect(() => new AddressPolicy(['10.0.0.0/33'])).toThrow('is not an address or CIDR range');
    expect(() => new AddressPolicy(['example.com'])).toThrow('is not an address or CIDR range');
  });
});
