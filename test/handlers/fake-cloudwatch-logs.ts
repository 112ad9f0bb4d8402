/**
 * A loopback server speaking the CloudWatch Logs wire protocol (awsJson1_1) for the subscription calls,
 * with the service's rules that matter here: two filters per group, a filter name replaced in place,
 * ResourceNotFound for missing groups and filters, and paginated DescribeLogGroups. It also receives
 * CloudFormation custom-resource responses (HTTP PUT) on /cfn/.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One recorded request to the fake. */
export interface Call {
  readonly operation: string;
  readonly input: Record<string, unknown>;
}

const readBody = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

/** The running fake: state to arrange, calls and responses to assert on. */
export class FakeCloudWatchLogs {
  /** log group → filter name → destination ARN. */
  readonly groups = new Map<string, Map<string, string>>();
  readonly calls: Call[] = [];
  /** Bodies of the CloudFormation responses received, parsed. */
  readonly cfnResponses: Record<string, unknown>[] = [];
  /** Groups that another writer fills up just before nhi-watch's PutSubscriptionFilter arrives. */
  readonly filledBeforePut = new Set<string>();
  /** Operations that answer AccessDeniedException. */
  readonly denied = new Set<string>();
  private server: Server | undefined;
  endpoint = '';

  /** Adds a group with filters given as [name, destination] pairs. */
  addGroup(name: string, filters: [string, string][] = []): void {
    this.groups.set(name, new Map(filters));
  }

  /** The group's filters as [name, destination] pairs, sorted by name. */
  filtersOf(name: string): [string, string][] {
    return [...(this.groups.get(name) ?? new Map<string, string>()).entries()].sort();
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      readBody(req)
        .then((body) => this.handle(req, body, res))
        .catch((error: unknown) => {
          res.statusCode = 500;
          res.end(String(error));
        });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve, reject) => this.server?.close((e) => (e ? reject(e) : resolve())));
  }

  private handle(req: IncomingMessage, body: string, res: ServerResponse): void {
    if (req.method === 'PUT' && req.url?.startsWith('/cfn/') === true) {
      this.cfnResponses.push({
        ...(JSON.parse(body) as Record<string, unknown>),
        contentType: req.headers['content-type'],
      });
      res.statusCode = req.url.includes('reject') ? 403 : 200;
      res.end();
      return;
    }
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.replace(/^Logs_20140328\./, '');
    const input = JSON.parse(body === '' ? '{}' : body) as Record<string, unknown>;
    this.calls.push({ operation, input });

    const reply = (status: number, payload: unknown): void => {
      res.statusCode = status;
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      res.end(JSON.stringify(payload));
    };
    const fail = (type: string, message: string): void => {
      res.setHeader('x-amzn-errortype', type);
      reply(400, { __type: type, message });
    };

    if (this.denied.has(operation))
      return fail('AccessDeniedException', `not authorized to perform ${operation}`);
    const groupName = input['logGroupName'] as string | undefined;
    const group = groupName === undefined ? undefined : this.groups.get(groupName);

    switch (operation) {
      case 'DescribeLogGroups': {
        const prefix = (input['logGroupNamePrefix'] as string | undefined) ?? '';
        const names = [...this.groups.keys()].filter((n) => n.startsWith(prefix)).sort();
        const start = Number(input['nextToken'] ?? 0);
        const page = names.slice(start, start + 2); // small pages exercise pagination
        const next = start + 2 < names.length ? { nextToken: String(start + 2) } : {};
        return reply(200, { logGroups: page.map((logGroupName) => ({ logGroupName })), ...next });
      }
      case 'DescribeSubscriptionFilters':
        if (group === undefined)
          return fail('ResourceNotFoundException', 'The specified log group does not exist.');
        return reply(200, {
          subscriptionFilters: [...group.entries()].map(([filterName, destinationArn]) => ({
            filterName,
            destinationArn,
            logGroupName: groupName,
            filterPattern: '',
          })),
        });
      case 'PutSubscriptionFilter': {
        if (group === undefined)
          return fail('ResourceNotFoundException', 'The specified log group does not exist.');
        const name = input['filterName'] as string;
        if (this.filledBeforePut.has(groupName!)) {
          for (let i = 0; group.size < 2; i += 1)
            group.set(`racer-${i}`, 'arn:aws:lambda:eu-west-1:123456789012:function:racer');
        }
        if (!group.has(name) && group.size >= 2)
          return fail('LimitExceededException', 'Resource limit exceeded.');
        group.set(name, input['destinationArn'] as string);
        return reply(200, {});
      }
      case 'DeleteSubscriptionFilter':
        if (group === undefined || !group.delete(input['filterName'] as string)) {
          return fail('ResourceNotFoundException', 'The specified subscription filter does not exist.');
        }
        return reply(200, {});
      default:
        return fail('UnknownOperationException', operation);
    }
  }
}
