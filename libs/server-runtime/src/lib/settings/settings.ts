import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** A setting that cannot be used as given. The message names the setting and says what to do. */
export class SettingError extends Error {
  constructor(
    readonly setting: string,
    detail: string,
  ) {
    super(`${setting}: ${detail}`);
    this.name = 'SettingError';
  }
}

export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Reads settings from the environment once, at start-up. Every reader throws a
 * `SettingError` naming the variable, so a bad value stops the process with a message
 * instead of surfacing later as a confusing failure.
 */
export class SettingsReader {
  constructor(private readonly env: Environment) {}

  private raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === '' ? undefined : value;
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  optionalString(name: string): string | undefined {
    return this.raw(name);
  }

  port(name: string, fallback: number): number {
    const value = this.raw(name);
    if (value === undefined) {
      return fallback;
    }
    const port = Number(value);
    if (!/^\d+$/.test(value) || port < 1 || port > 65535) {
      throw new SettingError(name, `"${value}" is not a TCP port; use a whole number from 1 to 65535`);
    }
    return port;
  }

  /**
   * A size in bytes: a whole number, optionally with a binary suffix (`512Ki`, `2Mi`, `1Gi`).
   * @throws SettingError naming the setting when it is not such a size or is outside [min, max].
   */
  bytes(name: string, fallback: number, min = 1, max = 2 ** 40): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const match = /^(\d+)(Ki|Mi|Gi)?$/.exec(value);
    const units: Record<string, number> = { '': 1, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 };
    const bytes = match ? Number(match[1]) * (units[match[2] ?? ''] ?? NaN) : NaN;
    if (!Number.isSafeInteger(bytes) || bytes < min || bytes > max) {
      throw new SettingError(name, `"${value}" is not a size from ${min} to ${max} bytes; use a whole number with an optional Ki, Mi or Gi suffix (e.g. 2Mi)`);
    }
    return bytes;
  }

  /**
   * A whole number from `min` to `max` (a count or a rate).
   * @throws SettingError naming the setting otherwise.
   */
  count(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) throw new SettingError(name, `"${value}" is not a whole number from ${min} to ${max}`);
    return n;
  }

  /** An IPv4/IPv6 address or host name to listen on. */
  host(name: string, fallback: string): string {
    const value = this.raw(name) ?? fallback;
    if (!/^[A-Za-z0-9.:-]+$/.test(value)) {
      throw new SettingError(name, `"${value}" is not an address to listen on; use e.g. 127.0.0.1 or 0.0.0.0`);
    }
    return value;
  }

  url(name: string, fallback: string, protocols: readonly string[] = ['http:', 'https:']): URL {
    const value = this.raw(name) ?? fallback;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new SettingError(name, `"${value}" is not a URL; write it in full, e.g. http://127.0.0.1:4467`);
    }
    if (!protocols.includes(url.protocol)) {
      throw new SettingError(name, `"${value}" must use ${protocols.map((p) => p.replace(':', '')).join(' or ')}`);
    }
    return url;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name) ?? fallback;
    if (!(allowed as readonly string[]).includes(value)) {
      throw new SettingError(name, `"${value}" is not one of ${allowed.join(', ')}`);
    }
    return value as T;
  }

  /** A directory that must exist; relative paths are resolved against `base`. */
  directory(name: string, fallback: string, base: string): string {
    const path = resolve(base, this.raw(name) ?? fallback);
    if (!existsSync(path) || !statSync(path).isDirectory()) {
      throw new SettingError(name, `directory "${path}" does not exist`);
    }
    return path;
  }

  /** `true`/`false` (also `1`/`0`, `yes`/`no`). */
  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) {
      return fallback;
    }
    if (['true', '1', 'yes'].includes(value)) return true;
    if (['false', '0', 'no'].includes(value)) return false;
    throw new SettingError(name, `"${this.raw(name)}" is not a boolean; use true or false`);
  }

  /** An optional file or directory that must exist when set; relative paths are resolved against `base`. */
  optionalPath(name: string, base: string): string | undefined {
    const value = this.raw(name);
    if (value === undefined) {
      return undefined;
    }
    const path = resolve(base, value);
    if (!existsSync(path)) {
      throw new SettingError(name, `"${path}" does not exist`);
    }
    return path;
  }

  /** An optional file that must exist when set; relative paths are resolved against `base`. */
  optionalFile(name: string, base: string): string | undefined {
    const value = this.raw(name);
    if (value === undefined) {
      return undefined;
    }
    const path = resolve(base, value);
    if (!existsSync(path) || !statSync(path).isFile()) {
      throw new SettingError(name, `file "${path}" does not exist`);
    }
    return path;
  }

  /**
   * Extra CA certificates (PEM) from a file, or from every .pem/.crt file of a directory;
   * empty when unset. They are added to the system roots, never replace them.
   */
  caBundle(name: string, base: string): string[] {
    const path = this.optionalPath(name, base);
    if (!path) return [];
    const files = statSync(path).isDirectory()
      ? readdirSync(path).filter((f) => /\.(pem|crt)$/.test(f)).sort().map((f) => join(path, f))
      : [path];
    const certs = files.flatMap((f) => readFileSync(f, 'utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []);
    if (certs.length === 0) throw new SettingError(name, `${path} holds no PEM certificate`);
    return certs;
  }

  /**
   * The session keys: `current` first, then `previous` (still accepted while sessions sealed
   * with it expire). Each must be at least `minLength` characters.
   */
  sessionKeys(current: string, previous: string, minLength: number): string[] {
    const keys = [this.optionalString(current), this.optionalString(previous)];
    keys.forEach((key, i) => {
      if (key !== undefined && key.length < minLength) {
        throw new SettingError(i === 0 ? current : previous, `must be at least ${minLength} characters; generate one with: openssl rand -base64 48`);
      }
    });
    if (keys[0] === undefined && keys[1] !== undefined) throw new SettingError(previous, `is set but ${current} is not`);
    return keys.filter((k): k is string => k !== undefined);
  }
}

export const LOG_LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
