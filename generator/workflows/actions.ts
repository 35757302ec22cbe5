/**
 * Every action the generated workflows use, pinned to a full commit SHA (a tag can be moved; a
 * commit cannot). The versions and SHAs come from ../shared/design/facts.md, read from each
 * action's repository with `git rev-parse TAG^{commit}`.
 */
export const ACTIONS = {
  checkout: 'actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1', // v7.0.1
  setupNode: 'actions/setup-node@820762786026740c76f36085b0efc47a31fe5020', // v7.0.0
  configureAwsCredentials: 'aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c', // v6.2.3
  uploadArtifact: 'actions/upload-artifact@bbbca2ddaa5d8feaa63e36b76fdaad77386f024f', // v7.0.0
  downloadArtifact: 'actions/download-artifact@3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c', // v8.0.1
} as const;

/** The Node.js version the workflows install gantry with. */
export const NODE_VERSION = '22';
