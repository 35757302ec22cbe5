import fs from 'node:fs';
import type { CommandModule } from 'yargs';
import { SCHEMA_FILE } from '../../paths';
import { ExitCode, type CliIo } from '../io';
import { dataOut, type SharedOptions } from '../options';

/** `gantry schema`: prints the spec's JSON Schema, the reference for every field. */
export function schemaCommand(io: CliIo, exit: (code: number) => void): CommandModule<SharedOptions, SharedOptions> {
  return {
    builder: (yargs) => yargs.example('$0 schema > environment.schema.json', 'save it for an editor'),
    handler: () => {
      dataOut(io)(fs.readFileSync(SCHEMA_FILE, 'utf8'));
      exit(ExitCode.ok);
    },
  };
}
