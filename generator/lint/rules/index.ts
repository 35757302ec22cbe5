import type { TemplateRule } from '../template-rule';
import { customResourceTimeoutRule } from './custom-resource-timeout';
import { duplicateEdgeNamesRule } from './duplicate-edge-names';
import { keyPolicyFuturePrincipalRule } from './key-policy-future-principal';
import { loadBalancerLogPolicyRule } from './load-balancer-log-policy';
import { nameLengthRule } from './name-length';
import { originGroupWriteMethodsRule } from './origin-group-write-methods';
import { retainedLogKeyRule } from './retained-log-key';
import { retainExceptOnCreateRule } from './retain-except-on-create';
import { replicaSourceManagedPasswordRule } from './replica-source-managed-password';
import { securityGroupEgressRule } from './security-group-egress';

/** gantry's deploy-time rules, by id: what AWS rejects (or quietly gets wrong) when a template deploys, and validators miss. */
export const TEMPLATE_RULES: readonly TemplateRule[] = [
  originGroupWriteMethodsRule,
  keyPolicyFuturePrincipalRule,
  loadBalancerLogPolicyRule,
  duplicateEdgeNamesRule,
  nameLengthRule,
  customResourceTimeoutRule,
  securityGroupEgressRule,
  retainedLogKeyRule,
  replicaSourceManagedPasswordRule,
  retainExceptOnCreateRule,
];
