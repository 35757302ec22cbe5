import path from 'node:path';
import { readSpec } from '../../../generator/pipeline';
import { buildBudgetTemplate } from '../../../generator/stacks/budget';
import type { PlatformModel } from '../../../generator/model/types';
import { REPO_ROOT } from '../../helpers';

type Budget = { Resources: { Budget: { Properties: { Budget: { BudgetName: unknown } } } } };

const model = readSpec(path.join(REPO_ROOT, 'examples/medical-logistics.yaml')).model!;
const nameOf = (m: PlatformModel) => {
  const prod = m.environments.find((e) => e.name === 'prod')!;
  return (buildBudgetTemplate(m, prod) as Budget).Resources.Budget.Properties.Budget.BudgetName;
};
const withAlerts = (alertAtPercent: number[]): PlatformModel => ({
  ...model,
  environments: model.environments.map((e) => (e.name === 'prod' && e.budget ? { ...e, budget: { ...e.budget, alertAtPercent } } : e)),
});

describe('the budget', () => {
  it('is renamed when its notifications change, since that change replaces it and a replacement cannot reuse the name', () => {
    const before = nameOf(model);
    expect(JSON.stringify(before)).toMatch(/\$\{AWS::StackName\}-[0-9a-f]{8}/);
    expect(nameOf(model)).toEqual(before);
    expect(nameOf(withAlerts([50, 90]))).not.toEqual(before);
  });
});
