import { hasHostBits, isPrivateRange, nextFreeBlock, overlaps, parseCidr, type Cidr } from '../../../generator/util/cidr';

const c = (text: string) => parseCidr(text) as Cidr;

describe('cidr', () => {
  test.each([
    ['10.0.0.0/16', { address: 167772160, prefix: 16 }],
    ['255.255.255.255/32', { address: 4294967295, prefix: 32 }],
    ['10.0.0.256/16', undefined],
    ['10.0.0.0/33', undefined],
    ['10.0.0/16', undefined],
  ])('parses %s', (text, expected) => {
    expect(parseCidr(text)).toEqual(expected);
  });

  test.each([
    ['10.0.0.0/16', '10.0.255.0/24', true],
    ['10.0.0.0/16', '10.1.0.0/16', false],
    ['10.0.0.0/8', '10.200.0.0/16', true],
  ])('%s overlaps %s: %s', (a, b, expected) => {
    expect(overlaps(c(a), c(b))).toBe(expected);
    expect(overlaps(c(b), c(a))).toBe(expected);
  });

  it('finds host bits', () => {
    expect(hasHostBits(c('10.0.0.1/16'))).toBe(true);
    expect(hasHostBits(c('10.0.0.0/16'))).toBe(false);
  });

  test.each([
    ['10.0.0.0/16', true], ['172.31.0.0/16', true], ['192.168.4.0/24', true], ['100.64.0.0/16', true], ['8.8.0.0/16', false], ['172.32.0.0/16', false],
  ])('%s is private: %s', (text, expected) => {
    expect(isPrivateRange(c(text))).toBe(expected);
  });

  it('finds the next free block of the same size', () => {
    expect(nextFreeBlock(c('10.20.0.0/16'), [c('10.20.0.0/16'), c('10.21.0.0/16')])).toBe('10.22.0.0/16');
    expect(nextFreeBlock(c('10.255.0.0/16'), [c('10.255.0.0/16')])).toBe('100.64.0.0/16');
  });
});
