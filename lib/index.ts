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
export { EncryptionKey, type EncryptionKeyProps } from './constructs/encryption-key.js';
export { BaselineTable, type BaselineTableProps } from './constructs/baseline-table.js';
export { Alerting, type AlertingProps } from './constructs/alerting.js';
export { OnFailureQueue, type OnFailureQueueProps } from './constructs/on-failure-queue.js';
export { Operations, type OperationsProps, type WatchedFunction } from './constructs/operations.js';
export { ManagementEventTrail, type ManagementEventTrailProps } from './constructs/management-event-trail.js';
export { LogSubscription, type LogSubscriptionProps } from './constructs/log-subscription.js';
