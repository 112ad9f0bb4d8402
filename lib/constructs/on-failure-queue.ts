import { Duration, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Properties of {@link OnFailureQueue}. */
export interface OnFailureQueueProps {
  /** Encrypts the queue's messages. */
  readonly encryptionKey: kms.IKey;
  /** Days a parked message is kept before SQS drops it. */
  readonly retentionDays: number;
}

/**
 * Where nothing is lost: invocations every function gives up on after its retries, and findings that could
 * not be delivered, are parked here (encrypted, TLS-only) for inspection and redrive. The operations view
 * alarms on its depth.
 *
 * The queue is this construct's default child, so its logical id is the one the construct's id gives (a
 * replaced queue would delete the messages parked in it).
 */
export class OnFailureQueue extends Construct {
  /** The queue. */
  readonly queue: sqs.IQueue;

  constructor(scope: Construct, id: string, props: OnFailureQueueProps) {
    super(scope, id);
    this.queue = new sqs.Queue(this, 'Default', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(props.retentionDays),
    });
    Validations.of(this.queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is the functions' on-failure destination, i.e. the dead-letter queue itself; it is alarmed on depth and redriven by hand.",
    });
  }
}
