import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { headerLine } from '../../../generator/render/yaml';
import { describeFileSystemError, WriteFailure, WriteRefusal } from '../../../generator/write/errors';
import { LOCK_FILE } from '../../../generator/write/manifest';
import { withWriteLock } from '../../../generator/write/transaction';
import { applyPlans, applyWrite, planWrite } from '../../../generator/write/writer';
import { tempDir } from '../../helpers';

const header = headerLine('environment.yaml');
const file = (name: string, body: string) => ({ path: name, content: `${header}\n${body}\n` });
const OLD = [file('a.yaml', 'a: 1'), file('b.yaml', 'b: 1'), file('sub/c.yaml', 'c: 1')];
const NEW = [file('a.yaml', 'a: 2'), file('b.yaml', 'b: 2'), file('new/d.yaml', 'd: 1')];

function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of fs.readdirSync(dir, { recursive: true }).map(String).sort()) {
    const p = path.join(dir, name);
    out[name] = fs.statSync(p).isDirectory() ? '<dir>' : fs.readFileSync(p, 'utf8');
  }
  return out;
}

function oldOutput(): string {
  const out = path.join(tempDir(), 'output');
  if (!out.startsWith(os.tmpdir())) throw new Error('temporary folders only');
  applyWrite(planWrite(out, 'environment.yaml', OLD));
  return out;
}

function fsError(code: string, syscall: string, file: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${syscall} '${file}'`), { code, syscall, path: file });
}

afterEach(() => jest.restoreAllMocks());

describe('a file-system failure halfway through a write', () => {
  it('rolls back to the old tree when a rename fails (EACCES), and names the path', () => {
    const out = oldOutput();
    const before = tree(out);
    const rename = fs.renameSync;
    let renames = 0;
    jest.spyOn(fs, 'renameSync').mockImplementation((from, to) => {
      // the journal's own renames pass; the second rename of a staged file fails
      if (String(from).endsWith('.gantry-new') && ++renames === 2) throw fsError('EACCES', 'rename', String(to));
      return rename(from, to);
    });
    const run = () => applyWrite(planWrite(out, 'environment.yaml', NEW));
    expect(run).toThrow(WriteFailure);
    jest.restoreAllMocks();
    expect(tree(out)).toEqual(before);
    jest.spyOn(fs, 'renameSync').mockImplementation((from, to) => {
      if (String(from).endsWith('.gantry-new')) throw fsError('EACCES', 'rename', String(to));
      return rename(from, to);
    });
    expect(run).toThrow(/^cannot write: permission denied on .*a\.yaml; give your user write access .* \(EACCES, rename\)\. The previous files were put back\.$/);
    jest.restoreAllMocks();
    expect(tree(out)).toEqual(before);
  });

  it.each(['ENOSPC', 'EROFS'])('leaves the old tree when staging fails (%s)', (code) => {
    const out = oldOutput();
    const before = tree(out);
    const open = fs.openSync;
    let opens = 0;
    jest.spyOn(fs, 'openSync').mockImplementation(((file: fs.PathLike, flags: fs.OpenMode, mode?: fs.Mode) => {
      if (String(file).endsWith('.gantry-new') && ++opens === 2) throw fsError(code, 'open', String(file));
      return open(file, flags, mode);
    }) as typeof fs.openSync);
    expect(() => applyWrite(planWrite(out, 'environment.yaml', NEW))).toThrow(new RegExp(`\\(${code}, open\\)\\. Nothing was changed\\.$`));
    jest.restoreAllMocks();
    expect(tree(out)).toEqual(before);
  });

  it('describes each file-system error with what to do', () => {
    expect(describeFileSystemError(fsError('EROFS', 'open', '/ro/x'))).toBe('/ro/x is on a read-only file system; choose a writable folder (EROFS, open)');
    expect(describeFileSystemError(fsError('ENOSPC', 'write', '/x'))).toMatch(/no space left .* free some space/);
    expect(describeFileSystemError(fsError('EISDIR', 'open', '/x'))).toMatch(/is a folder where gantry expects a file/);
    expect(describeFileSystemError(fsError('ENOTDIR', 'mkdir', '/x/y'))).toMatch(/a part of \/x\/y is a file where gantry expects a folder/);
    expect(describeFileSystemError(new Error('a bug'))).toBeUndefined();
  });
});

describe('the lock', () => {
  it('refuses a second run while the first holds it, naming the holder', () => {
    const out = oldOutput();
    withWriteLock(out, () => {
      expect(() => withWriteLock(out, () => undefined)).toThrow(new RegExp(`is being written by another gantry \\(pid ${process.pid} on ${os.hostname()}, since .*\\); wait for it .* delete .*\\.gantry\\.lock`));
      expect(() => withWriteLock(out, () => undefined)).toThrow(WriteRefusal);
    });
    expect(fs.existsSync(path.join(out, LOCK_FILE))).toBe(false);
  });

  it('takes over a lock whose holder is no longer running here', () => {
    const out = oldOutput();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    fs.writeFileSync(path.join(out, LOCK_FILE), JSON.stringify({ pid: Number(dead), host: os.hostname(), started: '2026-01-01T00:00:00.000Z' }));
    expect(withWriteLock(out, () => 'ran')).toBe('ran');
    expect(fs.existsSync(path.join(out, LOCK_FILE))).toBe(false);
  });

  it('never judges a lock from another host', () => {
    const out = oldOutput();
    fs.writeFileSync(path.join(out, LOCK_FILE), JSON.stringify({ pid: 1, host: 'elsewhere.example', started: 'x' }));
    expect(() => withWriteLock(out, () => undefined)).toThrow(/pid 1 on elsewhere\.example/);
  });

  it('refuses to write when a file changed between the plan and the lock', () => {
    const out = oldOutput();
    const plan = planWrite(out, 'environment.yaml', NEW);
    fs.appendFileSync(path.join(out, 'b.yaml'), 'meanwhile: true\n');
    expect(() => withWriteLock(out, () => applyPlans(out, [plan]))).toThrow(/b\.yaml changed while gantry was working; nothing was written/);
    expect(fs.readFileSync(path.join(out, 'a.yaml'), 'utf8')).toBe(OLD[0]!.content);
  });
});
