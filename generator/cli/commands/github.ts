import type { CommandModule } from 'yargs';
import { createGithubClient, GithubError } from '../../github/client';
import { setupEnvironments } from '../../github/setup';
import { ExitCode, UsageError, type CliIo } from '../io';
import type { SharedOptions } from '../options';
import { modelOrExit } from './plan';

interface SetupOptions extends SharedOptions {
  repository?: string;
}

/** `gantry github setup`: the repository's GitHub environments, as the spec describes them. */
export function githubCommand(io: CliIo, exit: (code: number) => void): CommandModule<SharedOptions, SharedOptions> {
  return {
    command: 'github <action>',
    describe: 'set up the GitHub side: environments with reviewers and a deploy-branch policy',
    builder: (yargs) =>
      yargs.command<SetupOptions>({
        command: 'setup',
        describe: "create or update a GitHub environment per spec environment (GITHUB_TOKEN with the repository's admin rights)",
        builder: (setup) => setup
          .option('repository', { type: 'string', describe: 'owner/name (default: github.repository of the spec)', requiresArg: true })
          .example('$0 github setup', 'after creating the repository, and whenever approval or reviewers change'),
        handler: async (args) => {
          const read = modelOrExit(args, io);
          if ('exit' in read) return exit(read.exit);
          const { report } = read;
          const repository = args.repository ?? report.model.github.repository;
          const [owner, repo, extra] = repository.split('/');
          if (!owner || !repo || extra !== undefined) throw new UsageError(`--repository must be owner/name, not "${repository}"`);
          if (!io.env.GITHUB_TOKEN) throw new UsageError('GITHUB_TOKEN is not set; use a token with admin rights on the repository');
          try {
            const results = await setupEnvironments(createGithubClient(io.env), report.model, owner, repo);
            for (const r of results) {
              io.stdout(`${r.environment}: deploys from ${r.branch} only; ${r.reviewers.length > 0 ? `reviewers ${r.reviewers.join(', ')}` : 'no required reviewers'}\n`);
              for (const note of r.notes) io.stdout(`  note: ${note}\n`);
            }
            exit(ExitCode.ok);
          } catch (error) {
            if (!(error instanceof GithubError)) throw error;
            io.stderr(`gantry: the GitHub environments were not set up: ${error.message}\n`);
            exit(ExitCode.invalid);
          }
        },
      }).demandCommand(1, 'name a github action: setup'),
    handler: () => undefined,
  };
}
