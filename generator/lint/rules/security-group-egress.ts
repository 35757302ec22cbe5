import { resourceRule } from '../template-rule';

/**
 * A security group created without inline SecurityGroupEgress keeps EC2's default rule that allows
 * all outbound traffic; separate AWS::EC2::SecurityGroupEgress resources add to it and never remove
 * it. Only inline egress replaces the default (aws-cdk writes a rule that matches no traffic,
 * ICMP 252-86 to 255.255.255.255/32, for a group that may send nothing).
 */
export const securityGroupEgressRule = resourceRule({
  id: 'GNT407',
  description: 'Every security group states its egress inline, so EC2\'s default allow-all egress rule is removed',
  source: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-securitygroup.html',
  types: 'AWS::EC2::SecurityGroup',
  *check({ id, properties }) {
    const egress = properties.SecurityGroupEgress;
    if (Array.isArray(egress) && egress.length > 0) return;
    yield { path: ['Properties'], message: `${id} has no inline SecurityGroupEgress, so EC2's default rule lets it send anything anywhere` };
  },
});
