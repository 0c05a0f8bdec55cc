import type { DevCluster, KubeApi } from '@cairn/kube-testenv';
import type { Log } from './bench-cluster';

/** Sizes of one run; `--small` shrinks them for trying the scripts out. */
export interface Options {
  listPods: number;
  listRuns: number;
  subscribers: number;
  eventsPerSecond: number;
  watchSeconds: number;
  users: number;
  loadSeconds: number;
  uiPods: number;
  uiRuns: number;
  logLinesPerSecond: number;
  logSeconds: number;
  /** 1: benchmark 3 always adds its profiled run (CPU profile, memory sampled), not only when a target is missed. */
  footprintProfile: number;
  /**
   * --footprint-before=<main.js>: an earlier build of the all-in-one console (e.g. main's, copied
   * aside), measured and profiled first under the same load in the same run, so a change is
   * judged before/after on the same machine at the same moments.
   */
  footprintBefore?: string;
  /**
   * --footprint-env=NAME=value[,NAME=value...]: the all-in-one console measured once more in the
   * same run with these environment variables added to what the images set (a malloc or V8
   * setting judged side by side before it is shipped). NODE_OPTIONS given here is appended to
   * the images' NODE_OPTIONS.
   */
  footprintEnv?: Record<string, string>;
  /**
   * --ui-before=<web root>: an earlier build of the front ends (a CAIRN_WEB_ROOT holding
   * shell/browser and the remotes, e.g. main's dist/apps copied aside), served by a second
   * console; benchmark 4 alternates its runs with this build's, run by run, for a before/after
   * in one run.
   */
  uiBefore?: string;
  /** 1: benchmark 3 measures only the all-in-one console at full CPU (and the variants above); 3 (default): also at 100m CPU and the two-service layout. */
  footprintLayouts: number;
  only?: string[];
}

export const FULL: Options = {
  listPods: 5_000,
  listRuns: 30,
  subscribers: 500,
  eventsPerSecond: 20,
  watchSeconds: 30,
  users: 50,
  loadSeconds: 30,
  uiPods: 10_000,
  uiRuns: 3,
  logLinesPerSecond: 2_000,
  logSeconds: 60,
  footprintProfile: 0,
  footprintLayouts: 3,
};

export const SMALL: Options = {
  listPods: 300,
  listRuns: 10,
  subscribers: 50,
  eventsPerSecond: 20,
  watchSeconds: 5,
  users: 5,
  loadSeconds: 8,
  uiPods: 600,
  uiRuns: 1,
  logLinesPerSecond: 2_000,
  logSeconds: 10,
  footprintProfile: 0,
  footprintLayouts: 3,
};

export interface BenchContext {
  cluster: DevCluster;
  /** The API server with the admin's client certificate (setting up, producing events). */
  admin: KubeApi;
  /** A real ID token of the dev user `admin` (cluster-admin), the credential both sides are measured with. */
  adminToken: string;
  options: Options;
  /** bench/results/<stamp>/: service logs, CPU profiles, screenshots. */
  runDir: string;
  log: Log;
  /** Raw figures and diagnostics, written to the JSON report. */
  details: Record<string, unknown>;
}
