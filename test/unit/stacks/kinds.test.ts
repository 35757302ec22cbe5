import fs from 'node:fs';
import path from 'node:path';
import { readSpec } from '../../../generator/pipeline';
import { STACK_KINDS } from '../../../generator/stacks/kinds';
import { globalStacks, regionStacks } from '../../../generator/stacks/registry';
import { REPO_ROOT } from '../../helpers';

describe('the stack kinds (kinds.ts)', () => {
  it('lists every kind after the kinds it names in after, regional kinds before global ones', () => {
    const position = new Map(STACK_KINDS.map((k, i) => [k.kind, i]));
    for (const kind of STACK_KINDS) {
      for (const before of kind.after) expect([kind.kind, before, position.get(before)! < position.get(kind.kind)!]).toEqual([kind.kind, before, true]);
    }
    const scopes = STACK_KINDS.map((k) => k.scope);
    expect(scopes).toEqual([...scopes].sort((a, b) => (a === b ? 0 : a === 'regional' ? -1 : 1)));
  });

  it('lets a kind import only from the kinds it deploys after, or from its own kind', () => {
    for (const kind of STACK_KINDS) {
      for (const from of Object.keys(kind.imports)) expect([kind.kind, from, from === kind.kind || kind.after.includes(from as never)]).toEqual([kind.kind, from, true]);
    }
  });

  const specs = [
    ...['medical-logistics', 'pharma-portal', 'minimal'].map((name) => `examples/${name}.yaml`),
    ...fs.readdirSync(path.join(REPO_ROOT, 'test', 'specs')).map((file) => `test/specs/${file}`),
  ];
  test.each(specs)(
    '%s: every stack builds, for its own region and portable, with the exports and imports its kind declares', (name) => {
      // GIVEN a spec WHEN each of its stacks is built THEN the build's check (cross-stack.ts) finds every export and import declared
      const model = readSpec(path.join(REPO_ROOT, name)).model!;
      let imports = 0;
      for (const environment of model.environments) {
        for (const portable of [false, true]) {
          const built = [...globalStacks(model, environment, { portable }), ...environment.regions.flatMap((r) => regionStacks(model, environment, r, { portable }))];
          imports += built.reduce((n, s) => n + (JSON.stringify(s.template).match(/Fn::ImportValue/g)?.length ?? 0), 0);
        }
      }
      expect(imports).toBeGreaterThan(5);
    });
});
