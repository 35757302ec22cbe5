import fs from 'node:fs';
import type { CommandModule } from 'yargs';
import { readBootstrapStates, readChangeSets } from '../../github/change-sets';
import { createGithubClient } from '../../github/client';
import { COMMENT_MARKER, renderChangeSetComment } from '../../github/comment-markdown';
import { upsertComment } from '../../github/sticky-comment';
import { ExitCode, UsageError, type CliIo } from '../io';
import type { SharedOptions } from '../options';

interface CommentOptions extends SharedOptions {
  repository: string;
  pr: number;
  'change-sets': string;
}

/**
 * `gantry comment`: one comment on the pull request with what its change sets would do, kept up
 * to date on every push; the same Markdown goes to the job summary.
 */
export function commentCommand(io: CliIo, exit: (code: number) => void): CommandModule<SharedOptions, CommentOptions> {
  return {
    command: 'comment',
    describe: "keep one pull-request comment with the change sets' summary (GITHUB_TOKEN, GITHUB_API_URL)",
    builder: (yargs) =>
      yargs
        .option('repository', { type: 'string', demandOption: true, describe: 'owner/name', requiresArg: true })
        .option('pr', { type: 'number', demandOption: true, describe: 'the pull request number', requiresArg: true })
        .option('change-sets', { type: 'string', demandOption: true, describe: 'the folder of describe-change-set JSON files', requiresArg: true })
        .example('$0 comment --repository acme/platform --pr 42 --change-sets change-sets', 'in the pull-request workflow'),
    handler: async (args) => {
      const [owner, repo, extra] = args.repository.split('/');
      if (!owner || !repo || extra !== undefined) throw new UsageError(`--repository must be owner/name, not "${args.repository}"`);
      if (!Number.isInteger(args.pr) || args.pr < 1) throw new UsageError('--pr must be a pull request number');
      if (!io.env.GITHUB_TOKEN) throw new UsageError('GITHUB_TOKEN is not set; the workflow passes github.token');
      const env = io.env;
      const runUrl = env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID
        ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}${env.GITHUB_RUN_ATTEMPT ? `/attempts/${env.GITHUB_RUN_ATTEMPT}` : ''}`
        : undefined;
      const body = renderChangeSetComment(readChangeSets(args['change-sets']), {
        commit: env.GANTRY_COMMIT_SHA || env.GITHUB_SHA, runUrl, bootstrap: readBootstrapStates(args['change-sets']),
      });
      if (io.env.GITHUB_STEP_SUMMARY) fs.appendFileSync(io.env.GITHUB_STEP_SUMMARY, body);
      try {
        const client = await createGithubClient(io.env);
        const result = await upsertComment(client, { owner, repo, pr: args.pr }, COMMENT_MARKER, body);
        io.stdout(`${result.action === 'created' ? 'Created' : 'Updated'} the change-set comment on ${owner}/${repo}#${args.pr}.\n`);
        exit(ExitCode.ok);
      } catch (error) {
        const status = (error as { status?: number }).status;
        io.stderr(`gantry: GitHub refused the comment${status ? ` (HTTP ${status})` : ''}: ${(error as Error).message}\n`);
        exit(ExitCode.invalid);
      }
    },
  };
}
