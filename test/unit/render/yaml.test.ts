import fc from 'fast-check';
import { load } from 'js-yaml';
import { renderYaml } from '../../../generator/render/yaml';

describe('the YAML renderer', () => {
  // Strings YAML 1.1 readers (CloudFormation's among them) take for something else.
  const tricky = ['yes', 'No', 'on', 'OFF', 'y', '0123', '0x1F', '1e3', '12:30', '2001-12-14', '~', 'null', '.inf', '-', '? x', 'x: y', '#x', 'a #b',
    '"q"', "'q'", '@at', '`bt', '%p', '!Ref x', '*alias', '&anchor', '{x}', '[x]', '|', '>', '<<', '  lead', 'trail ', 'line1\nline2', '\u2028', '\ufeff',
    '${{ secrets.X }}', '--- x', '...'];

  // Nested, where text from the spec lands (tag keys and values, paths); top-level keys are gantry's own
  // (js-yaml would write a top-level key "--- x" unquoted, which reads as a document separator).
  test.each(tricky)('keeps %j a string, as written', (text) => {
    const value = { Resources: { [text]: text, Tags: [{ Key: text, Value: text }], list: [text] } };
    expect(load(renderYaml(value))).toEqual(value);
  });

  it('quotes what YAML 1.1 reads as booleans, numbers or dates', () => {
    for (const text of ['yes', 'No', 'on', 'OFF', 'y', '0123', '12:30', '2001-12-14']) expect(renderYaml({ v: text })).toBe(`v: '${text}'\n`);
  });

  it('round-trips any text, keys and values', () => {
    fc.assert(fc.property(fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.array(fc.string()))), (inner) => {
      expect(load(renderYaml({ Resources: inner }))).toEqual({ Resources: inner });
    }));
  });
});
