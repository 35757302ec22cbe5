import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeDirectories } from '../../../generator/write/directories';
import { describeFileSystemError } from '../../../generator/write/errors';

const temp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-dirs-'));

describe('makeDirectories', () => {
  it('makes a folder and its missing parents, and accepts one that exists', () => {
    const root = temp();
    const deep = path.join(root, 'a', 'b', 'c');
    makeDirectories(deep);
    expect(fs.statSync(deep).isDirectory()).toBe(true);
    expect(() => makeDirectories(deep)).not.toThrow();
    expect(() => makeDirectories(root)).not.toThrow();
  });

  it('refuses a file in the way', () => {
    const root = temp();
    fs.writeFileSync(path.join(root, 'file'), '');
    expect(() => makeDirectories(path.join(root, 'file'))).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    expect(() => makeDirectories(path.join(root, 'file', 'sub'))).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
  });

  (fs.existsSync('/proc/self') ? it : it.skip)('returns with an error where the file system refuses the folder (Node\'s recursive mkdir never returns there)', () => {
    // Run in a child with a deadline, so that a regression fails instead of hanging the suite.
    const script = `
      require('ts-node').register({ transpileOnly: true });
      const { makeDirectories } = require(${JSON.stringify(path.join(__dirname, '../../../generator/write/directories.ts'))});
      try { makeDirectories('/proc/gantry-test/sub'); process.stdout.write('made'); } catch (e) { process.stdout.write(JSON.stringify({ code: e.code, syscall: e.syscall, path: e.path })); }`;
    const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(result.signal).toBeNull();
    const error = JSON.parse(result.stdout);
    expect(error).toEqual({ code: 'ENOENT', syscall: 'mkdir', path: '/proc/gantry-test' });
    expect(describeFileSystemError(error)).toBe('the file system refuses a folder at /proc/gantry-test (a virtual one, such as /proc?); choose another folder (ENOENT, mkdir)');
  });
});
