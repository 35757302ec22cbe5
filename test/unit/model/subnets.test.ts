import { planSubnets } from '../../../generator/model/subnets';

const cidrs = (vpc: string, azs: number) => planSubnets(vpc, azs)?.map((s) => `${s.kind}${s.az} ${s.cidr}`);

describe('planSubnets', () => {
  it('carves a /16 into private /20s, public and isolated /21s', () => {
    expect(cidrs('10.0.0.0/16', 3)).toEqual([
      'public0 10.0.128.0/21', 'public1 10.0.136.0/21', 'public2 10.0.144.0/21',
      'private0 10.0.0.0/20', 'private1 10.0.16.0/20', 'private2 10.0.32.0/20',
      'isolated0 10.0.192.0/21', 'isolated1 10.0.200.0/21', 'isolated2 10.0.208.0/21',
    ]);
  });

  it('never moves existing subnets when AZs are added', () => {
    const two = cidrs('10.40.0.0/16', 2)!;
    const six = cidrs('10.40.0.0/16', 6)!;
    for (const subnet of two) expect(six).toContain(subnet);
  });

  test.each([
    ['10.0.0.0/23', 6, 'public5 10.0.1.80/28'],
    ['10.0.0.0/24', 2, 'public1 10.0.0.144/28'],
    ['10.0.0.0/24', 4, 'isolated3 10.0.0.240/28'],
  ])('fits small VPCs: %s with %i AZs holds %s', (vpc, azs, expected) => {
    expect(cidrs(vpc, azs)).toContain(expected);
  });

  test.each([
    ['10.0.0.0/24', 5],
    ['10.0.0.0/26', 2],
    ['not a cidr', 2],
  ])('has no plan for %s with %i AZs', (vpc, azs) => {
    expect(planSubnets(vpc, azs)).toBeUndefined();
  });

  it('normalises host bits to the network address', () => {
    expect(cidrs('10.0.0.5/24', 1)).toEqual(['public0 10.0.0.128/28', 'private0 10.0.0.0/27', 'isolated0 10.0.0.192/28']);
  });
});
