/**
 * Prints nhi-watch's identity access-log format for a stage configured outside CDK (README.md, "Deploy to AWS"):
 *   access-log-format rest|http                      the format string
 *   access-log-format rest --destination <group ARN>  `aws apigateway update-stage --patch-operations` JSON
 *   access-log-format http --destination <group ARN>  `aws apigatewayv2 update-stage --access-log-settings` JSON
 */
import {
  IDENTITY_ACCESS_LOG_FORMAT_HTTP,
  IDENTITY_ACCESS_LOG_FORMAT_REST,
  renderAccessLogFormat,
} from '../lambdas/core/sources/api-gateway.js';

const [kind, flag, destination] = process.argv.slice(2);
const usage = 'usage: access-log-format rest|http [--destination <log group ARN>]\n';
if (
  (kind !== 'rest' && kind !== 'http') ||
  (flag !== undefined && (flag !== '--destination' || !destination))
) {
  process.stderr.write(usage);
  process.exit(2);
}
const format = renderAccessLogFormat(
  kind === 'rest' ? IDENTITY_ACCESS_LOG_FORMAT_REST : IDENTITY_ACCESS_LOG_FORMAT_HTTP,
);
// The group's ARN as API Gateway documents it; a trailing `:*` copied from describe-log-groups is dropped.
const arn = destination?.replace(/:\*$/, '');
const output =
  arn === undefined
    ? format
    : kind === 'rest'
      ? JSON.stringify([
          { op: 'replace', path: '/accessLogSettings/destinationArn', value: arn },
          { op: 'replace', path: '/accessLogSettings/format', value: format },
        ])
      : JSON.stringify({ DestinationArn: arn, Format: format });
process.stdout.write(`${output}\n`);
