import { flagName, flagsToEnvironment } from './flags';

describe('flags', () => {
  const settings = ['CAIRN_PORT', 'KUBECONFIG', 'CAIRN_IN_CLUSTER_CONTEXT_NAME'];

  it('names each flag after its setting', () => {
    expect(settings.map(flagName)).toEqual(['--port', '--kubeconfig', '--in-cluster-context-name']);
  });

  it('reads --name=value and --name value', () => {
    expect(flagsToEnvironment(['--port=5000', '--in-cluster-context-name', 'prod'], settings)).toEqual({ CAIRN_PORT: '5000', CAIRN_IN_CLUSTER_CONTEXT_NAME: 'prod' });
  });

  it('refuses an unknown flag, listing the known ones, and a flag without a value', () => {
    expect(() => flagsToEnvironment(['--prot=1'], settings)).toThrow('--prot: is not a flag of this service; known flags: --in-cluster-context-name --kubeconfig --port');
    expect(() => flagsToEnvironment(['--port'], settings)).toThrow('--port: needs a value');
    expect(() => flagsToEnvironment(['port=1'], settings)).toThrow('"port=1" is not a flag');
  });
});
