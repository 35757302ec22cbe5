import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * The one ajv configuration, shared by the runtime and the build-time compiler
 * (`scripts/compile-schema.js` turns the schema into standalone code so `gantry validate` does not
 * pay ~100 ms of schema compilation on every run).
 */
export function createAjv(options: { standalone?: boolean } = {}): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    // verbose: errors carry the failing data and schema, which the messages quote.
    verbose: true,
    strict: true,
    // `database`, `edge` and `budget` add `required` beside an allOf, so overrides can reuse the
    // same definitions without it.
    strictRequired: false,
    allowUnionTypes: true,
    code: options.standalone ? { source: true } : undefined,
  });
  // An annotation VS Code and yaml-language-server show for pattern errors; the messages use it too.
  ajv.addKeyword({ keyword: 'patternErrorMessage', schemaType: 'string' });
  addFormats(ajv, ['email']);
  return ajv;
}

export function compileSchema(schema: object): ValidateFunction {
  return createAjv().compile(schema);
}
