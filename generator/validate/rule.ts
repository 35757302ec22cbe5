import type { EnvironmentSpecView } from '../model/defaults';
import type { SpecPath } from '../spec/path';
import type { Finding } from './finding';

/** One region entry of an environment, as written. */
export interface RegionRef {
  /** The region name, when the entry names one as text. */
  readonly name?: string;
  /** The entry's own VPC CIDR, when it gives one. */
  readonly cidr?: string;
  /** Document path of the entry (`environments.prod.regions[1]`). */
  readonly path: SpecPath;
  /** Document path of the name (the entry itself when it is plain text). */
  readonly namePath: SpecPath;
  /** `role`, as written (any type: the schema reports a wrong one). */
  readonly role?: unknown;
  /** `tiers`, as written: this region's tier settings. */
  readonly tiers?: unknown;
}

/** One environment, as the rules see it: its own fields as written, and its merged, defaulted spec. */
export interface EnvironmentContext {
  readonly name: string;
  readonly account?: string;
  readonly approval: boolean;
  readonly regions: readonly RegionRef[];
  readonly spec: EnvironmentSpecView;
}

export interface RuleContext {
  /** The document as written (for rules about what the file says, wherever it says it). */
  readonly document: Readonly<Record<string, unknown>>;
  readonly project: string;
  /** In the spec's order. */
  readonly environments: readonly EnvironmentContext[];
}

/**
 * A semantic rule. It reads the context and reports findings; it never throws on user input and
 * checks the type of anything it compares, because rules also run on specs with schema errors.
 */
export type Rule = (context: RuleContext) => Finding[];

/** The CIDR a region's VPC uses: its own, or the environment's network.cidr. */
export function regionCidr(environment: EnvironmentContext, region: RegionRef): { cidr: unknown; path: SpecPath; environment?: string } {
  if (region.cidr !== undefined) return { cidr: region.cidr, path: [...region.path, 'cidr'] };
  return { cidr: environment.spec.network.cidr, path: ['network', 'cidr'], environment: environment.name };
}

export function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
