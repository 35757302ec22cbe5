// Rebuilds data/cfn-handler-permissions.json from AWS's CloudFormation resource provider schemas.
// Usage: download and unzip https://schema.cloudformation.us-east-1.amazonaws.com/CloudformationSchema.zip,
// then: node scripts/refresh-handler-permissions.js --from DIR [--add AWS::Service::Type ...]
// Keeps every type already in the file (and adds those given with --add); for each, reads
// handlers.<op>.permissions from DIR/<type lower case, :: as ->.json, sorted and deduplicated.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const file = path.join(__dirname, '..', 'data', 'cfn-handler-permissions.json');
const args = process.argv.slice(2);
const from = args[args.indexOf('--from') + 1];
if (!args.includes('--from') || !from || !fs.existsSync(from)) {
  console.error('usage: node scripts/refresh-handler-permissions.js --from DIR [--add AWS::Service::Type ...]');
  process.exit(2);
}
const added = args.flatMap((a, i) => (args[i - 1] === '--add' ? [a] : []));
const current = JSON.parse(fs.readFileSync(file, 'utf8'));
const types = [...new Set([...Object.keys(current.types), ...added])].sort();
const out = {};
for (const type of types) {
  const schemaFile = path.join(from, `${type.toLowerCase().replace(/::/g, '-')}.json`);
  if (!fs.existsSync(schemaFile)) {
    out[type] = { handlers: null, note: `no provider schema ${path.basename(schemaFile)} in ${from}` };
    continue;
  }
  const handlers = JSON.parse(fs.readFileSync(schemaFile, 'utf8')).handlers;
  if (!handlers) {
    out[type] = { handlers: null, note: `provider schema ${path.basename(schemaFile)} has no handlers` };
    continue;
  }
  out[type] = Object.fromEntries(['create', 'read', 'update', 'delete', 'list']
    .filter((op) => handlers[op])
    .map((op) => [op, [...new Set(handlers[op].permissions ?? [])].sort()]));
}
const refreshed = {
  source: `AWS CloudFormation resource provider schemas (us-east-1), read from ${path.basename(path.resolve(from))} by scripts/refresh-handler-permissions.js`,
  notes: ['Each list holds the schema\'s handlers.<op>.permissions, sorted and deduplicated.'],
  types: out,
};
fs.writeFileSync(file, `${JSON.stringify(refreshed, null, 2)}\n`);
console.log(`${types.length} types written to ${path.relative(process.cwd(), file)}`);
