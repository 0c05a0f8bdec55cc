import { Inject, Injectable, Logger } from '@nestjs/common';
import { checkMfeRemotes, MfeManifest, remoteOriginProblem } from '@cairn/api-contracts';
import { SettingError } from '@cairn/server-runtime';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GATEWAY_SETTINGS, GatewaySettings } from '../settings/gateway-settings';

/** A remote whose build the gateway serves itself under `/remotes/<folder>/`. */
export interface BuiltInRemote {
  folder: string;
  directory: string;
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/**
 * Assembles the manifest once at start-up: first the built-in remotes found in the web
 * root (each describes itself in `mfe.json` beside its `remoteEntry.json`), then the remotes
 * listed in `CAIRN_REMOTES_FILE`. A broken entry stops the gateway with a message naming
 * it: a console that silently lacks a module is harder to diagnose than one that won't start.
 */
@Injectable()
export class MfeManifestService {
  private readonly logger = new Logger(MfeManifestService.name);
  readonly builtInRemotes: BuiltInRemote[];
  /** Remotes from settings: checked at start, where a bad one stops the gateway. */
  private readonly configured: { value: unknown; source: string }[];
  private current: MfeManifest;
  private lastProblems = '';
  private readonly allowedOrigins: string[];

  /** The manifest now: settings first, then the ConfigMaps teams applied. */
  get manifest(): MfeManifest {
    return this.current;
  }

  constructor(@Inject(GATEWAY_SETTINGS) settings: GatewaySettings) {
    this.allowedOrigins = settings.remotesAllowedOrigins ?? [];
    this.builtInRemotes = this.findBuiltInRemotes(settings.webRoot);
    const candidates: { value: unknown; source: string }[] = this.builtInRemotes.map(({ folder, directory }) => {
      const source = `built-in remote ${join(directory, 'mfe.json')}`;
      try {
        const description = readJson(join(directory, 'mfe.json'));
        const entry = readJson(join(directory, 'remoteEntry.json')) as { name?: unknown };
        return {
          source,
          value: { ...(description as object), name: entry.name, remoteEntry: `/remotes/${folder}/remoteEntry.json` },
        };
      } catch (error) {
        return { source, value: `unreadable: ${(error as Error).message}` };
      }
    });
    if (settings.remotesFile) {
      candidates.push(...this.readRemotesFile(settings.remotesFile));
    }
    const { remotes, problems } = checkMfeRemotes(candidates);
    if (problems.length > 0) {
      const detail = problems.map((p) => `${p.source}: ${p.message}`).join('; ');
      throw new SettingError(settings.remotesFile ? 'CAIRN_REMOTES_FILE' : 'CAIRN_WEB_ROOT', detail);
    }
    this.configured = candidates;
    this.current = { remotes };
    this.logger.log(`micro-frontends: ${remotes.map((r) => `${r.name} at /${r.route}`).join(', ') || 'none'}`);
  }

  private findBuiltInRemotes(webRoot: string): BuiltInRemote[] {
    return readdirSync(webRoot, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && entry.name !== 'shell')
      .map((entry) => ({ folder: entry.name, directory: join(webRoot, entry.name, 'browser') }))
      .filter(({ directory }) => existsSync(join(directory, 'mfe.json')))
      .sort((a, b) => a.folder.localeCompare(b.folder));
  }

  private readRemotesFile(path: string): { value: unknown; source: string }[] {
    let document: unknown;
    try {
      document = readJson(path);
    } catch (error) {
      throw new SettingError('CAIRN_REMOTES_FILE', `${path} is not valid JSON: ${(error as Error).message}`);
    }
    if (!Array.isArray(document)) {
      throw new SettingError('CAIRN_REMOTES_FILE', `${path} must hold a JSON array of remotes`);
    }
    return document.map((value, index) => ({ value, source: `${path}[${index}]` }));
  }

  /**
   * The remotes registered by ConfigMaps (see ConfigMapRemotes), replacing the previous set.
   * One that is broken, or clashes with a configured remote, is left out and logged: a team's
   * mistake must not take the console down. One whose remoteEntry is not on an origin the
   * admin allowed (remoteOriginProblem: CAIRN_REMOTES_ALLOWED_ORIGINS, https only) is left
   * out too: writing a ConfigMap must not be enough to run code in every user's session.
   */
  setRegisteredRemotes(candidates: { value: unknown; source: string }[]): void {
    const refused: Array<{ source: string; message: string }> = [];
    const admitted = candidates.filter(({ value, source }) => {
      const entry = (value as { remoteEntry?: unknown } | null)?.remoteEntry;
      const problem = typeof entry === 'string' ? remoteOriginProblem(entry, this.allowedOrigins) : undefined;
      if (problem) refused.push({ source, message: problem });
      return !problem;
    });
    const checked = checkMfeRemotes([...this.configured, ...admitted]);
    const remotes = checked.remotes;
    const problems = [...refused, ...checked.problems];
    this.current = { remotes };
    const text = problems.map((p) => `${p.source}: ${p.message}`).join('; ');
    if (text && text !== this.lastProblems) this.logger.warn(`micro-frontends left out: ${text}`);
    this.lastProblems = text;
  }
}
