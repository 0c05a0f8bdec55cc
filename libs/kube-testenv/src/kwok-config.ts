import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { CRASH_LOOP_LABEL } from './seed';

/**
 * kwok configuration of ours: a crash-loop stage (kwok ships none that keeps a pod
 * restarting) and the container logs kwok serves through the API server's `pods/log`.
 */

/**
 * Every 10 s, a pod with the crash-loop label gets one more restart, its last state
 * "terminated: Error (exit 1)" and "waiting: CrashLoopBackOff", as a kubelet reports it.
 */
export function crashLoopStage(): string {
  return stringify({
    apiVersion: 'kwok.x-k8s.io/v1alpha1',
    kind: 'Stage',
    metadata: { name: 'cairn-pod-crash-loop' },
    spec: {
      resourceRef: { apiGroup: 'v1', kind: 'Pod' },
      selector: {
        matchExpressions: [
          { key: `.metadata.labels["${CRASH_LOOP_LABEL}"]`, operator: 'In', values: ['true'] },
          { key: '.metadata.deletionTimestamp', operator: 'DoesNotExist' },
          { key: '.status.phase', operator: 'In', values: ['Running'] },
        ],
      },
      delay: { durationMilliseconds: 10000, jitterDurationMilliseconds: 12000 },
      weight: 10000,
      next: {
        statusTemplate: [
          '{{ $now := Now }}',
          '{{ $restarts := 0 }}',
          '{{ range .status.containerStatuses }}{{ $restarts = .restartCount }}{{ end }}',
          'conditions:',
          '- type: Initialized',
          '  status: "True"',
          '  lastTransitionTime: {{ $now | Quote }}',
          '- type: Ready',
          '  status: "False"',
          '  reason: ContainersNotReady',
          '  lastTransitionTime: {{ $now | Quote }}',
          '- type: ContainersReady',
          '  status: "False"',
          '  reason: ContainersNotReady',
          '  lastTransitionTime: {{ $now | Quote }}',
          '- type: PodScheduled',
          '  status: "True"',
          '  lastTransitionTime: {{ $now | Quote }}',
          'containerStatuses:',
          '{{ range $item := .spec.containers }}',
          '- name: {{ $item.name | Quote }}',
          '  image: {{ $item.image | Quote }}',
          '  imageID: ""',
          '  ready: false',
          '  started: false',
          '  restartCount: {{ add1 $restarts }}',
          '  lastState:',
          '    terminated:',
          '      exitCode: 1',
          '      reason: Error',
          '      startedAt: {{ $now | Quote }}',
          '      finishedAt: {{ $now | Quote }}',
          '  state:',
          '    waiting:',
          '      reason: CrashLoopBackOff',
          '      message: {{ printf "back-off restarting failed container %s" $item.name | Quote }}',
          '{{ end }}',
          'phase: Running',
          '',
        ].join('\n'),
      },
    },
  });
}

/** Container name → sample lines for its log file. */
const SAMPLE_LINES: Record<string, (i: number) => string> = {
  web: (i) => `10.0.0.${(i % 200) + 10} - - "GET /${['', 'cart', 'search?q=boots', 'static/app.js', 'healthz'][i % 5]} HTTP/1.1" ${i % 17 === 0 ? 404 : 200} ${512 + ((i * 37) % 4096)}`,
  'log-shipper': (i) => `[info] [output:forward] flushed ${(i * 7) % 120} records`,
  postgres: (i) => (i % 9 === 0 ? 'LOG:  checkpoint starting: time' : `LOG:  duration: ${(i * 13) % 90}.${i % 10} ms  statement: SELECT * FROM orders WHERE id = ${i}`),
  worker: (i) => (i % 4 === 3 ? '\u001b[31mERROR\u001b[0m connection to queue refused: dial tcp 10.96.12.7:5672: connect: connection refused' : `\u001b[32mINFO\u001b[0m  polling queue "orders" (attempt ${i})`),
  api: (i) => JSON.stringify({ level: i % 11 === 0 ? 'warn' : 'info', msg: i % 11 === 0 ? 'slow request' : 'request served', path: `/v1/items/${i}`, ms: (i * 3) % 250 }),
  migrate: (i) => `applying migration ${String(i).padStart(4, '0')}_schema.sql ... ok`,
  exporter: (i) => `level=info msg="collector succeeded" name=${['cpu', 'meminfo', 'diskstats', 'netdev'][i % 4]}`,
  shop: (i) => `order ${1000 + i} placed, total ${(i * 7.5).toFixed(2)} EUR`,
  blog: (i) => `rendered /posts/${i} in ${(i * 3) % 40}ms`,
  backup: (i) => (i < 5 ? `copying table ${i}` : 'ERROR: disk quota exceeded'),
  report: (i) => `report row ${i}`,
  trainer: (i) => `epoch ${i}`,
  checkout: checkoutLogLine,
};

/**
 * Line `i` of the `checkout` container: structured logs as services mix them. JSON with pino's
 * numeric levels and nested fields, logfmt with `ERR`/`warning` spellings and quoted messages,
 * and plain-text heartbeats; `status` is a number, an error is not always a 5xx. No container
 * of the seed is named `checkout`: a test creates the workload that reads it.
 */
export function checkoutLogLine(i: number): string {
  const status = [200, 201, 302, 404, 500, 503, 200][i % 7];
  const error = status >= 500 || i % 13 === 0;
  const route = ['/cart', '/checkout', '/pay', '/orders/42'][i % 4];
  const msg = status === 503 ? 'upstream timeout' : error ? 'payment provider refused' : 'request served';
  if (i % 3 === 0) {
    return JSON.stringify({ level: error ? 50 : status === 404 ? 40 : i % 10 === 0 ? 20 : 30, msg, status, http: { route, dur_ms: (i * 7) % 900 }, user: i % 2 ? 'élodie' : 'bob' });
  }
  if (i % 3 === 1) {
    return `level=${error ? 'ERR' : status === 404 ? 'warning' : 'info'} msg="${msg} \\"${route}\\"" status=${status} route=${route} dur_ms=${(i * 11) % 900}`;
  }
  return `checkout heartbeat ${i}: queue depth ${i % 17}`;
}

/** Containers whose logs keep growing while the cluster runs, so `follow` has something to show. */
export const LIVE_LOG_CONTAINERS = ['web', 'api', 'worker'];

/** One line of a CRI log file as kwok reads it: RFC 3339 time with nanoseconds, the stream, `F` (a full line), the text. */
export function criLine(date: Date, text: string, stream: 'stdout' | 'stderr' = 'stdout'): string {
  return `${date.toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z')} ${stream} F ${text}\n`;
}

export function logFile(logsDir: string, container: string, previous = false): string {
  return join(logsDir, `${container}${previous ? '.previous' : ''}.log`);
}

/** Writes each container's log (the last 200 lines, one every 3 s) and kwok's ClusterLogs config. */
export function writeLogs(logsDir: string): string {
  const now = Date.now();
  for (const [container, line] of Object.entries(SAMPLE_LINES)) {
    const count = container === 'backup' ? 6 : 200;
    let text = '';
    for (let i = 0; i < count; i++) text += criLine(new Date(now - (count - i) * 3000), line(i), container === 'worker' && i % 4 === 3 ? 'stderr' : 'stdout');
    writeFileSync(logFile(logsDir, container), text);
    writeFileSync(logFile(logsDir, container, true), criLine(new Date(now - 700_000), `${container}: previous instance started`) + criLine(new Date(now - 650_000), `${container}: previous instance exited with code 1`));
  }
  writeFileSync(logFile(logsDir, 'default'), criLine(new Date(now), 'no sample log for this container'));
  return stringify({
    apiVersion: 'kwok.x-k8s.io/v1alpha1',
    kind: 'ClusterLogs',
    metadata: { name: 'cairn-sample-logs' },
    spec: {
      logs: [
        ...Object.keys(SAMPLE_LINES).map((container) => ({
          containers: [container],
          logsFile: logFile(logsDir, container),
          previousLogsFile: logFile(logsDir, container, true),
          follow: true,
        })),
        { logsFile: logFile(logsDir, 'default'), follow: true },
      ],
    },
  });
}

/** Appends a line to each live container's log every second; returns a stop function. */
export function startLogTicker(logsDir: string, intervalMs = 1000): () => void {
  let i = 200;
  const timer = setInterval(() => {
    i++;
    for (const container of LIVE_LOG_CONTAINERS) {
      const line = SAMPLE_LINES[container];
      if (line) appendFileSync(logFile(logsDir, container), criLine(new Date(), line(i)));
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** Namespaces whose pods run a real local process when exec'd into (kwok's ClusterExec). */
export const EXEC_NAMESPACES = ['team-a'];

/**
 * kwok's ClusterExec: `kubectl exec` (and the console's terminal) into any container of a pod
 * in {@link EXEC_NAMESPACES} runs the command as a real local process, in `workDir` (a fresh
 * directory of the dev cluster's), so a terminal test types a command and reads its output.
 * The command is whatever the caller asked for (`/bin/sh`, `sh -c "exit 3"`), on this machine:
 * when the cluster runs as root, the process runs as `nobody` (65534) instead.
 */
export function clusterExec(workDir: string, runAsNobody: boolean): string {
  return stringify({
    apiVersion: 'kwok.x-k8s.io/v1alpha1',
    kind: 'ClusterExec',
    metadata: { name: 'cairn-local-shell' },
    spec: {
      selector: { matchNamespaces: EXEC_NAMESPACES },
      execs: [
        {
          local: {
            workDir,
            envs: [
              { name: 'HOME', value: workDir },
              { name: 'PATH', value: '/usr/local/bin:/usr/bin:/bin' },
              { name: 'PS1', value: '$ ' },
              { name: 'TERM', value: 'xterm-256color' },
            ],
            ...(runAsNobody ? { securityContext: { runAsUser: 65534, runAsGroup: 65534 } } : {}),
          },
        },
      ],
    },
  });
}

/**
 * kwok's ClusterAttach: attaching to a container of a pod in {@link EXEC_NAMESPACES} follows
 * that container's sample log (as attaching to a real container shows its main process's
 * output from now on). kwok's attach is output only: what is typed goes nowhere.
 */
export function clusterAttach(logsDir: string): string {
  return stringify({
    apiVersion: 'kwok.x-k8s.io/v1alpha1',
    kind: 'ClusterAttach',
    metadata: { name: 'cairn-attach-to-logs' },
    spec: {
      selector: { matchNamespaces: EXEC_NAMESPACES },
      attaches: [
        ...Object.keys(SAMPLE_LINES).map((container) => ({ containers: [container], logsFile: logFile(logsDir, container) })),
        { logsFile: logFile(logsDir, 'default') },
      ],
    },
  });
}

/**
 * Ephemeral containers (`kubectl debug`, the console's Debug) as a kubelet reports them: kwok's
 * own pod stages write `containerStatuses` and `initContainerStatuses` only, so a debug container
 * added to a running pod would stay without a status and `kubectl debug -it` would wait forever.
 * This stage fires on a running pod whose `spec.ephemeralContainers` names a container its
 * `status.ephemeralContainerStatuses` does not, and reports every ephemeral container running
 * (keeping the start time of those already reported). Its weight wins over the crash-loop stage
 * when both match. Attaching to one follows the default sample log (kwok's attach is output
 * only); exec into one runs a real local process as for any container (clusterExec).
 */
export function ephemeralContainersStage(): string {
  return stringify({
    apiVersion: 'kwok.x-k8s.io/v1alpha1',
    kind: 'Stage',
    metadata: { name: 'cairn-pod-ephemeral-containers' },
    spec: {
      resourceRef: { apiGroup: 'v1', kind: 'Pod' },
      selector: {
        matchExpressions: [
          { key: '.metadata.deletionTimestamp', operator: 'DoesNotExist' },
          { key: '.status.phase', operator: 'In', values: ['Running'] },
          { key: '([.spec.ephemeralContainers[]?.name] - [.status.ephemeralContainerStatuses[]?.name] | length) > 0', operator: 'In', values: ['true'] },
        ],
      },
      weight: 1000000,
      next: {
        statusTemplate: [
          '{{ $now := Now }}',
          '{{ $old := .status.ephemeralContainerStatuses }}',
          'ephemeralContainerStatuses:',
          '{{ range $c := .spec.ephemeralContainers }}',
          '{{ $started := $now }}',
          '{{ range $old }}{{ if and (eq .name $c.name) .state.running }}{{ $started = .state.running.startedAt }}{{ end }}{{ end }}',
          '- name: {{ $c.name | Quote }}',
          '  image: {{ $c.image | Quote }}',
          '  imageID: ""',
          '  ready: false',
          '  restartCount: 0',
          '  state:',
          '    running:',
          '      startedAt: {{ $started | Quote }}',
          '{{ end }}',
          '',
        ].join('\n'),
      },
    },
  });
}
