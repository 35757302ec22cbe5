import type { Diagnostic } from '../../generator/diagnostics';
import { formatReport } from '../../generator/report';

const d: Diagnostic = {
  code: 'GNT201', severity: 'error', message: 'tiers.web.capacity.min: must be <= capacity.max (2)', file: 'environment.yaml',
  path: ['tiers', 'web', 'capacity', 'min'], position: { line: 14, column: 7 }, hint: 'lower min, or raise max: 50%, 2,3',
};

describe('formatReport', () => {
  it('prints file:line:col, severity, code, message and hint', () => {
    expect(formatReport('environment.yaml', [d], { format: 'human', color: false })).toBe(
      'environment.yaml:14:7: error GNT201: tiers.web.capacity.min: must be <= capacity.max (2)\n' +
      '  hint: lower min, or raise max: 50%, 2,3\n' +
      '✖ environment.yaml: 1 error\n');
  });

  it('escapes GitHub workflow commands', () => {
    expect(formatReport('a,b:c.yaml', [{ ...d, file: 'a,b:c.yaml' }], { format: 'github', color: false }).split('\n')[0]).toBe(
      '::error file=a%2Cb%3Ac.yaml,line=14,col=7,title=GNT201::tiers.web.capacity.min: must be <= capacity.max (2)%0Ahint: lower min, or raise max: 50%25, 2,3');
  });

  it('summarises a valid spec with its warnings', () => {
    expect(formatReport('e.yaml', [{ ...d, severity: 'warning' }], { format: 'human', color: false }, '1 environment').split('\n').slice(-2)[0])
      .toBe('✔ e.yaml is valid: 1 environment (1 warning)');
  });
});
