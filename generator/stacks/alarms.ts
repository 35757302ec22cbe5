import type { CfnResource } from 'aws-cdk-lib';
import type { CfnInclude } from 'aws-cdk-lib/cloudformation-include';

/** The alarms of the tier blueprint, and the `alarms` field that sets each threshold. */
export const TIER_ALARMS = ['LoadBalancer5xxAlarm', 'Target5xxAlarm', 'UnhealthyHostsAlarm', 'ResponseTimeAlarm', 'CpuAlarm'] as const;
export const DATABASE_ALARMS = ['DatabaseCpuAlarm', 'DatabaseFreeStorageAlarm', 'DatabaseFreeMemoryAlarm', 'DatabaseConnectionsAlarm'] as const;

/**
 * Points a blueprint's alarms at the environment's notification topic and sets their thresholds,
 * or removes them all when `alarms.enabled` is false.
 */
export function configureAlarms(blueprint: CfnInclude, ids: readonly string[], topic: string, thresholds: Record<string, number> | undefined): void {
  for (const id of ids) {
    if (!thresholds) {
      blueprint.node.tryRemoveChild(id);
      continue;
    }
    const alarm = blueprint.getResource(id);
    pointAtTopic(alarm, topic);
    const threshold = thresholds[id];
    if (threshold !== undefined) alarm.addPropertyOverride('Threshold', threshold);
  }
}

/** Alarm and OK actions to the notification topic of the region (its ARN, imported from the notifications stack). */
export function pointAtTopic(alarm: CfnResource, topic: string): void {
  alarm.addPropertyOverride('AlarmActions', [topic]);
  alarm.addPropertyOverride('OKActions', [topic]);
}
