import { templateLimitProblems } from '../../../generator/render/limits';
import { renderTemplate } from '../../../generator/render/yaml';

describe("CloudFormation's field limits", () => {
  const ok = {
    Description: 'A platform stack',
    Parameters: { Cidr: { Type: 'String', Description: 'The VPC CIDR' } },
    Resources: {
      Group: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'web', SecurityGroupIngress: [{ Description: 'HTTPS', CidrIp: '0.0.0.0/0' }], Tags: [{ Key: 'Team', Value: 'shop' }] } },
    },
    Outputs: { Id: { Value: 'x', Description: 'The id' } },
  };

  it('accepts a template within the limits', () => {
    expect(templateLimitProblems(ok)).toEqual([]);
  });

  it('counts the template Description in bytes (1024), not characters', () => {
    // 400 three-byte characters: 400 characters, 1200 bytes
    expect(templateLimitProblems({ ...ok, Description: '€'.repeat(400) })).toEqual(['Description is 1200 bytes; CloudFormation takes at most 1024']);
  });

  it('finds a rule description, a tag and a path pattern that are too long', () => {
    const template = {
      Resources: {
        Group: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'g', SecurityGroupIngress: [{ Description: 'x'.repeat(256) }], Tags: [{ Key: 'k'.repeat(129), Value: 'v'.repeat(257) }] } },
        Rule: { Type: 'AWS::EC2::SecurityGroupIngress', Properties: { Description: 'y'.repeat(300) } },
        Cdn: { Type: 'AWS::CloudFront::Distribution', Properties: { DistributionConfig: { CacheBehaviors: [{ PathPattern: `/${'p'.repeat(255)}` }] } } },
      },
    };
    expect(templateLimitProblems(template)).toEqual([
      'Resources.Group.Properties.SecurityGroupIngress[0].Description is 256 characters; CloudFormation takes at most 255',
      'Resources.Group.Properties.Tags[0].Key is 129 characters; CloudFormation takes at most 128',
      'Resources.Group.Properties.Tags[0].Value is 257 characters; CloudFormation takes at most 256',
      'Resources.Rule.Properties.Description is 300 characters; CloudFormation takes at most 255',
      'Resources.Cdn.Properties.DistributionConfig.CacheBehaviors[0].PathPattern is 256 characters; CloudFormation takes at most 255',
    ]);
  });

  it('never renders a template CloudFormation would refuse', () => {
    expect(() => renderTemplate({ ...ok, Description: 'd'.repeat(1025) }, 'environment.yaml')).toThrow(/Description is 1025 bytes/);
  });
});
