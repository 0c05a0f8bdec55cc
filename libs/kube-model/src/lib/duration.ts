/**
 * A duration as kubectl prints ages and "ago" times: "45s", "5m30s", "42m", "3h5m", "20h",
 * "3d4h", "12d", "2y3d" (the rule of `HumanDuration` in k8s.io/apimachinery/pkg/util/duration,
 * which `kubectl get` uses for AGE and the RESTARTS column's "(5m ago)"). `seconds` may be
 * fractional; under -1 s (clock skew beyond tolerance) prints "<invalid>", as kubectl does.
 */
export function humanDuration(seconds: number): string {
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  const s = Math.floor(seconds);
  if (s < 120) return `${s}s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 10) return s % 60 === 0 ? `${minutes}m` : `${minutes}m${s % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(s / 3600);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.floor(days / 365);
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${years}y` : `${years}y${days % 365}d`;
  return `${years}y`;
}

/** The age of an RFC 3339 timestamp at `now` (ms), as kubectl's AGE column prints it; '' without one. */
export function age(timestamp: string | undefined, now = Date.now()): string {
  if (!timestamp) return '';
  const at = Date.parse(timestamp);
  return Number.isNaN(at) ? '' : humanDuration((now - at) / 1000);
}

/**
 * The seconds a HumanDuration stands for (`45s`, `5m30s`, `3h5m`, `2d3h`, `3y45d`: what
 * `humanDuration` and the API server's printed ages read), to sort ages printed by the server;
 * NaN for anything else (`<invalid>`, `<unknown>`, an empty cell). Whole units only, so an age
 * read back is at most one unit older than it was.
 */
export function durationSeconds(text: string): number {
  const match = /^(?:(\d+)y)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (!match || !text) return Number.NaN;
  const [y = 0, d = 0, h = 0, m = 0, s = 0] = match.slice(1).map((v) => Number(v ?? 0));
  return (((y * 365 + d) * 24 + h) * 60 + m) * 60 + s;
}
