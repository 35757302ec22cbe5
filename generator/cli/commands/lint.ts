import fs from 'node:fs';
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { checkTemplateRules, describeRules } from '../../lint/template-rules';
import { startTemplateValidation } from '../../lint/validate-templates';
import { hasHeader } from '../../render/yaml';
import { ExitCode, type CliIo } from '../io';
import { dataOut, reportOptions, type SharedOptions } from '../options';

/**
 * `gantry lint`: gantry's deploy-time rules (what AWS rejects when a template deploys, which
 * validators miss) and AWS's CloudFormation validator over the generated templates in --out, each
 * finding with its file, line and logical id. Kept off the generate path, which stays fast.
 */
export function lintCommand(io: CliIo, exit: (code: number) => void): CommandModule<SharedOptions, SharedOptions> {
  return {
    builder: (yargs) => yargs.example('$0 lint', 'check every template under output/')
      .option('rules', { type: 'boolean', default: false, describe: "list gantry's deploy-time rules with their sources, and exit" })
      .epilog('Exit codes: 0 no errors or warnings, 1 findings, 2 no generated templates to read.'),
    handler: async (args) => {
      if ((args as { rules?: boolean }).rules) {
        io.stdout(describeRules());
        return exit(ExitCode.ok);
      }
      const templates = generatedTemplates(args.out);
      if (templates.length === 0) {
        io.stderr(`gantry: no generated templates under ${args.out}; run "gantry generate" first\n`);
        return exit(ExitCode.usage);
      }
      // AWS's validator builds its engine in a process of its own while gantry's rules run here.
      const validation = startTemplateValidation(templates);
      const [own, aws] = await Promise.all([Promise.resolve().then(() => checkTemplateRules(templates)), validation]);
      const findings = [...own, ...aws];
      if (reportOptions(args.format, io).format === 'json') {
        dataOut(io)(`${JSON.stringify({ templates: templates.length, findings: findings.map((f) => ({ ...f, file: path.join(args.out, f.file) })) }, null, 2)}\n`);
      }
      for (const f of findings) {
        io.stdout(`${path.join(args.out, f.file)}:${f.line}:${f.column}: ${f.severity} ${f.ruleId}${f.logicalId ? ` ${f.logicalId}` : ''}: ${f.message}\n`);
      }
      io.stdout(findings.length === 0
        ? `✔ ${templates.length} templates under ${args.out}: no findings\n`
        : `✖ ${templates.length} templates under ${args.out}: ${findings.length} findings\n`);
      return exit(findings.length === 0 ? ExitCode.ok : ExitCode.invalid);
    },
  };
}

/** Every template gantry generated under a folder (YAML with its header). */
function generatedTemplates(outDir: string): { path: string; content: string }[] {
  const found: { path: string; content: string }[] = [];
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith('.yaml')) {
        const content = fs.readFileSync(file, 'utf8');
        if (hasHeader(content) && /^Resources:/m.test(content)) found.push({ path: path.relative(outDir, file).split(path.sep).join('/'), content });
      }
    }
  };
  walk(outDir);
  return found;
}
