/**
 * The log handlers' Powertools logger and metrics, apart from their production wiring: the handler
 * modules need them at import (middy's middlewares), while the wiring — AWS SDK clients,
 * configuration, the IP database — is loaded on the first invocation (production.ts), so that
 * importing a handler stays cheap.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/** Structured logger of the handlers (POWERTOOLS_SERVICE_NAME, POWERTOOLS_LOG_LEVEL from the environment). */
export const logger = new Logger();
/** EMF metrics of the handlers (POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_SERVICE_NAME from the environment). */
export const metrics = new Metrics();
