import fs from 'node:fs';
import path from 'node:path';
import { readBootstrapStates, readChangeSets } from '../../../generator/github/change-sets';
import { COMMENT_MARKER, renderChangeSetComment } from '../../../generator/github/comment-markdown';
import { REPO_ROOT, tempDir } from '../../helpers';

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

  it('says when a stack is created without deletion protection, which the deploy turns on right after', () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'prod/eu-west-1'), { recursive: true });
    const add = { Type: 'Resource', ResourceChange: { Action: 'Add', LogicalResourceId: 'LoadBalancer', ResourceType: 'AWS::ElasticLoadBalancingV2::LoadBalancer' } };
    fs.writeFileSync(path.join(dir, 'prod/eu-west-1/shop-prod-web.json'), JSON.stringify({ StackName: 'shop-prod-web', Status: 'CREATE_COMPLETE', ChangeSetType: 'CREATE', ProtectedOnceCreated: true, Changes: [add] }));
    fs.writeFileSync(path.join(dir, 'prod/eu-west-1/shop-prod-api.json'), JSON.stringify({ StackName: 'shop-prod-api', Status: 'CREATE_COMPLETE', ChangeSetType: 'CREATE', Changes: [add] }));
    const read = readChangeSets(dir);
    expect(read.map((p) => [p.stack, p.protectedOnceCreated ?? false])).toEqual([['shop-prod-api', false], ['shop-prod-web', true]]);
    const body = renderChangeSetComment(read);
    expect(body).toContain('- **shop-prod-web**: 1 change; created without deletion protection, which the deploy turns on as soon as the stack exists');
    expect(body).toMatch(/- \*\*shop-prod-api\*\*: 1 change\n/);
  });

  it('lists the stacks the spec no longer has for deletion before anything else, with what they hold', () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'prod/eu-west-1'), { recursive: true });
    fs.copyFileSync(path.join(REPO_ROOT, 'test/fixtures/change-sets/prod/eu-west-1/shop-prod-database.json'), path.join(dir, 'prod/eu-west-1/shop-prod-database.json'));
    const resources = [{ LogicalResourceId: 'LoadBalancer', ResourceType: 'AWS::ElasticLoadBalancingV2::LoadBalancer' }, { LogicalResourceId: 'Group', ResourceType: 'AWS::AutoScaling::AutoScalingGroup' }];
    fs.writeFileSync(path.join(dir, 'prod/eu-west-1/shop-prod-worker.json'), JSON.stringify({ StackName: 'shop-prod-worker', Status: 'DELETE', Unprotect: true, Resources: resources }));
    const read = readChangeSets(dir);
    expect(read.map((p) => [p.stack, p.status, p.changes.length, p.unprotect ?? false])).toEqual([['shop-prod-database', 'changes', 3, false], ['shop-prod-worker', 'delete', 2, true]]);
    const body = renderChangeSetComment(read);
    expect(body).toContain('**1 stack deleted** · **2 resources replaced or removed** · 1 stack, 1 with changes, 0 unchanged');
    const caution = body.indexOf('> [!CAUTION]');
    expect(caution).toBeGreaterThan(0);
    expect(caution).toBeLessThan(body.indexOf('> [!WARNING]'));
    expect(body).toContain('> - **Delete** shop-prod-worker (2 resources), prod eu-west-1; deletion protection is turned off first');
    expect(body).toContain('- **shop-prod-worker**: **deleted** (no longer in the spec), with 2 resources');
    expect(body).toContain('  | `Group` | AWS::AutoScaling::AutoScalingGroup |');
    // The deleted stack's resources are not counted again among the replaced or removed ones.
    expect(body).not.toContain('> - **Remove** `LoadBalancer`');
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

describe('the change-set comment\'s provenance and bootstrap notes', () => {
  const plans = readChangeSets(path.join(REPO_ROOT, 'test/fixtures/change-sets'));

  it('names the commit it describes and links the run', () => {
    const body = renderChangeSetComment(plans, { commit: '0123456789abcdef0123', runUrl: 'https://github.com/acme/shop/actions/runs/77/attempts/1' });
    expect(body).toContain('Commit `0123456789ab` · [workflow run](https://github.com/acme/shop/actions/runs/77/attempts/1)');
    expect(body.indexOf('Commit')).toBeLessThan(body.indexOf('stacks, '));
  });

  it('says which bootstrap stack must be redeployed by hand, with the command, and is silent when all are current', () => {
    const command = 'aws cloudformation deploy --region eu-west-1 --stack-name shop-prod-bootstrap --template-file output/prod/bootstrap.yaml --capabilities CAPABILITY_NAMED_IAM';
    const outdated = renderChangeSetComment(plans, { bootstrap: [{ environment: 'prod', stack: 'shop-prod-bootstrap', region: 'eu-west-1', state: 'outdated', command }] });
    expect(outdated).toContain('> - **shop-prod-bootstrap** (prod, eu-west-1) differs from the generated bootstrap.yaml: redeploy it before merging');
    expect(outdated).toContain(`>   \`${command}\``);
    const current = renderChangeSetComment(plans, { bootstrap: [{ environment: 'prod', stack: 'shop-prod-bootstrap', region: 'eu-west-1', state: 'current', command }] });
    expect(current).not.toContain('[!IMPORTANT]');
  });

  it('reads the plan jobs\' bootstrap.state files, skipping broken ones', () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'prod'));
    fs.mkdirSync(path.join(dir, 'dev'));
    fs.writeFileSync(path.join(dir, 'prod/bootstrap.state'), JSON.stringify({ environment: 'prod', stack: 's', region: 'eu-west-1', state: 'missing', command: 'c' }));
    fs.writeFileSync(path.join(dir, 'dev/bootstrap.state'), '{not json');
    expect(readBootstrapStates(dir)).toEqual([{ environment: 'prod', stack: 's', region: 'eu-west-1', state: 'missing', command: 'c' }]);
    expect(readChangeSets(dir)).toEqual([]);
  });
});
