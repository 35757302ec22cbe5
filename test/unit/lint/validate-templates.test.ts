import fs from 'node:fs';
import path from 'node:path';
import { startTemplateValidation, validateTemplates } from '../../../generator/lint/validate-templates';
import { tempDir } from '../../helpers';

const group = (type: string, ...lines: string[]) => ['Resources:', '  Group:', `    Type: ${type}`, '    Properties:', '      GroupDescription: open', ...lines, ''].join('\n');

describe("AWS's CloudFormation validator, in its own process", () => {
  it('reports each template\'s findings under its own name, the same awaited or not', async () => {
    // GIVEN a clean template between broken ones (an unknown property, an unknown type, not YAML)
    const templates = [
      { path: 'a.yaml', content: group('AWS::EC2::SecurityGroup', '      Colour: red') },
      { path: 'b.yaml', content: group('AWS::EC2::SecurityGroup') },
      { path: 'c.yaml', content: group('AWS::S3::Buckett') },
      { path: 'd.yaml', content: 'Resources: [' },
    ];
    // WHEN the validator reads them  THEN every finding stays with its template, at its line and column
    const found = validateTemplates(templates);
    expect(found.map((f) => `${f.file}:${f.line}:${f.column} ${f.severity} ${f.ruleId} ${f.logicalId ?? '-'}`)).toEqual([
      'a.yaml:6:7 error F3002 Group',
      'c.yaml:2:3 error F3006 Group',
      'd.yaml:2:1 error F1101 -',
    ]);
    expect(found[0]?.message).toBe("Additional properties are not allowed ('Colour' was unexpected)");
    expect(await startTemplateValidation(templates)).toEqual(found);
  }, 60_000);

  it('fails with the reason when its process cannot validate, rather than report no findings', async () => {
    // GIVEN a validator process that fails as it starts (here: a preload that throws)
    const preload = path.join(tempDir(), 'fail.js');
    fs.writeFileSync(preload, "throw new Error('the validator cannot start');\n");
    const previous = process.env.NODE_OPTIONS;
    process.env.NODE_OPTIONS = `--require ${JSON.stringify(preload)}`;
    try {
      const templates = [{ path: 'b.yaml', content: group('AWS::EC2::SecurityGroup') }];
      // WHEN it is asked  THEN both forms throw, naming the validator and the reason
      expect(() => validateTemplates(templates)).toThrow(/^AWS's CloudFormation validator stopped \(exit 1\): Error: the validator cannot start$/);
      await expect(startTemplateValidation(templates)).rejects.toThrow(/^AWS's CloudFormation validator stopped \(exit 1\): Error: the validator cannot start$/);
    } finally {
      if (previous === undefined) delete process.env.NODE_OPTIONS;
      else process.env.NODE_OPTIONS = previous;
    }
  }, 60_000);
});
