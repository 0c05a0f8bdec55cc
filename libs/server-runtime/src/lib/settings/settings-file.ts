import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { SettingError } from './settings';

/**
 * Settings from a mounted file (a Secret or ConfigMap key): a YAML or JSON mapping whose keys
 * are the settings' environment names, e.g. `OIDC_CLIENT_SECRET: ...`. Values may be strings,
 * numbers or booleans. An unknown key or a value of another type stops the service, naming the
 * file and the key, so a typo is never silently ignored. `setting` names the setting that points
 * at the file, for the messages.
 */
export function settingsFromFile(path: string, setting: string, names: readonly string[]): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new SettingError(setting, `cannot read ${path}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = parse(text);
  } catch (err) {
    throw new SettingError(setting, `${path} is not YAML or JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new SettingError(setting, `${path} must hold a mapping of setting names to values, e.g. "OIDC_CLIENT_ID: cairn"`);
  const known = new Set(names);
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (!known.has(key)) throw new SettingError(setting, `${path}: "${key}" is not a setting of this service; known settings: ${[...known].sort().join(' ')}`);
    if (!['string', 'number', 'boolean'].includes(typeof value)) throw new SettingError(setting, `${path}: ${key} must be a string, number or boolean`);
    out[key] = String(value);
  }
  return out;
}
