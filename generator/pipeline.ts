import { hasErrors, type Diagnostic } from './diagnostics';
import type { EnvironmentSpecView } from './model/defaults';
import { resolveModel } from './model/resolve';
import type { SpecDocument } from './model/spec-types';
import type { PlatformModel } from './model/types';
import { loadSpecFile, type LoadedSpec } from './spec/load';
import { validateSpec } from './validate';

/** What reading a spec gave: the diagnostics, and the model when there were no errors. */
export interface SpecReport {
  readonly diagnostics: readonly Diagnostic[];
  /** The file could not be read at all (missing, a directory, no permission): exit 2. */
  readonly unreadable: boolean;
  readonly spec?: LoadedSpec;
  readonly model?: PlatformModel;
}

/** load → validate → resolve, for every command that reads a spec. Pure apart from reading the file. */
export function readSpec(file: string): SpecReport {
  const loaded = loadSpecFile(file);
  if (!loaded.ok) return { diagnostics: loaded.diagnostics, unreadable: loaded.unreadable };
  return checkLoadedSpec(loaded.spec);
}

export function checkLoadedSpec(spec: LoadedSpec): SpecReport {
  const { diagnostics, environments } = validateSpec(spec);
  if (hasErrors(diagnostics)) return { diagnostics, unreadable: false, spec };
  const document = spec.data as unknown as SpecDocument;
  const views = new Map<string, EnvironmentSpecView>(environments.map((environment) => [environment.name, environment.spec]));
  return { diagnostics, unreadable: false, spec, model: resolveModel(document, views, spec.file) };
}
