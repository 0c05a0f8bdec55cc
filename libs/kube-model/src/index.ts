export { age, durationSeconds, humanDuration } from './lib/duration';
export { asArray, asNumber, asObject, asString, text } from './lib/json-shape';
export type { Json } from './lib/json-shape';
export { podColumns, podHealth, podProblem, podStatus, podStatusFromCells, restartsText, unschedulable } from './lib/pod-status';
export type { PodColumns } from './lib/pod-status';
export { PROBLEM_HEALTHS } from './lib/status';
export type { Health, Status } from './lib/status';
export { nodeStatusText } from './lib/node-status';
export { cellsByObject, printCell, printedRows, printerColumns } from './lib/server-table';
export type { PrintedRow, PrinterColumn, ServerTable } from './lib/server-table';
export { byLastSeen, eventCount, eventFieldSelector, eventLastSeen, groupByInvolvedObject, involvedObject } from './lib/events';
export type { EventFilter, EventGroup, InvolvedObject } from './lib/events';
export { byProblemRank, jobStatus, objectProblem, PENDING_GRACE_SECONDS, PROBLEM_KINDS, problemsAmong, PROGRESSING_GRACE_SECONDS, replicaStatus, workloadStatus } from './lib/problems';
export type { Problem, ProblemResource } from './lib/problems';
export {
  containerCells, formatLabels, formatLabelSelector, jobCompletionsText, jobDurationText, jobStatusText, KUBECTL_COLUMNS, kubectlCells, labelSelectorText,
} from './lib/kubectl-columns';
export type { KubectlColumn, PrintedKind } from './lib/kubectl-columns';
export { containerDetails, podTemplateSpec, probeText, QUANTITY_PATTERN, quantityValue, selectorText, strategyText, terminationText, volumeSource } from './lib/pod-spec';
export type { ContainerDetails, EnvFrom, EnvVar, Mount, ObjectSource, Termination } from './lib/pod-spec';
export { endpointsOf, serviceFacts } from './lib/service';
export type { Endpoint, ServiceFacts, ServicePort } from './lib/service';
export { nextCronRun } from './lib/cron-schedule';
export { consentFlag, drainPlan, drainRefusals, selectorMatches } from './lib/drain';
export type { DrainConcern, DrainConsent, DrainPlan, DrainPod } from './lib/drain';
export { CHANGE_CAUSE_ANNOTATION, MAX_REVISIONS_SHOWN, POD_TEMPLATE_HASH, recordedTemplate, REVISION_ANNOTATION, revisionHistory, ROLLBACK_KEEPS_ANNOTATIONS, rollbackPlan, ROLLOUT_KINDS, rolloutProgress, sameJson, shownRevisions, templateImages } from './lib/rollout';
export type { Revision, RollbackPlan, RolloutKind, RolloutProgress } from './lib/rollout';
export { apiVersionOf, kindSchema, MAX_TEMPLATE_DEPTH, openApiV3Path, placeholder, templateFromSchema } from './lib/create-template';
export type { CreateTemplate, TemplateKind } from './lib/create-template';
export { builtInTemplate, containerNameFor, deploymentFromForm } from './lib/built-in-templates';
export type { DeploymentForm } from './lib/built-in-templates';
export { dns1123LabelProblem, dns1123SubdomainProblem, envNameProblem, portProblem, quantityProblem } from './lib/field-rules';
export { LABEL_NAME_MAX, LABEL_PREFIX_MAX, labelKeyProblem, labelValueProblem, parseLabelChange } from './lib/labels';
export type { LabelChange } from './lib/labels';
export {
  DEFAULT_DEBUG_IMAGE, debugContainerName, ephemeralContainerPatch, containerRunState, ephemeralDebugContainer, podContainerNames, podCopyWithDebugContainer, podHasCrashedContainers,
} from './lib/debug-container';
export type { DebugContainerOptions, DebugCopyOptions } from './lib/debug-container';
export {
  compileFilter, fieldText, FILTER_GRAMMAR, FilterSyntaxError, kubeTimestampMs, LEVEL_FIELDS, lineFilter, lineTime, MAX_CONDITIONS, MAX_FIELDS, MAX_FILTER_LENGTH,
  MAX_STRUCTURED_LINE, MESSAGE_FIELDS, normaliseSeverity, parseFilterExpression, parseLogfmt, parseStructured, parseTime, SEVERITIES, TIME_FIELDS,
} from './lib/structured-log';
export type { FieldCondition, FieldValue, FilterableLine, FilterOperator, LineFilterOptions, Severity, StructuredLine, TimedLine } from './lib/structured-log';
export { isWriteVerb, parseForbidden, READ_VERBS, summariseRules, verbsOn } from './lib/access';
export type { NonResourceRule, RefusedRequest, ResourceRule, RuleLine } from './lib/access';
export {
  coalesceHelmValues, decodeHelmRelease, HELM_OWNER_SELECTOR, HELM_RELEASE_SECRET_TYPE, HELM_STATUSES, HelmDecodeError, helmReleaseText, helmStatus, helmRevisionRecord, helmRevisionSummary, helmStorageRef,
  isHelmStorage, latestRevisions,
} from './lib/helm-release';
export type { HelmRevisionRecord, HelmRevisionSummary, HelmStorage, HelmStorageRef } from './lib/helm-release';
export { ClaimMappingError, DEFAULT_CLAIM_MAPPING, impersonationHeaders, MAX_IMPERSONATED_GROUPS, MAX_IMPERSONATED_NAME, userFromClaims } from './lib/impersonation';
export type { ClaimMapping, MappedUser } from './lib/impersonation';
export { NAMESPACE_ACCESS_CHECK, NAMESPACE_DISCOVERY_METHODS, namespaceCandidates } from './lib/namespace-discovery';
export type { NamespaceCandidates, NamespaceDiscoveryMethod } from './lib/namespace-discovery';
export { cpuMillis, MAX_QUANTITY_LENGTH, memoryMiB, nodeUsage, podUsage, quantityNanos, topCpu, topMemory, topPercent } from './lib/metrics';
export type { Usage } from './lib/metrics';
export { kindNameMatches, requirementsText, MAX_SEARCH_QUERY, MAX_SEARCH_TERMS, nameMatches, parseLabelSelector, parseSearchQuery, searchableKinds } from './lib/search-query';
export type { LabelRequirement, SearchableResource, SearchQuery } from './lib/search-query';
export { MAX_MERGED_CLUSTERS, MERGED_CLUSTERS_PARAM, mergedClusters, mergedClustersParam, mergedRowKey, unionPrinterColumns } from './lib/multi-cluster';
export type { MergedClusters, MergedPrinterColumn, MergedPrinterColumns } from './lib/multi-cluster';
export { httpRouteBackends, ingressBackends, MAP_KINDS, MAX_EXPANDED_PODS, MAX_LONE_PODS, MAX_NODES_PER_GROUP, MAX_SLICES_PER_SERVICE, podCountsText, podReferences, resourceMap } from './lib/resource-map';
export type { MapEdge, MapInput, MapKind, MapNode, MapNodeKind, MapRelation, PodCounts, ResourceMap } from './lib/resource-map';
