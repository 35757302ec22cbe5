import path from 'node:path';
import { readSpec } from '../../../generator/pipeline';
import { STACK_KINDS, stackOutline } from '../../../generator/stacks/kinds';
import { globalStacks, regionStacks } from '../../../generator/stacks/registry';
import { REPO_ROOT } from '../../helpers';

/** Every Fn::ImportValue export name a template reads (gantry writes them as plain strings). */
function importedExports(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => importedExports(v, found));
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === 'Fn::ImportValue' && typeof v === 'string') found.push(v);
      else importedExports(v, found);
    }
  }
  return found;
}

describe('the stack kinds (kinds.ts)', () => {
  it('lists every kind after the kinds it names in after, regional kinds before global ones', () => {
    const position = new Map(STACK_KINDS.map((k, i) => [k.kind, i]));
    for (const kind of STACK_KINDS) {
      for (const before of kind.after) expect([kind.kind, before, position.get(before)! < position.get(kind.kind)!]).toEqual([kind.kind, before, true]);
    }
    const scopes = STACK_KINDS.map((k) => k.scope);
    expect(scopes).toEqual([...scopes].sort((a, b) => (a === b ? 0 : a === 'regional' ? -1 : 1)));
  });

  test.each(['medical-logistics', 'pharma-portal', 'minimal'])('%s: a stack imports only from stacks of the kinds its kind deploys after, or of its own kind placed before it', (name) => {
    // GIVEN an example's built stacks WHEN their Fn::ImportValue names are traced to the stacks that export them THEN each is of a kind declared in `after`, and deploys earlier
    const model = readSpec(path.join(REPO_ROOT, 'examples', `${name}.yaml`)).model!;
    let imports = 0;
    for (const environment of model.environments) {
      for (const target of [...environment.regions.map((r) => r.region), 'global']) {
        const outline = stackOutline(environment, target);
        const region = environment.regions.find((r) => r.region === target);
        const built = target === 'global' ? globalStacks(model, environment) : regionStacks(model, environment, region!);
        built.forEach((stack, index) => {
          const kind = STACK_KINDS.find((k) => k.kind === stack.kind)!;
          for (const exported of importedExports(stack.template)) {
            const source = outline.findIndex((s) => exported.startsWith(`${s.stackName}-`));
            expect([stack.stackName, exported, source >= 0 && source < index]).toEqual([stack.stackName, exported, true]);
            const sourceKind = outline[source]!.kind.kind;
            expect([stack.stackName, sourceKind, sourceKind === kind.kind || kind.after.includes(sourceKind)]).toEqual([stack.stackName, sourceKind, true]);
            imports += 1;
          }
        });
      }
    }
    expect(imports).toBeGreaterThan(5);
  });
});
