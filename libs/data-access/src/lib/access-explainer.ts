import type { AccessHelp, WhoAmI } from '@cairn/api-contracts';
import { RuleLine, summariseRules } from '@cairn/kube-model';
import { ApiClient } from './api-client';

/** Everything a refusal is explained with: who the cluster thinks you are, what you may do there, whom to ask. */
export interface AccessExplanation {
  /** The namespace the rules are of: the one asked, else \`default\` (the API server reviews rules per namespace; ClusterRoleBindings' rules show in each). */
  namespace: string;
  /** Undefined when the cluster would not say (the error is in `problems`). */
  whoami?: WhoAmI;
  /** The rules review summarised as `kubectl auth can-i --list` prints it (kube-model summariseRules). */
  rules?: RuleLine[];
  /** The API server could not list every rule: the person may be allowed more than listed. */
  incomplete?: boolean;
  evaluationError?: string;
  /** CAIRN_ACCESS_HELP: whom to ask, as the administrator wrote it. */
  accessHelp?: AccessHelp;
  /** What could not be asked, in the gateway's words. */
  problems: string[];
}

/**
 * Explains refusals: the cluster's SelfSubjectReview (who you are) and SelfSubjectRulesReview
 * (what you may do in a namespace), and the administrator's help line, each asked once and
 * remembered for a minute per cluster and namespace, so a page of refusals asks once.
 */
export class AccessExplainer {
  private readonly cache = new Map<string, { at: number; answer: Promise<AccessExplanation> }>();

  constructor(
    private readonly api: ApiClient,
    private readonly ttlMs = 60_000,
  ) {}

  /**
   * `namespace` undefined or `""` (a refusal at the cluster scope): the rules in `default`, as
   * `kubectl auth can-i --list` asks without `-n`. Never rejects: what could not be asked is in `problems`.
   */
  explain(cluster: string, namespace?: string): Promise<AccessExplanation> {
    const key = JSON.stringify([cluster, namespace ?? '']);
    const cached = this.cache.get(key);
    if (cached && Date.now() - cached.at < this.ttlMs) return cached.answer;
    const answer = this.ask(cluster, namespace || 'default');
    this.cache.set(key, { at: Date.now(), answer });
    return answer;
  }

  /** Forgets every answer (after a sign-in, or when RBAC may have changed). */
  clear(): void {
    this.cache.clear();
  }

  private async ask(cluster: string, namespace: string): Promise<AccessExplanation> {
    const problems: string[] = [];
    const said = <T>(what: string, p: Promise<T>) => p.catch((err: unknown) => void problems.push(`${what}: ${(err as Error).message}`));
    const [whoami, review, settings] = await Promise.all([
      said('who you are', this.api.whoami(cluster)),
      said('what you may do', this.api.rulesReview(cluster, namespace)),
      said('whom to ask', this.api.consoleSettings()),
    ]);
    return {
      namespace,
      ...(whoami ? { whoami } : {}),
      ...(review ? { rules: summariseRules(review.resourceRules, review.nonResourceRules), incomplete: review.incomplete, ...(review.evaluationError ? { evaluationError: review.evaluationError } : {}) } : {}),
      ...(settings?.accessHelp ? { accessHelp: settings.accessHelp } : {}),
      problems,
    };
  }
}
