/** A generated file: where it goes under the output folder (with /), and its text. */
export interface Artifact {
  readonly path: string;
  readonly content: string;
}
