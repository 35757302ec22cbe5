import { CfnParameter, Fn, type Stack } from 'aws-cdk-lib';

interface ValueProps {
  readonly description: string;
  /** A pattern CloudFormation checks each instance's value against before it deploys. */
  readonly allowedPattern?: string;
}

/**
 * The values that differ between copies of a stack in different regions and accounts: a VPC's
 * CIDR, a region's origin name, a certificate's ARN. A template for one region (`generate`,
 * `export`) writes them as literals. A template for a stack set, which CloudFormation deploys
 * unchanged to many accounts and regions, declares a parameter for each instead, and every stack
 * instance gets its own value: `values` holds this instance's.
 */
export class InstanceValues {
  private readonly recorded = new Map<string, string>();

  constructor(readonly portable: boolean) {}

  /** A single value: the literal, or a `String` parameter named `id`. */
  string(stack: Stack, id: string, value: string, props: ValueProps): string {
    if (!this.portable) return value;
    this.recorded.set(id, value);
    return this.parameter(stack, id, 'String', props).valueAsString;
  }

  /** A list of values: the literals, or a `CommaDelimitedList` parameter named `id`, item by item (none for no items). */
  list(stack: Stack, id: string, values: readonly string[], props: ValueProps): string[] {
    if (!this.portable || values.length === 0) return [...values];
    this.recorded.set(id, values.join(','));
    const parameter = this.parameter(stack, id, 'CommaDelimitedList', props);
    return values.map((_, i) => Fn.select(i, parameter.valueAsList));
  }

  /** This instance's value of every parameter declared, by parameter name, sorted. */
  get values(): Readonly<Record<string, string>> {
    return Object.fromEntries([...this.recorded].sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  private parameter(stack: Stack, id: string, type: string, props: ValueProps): CfnParameter {
    const parameter = new CfnParameter(stack, id, {
      type,
      description: props.description,
      ...(props.allowedPattern ? { allowedPattern: props.allowedPattern } : {}),
    });
    parameter.overrideLogicalId(id);
    return parameter;
  }
}

/** Literal values: what every template for a single region uses. */
export const LITERAL_VALUES = new InstanceValues(false);
