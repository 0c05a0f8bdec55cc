import { BlockList, isIP } from 'node:net';

/**
 * Which addresses a user-added cluster's server may resolve to. The check runs on the
 * address that is actually dialled (see user-clusters.ts), so a DNS name that points at a
 * metadata service is refused just like the literal address.
 */

/** Never dialled for a user, whatever the allowlist says. */
const ALWAYS_REFUSED: Array<[string, number, 'ipv4' | 'ipv6', string]> = [
  ['169.254.0.0', 16, 'ipv4', 'a link-local address (cloud metadata services live there)'],
  ['100.100.100.200', 32, 'ipv4', 'a cloud metadata address'],
  ['168.63.129.16', 32, 'ipv4', 'a cloud platform address'],
  ['0.0.0.0', 8, 'ipv4', 'an unspecified address'],
  ['224.0.0.0', 4, 'ipv4', 'a multicast address'],
  ['255.255.255.255', 32, 'ipv4', 'the broadcast address'],
  ['fe80::', 10, 'ipv6', 'a link-local address'],
  ['fd00:ec2::254', 128, 'ipv6', 'a cloud metadata address'],
  ['::', 128, 'ipv6', 'an unspecified address'],
  ['ff00::', 8, 'ipv6', 'a multicast address'],
];

/** Refused unless the allowlist names them explicitly: the gateway's own host. */
const LOOPBACK: Array<[string, number, 'ipv4' | 'ipv6']> = [
  ['127.0.0.0', 8, 'ipv4'],
  ['::1', 128, 'ipv6'],
];

export class AddressPolicyError extends Error {}

export class AddressPolicy {
  private readonly allow = new BlockList();
  private readonly explicitLoopback = new BlockList();

  /** @param allowlist CIDRs (`10.0.0.0/8`, `2001:db8::/32`) or single addresses. */
  constructor(readonly allowlist: string[]) {
    for (const entry of allowlist) {
      const [address, prefixText] = entry.split('/');
      const family = isIP(address ?? '');
      const prefix = prefixText === undefined ? (family === 6 ? 128 : 32) : Number(prefixText);
      if (!family || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 6 ? 128 : 32)) {
        throw new AddressPolicyError(`"${entry}" is not an address or CIDR range (e.g. 10.0.0.0/8, 2001:db8::/32)`);
      }
      const type = family === 6 ? 'ipv6' : 'ipv4';
      this.allow.addSubnet(address as string, prefix, type);
      if (prefix > 0) this.explicitLoopback.addSubnet(address as string, prefix, type);
    }
  }

  /** Why `address` may not be dialled, or undefined when it may. */
  refusal(address: string): string | undefined {
    const family = isIP(address);
    if (!family) return `"${address}" is not an IP address`;
    const type = family === 6 ? 'ipv6' : 'ipv4';
    const mapped = type === 'ipv6' ? /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1] : undefined;
    if (mapped) return this.refusal(mapped);
    for (const [net, prefix, netType, what] of ALWAYS_REFUSED) {
      if (netType === type && inSubnet(address, net, prefix, type)) return `${address} is ${what}, which Cairn never connects to for a user-added cluster`;
    }
    const loopback = LOOPBACK.some(([net, prefix, netType]) => netType === type && inSubnet(address, net, prefix, type));
    if (loopback && !this.explicitLoopback.check(address, type)) {
      return `${address} is a loopback address; user-added clusters may reach it only when CAIRN_USER_CLUSTER_ALLOW lists it`;
    }
    if (!this.allow.check(address, type)) return `${address} is outside the addresses allowed for user-added clusters (CAIRN_USER_CLUSTER_ALLOW: ${this.allowlist.join(', ')})`;
    return undefined;
  }
}

function inSubnet(address: string, net: string, prefix: number, type: 'ipv4' | 'ipv6'): boolean {
  const list = new BlockList();
  list.addSubnet(net, prefix, type);
  return list.check(address, type);
}
