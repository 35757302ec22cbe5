import path from 'node:path';
import { readChangeSets } from '../../../generator/github/change-sets';
import { COMMENT_MARKER, renderChangeSetComment } from '../../../generator/github/comment-markdown';
import { REPO_ROOT } from '../../helpers';

describe('the change-set comment', () => {
  const plans = readChangeSets(path.join(REPO_ROOT, 'test/fixtures/change-sets'));

  it('reads describe-change-set JSON and the workflow\'s own statuses', () => {
    expect(plans.map((p) => [p.environment, p.region, p.stack, p.status, p.changes.length])).toEqual([
      ['prod', 'eu-west-1', 'shop-prod-database', 'changes', 3],
      ['prod', 'eu-west-1', 'shop-prod-network', 'no-changes', 0],
      ['prod', 'eu-west-1', 'shop-prod-web', 'changes', 2],
      ['prod', 'global', 'shop-prod-edge', 'waiting', 0],
    ]);
  });

  it('calls out replacements and removals first, then every stack', () => {
    const body = renderChangeSetComment(plans);
    expect(body.startsWith(`${COMMENT_MARKER}\n## gantry: what this pull request changes\n`)).toBe(true);
    expect(body).toContain('**3 resources replaced or removed** · 4 stacks, 2 with changes, 1 unchanged, 1 waiting for a first deploy');
    const warning = body.indexOf('> [!WARNING]');
    expect(warning).toBeGreaterThan(0);
    expect(body.indexOf('> - **Replace** `Database` (AWS::RDS::DBInstance) in shop-prod-database, prod eu-west-1')).toBeGreaterThan(warning);
    expect(body).toContain('> - **May replace** `ParameterGroup`');
    expect(body).toContain('> - **Remove** `CpuAlarm`');
    expect(body).toContain('- **shop-prod-network**: no changes');
    expect(body).toContain('  | Add | `ReadReplica1` | AWS::RDS::DBInstance |');
    expect(body).toContain('- **shop-prod-edge**: planned after the stacks it imports from are deployed');
  });

  it('says so when there is nothing to show', () => {
    expect(renderChangeSetComment([])).toContain('No change sets were produced');
  });

  it('shows text from change sets as text: a failure reason cannot open a fence or raw HTML', () => {
    const body = renderChangeSetComment([{
      environment: 'prod', region: 'eu-west-1', stack: 'shop-prod-web', status: 'failed', changes: [],
      reason: '```\n<!-- hidden --> | *x*',
    }]);
    expect(body).toContain('- **shop-prod-web**: :x: the change set failed: \\`\\`\\` \\<\\!-- hidden --\\> \\| \\*x\\*');
    expect(body.split('\n').filter((l) => l.startsWith('```'))).toEqual([]);
  });
});
