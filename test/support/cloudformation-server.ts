/**
 * Loopback CloudFormation for DescribeStacks (awsQuery: a form body, an XML answer) on 127.0.0.1:
 * the stacks the test deploys, by name, with their outputs; a missing stack answers ValidationError
 * as the service does. Request parameters are checked against the SDK's DescribeStacksInput members.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as cloudFormationSdk from '@aws-sdk/client-cloudformation';
import { readBody } from './servers';

/** The running server. */
export interface CloudFormationServer {
  readonly endpoint: string;
  /** Stack name → output key → value. */
  readonly stacks: Map<string, Record<string, string>>;
  readonly problems: string[];
  stop(): Promise<void>;
}

const xml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The members DescribeStacksInput has, from the SDK's own schema tuple. */
const INPUT_MEMBERS = new Set(
  ((cloudFormationSdk as unknown as Record<string, unknown[]>)['DescribeStacksInput$']?.[4] as string[]) ??
    [],
);

/** Start the server; `account` and `region` go into the stack ids. */
export async function startCloudFormationServer(
  account: string,
  region: string,
): Promise<CloudFormationServer> {
  const stacks = new Map<string, Record<string, string>>();
  const problems: string[] = [];
  const server = createServer((req, res) => {
    void readBody(req).then((bytes) => {
      const body = bytes.toString('utf8');
      const form = new URLSearchParams(body);
      if (form.get('Action') !== 'DescribeStacks' || form.get('Version') !== '2010-05-15') {
        problems.push(`unexpected request ${body}`);
        res.writeHead(400).end();
        return;
      }
      for (const key of form.keys())
        if (key !== 'Action' && key !== 'Version' && !INPUT_MEMBERS.has(key))
          problems.push(`DescribeStacks: ${key} is not a DescribeStacksInput member`);
      const name = form.get('StackName') ?? '';
      const outputs = stacks.get(name);
      if (outputs === undefined) {
        res
          .writeHead(400, { 'content-type': 'text/xml' })
          .end(
            `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type>` +
              `<Code>ValidationError</Code><Message>Stack with id ${xml(name)} does not exist</Message></Error>` +
              `<RequestId>r-1</RequestId></ErrorResponse>`,
          );
        return;
      }
      const members = Object.entries(outputs)
        .map(
          ([k, v]) => `<member><OutputKey>${xml(k)}</OutputKey><OutputValue>${xml(v)}</OutputValue></member>`,
        )
        .join('');
      res
        .writeHead(200, { 'content-type': 'text/xml' })
        .end(
          `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member>` +
            `<StackName>${xml(name)}</StackName><StackId>arn:aws:cloudformation:${region}:${account}:stack/${xml(name)}/0f1e2d3c</StackId>` +
            `<CreationTime>2026-11-01T00:00:00Z</CreationTime><StackStatus>CREATE_COMPLETE</StackStatus>` +
            `<Outputs>${members}</Outputs></member></Stacks></DescribeStacksResult>` +
            `<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></DescribeStacksResponse>`,
        );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stacks,
    problems,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
