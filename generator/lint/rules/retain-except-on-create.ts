import { resourceRule } from '../template-rule';

/**
 * DeletionPolicy Retain keeps a resource also when the operation that created it rolls back: the
 * retry of a failed first deploy then fails on what was kept (a secret's fixed name,
 * ResourceExistsException) and every attempt leaks another key or bucket. RetainExceptOnCreate
 * (2023-07) deletes what the failed operation created and retains it in every other operation.
 */
export const retainExceptOnCreateRule = resourceRule({
  id: 'GNT410',
  description: 'A retained resource uses DeletionPolicy RetainExceptOnCreate, so a failed first create leaves nothing behind that blocks its retry',
  source: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html',
  types: /./,
  *check({ id, data }) {
    if (data.DeletionPolicy !== 'Retain') return;
    yield { path: ['DeletionPolicy'], message: `${id} has DeletionPolicy Retain, which keeps it when its first creation rolls back, blocking the retry: use RetainExceptOnCreate (UpdateReplacePolicy stays Retain)` };
  },
});
