/**
 * `GET /api/v1/clusters/{cluster}/my-namespaces`: the namespaces a person who may not list
 * namespaces finds without typing them (issue 24 item 2), by the method the console's
 * administrator chose (CAIRN_NAMESPACE_DISCOVERY). Every name in it passed an access review
 * made with the caller's own credentials (kube-model's NAMESPACE_ACCESS_CHECK, `list pods`):
 * a namespace the caller has no rights in is never named.
 */
export interface MyNamespaces {
  /**
   * The methods used for this cluster: `labelled` (namespaces carrying the administrator's
   * label), `groups` (the administrator's mapping from the caller's groups). Empty: discovery is
   * off for this cluster, and `namespaces` is empty; the person types their namespace.
   */
  methods: Array<'labelled' | 'groups'>;
  /** Sorted names of the candidates the caller may `list pods` in. */
  namespaces: string[];
  /** Present when there were more candidates than the bound: only the first `limit` by name were checked. */
  limited?: {
    limit: number;
    setting: 'CAIRN_NAMESPACE_DISCOVERY_MAX_CANDIDATES';
    /** Says which bound was hit and what to do (type a namespace not offered; ask the administrator). */
    message: string;
  };
}
