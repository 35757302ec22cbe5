import { isRecord, referencedIds, resourceRule } from '../template-rule';

/**
 * A log group kept when its stack is deleted (DeletionPolicy Retain or RetainExceptOnCreate) stays readable only while its
 * KMS key exists: a key deleted with the stack makes the retained logs undecryptable.
 */
export const retainedLogKeyRule = resourceRule({
  id: 'GNT408',
  description: 'A retained log group is encrypted with a key that is retained too',
  source: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html',
  types: 'AWS::Logs::LogGroup',
  *check({ template, id, data, properties }) {
    if (!isRetained(data.DeletionPolicy)) return;
    const resources = isRecord(template.data.Resources) ? template.data.Resources : {};
    for (const keyId of referencedIds(properties.KmsKeyId)) {
      const key = resources[keyId];
      if (!isRecord(key) || key.Type !== 'AWS::KMS::Key' || isRetained(key.DeletionPolicy)) continue;
      yield {
        resource: keyId, path: ['DeletionPolicy'],
        message: `${id} is retained when its stack is deleted, but its key ${keyId} is not: the kept logs could no longer be read (retain the key too)`,
      };
    }
  },
});

/** Both policies keep the resource when its stack is deleted (RetainExceptOnCreate deletes it only when its creation rolls back). */
function isRetained(policy: unknown): boolean {
  return policy === 'Retain' || policy === 'RetainExceptOnCreate';
}
