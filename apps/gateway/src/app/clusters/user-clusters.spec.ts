import { stringify } from 'yaml';
import { AddressPolicy } from './address-policy';
import { checkKubeconfig, decodeUserCluster, encodeUserCluster, USER_CLUSTER_ENTRY_MAX_BYTES } from './user-clusters';

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

describe('pasted kubeconfig bounds', () => {
  const big = (n: number) => `-----BEGIN CERTIFICATE-----\n${'A'.repeat(n)}\n-----END CERTIFICATE-----\n`;
  /** One user with a large certificate and key, referenced by `contexts` contexts: the 114 KB → 40 MB shape. */
  const fanOut = (contexts: number, certBytes: number) =>
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server: 'https://k8s.example:6443' } }],
      users: [{ name: 'u', user: { 'client-certificate-data': b64(big(certBytes)), 'client-key-data': b64(big(certBytes)) } }],
      contexts: Array.from({ length: contexts }, (_, i) => ({ name: `ctx-${i}`, context: { cluster: 'c', user: 'u' } })),
    });

  it('refuses more contexts than the bound, naming it (413)', () => {
    const text = fanOut(101, 10);
    expect(() => checkKubeconfig(text)).toThrow('at most 100 at once (CAIRN_MAX_KUBECONFIG_CONTEXTS)');
    try {
      checkKubeconfig(text);
    } catch (err) {
      expect((err as { getStatus(): number }).getStatus()).toBe(413);
    }
  });

  it('bounds the reply: a user shared by many contexts cannot multiply a small file into a huge answer', () => {
    // Each entry just under USER_CLUSTER_ENTRY_MAX_BYTES (a larger one is refused on its own).
    const text = fanOut(100, 8 * 1024);
    expect(text.length).toBeLessThan(120 * 1024);
    expect(() => checkKubeconfig(text)).toThrow('larger than 2097152 bytes (CAIRN_MAX_CHECK_REPLY_BYTES)');
    // Under the bound it answers, each distinct user encoded once.
    const under = checkKubeconfig(fanOut(10, 8 * 1024));
    expect(under).toHaveLength(10);
    expect(under.every((c) => c.entry && c.entry.length > 28 * 1024 && c.entry.length < USER_CLUSTER_ENTRY_MAX_BYTES)).toBe(true);
  });

  it('refuses a field larger than the bound, naming it', () => {
    const [ctx] = checkKubeconfig(kubeconfig({ huge: { token: 't'.repeat(70 * 1024) } }));
    expect(ctx?.problem).toContain('larger than 65536 bytes, the bound on one kubeconfig field (CAIRN_MAX_KUBECONFIG_FIELD_BYTES)');
  });

  it('refuses a context whose entry, each field within its bound, is too large to send with every request, naming the bound', () => {
    const key = b64(`-----BEGIN PRIVATE KEY-----\n${'k'.repeat(20 * 1024)}\n-----END PRIVATE KEY-----\n`);
    const contexts = checkKubeconfig(kubeconfig({ big: { token: 't'.repeat(10 * 1024), 'client-certificate-data': b64(PEM), 'client-key-data': key }, small: { token: 'abc' } }));
    const [big, small] = contexts;
    expect(big?.entry).toBeUndefined();
    expect(big?.problem).toMatch(new RegExp(`^context "big": its entry is larger than ${USER_CLUSTER_ENTRY_MAX_BYTES} bytes once encoded \\(\\d+\\), the most the console sends with each request \\(USER_CLUSTER_ENTRY_MAX_BYTES\\)`));
    expect(small?.entry).toBeDefined();
    expect(() => decodeUserCluster('e'.repeat(USER_CLUSTER_ENTRY_MAX_BYTES + 1))).toThrow(/USER_CLUSTER_ENTRY_MAX_BYTES/);
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

  it('checks every spelling of an address as the address it is: mapped, compatible, SIIT, NAT64, 6to4, Teredo', () => {
    const spellings: Array<[string, RegExp]> = [
      // The URL parser writes [::ffff:127.0.0.1] as [::ffff:7f00:1]: both are loopback.
      ['::ffff:127.0.0.1', /is the IPv4 address 127\.0\.0\.1: .*loopback/],
      ['::ffff:7f00:1', /is the IPv4 address 127\.0\.0\.1: .*loopback/],
      ['::127.0.0.1', /127\.0\.0\.1: .*loopback/],
      ['::7f00:1', /127\.0\.0\.1: .*loopback/],
      ['::ffff:0:7f00:1', /127\.0\.0\.1: .*loopback/],
      ['::ffff:a9fe:a9fe', /169\.254\.169\.254: .*never connects to/],
      ['::ffff:169.254.169.254', /169\.254\.169\.254: .*never connects to/],
      ['64:ff9b::a9fe:a9fe', /reaches the IPv4 address 169\.254\.169\.254 through a translator/],
      ['64:ff9b::127.0.0.1', /reaches the IPv4 address 127\.0\.0\.1 through a translator: .*loopback/],
      ['2002:7f00:1::1', /reaches the IPv4 address 127\.0\.0\.1/],
      ['2001:0:4136:e378:8000:63bf:3fff:fdd2', /Teredo/],
      ['64:ff9b:1::a9fe:a9fe', /local NAT64/],
      ['[::1]', /loopback/],
      ['fe80::1%eth0', /not an IP address/],
    ];
    for (const [address, refusal] of spellings) expect({ address, refusal: open.refusal(address) }).toEqual({ address, refusal: expect.stringMatching(refusal) });
    // What the URL parser makes of decimal, octal, hex and trailing-dot spellings is what is checked.
    for (const server of ['https://2130706433/', 'https://0x7f.1/', 'https://0177.0.0.1/', 'https://127.0.0.1./', 'https://[::ffff:127.0.0.1]/']) {
      expect(open.refusal(new URL(server).hostname)).toMatch(/loopback/);
    }
    // A NAT64 address of a public host is fine.
    expect(open.refusal('64:ff9b::cb00:7107')).toBeUndefined();
    // Loopback opened explicitly is open in every spelling.
    expect(new AddressPolicy(['127.0.0.1/32']).refusal('::ffff:7f00:1')).toBeUndefined();
  });

  it('refuses the console\'s own networks unless an allowlist entry lies inside them', () => {
    const inCluster = new AddressPolicy(['0.0.0.0/0', '::/0'], { internal: ['10.96.0.0/12', '10.244.0.0/16', '10.244.1.7'] });
    expect(inCluster.refusal('10.96.0.1')).toContain("one of the console's own networks");
    expect(inCluster.refusal('10.244.3.3')).toContain("one of the console's own networks");
    expect(inCluster.refusal('::ffff:10.96.0.1')).toContain("one of the console's own networks");
    expect(inCluster.refusal('10.0.0.1')).toBeUndefined();
    // A broad range does not open them; one inside them does.
    expect(new AddressPolicy(['10.0.0.0/8'], { internal: ['10.96.0.0/12'] }).refusal('10.96.0.1')).toContain('own networks');
    expect(new AddressPolicy(['10.96.0.10/32'], { internal: ['10.96.0.0/12'] }).refusal('10.96.0.10')).toBeUndefined();
    expect(() => new AddressPolicy([], { internal: ['10.96.0.0/40'] })).toThrow('CAIRN_USER_CLUSTER_DENY');
  });
});
