/**
 * A typed GitHub Actions workflow, as projen's workflows-model types one: `permissions` is
 * required on every job, so no job runs with the repository's default token rights.
 * @see https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax
 */
export type Permission = 'read' | 'write' | 'none';
export type Permissions = Partial<Record<'contents' | 'id-token' | 'pull-requests' | 'actions', Permission>>;

export interface Step {
  readonly name?: string;
  readonly id?: string;
  readonly if?: string;
  readonly uses?: string;
  readonly with?: Readonly<Record<string, string | number | boolean>>;
  readonly env?: Readonly<Record<string, string>>;
  readonly run?: string;
  readonly shell?: string;
  readonly 'continue-on-error'?: boolean;
}

export interface Job {
  readonly name?: string;
  readonly needs?: readonly string[];
  readonly if?: string;
  readonly 'runs-on': string;
  readonly environment?: string;
  readonly permissions: Permissions;
  readonly concurrency?: { readonly group: string; readonly 'cancel-in-progress': boolean };
  readonly 'timeout-minutes': number;
  readonly strategy?: { readonly 'fail-fast': boolean; readonly 'max-parallel'?: number; readonly matrix: Readonly<Record<string, unknown>> };
  readonly env?: Readonly<Record<string, string>>;
  readonly steps: readonly Step[];
}

export interface Workflow {
  /** File name, without the folder: gantry-<name>.yml */
  readonly file: string;
  readonly name: string;
  readonly on: Readonly<Record<string, unknown>>;
  /** Top-level default: none; each job asks for what it needs. */
  readonly permissions: Permissions;
  readonly concurrency?: { readonly group: string; readonly 'cancel-in-progress': boolean };
  readonly env?: Readonly<Record<string, string>>;
  readonly jobs: Readonly<Record<string, Job>>;
}

/** Where the generated workflows find the spec and gantry's output in the user's repository. */
export interface WorkflowContext {
  readonly specFile: string;
  readonly outDir: string;
  readonly workflowsDir: string;
}
