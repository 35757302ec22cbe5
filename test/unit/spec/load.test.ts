import fs from 'node:fs';
import path from 'node:path';
import { loadSpecFile, loadSpecText, MAX_SPEC_BYTES } from '../../../generator/spec/load';
import { locate } from '../../../generator/spec/locate';
import { tempDir } from '../../helpers';

function load(text: string | Buffer) {
  return loadSpecText('spec.yaml', typeof text === 'string' ? Buffer.from(text, 'utf8') : text);
}

function failure(text: string | Buffer): string {
  const result = load(text);
  if (result.ok) throw new Error('expected a load failure');
  return result.diagnostics.map((d) => `${d.position.line}:${d.position.column} ${d.code} ${d.message}`).join('\n');
}

describe('loadSpecText', () => {
  it('parses a mapping and records the position of every key', () => {
    // GIVEN a spec with block and flow collections
    const text = 'version: 1\ntiers:\n  web:\n    capacity: { min: 2, max: 4 }\n    from:\n      - api\n      - "db"\n';
    // WHEN it is loaded
    const result = load(text);
    // THEN the data is right and positions point at keys (mappings) and items (lists)
    if (!result.ok) throw new Error('expected success');
    expect(result.spec.data).toEqual({ version: 1, tiers: { web: { capacity: { min: 2, max: 4 }, from: ['api', 'db'] } } });
    const at = (p: (string | number)[]) => locate(result.spec.positions, p);
    expect(at(['version'])).toEqual({ line: 1, column: 1 });
    expect(at(['tiers', 'web'])).toEqual({ line: 3, column: 3 });
    expect(at(['tiers', 'web', 'capacity', 'max'])).toEqual({ line: 4, column: 25 });
    expect(at(['tiers', 'web', 'from', 0])).toEqual({ line: 6, column: 9 });
    expect(at(['tiers', 'web', 'from', 1])).toEqual({ line: 7, column: 9 });
    // a path that is not written falls back to its nearest parent
    expect(at(['tiers', 'web', 'capacity', 'desired'])).toEqual({ line: 4, column: 5 });
    expect(at(['nothing', 'here'])).toEqual({ line: 1, column: 1 });
  });

  it('keeps the text of plain scalars, so hints can quote what was written', () => {
    const result = load('database:\n  version: 15.00\n');
    if (!result.ok) throw new Error('expected success');
    expect(result.spec.positions.get('.database\u001f.version')?.raw).toBe('15.00');
  });

  it('strips a UTF-8 byte order mark', () => {
    expect(load('\ufeffversion: 1\n').ok).toBe(true);
  });

  test.each([
    ['an empty file', '', '1:1 GNT004 the spec is empty'],
    ['only comments', '# nothing\n\n# here\n', '1:1 GNT004 the spec is empty'],
    ['a list at the top', '- a\n- b\n', '1:1 GNT008 the spec must be a mapping of fields (version, project, tiers, ...), but its top level is a list'],
    ['a scalar at the top', 'hello\n', '1:1 GNT008 the spec must be a mapping of fields (version, project, tiers, ...), but its top level is a single value ("hello")'],
    ['duplicate keys', 'a: 1\nb: 2\na: 3\n', '3:1 GNT006 duplicate key "a": it is written on line 1 and again on line 3'],
    ['nested duplicate keys', 'tiers:\n  web: {}\n  web: {}\n', '3:3 GNT006 duplicate key "web": it is written on line 2 and again on line 3'],
    ['two documents', 'a: 1\n---\nb: 2\n', '1:1 GNT009 the spec holds 2 YAML documents (separated by "---"); gantry reads exactly one'],
    ['a CloudFormation tag', 'a: !Ref Thing\n', '1:4 GNT010 unsupported YAML tag !Ref: a spec holds plain values only'],
    ['broken YAML', 'a: [1, 2\nb: 3\n', expect.stringMatching(/^\d+:\d+ GNT005 not valid YAML: /)],
    ['a complex key', '? [a, b]\n: 1\n', '1:3 GNT005 not valid YAML for a spec: a mapping key must be a plain value, not a list or mapping'],
  ])('rejects %s', (_name, text, expected) => {
    expect(failure(text)).toEqual(expected);
  });

  it('rejects an alias bomb before expanding it', () => {
    // GIVEN the "billion laughs": nine levels of nine aliases each
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let level = 1; level < 9; level++) {
      const prev = String.fromCharCode(96 + level);
      const name = String.fromCharCode(97 + level);
      lines.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    // WHEN it is loaded THEN it is refused as a bomb
    expect(failure(`${lines.join('\n')}\n`)).toMatch(/GNT007 the spec's YAML aliases expand to more than 100000 nodes/);
  });

  it('rejects too many aliases', () => {
    const text = `x: &x 1\nlist: [${Array(101).fill('*x').join(', ')}]\n`;
    expect(failure(text)).toMatch(/GNT007 the spec uses more than 100 YAML aliases/);
  });

  it('accepts a few honest aliases', () => {
    const result = load('shared: &s { min: 2 }\na: *s\nb: *s\n');
    expect(result.ok && result.spec.data).toEqual({ shared: { min: 2 }, a: { min: 2 }, b: { min: 2 } });
  });

  test.each([
    ['a NUL byte', Buffer.from('a: 1\n\0\n'), 'GNT003 the spec is a binary file (a NUL byte at offset 5), not YAML text'],
    ['invalid UTF-8', Buffer.from([0x61, 0x3a, 0x20, 0xc3, 0x28, 0x0a]), 'GNT003 the spec is not valid UTF-8 text'],
    ['UTF-16', Buffer.from('\ufeffa: 1\n', 'utf16le'), 'GNT003 the spec is encoded as UTF-16; gantry reads UTF-8'],
    ['over 1 MiB', Buffer.alloc(MAX_SPEC_BYTES + 1, 0x20), `GNT002 the spec is ${MAX_SPEC_BYTES + 1} bytes; gantry reads specs of at most 1 MiB (1048576 bytes)`],
  ])('rejects %s', (_name, bytes, expected) => {
    expect(failure(bytes)).toBe(`1:1 ${expected}`);
  });
});

describe('loadSpecFile', () => {
  it('reports a missing file as unreadable', () => {
    const result = loadSpecFile(path.join(tempDir(), 'missing.yaml'));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.unreadable).toBe(true);
    expect(!result.ok && result.diagnostics[0]?.code).toBe('GNT001');
  });

  it('reports a directory as unreadable', () => {
    const result = loadSpecFile(tempDir());
    expect(!result.ok && result.diagnostics[0]?.message).toMatch(/is a directory/);
  });

  it('refuses a huge file by its size, without reading it', () => {
    const file = path.join(tempDir(), 'huge.yaml');
    fs.writeFileSync(file, Buffer.alloc(3 * MAX_SPEC_BYTES, 0x61));
    const result = loadSpecFile(file);
    expect(!result.ok && !result.unreadable && result.diagnostics[0]?.code).toBe('GNT002');
  });
});
