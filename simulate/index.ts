/**
 * Public surface of the traffic simulator (`nhi-watch simulate`): the simulate function, the
 * identity-key helper labels and contracts use, and the output types.
 */
export { simulate, resolveOptions, DEFAULT_START_MS } from './simulate.js';
export { cloudTrailArchive, type ArchiveObject, type ArchiveOptions } from './archive.js';
export { identityKeyHint, type IdentityRef } from './identity-key.js';
export { ALL_NETWORKS, NETWORKS, networkOf, type NetworkBlock } from './networks.js';
export {
  SIMULATED_RULE_IDS,
  type ApiGatewayAccessLogLine,
  type CloudTrailRecord,
  type Label,
  type LabelSource,
  type SimulatedRuleId,
  type SimulateOptions,
  type SimulationMeta,
  type SimulationResult,
} from './types.js';
