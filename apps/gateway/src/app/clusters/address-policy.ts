import { BlockList, isIP } from 'node:net';

/**
 * Which addresses a user-added cluster's server may be dialled at. One check for every
 * spelling of an address: the URL parser has already turned decimal, octal, hex and
 * trailing-dot IPv4 (`2130706433`, `0x7f.1`, `0177.0.0.1`, `127.0.0.1.`) into dotted form;
 * here IPv6 forms that carry an IPv4 address (IPv4-mapped `::ffff:a.b.c.d`, -compatible
 * `::a.b.c.d`, SIIT `::ffff:0:a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) are checked
 * as that IPv4 address too. The check runs on the address actually dialled (the agent's
 * `lookup` in cluster-connections.ts), so a name that resolves to a refused address is
 * refused like the literal.
 *
 * Three tiers:
 * - never dialled, whatever the allowlist says: link-local (cloud metadata lives there),
 *   metadata addresses, unspecified, multicast, broadcast, Teredo;
 * - the console's own networks (loopback, its own interface addresses, the in-cluster API
 *   server's address, and CAIRN_USER_CLUSTER_DENY: the cluster's service and pod ranges):
 *   refused unless an allowlist entry lies inside that network (`127.0.0.1/32` opens
 *   loopback; `0.0.0.0/0` or `10.0.0.0/8` do not open `10.96.0.0/12`);
 * - everything else: dialled when the allowlist (CAIRN_USER_CLUSTER_ALLOW) contains it.
 */

type Family = 'ipv4' | 'ipv6';
interface Net {
  address: string;
  prefix: number;
  type: Family;
}

/** Never dialled for a user, whatever the allowlist says. */
const ALWAYS_REFUSED: Array<[string, number, Family, string]> = [
  ['169.254.0.0', 16, 'ipv4', 'a link-local address (cloud metadata services live there)'],
  ['100.100.100.200', 32, 'ipv4', 'a cloud metadata address'],
  ['168.63.129.16', 32, 'ipv4', 'a cloud platform address'],
  ['0.0.0.0', 8, 'ipv4', 'an unspecified address'],
  ['224.0.0.0', 4, 'ipv4', 'a multicast address'],
  ['240.0.0.0', 4, 'ipv4', 'a reserved address'],
  ['fe80::', 10, 'ipv6', 'a link-local address'],
  ['fd00:ec2::254', 128, 'ipv6', 'a cloud metadata address'],
  ['::', 128, 'ipv6', 'an unspecified address'],
  ['ff00::', 8, 'ipv6', 'a multicast address'],
  ['2001::', 32, 'ipv6', 'a Teredo tunnel address (it hides the IPv4 address it reaches)'],
  ['64:ff9b:1::', 48, 'ipv6', 'a local NAT64 address (it hides the IPv4 address it reaches)'],
];

/** The console's own host: refused unless an allowlist entry lies inside it. */
const LOOPBACK: Net[] = [
  { address: '127.0.0.0', prefix: 8, type: 'ipv4' },
  { address: '::1', prefix: 128, type: 'ipv6' },
];

export class AddressPolicyError extends Error {}

/** `10.0.0.0/8`, `2001:db8::/32` or a single address, as a network; throws AddressPolicyError otherwise. */
export function parseNet(entry: string, setting: string): Net {
  const [address, prefixText, extra] = entry.trim().split('/');
  const family = isIP(address ?? '');
  const prefix = prefixText === undefined ? (family === 6 ? 128 : 32) : Number(prefixText);
  if (!family || extra !== undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 6 ? 128 : 32) || (address ?? '').includes('%')) {
    throw new AddressPolicyError(`"${entry}" in ${setting} is not an address or CIDR range (e.g. 10.0.0.0/8, 2001:db8::/32)`);
  }
  return { address: address as string, prefix, type: family === 6 ? 'ipv6' : 'ipv4' };
}

/** The 16 bytes of an IPv6 address (already checked with isIP). */
function ipv6Bytes(address: string): number[] {
  let text = address;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (dotted) {
    const [a, b, c, d] = dotted.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, -dotted.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? (text.split('::') as [string, string]) : [text, undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  return groups.flatMap((g) => {
    const n = parseInt(g, 16);
    return [n >> 8, n & 0xff];
  });
}

const v4 = (b: number[]) => b.join('.');
const zero = (b: number[]) => b.every((x) => x === 0);

/**
 * The IPv4 address an IPv6 address stands for, and how: `is` when the socket reaches that
 * IPv4 host itself (mapped, compatible, SIIT), `via` when a translator reaches it (NAT64, 6to4).
 */
export function embeddedIpv4(address: string): { v4: string; how: 'is' | 'via' } | undefined {
  if (isIP(address) !== 6) return undefined;
  const b = ipv6Bytes(address);
  if (zero(b.slice(0, 10)) && b[10] === 0xff && b[11] === 0xff) return { v4: v4(b.slice(12)), how: 'is' };
  if (zero(b.slice(0, 8)) && b[8] === 0xff && b[9] === 0xff && zero(b.slice(10, 12))) return { v4: v4(b.slice(12)), how: 'is' };
  // ::a.b.c.d, but not :: and ::1 (their own entries).
  if (zero(b.slice(0, 12)) && !zero(b.slice(12, 15))) return { v4: v4(b.slice(12)), how: 'is' };
  if (b[0] === 0 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zero(b.slice(4, 12))) return { v4: v4(b.slice(12)), how: 'via' };
  if (b[0] === 0x20 && b[1] === 0x02) return { v4: v4(b.slice(2, 6)), how: 'via' };
  return undefined;
}

function list(nets: Net[]): BlockList {
  const out = new BlockList();
  for (const n of nets) out.addSubnet(n.address, n.prefix, n.type);
  return out;
}

/** Whether network `inner` lies entirely inside network `outer`. */
function inside(inner: Net, outer: Net): boolean {
  return inner.type === outer.type && inner.prefix >= outer.prefix && list([outer]).check(inner.address, inner.type);
}

export interface AddressPolicyOptions {
  /** The console's own networks besides loopback (CAIRN_USER_CLUSTER_DENY, its own interface addresses, the in-cluster API server). */
  internal?: string[];
}

export class AddressPolicy {
  private readonly allow: BlockList;
  private readonly internal: Net[];
  private readonly opened: BlockList;

  /**
   * @param allowlist CIDRs (`10.0.0.0/8`, `2001:db8::/32`) or single addresses: CAIRN_USER_CLUSTER_ALLOW.
   * @throws AddressPolicyError naming the entry that is not a range.
   */
  constructor(
    readonly allowlist: string[],
    options: AddressPolicyOptions = {},
  ) {
    const allowed = allowlist.map((e) => parseNet(e, 'CAIRN_USER_CLUSTER_ALLOW'));
    this.allow = list(allowed);
    this.internal = [...LOOPBACK, ...(options.internal ?? []).map((e) => parseNet(e, 'CAIRN_USER_CLUSTER_DENY'))];
    this.opened = list(allowed.filter((a) => this.internal.some((n) => inside(a, n))));
  }

  /** Why `address` (an IP address, any spelling Node's isIP takes) may not be dialled, or undefined when it may. */
  refusal(address: string): string | undefined {
    const bare = address.replace(/^\[|\]$/g, '');
    const family = isIP(bare);
    if (!family || bare.includes('%')) return `"${address}" is not an IP address`;
    const embedded = embeddedIpv4(bare);
    if (embedded?.how === 'is') {
      const inner = this.refusal(embedded.v4);
      return inner && `${bare} is the IPv4 address ${embedded.v4}: ${inner}`;
    }
    if (embedded) {
      const inner = this.refusal(embedded.v4);
      if (inner) return `${bare} reaches the IPv4 address ${embedded.v4} through a translator: ${inner}`;
    }
    const type: Family = family === 6 ? 'ipv6' : 'ipv4';
    for (const [net, prefix, netType, what] of ALWAYS_REFUSED) {
      if (netType === type && list([{ address: net, prefix, type: netType }]).check(bare, type)) return `${bare} is ${what}, which Cairn never connects to for a user-added cluster`;
    }
    const own = this.internal.find((n) => n.type === type && list([n]).check(bare, type));
    if (own && !this.opened.check(bare, type)) {
      const what = LOOPBACK.includes(own) ? 'a loopback address' : `in ${own.address}/${own.prefix}, one of the console's own networks`;
      return `${bare} is ${what}; user-added clusters may reach it only when the gateway's CAIRN_USER_CLUSTER_ALLOW setting lists a range inside it: ask whoever runs this console`;
    }
    if (!this.allow.check(bare, type)) return `${bare} is outside the addresses allowed for user-added clusters (the gateway's CAIRN_USER_CLUSTER_ALLOW setting: ${this.allowlist.join(', ')}); ask whoever runs this console to add it`;
    return undefined;
  }
}
