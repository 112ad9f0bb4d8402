import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigatewayv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { parseDeploymentConfig } from '../../lib/config';
import { IdentityAccessLogging, IdentityAccessLoggingError } from '../../lib/identity-access-logging';
import {
  IDENTITY_ACCESS_LOG_FORMAT_HTTP,
  IDENTITY_ACCESS_LOG_FORMAT_REST,
} from '../../lambdas/core/sources/api-gateway';
import { NhiWatch } from '../../lib/nhi-watch';
import { NhiWatchStack } from '../../lib/nhi-watch-stack';
import { REPO_ROOT, SKIP_BUNDLING } from './synth';

const config = parseDeploymentConfig(
  { cloudTrail: { mode: 'existing', logGroupName: 'aws-cloudtrail-logs-123456789012' } },
  { description: 'test', baseDir: REPO_ROOT },
);

const restApi = (scope: Stack, id: string): apigateway.RestApi => {
  const api = new apigateway.RestApi(scope, id, { cloudWatchRole: false });
  api.root.addMethod('GET', new apigateway.MockIntegration());
  return api;
};

describe('IdentityAccessLogging', () => {
  describe('for APIs in an application stack next to the nhi-watch stack', () => {
    let app: App;
    let nhiWatchStack: NhiWatchStack;
    let apiStack: Stack;
    let api: Template;

    beforeAll(() => {
      app = new App({ context: SKIP_BUNDLING });
      nhiWatchStack = new NhiWatchStack(app, 'NhiWatch', { config });
      apiStack = new Stack(app, 'Apis');
      const nhiWatch = nhiWatchStack.nhiWatch;

      new IdentityAccessLogging(apiStack, 'OrdersIdentityLogging', {
        stage: restApi(apiStack, 'Orders').deploymentStage,
        nhiWatch,
      });
      new IdentityAccessLogging(apiStack, 'PartnersIdentityLogging', {
        stage: new apigatewayv2.HttpApi(apiStack, 'Partners').defaultStage!,
        nhiWatch,
        retention: logs.RetentionDays.ONE_YEAR,
      });
      api = Template.fromStack(apiStack);
    });

    it('gives a REST stage the identity format, delivered to its own log group', () => {
      const [stage] = Object.values(api.findResources('AWS::ApiGateway::Stage'));
      const setting = stage!['Properties'].AccessLogSetting;

      expect(JSON.parse(setting.Format)).toEqual(IDENTITY_ACCESS_LOG_FORMAT_REST);
      expect(setting.DestinationArn).toEqual({
        'Fn::GetAtt': [expect.stringMatching(/^OrdersIdentityLoggingAccessLogs/), 'Arn'],
      });
    });

    it('gives an HTTP stage the HTTP identity format', () => {
      const [stage] = Object.values(api.findResources('AWS::ApiGatewayV2::Stage'));
      const setting = stage!['Properties'].AccessLogSettings;

      expect(JSON.parse(setting.Format)).toEqual(IDENTITY_ACCESS_LOG_FORMAT_HTTP);
      expect(setting.DestinationArn).toEqual({
        'Fn::GetAtt': [expect.stringMatching(/^PartnersIdentityLoggingAccessLogs/), 'Arn'],
      });
    });

    it('names each access-log group after its API and stage', () => {
      const names = Object.values(api.findResources('AWS::Logs::LogGroup')).map((g) =>
        JSON.stringify(g['Properties'].LogGroupName),
      );

      expect(names).toEqual(
        expect.arrayContaining([
          expect.stringMatching(
            /^\{"Fn::Join":\["",\["\/nhi-watch\/access-logs\/",\{"Ref":"Orders[0-9A-F]+"\},"\/prod"\]\]\}$/,
          ),
          expect.stringMatching(
            /^\{"Fn::Join":\["",\["\/nhi-watch\/access-logs\/",\{"Ref":"Partners[0-9A-F]+"\},"\/default"\]\]\}$/,
          ),
        ]),
      );
    });

    it("encrypts the access logs with nhi-watch's key and keeps them for the configured period", () => {
      api.resourceCountIs('AWS::Logs::LogGroup', 2);
      api.hasResourceProperties('AWS::Logs::LogGroup', {
        RetentionInDays: config.retention.accessLogDays,
        KmsKeyId: { 'Fn::ImportValue': Match.stringLikeRegexp('NhiWatchKey') },
      });
      api.hasResourceProperties('AWS::Logs::LogGroup', {
        RetentionInDays: 365,
        KmsKeyId: { 'Fn::ImportValue': Match.stringLikeRegexp('NhiWatchKey') },
      });
    });

    it("subscribes each access-log group to nhi-watch's API Gateway function, with a permission scoped to it", () => {
      const filters = Object.values(api.findResources('AWS::Logs::SubscriptionFilter')).map(
        (f) => f['Properties'] as Record<string, unknown>,
      );
      expect(filters).toHaveLength(2);
      for (const filter of filters) {
        expect(filter.DestinationArn).toEqual({
          'Fn::ImportValue': expect.stringMatching(/ApiGatewayHandler/),
        });
        expect(filter.LogGroupName).toEqual({ Ref: expect.stringMatching(/IdentityLoggingAccessLogs/) });
      }
      const permissions = Object.values(api.findResources('AWS::Lambda::Permission')).map(
        (p) => p['Properties'] as Record<string, unknown>,
      );
      expect(permissions).toHaveLength(2);
      for (const permission of permissions) {
        expect(permission).toMatchObject({
          Principal: 'logs.amazonaws.com',
          FunctionName: { 'Fn::ImportValue': expect.stringMatching(/ApiGatewayHandler/) },
          SourceArn: { 'Fn::GetAtt': [expect.stringMatching(/IdentityLoggingAccessLogs/), 'Arn'] },
        });
      }
    });

    it('makes the application stack depend on the nhi-watch stack, never the reverse', () => {
      expect(apiStack.dependencies).toContain(nhiWatchStack);
      expect(nhiWatchStack.dependencies).toEqual([]);
      expect(() => app.synth()).not.toThrow();
    });
  });

  it('works with NhiWatch and the API in one stack of a user app', () => {
    const app = new App({ context: SKIP_BUNDLING });
    const stack = new Stack(app, 'Platform');
    const nhiWatch = new NhiWatch(stack, 'NhiWatch', { config });

    new IdentityAccessLogging(stack, 'OrdersIdentityLogging', {
      stage: restApi(stack, 'Orders').deploymentStage,
      nhiWatch,
    });

    Template.fromStack(stack).hasResourceProperties('AWS::Logs::SubscriptionFilter', {
      LogGroupName: { Ref: Match.stringLikeRegexp('^OrdersIdentityLoggingAccessLogs') },
      DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('ApiGatewayHandler'), 'Arn'] },
    });
  });

  it('refuses a stage that already logs elsewhere rather than silently redirecting its logs', () => {
    const app = new App({ context: SKIP_BUNDLING });
    const stack = new Stack(app, 'Platform');
    const nhiWatch = new NhiWatch(stack, 'NhiWatch', { config });
    const api = new apigateway.RestApi(stack, 'Orders', {
      cloudWatchRole: false,
      deployOptions: {
        accessLogDestination: new apigateway.LogGroupLogDestination(new logs.LogGroup(stack, 'Existing')),
        accessLogFormat: apigateway.AccessLogFormat.clf(),
      },
    });
    api.root.addMethod('GET', new apigateway.MockIntegration());

    expect(
      () => new IdentityAccessLogging(stack, 'Identity', { stage: api.deploymentStage, nhiWatch }),
    ).toThrow(IdentityAccessLoggingError);
  });

  it('refuses a stage imported from outside the app, pointing to the manual procedure', () => {
    const app = new App({ context: SKIP_BUNDLING });
    const stack = new Stack(app, 'Platform');
    const nhiWatch = new NhiWatch(stack, 'NhiWatch', { config });
    const imported = apigatewayv2.HttpStage.fromHttpStageAttributes(stack, 'Imported', {
      stageName: 'prod',
      api: apigatewayv2.HttpApi.fromHttpApiAttributes(stack, 'ImportedApi', { httpApiId: 'abc123' }),
    });

    expect(() => new IdentityAccessLogging(stack, 'Identity', { stage: imported, nhiWatch })).toThrow(
      /README\.md, "Deploy to AWS"/,
    );
  });
});
