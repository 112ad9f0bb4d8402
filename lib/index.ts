/** The CDK side of nhi-watch, for use inside another CDK app. */
export { NhiWatch, BASELINE_TABLE_ACTIONS, type NhiWatchProps } from './nhi-watch.js';
export { NhiWatchStack, type NhiWatchStackProps } from './nhi-watch-stack.js';
export {
  IdentityAccessLogging,
  IdentityAccessLoggingError,
  ACCESS_LOG_GROUP_PREFIX,
  type IdentityAccessLoggingProps,
} from './identity-access-logging.js';
export {
  loadDeploymentConfig,
  parseDeploymentConfig,
  DeploymentConfigError,
  CONFIG_CONTEXT_KEY,
  CONFIG_FILE_CONTEXT_KEY,
  type DeploymentConfig,
} from './config.js';
export { buildNhiWatchApp } from './app.js';
