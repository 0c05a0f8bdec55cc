export { age, humanDuration } from './lib/duration';
export { asArray, asNumber, asObject, asString, text } from './lib/json-shape';
export type { Json } from './lib/json-shape';
export { podColumns, podHealth, podProblem, podStatus, restartsText, unschedulable } from './lib/pod-status';
export type { PodColumns } from './lib/pod-status';
export { PROBLEM_HEALTHS } from './lib/status';
export type { Health, Status } from './lib/status';
export { nodeStatusText } from './lib/node-status';
export { cellsByObject, printCell, printerColumns } from './lib/server-table';
export type { PrinterColumn, ServerTable } from './lib/server-table';
export { byLastSeen, eventCount, eventLastSeen } from './lib/events';
export {
  containerCells, formatLabels, formatLabelSelector, jobCompletionsText, jobDurationText, jobStatusText, KUBECTL_COLUMNS, kubectlCells, labelSelectorText,
} from './lib/kubectl-columns';
export type { KubectlColumn, PrintedKind } from './lib/kubectl-columns';
export { containerDetails, podTemplateSpec, probeText, quantityValue, selectorText, strategyText, terminationText, volumeSource } from './lib/pod-spec';
export type { ContainerDetails, EnvFrom, EnvVar, Mount, ObjectSource, Termination } from './lib/pod-spec';
export { endpointsOf, serviceFacts } from './lib/service';
export type { Endpoint, ServiceFacts, ServicePort } from './lib/service';
export { nextCronRun } from './lib/cron-schedule';
export { consentFlag, drainPlan, drainRefusals, selectorMatches } from './lib/drain';
export type { DrainConcern, DrainConsent, DrainPlan, DrainPod } from './lib/drain';
export { isWriteVerb, parseForbidden, READ_VERBS, summariseRules, verbsOn } from './lib/access';
export type { NonResourceRule, RefusedRequest, ResourceRule, RuleLine } from './lib/access';
