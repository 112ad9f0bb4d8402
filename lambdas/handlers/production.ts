/**
 * The handlers' production wiring in one call, built once per cold start: environment →
 * configuration → SDK clients → adapters. Clients get no endpoint here: the SDK resolves
 * `AWS_ENDPOINT_URL_<SERVICE>` (or the real AWS endpoint) itself, which is how the integration tests
 * point this very code at local servers. The log handlers do the same in two steps (configuration at
 * the first invocation, then production-aws.ts imported dynamically) so that importing them does not
 * load the AWS SDK.
 */
import { loadConfiguration } from './configuration.js';
import { readHandlerEnv } from './env.js';
import type { LogsHandlerDeps } from './pipeline-handler.js';
import { productionDepsFrom } from './production-aws.js';

export {
  DIGEST_THRESHOLD,
  SAFETY_MARGIN_MS,
  productionDepsFrom,
  productionRenderer,
  productionToAsff,
} from './production-aws.js';
export { logger, metrics } from './observability.js';

/** Build everything the handlers run with from the environment; throws ConfigurationError naming a bad variable. */
export function productionDeps(
  env: Readonly<Record<string, string | undefined>> = process.env,
): LogsHandlerDeps {
  const e = readHandlerEnv(env);
  return productionDepsFrom(e, loadConfiguration(e.nhiConfig));
}

/** Build once, on first use (kept here for callers of this module; the log handlers import once.ts). */
export { once } from './once.js';
