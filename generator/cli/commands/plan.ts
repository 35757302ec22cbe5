import path from 'node:path';
import type { Argv } from 'yargs';
import { hasErrors } from '../../diagnostics';
import type { PlatformModel } from '../../model/types';
import { readSpec, type SpecReport } from '../../pipeline';
import { formatReport } from '../../report';
import { WORKFLOWS_MANIFEST_FILE } from '../../write/manifest';
import type { WritePlan } from '../../write/writer';
import { ExitCode, type CliIo } from '../io';
import { reportOptions, type SharedOptions } from '../options';

/**
 * What generate, check and diff share: read and validate the spec, build every file, and compare
 * with the output folder and the workflows folder (each with its own manifest). An invalid spec prints its diagnostics and gives an exit code instead of
 * a plan; nothing is written.
 */
export function planFromSpec(args: SharedOptions, io: CliIo): { plans: WritePlan[] } | { exit: number } {
  const read = modelOrExit(args, io);
  if ('exit' in read) return read;
  const { report } = read;
  if (report.diagnostics.length > 0) io.stderr(formatReport(args.spec, report.diagnostics, reportOptions(args.format, io)));
  const { buildOutputFiles, buildWorkflows, planWrite } = buildSide();
  const slashes = (p: string) => p.split(path.sep).join('/');
  const context = { specFile: slashes(args.spec), outDir: slashes(args.out), workflowsDir: slashes(args.workflows) };
  return {
    plans: [
      planWrite(args.out, args.spec, buildOutputFiles(report.model, context.outDir)),
      planWrite(args.workflows, args.spec, buildWorkflows(report.model, context), { manifestFile: path.join(args.out, WORKFLOWS_MANIFEST_FILE) }),
    ],
  };
}

/**
 * Reads the spec for a command that needs its model. An invalid spec prints its diagnostics and
 * gives the exit code instead (2 when the file cannot be read, 1 when it is invalid).
 */
export function modelOrExit(args: SharedOptions, io: CliIo): { report: SpecReport & { model: PlatformModel } } | { exit: number } {
  const report = readSpec(args.spec);
  if (!report.model || hasErrors(report.diagnostics)) {
    io.stdout(formatReport(args.spec, report.diagnostics, reportOptions(args.format, io)));
    return { exit: report.unreadable ? ExitCode.usage : ExitCode.invalid };
  }
  return { report: report as SpecReport & { model: PlatformModel } };
}

/**
 * The building side of gantry (aws-cdk-lib, the writer), loaded only by the commands that build:
 * `validate` and `init` must stay as fast as a bare Node start allows.
 */
export function buildSide() {
  /* eslint-disable @typescript-eslint/no-require-imports */
  return {
    ...(require('../../output') as typeof import('../../output')),
    ...(require('../../workflows/registry') as typeof import('../../workflows/registry')),
    ...(require('../../write/writer') as typeof import('../../write/writer')),
    ...(require('../../stacks/template-bytes') as typeof import('../../stacks/template-bytes')),
    ...(require('../../export/bundle') as typeof import('../../export/bundle')),
    ...(require('../../export/stacksets') as typeof import('../../export/stacksets')),
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
}

/** Examples shown in every writing command's --help. */
export function withOutputExamples<T>(yargs: Argv<T>, command: string, what: string): Argv<T> {
  return yargs
    .example(`$0 ${command}`, what)
    .example(`$0 ${command} --spec platform.yaml --out infra/generated`, 'another spec and output folder');
}
