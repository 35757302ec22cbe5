import type { CommandModule } from 'yargs';
import { didYouMean } from '../../util/suggest';
import { createGithubClient, GithubError } from '../../github/client';
import { setupEnvironments } from '../../github/setup';
import { ExitCode, UsageError, type CliIo } from '../io';
import type { SharedOptions } from '../options';
import { modelOrExit } from './plan';

interface SetupOptions extends SharedOptions {
  repository?: string;
  'dry-run'?: boolean;
}

const SETUP_DESCRIBE = "create or update a GitHub environment per spec environment (GITHUB_TOKEN with the repository's admin rights)";

/** `gantry github setup`: the repository's GitHub environments, as the spec describes them. */
export function githubCommand(io: CliIo, exit: (code: number) => void): CommandModule<SharedOptions, SharedOptions & { action?: string }> {
  return {
    builder: (yargs) =>
      yargs.command<SetupOptions>({
        command: 'setup',
        describe: SETUP_DESCRIBE,
        builder: (setup) => setup
          .option('repository', { type: 'string', describe: 'owner/name (default: github.repository of the spec)', requiresArg: true })
          .option('dry-run', { type: 'boolean', default: false, describe: 'only read: list what setup would change, and change nothing' })
          .example('$0 github setup', 'after creating the repository (before the first push), and whenever approval or reviewers change')
          .example('$0 github setup --dry-run', 'what setup would change'),
        handler: async (args) => {
          const read = modelOrExit(args, io);
          if ('exit' in read) return exit(read.exit);
          const { report } = read;
          const repository = args.repository ?? report.model.github.repository;
          const [owner, repo, extra] = repository.split('/');
          if (!owner || !repo || extra !== undefined) throw new UsageError(`--repository must be owner/name, not "${repository}"`);
          if (!io.env.GITHUB_TOKEN) throw new UsageError('GITHUB_TOKEN is not set; use a token with admin rights on the repository');
          try {
            const dryRun = args['dry-run'] === true;
            const result = await setupEnvironments(createGithubClient(io.env), report.model, owner, repo, { dryRun });
            io.stdout(`${owner}/${repo}: owner id ${result.repository.ownerId}, repository id ${result.repository.repositoryId}\n`);
            if (result.repository.advice) io.stdout(`  note: ${result.repository.advice}\n`);
            for (const r of result.environments) {
              if (dryRun) {
                io.stdout(r.changes.length === 0 ? `${r.environment}: already right (deploys from ${r.branch} only)\n` : `${r.environment}: would ${r.changes.join('; ')}\n`);
              } else {
                io.stdout(`${r.environment}: deploys from ${r.branch} only; ${r.reviewers.length > 0 ? `reviewers ${r.reviewers.join(', ')}` : 'no required reviewers'}\n`);
              }
              for (const note of r.notes) io.stdout(`  note: ${note}\n`);
            }
            if (dryRun) io.stdout('Dry run: nothing was changed.\n');
            exit(ExitCode.ok);
          } catch (error) {
            if (!(error instanceof GithubError)) throw error;
            io.stderr(`gantry: the GitHub environments were not set up: ${error.message}\n`);
            exit(ExitCode.invalid);
          }
        },
      }).positional('action', { type: 'string', describe: 'setup' }),
    // Reached only without a known action: list the actions rather than yargs' "Not enough non-option arguments".
    handler: (args) => {
      const actions = `gantry github has one action:\n  gantry github setup   ${SETUP_DESCRIBE}`;
      throw new UsageError(args.action ? `there is no github action "${args.action}"; ${didYouMean(args.action, ['setup']) ?? 'the only one is setup'}\n${actions}` : `name an action.\n${actions}`);
    },
  };
}
