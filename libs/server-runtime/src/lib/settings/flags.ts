import { SettingError } from './settings';

/**
 * Command-line flags for the same settings as the environment: `--port=4466` or
 * `--port 4466` for CAIRN_PORT, `--kubeconfig=...` for KUBECONFIG, `--in-cluster-context-name`
 * for CAIRN_IN_CLUSTER_CONTEXT_NAME, `--oidc-issuer-url` for OIDC_ISSUER_URL. A flag is the
 * setting's name in lower case with dashes, without the `CAIRN_` prefix. Flags win over the
 * environment. An unknown flag stops the service with the list of known ones.
 */
export function flagName(setting: string): string {
  return `--${setting.replace(/^CAIRN_/, '').toLowerCase().replace(/_/g, '-')}`;
}

export function flagsToEnvironment(argv: readonly string[], settings: readonly string[]): Record<string, string> {
  const byFlag = new Map(settings.map((s) => [flagName(s), s]));
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) throw new SettingError('command line', `"${arg}" is not a flag; write --name=value`);
    const eq = arg.indexOf('=');
    const flag = eq < 0 ? arg : arg.slice(0, eq);
    const setting = byFlag.get(flag);
    if (!setting) throw new SettingError(flag, `is not a flag of this service; known flags: ${[...byFlag.keys()].sort().join(' ')}`);
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new SettingError(flag, 'needs a value: --name=value');
      i++;
    }
    out[setting] = value;
  }
  return out;
}
