import { debugContainerName, containerRunState, ephemeralContainerPatch, ephemeralDebugContainer, podCopyWithDebugContainer, podHasCrashedContainers } from './debug-container';

// The pod's shape as the API server returns it; kubectl's own output for these rules is compared in
// apps/gateway/src/app/debug/debug.spec.ts, where real `kubectl debug` runs against the dev cluster.
const pod = {
  metadata: { name: 'web-1', namespace: 'team-a', labels: { app: 'web' }, annotations: { a: 'b' }, ownerReferences: [{ kind: 'ReplicaSet', name: 'web', controller: true }] },
  spec: {
    nodeName: 'kwok-node-1',
    containers: [
      { name: 'web', image: 'nginx', livenessProbe: { httpGet: { port: 80 } }, args: ['--serve'] },
      { name: 'sidecar', image: 'log' },
    ],
    initContainers: [{ name: 'init', image: 'busybox' }],
    ephemeralContainers: [{ name: 'debugger-aaaaa', image: 'busybox' }],
  },
  status: { phase: 'Running', containerStatuses: [{ name: 'web', state: { running: {} } }], ephemeralContainerStatuses: [{ name: 'debugger-aaaaa', state: { running: {} } }] },
};

describe('kubectl debug, an ephemeral container', () => {
  it('is what generateDebugContainer and the general profile build for -it --image --target', () => {
    expect(ephemeralDebugContainer(pod, { image: 'busybox:1.37', target: 'web', command: ['sh'] }, () => 'bbbbb')).toEqual({
      name: 'debugger-bbbbb',
      image: 'busybox:1.37',
      command: ['sh'],
      stdin: true,
      tty: true,
      terminationMessagePolicy: 'File',
      targetContainerName: 'web',
      securityContext: { capabilities: { add: ['SYS_PTRACE'] } },
    });
  });

  it('is appended after the existing ones by the patch, as kubectl orders it', () => {
    expect(ephemeralContainerPatch(pod, { name: 'debugger-b' })).toEqual({
      spec: { '$setElementOrder/ephemeralContainers': [{ name: 'debugger-aaaaa' }, { name: 'debugger-b' }], ephemeralContainers: [{ name: 'debugger-b' }] },
    });
  });

  it('draws a new name while the drawn one is taken, and refuses a taken name or an unknown target', () => {
    const draws = ['aaaaa', 'ccccc'];
    expect(debugContainerName(pod, undefined, () => draws.shift() as string)).toBe('debugger-ccccc');
    expect(() => ephemeralDebugContainer(pod, { image: 'x', name: 'init' })).toThrow('already has a container named init');
    expect(() => ephemeralDebugContainer(pod, { image: 'x', target: 'init' })).toThrow('has no container init to target; choose one of web, sidecar');
  });

  it('reads the state kubectl waits on, of an ephemeral or a regular container', () => {
    expect(containerRunState(pod, 'debugger-aaaaa')).toEqual({ state: 'running' });
    expect(containerRunState(pod, 'web')).toEqual({ state: 'running' });
    expect(containerRunState(pod, 'other')).toEqual({ state: 'unknown' });
  });
});

describe('kubectl debug --copy-to', () => {
  it('copies the spec without node, ephemeral containers, probes, labels, annotations or owners, and appends the debug container', () => {
    const { pod: copy, container } = podCopyWithDebugContainer(pod, { copyName: 'web-1-debug', image: 'busybox:1.37', command: ['sh'] }, () => 'ddddd');
    expect(container).toBe('debugger-ddddd');
    expect(copy).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web-1-debug', namespace: 'team-a' },
      spec: {
        shareProcessNamespace: true,
        initContainers: [{ name: 'init', image: 'busybox' }],
        containers: [
          { name: 'web', image: 'nginx', args: ['--serve'] },
          { name: 'sidecar', image: 'log' },
          { name: 'debugger-ddddd', terminationMessagePolicy: 'File', image: 'busybox:1.37', command: ['sh'], stdin: true, tty: true, securityContext: { capabilities: { add: ['SYS_PTRACE'] } } },
        ],
      },
    });
    expect(pod.spec.ephemeralContainers).toHaveLength(1);
  });

  it('changes a named container in place (command replaces its args) and keeps the process namespace private when told', () => {
    const { pod: copy, container } = podCopyWithDebugContainer(pod, { copyName: 'c', container: 'web', command: ['sh'], shareProcesses: false });
    expect(container).toBe('web');
    const spec = copy['spec'] as { shareProcessNamespace: boolean; containers: unknown[] };
    expect(spec.shareProcessNamespace).toBe(false);
    expect(spec.containers[0]).toEqual({ name: 'web', image: 'nginx', command: ['sh'], stdin: true, tty: true, securityContext: { capabilities: { add: ['SYS_PTRACE'] } } });
  });

  it('refuses a new container without an image and a copy named as the original', () => {
    expect(() => podCopyWithDebugContainer(pod, { copyName: 'c' })).toThrow('needs an image');
    expect(() => podCopyWithDebugContainer(pod, { copyName: 'web-1', image: 'x' })).toThrow('name of its own');
  });
});

describe('a pod to debug by copy', () => {
  it('is one whose container crash-loops or failed, or that failed', () => {
    expect(podHasCrashedContainers(pod)).toBe(false);
    expect(podHasCrashedContainers({ status: { containerStatuses: [{ state: { waiting: { reason: 'CrashLoopBackOff' } } }] } })).toBe(true);
    expect(podHasCrashedContainers({ status: { initContainerStatuses: [{ state: { terminated: { exitCode: 2 } } }] } })).toBe(true);
    expect(podHasCrashedContainers({ status: { containerStatuses: [{ state: { terminated: { exitCode: 0 } } }] } })).toBe(false);
    expect(podHasCrashedContainers({ status: { phase: 'Failed' } })).toBe(true);
  });
});
