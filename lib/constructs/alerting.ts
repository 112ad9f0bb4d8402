import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { SEVERITY_LABELS } from '../config.js';

/** Properties of {@link Alerting}. */
export interface AlertingProps {
  /** Encrypts the topic. */
  readonly encryptionKey: kms.IKey;
  /** Addresses e-mailed every finding (each confirms its subscription once). @default none */
  readonly emails?: readonly string[];
  /** Only findings of these severities are e-mailed. @default every severity */
  readonly emailSeverities?: readonly (typeof SEVERITY_LABELS)[number][];
}

/**
 * Where findings go for people and machines: an encrypted, TLS-only SNS topic the functions publish every
 * finding to (with a `severity` message attribute), with the configured e-mail subscriptions, filtered by
 * severity when asked. More subscribers (SQS, Lambda, HTTPS) are added by the app.
 *
 * The topic is this construct's default child, so its logical id, and those of its subscriptions, are the
 * ones the construct's id gives (a replaced topic would drop every confirmed subscription).
 */
export class Alerting extends Construct {
  /** The findings topic. */
  readonly topic: sns.ITopic;

  constructor(scope: Construct, id: string, props: AlertingProps) {
    super(scope, id);
    const topic = new sns.Topic(this, 'Default', {
      displayName: 'nhi-watch findings',
      masterKey: props.encryptionKey,
      enforceSSL: true,
    });
    this.topic = topic;
    const filterPolicy =
      props.emailSeverities === undefined
        ? undefined
        : { severity: sns.SubscriptionFilter.stringFilter({ allowlist: [...props.emailSeverities] }) };
    for (const email of props.emails ?? []) {
      topic.addSubscription(
        new subscriptions.EmailSubscription(email, filterPolicy === undefined ? {} : { filterPolicy }),
      );
    }
  }

  /** A statement granting `sns:Publish` on the topic only (the key is granted apart). */
  publishStatement(): iam.PolicyStatement {
    return new iam.PolicyStatement({
      sid: 'PublishAlerts',
      actions: ['sns:Publish'],
      resources: [this.topic.topicArn],
    });
  }
}
