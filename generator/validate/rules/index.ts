import type { Rule } from '../rule';
import { callCyclesRule } from './call-cycles';
import { capacityRule } from './capacity';
import { certificatesRule } from './certificates';
import { databaseRule } from './database';
import { deployTimeoutRule } from './deploy-timeout';
import { edgeDomainRule, sharedZoneRule } from './edge-domain';
import { edgeNamesRule } from './edge-names';
import { httpOnlyRule } from './http-only';
import { instanceTypesRule } from './instance-types';
import { invisibleTextRule } from './invisible-text';
import { multiRegionRule } from './multi-region';
import { namesRule } from './names';
import { natApprovalRule } from './nat-approval';
import { networkRule } from './network';
import { overridesRule } from './overrides';
import { portsRule } from './ports';
import { referencesRule } from './references';
import { regionCidrsRule } from './region-cidrs';
import { regionsRule } from './regions';
import { secretsRule } from './secrets';
import { sharedAccountsRule } from './shared-accounts';

/** Every semantic rule, in a fixed order (the output is sorted by position anyway). */
export const RULES: readonly Rule[] = [
  namesRule,
  secretsRule,
  invisibleTextRule,
  overridesRule,
  regionsRule,
  networkRule,
  regionCidrsRule,
  capacityRule,
  deployTimeoutRule,
  portsRule,
  referencesRule,
  callCyclesRule,
  databaseRule,
  instanceTypesRule,
  edgeDomainRule,
  sharedZoneRule,
  edgeNamesRule,
  certificatesRule,
  httpOnlyRule,
  natApprovalRule,
  sharedAccountsRule,
  multiRegionRule,
];
