import { X509Certificate, createPublicKey, createPrivateKey } from 'node:crypto';
import { createCertificateAuthority, createSigningKey, issueCertificate } from './pki';

describe('pki', () => {
  it('issues a serving certificate that verifies against its CA and names its hosts', async () => {
    const ca = await createCertificateAuthority('cairn-test-ca');
    const leaf = await issueCertificate(ca, {
      commonName: 'kube-apiserver',
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1'],
      usages: ['server'],
    });
    const caCert = new X509Certificate(ca.cert);
    const cert = new X509Certificate(leaf.cert);
    expect(caCert.ca).toBe(true);
    expect(cert.verify(caCert.publicKey)).toBe(true);
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkPrivateKey(createPrivateKey(leaf.key))).toBe(true);
  });

  it('puts organizations in the subject, where Kubernetes reads groups', async () => {
    const ca = await createCertificateAuthority('cairn-test-ca');
    const leaf = await issueCertificate(ca, { commonName: 'cairn-admin', organizations: ['system:masters'], usages: ['client'] });
    expect(new X509Certificate(leaf.cert).subject).toBe('CN=cairn-admin\nO=system:masters');
  });

  it('creates a matching signing key pair', async () => {
    const { privateKey, publicKey } = await createSigningKey();
    expect(createPublicKey(createPrivateKey(privateKey)).export({ type: 'spki', format: 'pem' })).toBe(
      createPublicKey(publicKey).export({ type: 'spki', format: 'pem' }),
    );
  });
});
