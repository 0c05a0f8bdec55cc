/**
 * What the console's administrator set for everyone (`GET /api/v1/console-settings`), read by
 * the front ends once per page: whether the console is read-only, and whom to ask for access.
 */

/** The reason every write gets while the console is read-only (CAIRN_READ_ONLY), word for word. */
export const READ_ONLY_REASON = 'this console is read-only: set by its administrator';

/** `GET /api/v1/console-settings`. */
export interface ConsoleSettings {
  /** CAIRN_READ_ONLY: no write is offered, and the gateway refuses every write with 403 and READ_ONLY_REASON. */
  readOnly: boolean;
  /** CAIRN_ACCESS_HELP (and CAIRN_ACCESS_HELP_URL): shown with every refusal, e.g. "Ask #platform on chat". */
  accessHelp?: AccessHelp;
}

export interface AccessHelp {
  /** Plain text, at most 500 characters. */
  text: string;
  /** An `https:` (or `mailto:`) link, at most 2048 characters. */
  link?: string;
}

/**
 * `GET /api/v1/clusters/{cluster}/rules-review?namespace=`: a SelfSubjectRulesReview
 * (`authorization.k8s.io/v1`) with the caller's credentials; the API server answers it only
 * for a namespace, and the rules of ClusterRoleBindings show in every namespace.
 */
export interface RulesReview {
  /** The namespace the rules were asked for. */
  namespace: string;
  resourceRules: Array<{ verbs: string[]; apiGroups?: string[]; resources?: string[]; resourceNames?: string[] }>;
  nonResourceRules: Array<{ verbs: string[]; nonResourceURLs?: string[] }>;
  /**
   * The API server could not list every rule (an authorizer that cannot enumerate them, such
   * as a webhook, or a binding it could not resolve): the caller may be allowed more than listed.
   */
  incomplete: boolean;
  /** Why, when the API server said. */
  evaluationError?: string;
}
