import fs from 'node:fs';
import path from 'node:path';
import type { Argv } from 'yargs';
import { hasErrors } from '../../diagnostics';
import type { PlatformModel } from '../../model/types';
import { readSpec, type SpecReport } from '../../pipeline';
import { formatReport } from '../../report';
import type { Artifact } from '../../artifact';
import { runningProvenance, type Provenance } from '../../write/fingerprint';
import { MANIFEST_FILE, WORKFLOWS_MANIFEST_FILE } from '../../write/manifest';
import type { WritePlan } from '../../write/writer';
import { ExitCode, type CliIo } from '../io';
import { dataOut, reportOptions, type SharedOptions } from '../options';

/** A folder gantry writes, with what it writes there and where that folder's manifest is. */
export interface WriteTarget {
  /** The option that names the folder (for messages). */
  readonly option: '--out' | '--workflows';
  readonly outDir: string;
  readonly specFile: string;
  readonly artifacts: readonly Artifact[];
  readonly manifestFile: string;
  readonly provenance?: Provenance;
}

/**
 * What generate, check and diff share: read and validate the spec, and build every file of the
 * output folder and the workflows folder (each with its own manifest, both kept in the output
 * folder). An invalid spec prints its diagnostics and gives an exit code instead; nothing is written.
 */
export function targetsFromSpec(args: SharedOptions, io: CliIo, read = modelOrExit(args, io)): { targets: WriteTarget[]; model: PlatformModel } | { exit: number } {
  if ('exit' in read) return read;
  const { report } = read;
  if (report.diagnostics.length > 0) {
    // Warnings: beside the command's own messages, or on stdout with --format json (the only JSON there).
    const options = reportOptions(args.format, io);
    (options.format === 'json' ? dataOut(io) : io.stderr)(formatReport(args.spec, report.diagnostics, options));
  }
  const { buildOutputFiles, buildWorkflows } = buildSide();
  const slashes = (p: string) => p.split(path.sep).join('/');
  const context = { specFile: slashes(args.spec), outDir: slashes(args.out), workflowsDir: slashes(args.workflows) };
  const source = specProvenance(args);
  return {
    model: report.model,
    targets: [
      { option: '--out', outDir: args.out, specFile: args.spec, artifacts: buildOutputFiles(report.model, context.outDir), manifestFile: path.join(args.out, MANIFEST_FILE), provenance: source },
      { option: '--workflows', outDir: args.workflows, specFile: args.spec, artifacts: buildWorkflows(report.model, context), manifestFile: path.join(args.out, WORKFLOWS_MANIFEST_FILE), provenance: source },
    ],
  };
}

/** What the files of generate, check and diff are made from, and by which build of gantry (recorded in the manifests). */
export function specProvenance(args: SharedOptions): Provenance {
  return runningProvenance({ specText: fs.readFileSync(args.spec, 'utf8'), specFile: args.spec, outDir: args.out, workflowsDir: args.workflows });
}

/** Compares each target with its folder (the manifests checked first; see planWrite). */
export function planTargets(targets: readonly WriteTarget[]): WritePlan[] {
  const { planWrite } = buildSide();
  return targets.map((t) => planWrite(t.outDir, t.specFile, t.artifacts, { manifestFile: t.manifestFile, provenance: t.provenance }));
}

/** The plans of check and diff: the spec's files compared with the folders, nothing written. */
export function planFromSpec(args: SharedOptions, io: CliIo, read = modelOrExit(args, io)): { plans: WritePlan[] } | { exit: number } {
  const built = targetsFromSpec(args, io, read);
  if ('exit' in built) return built;
  return { plans: planTargets(built.targets) };
}

/**
 * Reads the spec for a command that needs its model. An invalid spec prints its diagnostics and
 * gives the exit code instead (2 when the file cannot be read, 1 when it is invalid).
 */
export function modelOrExit(args: SharedOptions, io: CliIo): { report: SpecReport & { model: PlatformModel } } | { exit: number } {
  const report = readSpec(args.spec);
  if (!report.model || hasErrors(report.diagnostics)) {
    dataOut(io)(formatReport(args.spec, report.diagnostics, reportOptions(args.format, io)));
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
    ...(require('../../write/transaction') as typeof import('../../write/transaction')),
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
