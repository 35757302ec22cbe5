import { isRecord, propertiesOf, referencedIds, resourcesOf, type RuleMatch, type TemplateRule } from '../template-rule';

/**
 * A log group kept when its stack is deleted (DeletionPolicy Retain) stays readable only while its
 * KMS key exists: a key deleted with the stack makes the retained logs undecryptable.
 */
export const retainedLogKeyRule: TemplateRule = {
  id: 'GNT408',
  description: 'A retained log group is encrypted with a key that is retained too',
  source: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html',
  check(templates) {
    const matches: RuleMatch[] = [];
    for (const template of templates) {
      const resources = isRecord(template.data.Resources) ? template.data.Resources : {};
      for (const [id, group] of resourcesOf(template, 'AWS::Logs::LogGroup')) {
        if (group.DeletionPolicy !== 'Retain') continue;
        for (const keyId of referencedIds(propertiesOf(group).KmsKeyId)) {
          const key = resources[keyId];
          if (!isRecord(key) || key.Type !== 'AWS::KMS::Key' || key.DeletionPolicy === 'Retain') continue;
          matches.push({
            file: template.file, path: ['Resources', keyId, 'DeletionPolicy'],
            message: `${id} is retained when its stack is deleted, but its key ${keyId} is not: the kept logs could no longer be read (retain the key too)`,
          });
        }
      }
    }
    return matches;
  },
};
