/**
 * IPv4 CIDR arithmetic on unsigned 32-bit numbers: parsing, overlap, and carving a block into
 * equal sub-blocks. Small and exact; IPv6 is not used by the spec.
 */
export interface Cidr {
  /** The address as written, which may have host bits set. */
  readonly address: number;
  readonly prefix: number;
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses `a.b.c.d/n`; undefined for anything else. */
export function parseCidr(text: string): Cidr | undefined {
  const match = CIDR.exec(text);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  return { address, prefix };
}

export function blockSize(prefix: number): number {
  return 2 ** (32 - prefix);
}

/** The network address: the address with its host bits cleared. */
export function networkOf(cidr: Cidr): number {
  const size = blockSize(cidr.prefix);
  return Math.floor(cidr.address / size) * size;
}

/** True when the address has host bits set (10.0.0.1/16), which AWS rejects. */
export function hasHostBits(cidr: Cidr): boolean {
  return networkOf(cidr) !== cidr.address;
}

export function formatCidr(network: number, prefix: number): string {
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256);
  return `${octets.join('.')}/${prefix}`;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  const aStart = networkOf(a);
  const bStart = networkOf(b);
  return aStart < bStart + blockSize(b.prefix) && bStart < aStart + blockSize(a.prefix);
}

/** The `index`-th of the equal sub-blocks of length `subPrefix` inside `parent`. */
export function subBlock(parent: Cidr, subPrefix: number, index: number): string {
  return formatCidr(networkOf(parent) + index * blockSize(subPrefix), subPrefix);
}

/** RFC 1918 private ranges and RFC 6598 shared space: the ranges AWS advises for VPCs. */
export function isPrivateRange(cidr: Cidr): boolean {
  const ranges = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'].map((r) => parseCidr(r) as Cidr);
  return ranges.some((r) => cidr.prefix >= r.prefix && networkOf({ address: cidr.address, prefix: r.prefix }) === r.address);
}

/**
 * The first block of the same size as `like` that overlaps none of `taken`, counting up from
 * `like` (10.20.0.0/16 taken → 10.21.0.0/16). Used for hints and for new regions.
 */
export function nextFreeBlock(like: Cidr, taken: readonly Cidr[]): string | undefined {
  const size = blockSize(like.prefix);
  for (let network = networkOf(like); network + size <= 2 ** 32; network += size) {
    const candidate = { address: network, prefix: like.prefix };
    if (isPrivateRange(candidate) && !taken.some((t) => overlaps(candidate, t))) return formatCidr(network, like.prefix);
  }
  return undefined;
}
