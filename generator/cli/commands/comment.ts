import fs from 'node:fs';
import type { CommandModule } from 'yargs';
import { readBootstrapStates, readChangeSets } from '../../github/change-sets';
import { createGithubClient, GithubError } from '../../github/client';
import { COMMENT_MARKER, renderChangeSetComment } from '../../github/comment-markdown';
import { commentAuthor, upsertComment } from '../../github/sticky-comment';
import { ExitCode, UsageError, type CliIo } from '../io';
import type { SharedOptions } from '../options';

interface CommentOptions extends SharedOptions {
  repository: string;
  pr: number;
  'change-sets': string;
  author?: string;
}

/**
 * `gantry comment`: one comment on the pull request with what its change sets would do, kept up
 * to date on every push; the same Markdown goes to the job summary.
 */
export function commentCommand(io: CliIo, exit: (code: number) => void): CommandModule<SharedOptions, CommentOptions> {
  return {
    builder: (yargs) =>
      yargs
        .option('repository', { type: 'string', demandOption: true, describe: 'owner/name', requiresArg: true })
        .option('pr', { type: 'number', demandOption: true, describe: 'the pull request number', requiresArg: true })
        .option('change-sets', { type: 'string', demandOption: true, describe: 'the folder of describe-change-set JSON files', requiresArg: true })
        .option('author', {
          type: 'string', requiresArg: true,
          describe: "the login whose comment gantry keeps (default: the token's user; github-actions[bot] for a workflow's GITHUB_TOKEN)",
        })
        .example('$0 comment --repository acme/platform --pr 42 --change-sets change-sets', 'in the pull-request workflow'),
    handler: async (args) => {
      const [owner, repo, extra] = args.repository.split('/');
      if (!owner || !repo || extra !== undefined) throw new UsageError(`--repository must be owner/name, not "${args.repository}"`);
      if (!Number.isInteger(args.pr) || args.pr < 1) throw new UsageError('--pr must be a pull request number');
      if (!io.env.GITHUB_TOKEN) throw new UsageError('GITHUB_TOKEN is not set; the workflow passes github.token');
      const changeSets = args['change-sets'];
      const stat = fs.statSync(changeSets, { throwIfNoEntry: false });
      // A wrong path must not post "no change sets were produced" as if the plans had run.
      if (!stat) throw new UsageError(`--change-sets ${changeSets} does not exist; name the folder the plan jobs' change sets were downloaded to`);
      if (!stat.isDirectory()) throw new UsageError(`--change-sets ${changeSets} is not a folder`);
      const env = io.env;
      const runUrl = env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID
        ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}${env.GITHUB_RUN_ATTEMPT ? `/attempts/${env.GITHUB_RUN_ATTEMPT}` : ''}`
        : undefined;
      const body = renderChangeSetComment(readChangeSets(changeSets), {
        commit: env.GANTRY_COMMIT_SHA || env.GITHUB_SHA, runUrl, bootstrap: readBootstrapStates(changeSets),
      });
      if (io.env.GITHUB_STEP_SUMMARY) fs.appendFileSync(io.env.GITHUB_STEP_SUMMARY, body);
      try {
        const client = createGithubClient(io.env);
        const author = await commentAuthor(client, args.author);
        const result = await upsertComment(client, { owner, repo, pr: args.pr }, COMMENT_MARKER, body, author);
        io.stdout(`${result.action === 'created' ? 'Created' : 'Updated'} the change-set comment on ${owner}/${repo}#${args.pr}.\n`);
        exit(ExitCode.ok);
      } catch (error) {
        if (!(error instanceof GithubError)) throw error;
        io.stderr(`gantry: the change-set comment was not posted: ${error.message}\n`);
        exit(ExitCode.invalid);
      }
    },
  };
}
