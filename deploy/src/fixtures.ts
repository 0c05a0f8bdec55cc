import { rootCertificates } from 'node:tls';
import { stringify } from 'yaml';
import { KubeObject } from './chart';

/** A real CA certificate (PEM) to stand for a proxy's or a company's CA. */
export const SOME_CA = rootCertificates[0] as string;

/**
 * The Secrets and ConfigMaps the example values files name but leave to the user (made by
 * SealedSecrets, SOPS, cert-manager...): created before `helm install`, and read in place
 * of the kubelet's mounts when the services are started from the rendered pod specs.
 */
export function userObjects(namespace: string): KubeObject[] {
  const secret = (name: string, stringData: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, type: 'Opaque', stringData });
  return [
    secret('cairn-oidc', {
      issuerURL: 'https://auth.example.net/application/o/cairn/',
      clientID: 'cairn',
      clientSecret: 'authentik-client-secret',
      scopes: 'openid,profile,email,offline_access',
    }),
    secret('capsule-proxy', { 'ca.crt': SOME_CA }),
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'corporate-ca', namespace }, data: { 'ca-bundle.pem': SOME_CA } },
    secret('cairn-clusters', {
      kubeconfig: stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'edge', cluster: { server: 'https://edge.example.net:6443', 'certificate-authority-data': Buffer.from(SOME_CA).toString('base64') } }],
        contexts: [{ name: 'edge', context: { cluster: 'edge', user: 'nobody' } }],
        users: [{ name: 'nobody', user: {} }],
        'current-context': 'edge',
      }),
    }),
    secret('cairn-auth-settings', {
      'config.yaml': stringify({ OIDC_ISSUER_URL: 'https://login.example.net', OIDC_CLIENT_ID: 'cairn', OIDC_CLIENT_SECRET: 'from-the-settings-file', OIDC_PROVIDER_NAME: 'Example SSO' }),
    }),
    secret('cairn-session', { current: 'k'.repeat(48), previous: 'p'.repeat(48) }),
  ];
}
