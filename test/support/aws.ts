/**
 * SDK clients and resources for the integration tests, pointed at the local servers. The
 * handlers get their endpoints the way users' code does: `AWS_ENDPOINT_URL_<SERVICE>` variables
 * read by the SDK itself (see `endpointEnv`).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';

/** Region and dummy credentials of every local client. */
export const LOCAL = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
} as const;

/** A DynamoDB client for a local endpoint. */
export const dynamoDb = (endpoint: string): DynamoDBClient => new DynamoDBClient({ ...LOCAL, endpoint });
/** An SNS client for a local endpoint. */
export const sns = (endpoint: string): SNSClient => new SNSClient({ ...LOCAL, endpoint });
/** An SQS client for a local endpoint. */
export const sqs = (endpoint: string): SQSClient => new SQSClient({ ...LOCAL, endpoint });

/** An SNS topic with an SQS queue subscribed to it (what an alert subscriber receives), plus an on-failure queue. */
export interface Topology {
  readonly topicArn: string;
  readonly alertQueueUrl: string;
  readonly onFailureQueueUrl: string;
}

/** Create a topic, a subscribed queue and an on-failure queue, named with `prefix`. */
export async function createTopology(
  snsClient: SNSClient,
  sqsClient: SQSClient,
  prefix: string,
): Promise<Topology> {
  const { TopicArn } = await snsClient.send(new CreateTopicCommand({ Name: `${prefix}-alerts` }));
  const alert = await sqsClient.send(new CreateQueueCommand({ QueueName: `${prefix}-alert-subscriber` }));
  const onFailure = await sqsClient.send(new CreateQueueCommand({ QueueName: `${prefix}-on-failure` }));
  const attrs = await sqsClient.send(
    new GetQueueAttributesCommand({ QueueUrl: alert.QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  await snsClient.send(
    new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: attrs.Attributes?.QueueArn }),
  );
  return {
    topicArn: TopicArn as string,
    alertQueueUrl: alert.QueueUrl as string,
    onFailureQueueUrl: onFailure.QueueUrl as string,
  };
}

/** Receive and delete everything currently in a queue. */
export async function drain(sqsClient: SQSClient, queueUrl: string): Promise<Message[]> {
  const out: Message[] = [];
  for (;;) {
    const { Messages = [] } = await sqsClient.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) return out;
    out.push(...Messages);
    await sqsClient.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
  }
}

/** What an SQS subscriber of the topic receives: the SNS notification envelope. */
export interface SnsNotification {
  readonly Type: 'Notification';
  readonly Subject?: string;
  readonly Message: string;
  readonly MessageAttributes?: Record<string, { Type: string; Value: string }>;
}

/** Parse the SNS envelopes out of a subscriber queue's messages. */
export const notifications = (messages: readonly Message[]): SnsNotification[] =>
  messages.map((m) => JSON.parse(m.Body ?? '{}') as SnsNotification);

/** A protocol an SNS topic can deliver to. */
export type SnsProtocol = 'sqs' | 'lambda' | 'https' | 'email' | 'email-json' | 'sms';

/**
 * The message text SNS hands a subscriber of `protocol`. A message published with
 * `MessageStructure: 'json'` is an object of texts per protocol: SNS delivers the protocol's own
 * text, else `default`. fauxqs does not implement MessageStructure (it forwards the structure
 * itself), so a structure that reaches a queue is resolved here as SNS resolves it.
 */
export function deliveredText(note: SnsNotification, protocol: SnsProtocol): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(note.Message);
  } catch {
    return note.Message;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return note.Message;
  const texts = parsed as Record<string, unknown>;
  if (typeof texts['default'] !== 'string' || !Object.values(texts).every((v) => typeof v === 'string'))
    return note.Message;
  const own = texts[protocol];
  return typeof own === 'string' ? own : texts['default'];
}
