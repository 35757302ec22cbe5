import { REGION_AVAILABILITY_ZONES } from '../aws/regions';

type Template = Record<string, unknown>;

/**
 * A stack set's template with every `${AWS::StackName}` replaced by the name gantry gives the stack
 * (`<project>-<env>-<stack>`). CloudFormation names a stack set's instances `StackSet-<name>-<id>`,
 * but the other stacks import this one's outputs by export name, the budget alerts its topic by
 * name, and people read alarm descriptions: those must not depend on the instance's generated name.
 * User data keeps the live name: cfn-signal must address the stack that is updating.
 */
export function pinStackName(template: Template, stackName: string): Template {
  return pin(template, stackName) as Template;
}

function pin(node: unknown, stackName: string): unknown {
  if (Array.isArray(node)) return node.map((item) => pin(item, stackName));
  if (node === null || typeof node !== 'object') return node;
  const entries = Object.entries(node as Record<string, unknown>);
  if (entries.length === 1) {
    const [key, value] = entries[0] as [string, unknown];
    if (key === 'Ref' && value === 'AWS::StackName') return stackName;
    if (key === 'Fn::Sub' && typeof value === 'string') return subOrLiteral(value.replaceAll('${AWS::StackName}', stackName));
    if (key === 'Fn::Sub' && Array.isArray(value) && typeof value[0] === 'string') {
      return { 'Fn::Sub': [value[0].replaceAll('${AWS::StackName}', stackName), pin(value[1], stackName)] };
    }
  }
  return Object.fromEntries(entries.map(([key, value]) => [key, key === 'UserData' ? value : pin(value, stackName)]));
}

/** A `Fn::Sub` left with nothing to substitute is written as the plain string it is. */
function subOrLiteral(text: string): unknown {
  return text.includes('${') ? { 'Fn::Sub': text } : text;
}

const ACCOUNT = /(?<![0-9])[0-9]{12}(?![0-9])/;
const REGION = new RegExp(`(?<![a-z0-9-])(${Object.keys(REGION_AVAILABILITY_ZONES).join('|')})(?![a-z0-9-])`);

/**
 * Where a template names an account or a region, outside its Mappings (a mapping keyed by region
 * is how a portable template holds per-region facts): the paths and the text found. Empty for a
 * template that deploys unchanged in any account and region.
 */
export function accountAndRegionLiterals(template: Template): string[] {
  const found: string[] = [];
  const visit = (node: unknown, path: string): void => {
    if (typeof node === 'string') {
      const match = ACCOUNT.exec(node) ?? REGION.exec(node);
      if (match) found.push(`${path}: ${match[0]}`);
    } else if (Array.isArray(node)) {
      node.forEach((item, i) => visit(item, `${path}.${i}`));
    } else if (node !== null && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        const child = `${path}.${key}`;
        const keyMatch = ACCOUNT.exec(key) ?? REGION.exec(key);
        if (keyMatch) found.push(`${child}: ${keyMatch[0]}`);
        visit(value, child);
      }
    }
  };
  for (const [section, body] of Object.entries(template)) if (section !== 'Mappings') visit(body, section);
  return found;
}
