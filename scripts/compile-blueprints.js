// Build step: parses each blueprints/<name>.yaml once, with the reader CfnInclude uses
// (CloudFormation's YAML and its short-form tags), into dist/blueprints/<name>.json beside the
// SHA-256 of the YAML it came from. generator/stacks/cdk.ts serves these to CfnInclude instead of
// parsing YAML on every run, and parses the YAML itself whenever the hash no longer matches.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const cdk = path.dirname(require.resolve('aws-cdk-lib/package.json'));
const { readYamlSync } = require(path.join(cdk, 'cloudformation-include/lib/file-utils.js'));
const out = path.join(root, 'dist/blueprints');
fs.mkdirSync(out, { recursive: true });
for (const file of fs.readdirSync(path.join(root, 'blueprints')).filter((f) => f.endsWith('.yaml')).sort()) {
  const yaml = path.join(root, 'blueprints', file);
  const source = crypto.createHash('sha256').update(fs.readFileSync(yaml)).digest('hex');
  fs.writeFileSync(path.join(out, file.replace(/\.yaml$/, '.json')), `${JSON.stringify({ source, template: readYamlSync(yaml) })}\n`);
}
