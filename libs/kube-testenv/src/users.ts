/**
 * The people of the development cluster. Each signs in at the dev OpenID provider; the API
 * server maps the ID token's `email` claim to the username and `groups` to groups, and the
 * RBAC in seed.ts decides what they may do.
 */
export interface DevUser {
  username: string;
  password: string;
  email: string;
  name: string;
  groups: string[];
  /** What RBAC lets this user do, for people reading `npm run cluster`'s output. */
  access: string;
}

export const DEV_USERS = {
  admin: {
    username: 'admin',
    password: 'admin-dev-password',
    email: 'admin@cairn.test',
    name: 'Ada Admin',
    groups: ['cairn-admins'],
    access: 'cluster-admin (through the cairn-admins group)',
  },
  alice: {
    username: 'alice',
    password: 'alice-dev-password',
    email: 'alice@cairn.test',
    name: 'Alice Developer',
    groups: ['team-a-devs'],
    access: 'edit in team-a; nothing elsewhere',
  },
  victor: {
    username: 'victor',
    password: 'victor-dev-password',
    email: 'victor@cairn.test',
    name: 'Victor Viewer',
    groups: ['auditors'],
    access: 'the built-in view ClusterRole: reads everything except Secrets',
  },
  tina: {
    username: 'tina',
    password: 'tina-dev-password',
    email: 'tina@cairn.test',
    name: 'Tina Tenant',
    groups: ['tenant-owners'],
    access: 'admin in tenant-1 and tenant-2 only; may not list namespaces',
  },
  gus: {
    username: 'gus',
    password: 'gus-dev-password',
    email: 'gus@cairn.test',
    name: 'Gus Get-only',
    groups: ['support'],
    access: 'get (not list, not watch) workloads, pods, services and configmaps in team-a: a Role with get only',
  },
  lola: {
    username: 'lola',
    password: 'lola-dev-password',
    email: 'lola@cairn.test',
    name: 'Lola List-only',
    groups: ['support'],
    access: 'get and list (not watch) workloads, pods, services and configmaps in team-a',
  },
} satisfies Record<string, DevUser>;

export type DevUserName = keyof typeof DEV_USERS;

/** OAuth clients of the dev provider; the API server accepts ID tokens for either audience. */
export const DEV_OIDC_CLIENTS = {
  /** The console's auth service: a confidential client. */
  cairn: { clientId: 'cairn', clientSecret: 'cairn-dev-client-secret' },
  /** For kubectl with an OIDC login plugin: a public client. */
  kubernetes: { clientId: 'kubernetes' },
} as const;

/** The ServiceAccount whose token signs in with "Use a bearer token". */
export const DEV_SERVICE_ACCOUNT = { namespace: 'team-a', name: 'deployer', access: 'edit in team-a' } as const;

/**
 * The ServiceAccount a console uses to reach the dev cluster by impersonation (context
 * `cairn-dev-impersonated` of `<dir>/impersonation.kubeconfig`): ClusterRole
 * `cairn-dev-impersonator` lets it `impersonate` users and groups, nothing else. In `default`,
 * not `kube-system`, whose ServiceAccounts (the controllers') the audit policy leaves out.
 */
export const DEV_IMPERSONATOR = { namespace: 'default', name: 'cairn-impersonator', context: 'cairn-dev-impersonated' } as const;
