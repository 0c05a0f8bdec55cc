import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

/**
 * The certificates of a development cluster: one CA signs the API server's serving
 * certificate, the client certificates of the admin and the control-plane components, and
 * the dev OpenID provider's serving certificate. Keys are ECDSA P-256, which every
 * component accepts and which is fast to generate.
 */

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const keyAlgorithm = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const signingAlgorithm = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface PemPair {
  /** PEM certificate. */
  cert: string;
  /** PEM PKCS#8 private key. */
  key: string;
}

export interface CertificateAuthority extends PemPair {
  readonly keys: CryptoKeyPair;
  readonly certificate: x509.X509Certificate;
}

export interface CertRequest {
  commonName: string;
  /** Subject O= values; Kubernetes reads them as the user's groups. */
  organizations?: string[];
  dnsNames?: string[];
  ipAddresses?: string[];
  /** `server` for TLS serving, `client` for client authentication. */
  usages: Array<'server' | 'client'>;
  validDays?: number;
}

function subject(commonName: string, organizations: string[] = []): string {
  const escape = (v: string) => v.replace(/([,+"\\<>;=])/g, '\\$1');
  return [`CN=${escape(commonName)}`, ...organizations.map((o) => `O=${escape(o)}`)].join(', ');
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key as webcrypto.CryptoKey);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

async function publicKeyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('spki', key as webcrypto.CryptoKey);
  return x509.PemConverter.encode(der, 'PUBLIC KEY');
}

function serial(): string {
  // A positive, random 16-byte serial number.
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return Buffer.from(bytes).toString('hex');
}

async function generateKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(keyAlgorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
}

/** A self-signed certificate authority, valid for `validDays` (default 365). */
export async function createCertificateAuthority(commonName: string, validDays = 365): Promise<CertificateAuthority> {
  const keys = await generateKeys();
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: subject(commonName),
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + validDays * DAY_MS),
    keys,
    signingAlgorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { keys, certificate, cert: certificate.toString('pem'), key: await privateKeyPem(keys.privateKey) };
}

/** A leaf certificate signed by `ca`. */
export async function issueCertificate(ca: CertificateAuthority, request: CertRequest): Promise<PemPair> {
  if (request.usages.length === 0) throw new Error(`certificate ${request.commonName}: give at least one usage`);
  const keys = await generateKeys();
  const now = Date.now();
  const altNames: x509.JsonGeneralName[] = [
    ...(request.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(request.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  const extendedUsages = request.usages.map((u) =>
    u === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth,
  );
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension(extendedUsages, false),
    await x509.AuthorityKeyIdentifierExtension.create(ca.certificate, false),
  ];
  if (altNames.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(altNames, false));
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: subject(request.commonName, request.organizations),
    issuer: ca.certificate.subject,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + (request.validDays ?? 365) * DAY_MS),
    signingAlgorithm,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    extensions,
  });
  return { cert: certificate.toString('pem'), key: await privateKeyPem(keys.privateKey) };
}

/** A key pair for signing service-account tokens (private PKCS#8, public SPKI). */
export async function createSigningKey(): Promise<{ privateKey: string; publicKey: string }> {
  const keys = await generateKeys();
  return { privateKey: await privateKeyPem(keys.privateKey), publicKey: await publicKeyPem(keys.publicKey) };
}
