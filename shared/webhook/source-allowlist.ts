import { BlockList, isIP } from 'node:net';

/** Answers whether a request's source address may deliver webhooks. */
export type SourceAllowlist = (sourceIp: string | undefined) => boolean;

/** Why `parseCidr` refused an entry, or the parsed network. */
export type ParsedCidr =
  | {
      readonly ok: true;
      readonly address: string;
      readonly prefix: number;
      readonly family: 'ipv4' | 'ipv6';
    }
  | { readonly ok: false; readonly error: string };

/** Parses `203.0.113.0/24` or `2001:db8::/32`; a bare address is a single host (/32 or /128). */
export function parseCidr(entry: string): ParsedCidr {
  const [address = '', prefixText, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0)
    return { ok: false, error: `${entry} is not an IP network` };
  const family = version === 4 ? 'ipv4' : 'ipv6';
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!/^\d{1,3}$/.test(prefixText ?? String(max)) || prefix > max) {
    return { ok: false, error: `${entry} has no valid prefix length (0-${max})` };
  }
  return { ok: true, address, prefix, family };
}

/**
 * Builds the allowlist once per container from already validated CIDRs (IPv4 and IPv6).
 * An address that is not an IP at all is outside it.
 */
export function createSourceAllowlist(cidrs: readonly string[]): SourceAllowlist {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const parsed = parseCidr(cidr);
    if (!parsed.ok) throw new RangeError(parsed.error);
    list.addSubnet(parsed.address, parsed.prefix, parsed.family);
  }
  return (sourceIp) => {
    const version = sourceIp ? isIP(sourceIp) : 0;
    if (!sourceIp || version === 0) return false;
    return list.check(sourceIp, version === 4 ? 'ipv4' : 'ipv6');
  };
}
