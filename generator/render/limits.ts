/**
 * CloudFormation's length limits on the text fields gantry fills, checked on every template it
 * renders. Text from the spec is limited by the schema already (tags, paths); this is the net
 * under gantry's own sentences and under combinations of names (a list of tiers in a rule's
 * description), so a template CloudFormation would reject is never written.
 */
interface Limit {
  /** Where: a description of the field for the message. */
  readonly field: string;
  readonly max: number;
  readonly unit: 'bytes' | 'characters';
}

/** @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-description-structure.html (1024 bytes) */
const TEMPLATE_DESCRIPTION: Limit = { field: 'Description', max: 1024, unit: 'bytes' };
/** @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html (parameter description 4000 characters) */
const PARAMETER_DESCRIPTION: Limit = { field: 'Description', max: 4000, unit: 'characters' };
/** @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/outputs-section-structure.html */
const OUTPUT_DESCRIPTION: Limit = { field: 'Description', max: 1024, unit: 'characters' };

/** Property names whose limit holds wherever they appear in a resource's properties. */
const PROPERTY_LIMITS: Readonly<Record<string, Limit>> = {
  /** @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-resource-tags.html */
  Key: { field: 'Tags Key', max: 128, unit: 'characters' },
  /** A security group's own description. @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html */
  GroupDescription: { field: 'GroupDescription', max: 255, unit: 'characters' },
  /** @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html */
  AlarmDescription: { field: 'AlarmDescription', max: 1024, unit: 'characters' },
  /** @see https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CacheBehavior.html */
  PathPattern: { field: 'PathPattern', max: 255, unit: 'characters' },
};

function length(text: string, unit: Limit['unit']): number {
  return unit === 'bytes' ? Buffer.byteLength(text, 'utf8') : [...text].length;
}

/** Every field of a template that is longer than CloudFormation takes, as sentences. */
export function templateLimitProblems(template: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  const check = (where: string, value: unknown, limit: Limit) => {
    if (typeof value === 'string' && length(value, limit.unit) > limit.max) {
      problems.push(`${where} is ${length(value, limit.unit)} ${limit.unit}; CloudFormation takes at most ${limit.max}`);
    }
  };
  check('Description', template.Description, TEMPLATE_DESCRIPTION);
  for (const [id, parameter] of entries(template.Parameters)) check(`Parameters.${id}.Description`, (parameter as { Description?: unknown })?.Description, PARAMETER_DESCRIPTION);
  for (const [id, output] of entries(template.Outputs)) check(`Outputs.${id}.Description`, (output as { Description?: unknown })?.Description, OUTPUT_DESCRIPTION);
  for (const [id, resource] of entries(template.Resources)) {
    // The path of the node being walked, joined only for a field over its limit (templates hold
    // thousands of policy actions).
    const path: string[] = [`Resources.${id}.Properties`];
    const where = (key: string) => `${path.join('')}.${key}`;
    const walk = (node: unknown, inRules: boolean): void => {
      if (Array.isArray(node)) {
        node.forEach((item, i) => {
          path.push(`[${i}]`);
          walk(item, inRules);
          path.pop();
        });
      } else if (node !== null && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          const limit = PROPERTY_LIMITS[key];
          if (limit) check(where(key), value, limit);
          // A tag's value (256) and a security group rule's description (255, API_IpRange) share their names with other fields.
          if (key === 'Value' && typeof (node as { Key?: unknown }).Key === 'string') check(where('Value'), value, { field: 'Tags Value', max: 256, unit: 'characters' });
          if (key === 'Description' && inRules) check(where('Description'), value, { field: 'rule Description', max: 255, unit: 'characters' });
          if (value === null || typeof value !== 'object') continue;
          path.push(`.${key}`);
          walk(value, inRules || /^SecurityGroup(Ingress|Egress)$/.test(key));
          path.pop();
        }
      }
    };
    walk((resource as { Properties?: unknown })?.Properties, /^AWS::EC2::SecurityGroup(Ingress|Egress)$/.test(String((resource as { Type?: unknown })?.Type)));
  }
  return problems;
}

function entries(section: unknown): [string, unknown][] {
  return section !== null && typeof section === 'object' ? Object.entries(section) : [];
}
