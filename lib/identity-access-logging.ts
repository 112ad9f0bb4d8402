import { Token } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigatewayv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  IDENTITY_ACCESS_LOG_FORMAT_HTTP,
  IDENTITY_ACCESS_LOG_FORMAT_REST,
  renderAccessLogFormat,
} from '../lambdas/core/sources/api-gateway.js';
import { LogSubscription } from './constructs/log-subscription.js';
import type { NhiWatch } from './nhi-watch.js';

/** Name prefix of the access-log groups this helper creates: `<prefix><api id>/<stage>`. */
export const ACCESS_LOG_GROUP_PREFIX = '/nhi-watch/access-logs/';

/** Properties of {@link IdentityAccessLogging}. */
export interface IdentityAccessLoggingProps {
  /** The stage to log: a RestApi's `deploymentStage` (or a `Stage`), or an HttpApi's `defaultStage` / `HttpStage`. */
  readonly stage: apigateway.Stage | apigatewayv2.IHttpStage;
  /** The nhi-watch instance whose API Gateway function consumes the logs. */
  readonly nhiWatch: NhiWatch;
  /** @default the `retention.accessLogDays` of nhi-watch's configuration */
  readonly retention?: logs.RetentionDays;
}

/** Thrown when a stage cannot be given the identity format (imported, or already logging elsewhere). */
export class IdentityAccessLoggingError extends Error {
  override readonly name = 'IdentityAccessLoggingError';
}

/**
 * Turns identity logging on for an API in one line: gives the stage nhi-watch's identity-rich JSON
 * access-log format (who called, with which credential, from where, authn / authz results), writes it to a
 * new log group encrypted with nhi-watch's key, and subscribes that group to nhi-watch's API function.
 *
 * ```ts
 * new IdentityAccessLogging(this, 'OrdersIdentityLogging', { stage: api.deploymentStage, nhiWatch });
 * ```
 *
 * REST APIs need API Gateway's account-level CloudWatch Logs role in the region (`cloudWatchRole: true` on
 * one RestApi, or `aws apigateway update-account`); HTTP APIs do not.
 */
export class IdentityAccessLogging extends Construct {
  /** The access-log group. */
  readonly logGroup: logs.ILogGroup;
  /** The format applied, as the stage receives it. */
  readonly format: string;

  constructor(scope: Construct, id: string, props: IdentityAccessLoggingProps) {
    super(scope, id);
    const cfnStage = props.stage.node.defaultChild;

    let apiId: string;
    let stageName: string | undefined;
    if (cfnStage instanceof apigateway.CfnStage) {
      this.format = renderAccessLogFormat(IDENTITY_ACCESS_LOG_FORMAT_REST);
      apiId = cfnStage.restApiId;
      stageName = cfnStage.stageName;
    } else if (cfnStage instanceof apigatewayv2.CfnStage) {
      this.format = renderAccessLogFormat(IDENTITY_ACCESS_LOG_FORMAT_HTTP);
      apiId = cfnStage.apiId;
      stageName = cfnStage.stageName;
    } else {
      throw new IdentityAccessLoggingError(
        `${props.stage.node.path}: not a stage defined in this app; for an API deployed elsewhere, set its ` +
          'access-log format by hand (README.md, "Deploy to AWS") and list its log group in apiGateway.logGroupNames.',
      );
    }
    const existing =
      cfnStage instanceof apigateway.CfnStage ? cfnStage.accessLogSetting : cfnStage.accessLogSettings;
    if (existing !== undefined) {
      throw new IdentityAccessLoggingError(
        `${props.stage.node.path}: the stage already has access logging; remove its access-log settings so ` +
          'nhi-watch can set the identity format and destination.',
      );
    }

    // Named after the API and stage when the stage name is known at synth (the stage's own reference
    // would make the group and the stage depend on each other); `$default` becomes `default`.
    const nameSuffix =
      stageName === undefined || Token.isUnresolved(stageName)
        ? undefined
        : stageName.replace(/[^.\-_/#A-Za-z0-9]/g, '');
    const logGroup = new logs.LogGroup(this, 'AccessLogs', {
      ...(nameSuffix === undefined || nameSuffix === ''
        ? {}
        : { logGroupName: `${ACCESS_LOG_GROUP_PREFIX}${apiId}/${nameSuffix}` }),
      retention: props.retention ?? props.nhiWatch.accessLogRetentionDays,
      encryptionKey: props.nhiWatch.encryptionKey,
    });

    this.logGroup = logGroup;
    const setting = { destinationArn: logGroup.logGroupArn, format: this.format };
    if (cfnStage instanceof apigateway.CfnStage) cfnStage.accessLogSetting = setting;
    else cfnStage.accessLogSettings = setting;

    new LogSubscription(this, 'Subscription', {
      logGroup,
      function: props.nhiWatch.apiGatewayFunction,
    });
  }
}
