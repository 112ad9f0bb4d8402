import {
  CloudWatchLogsClient,
  DeleteSubscriptionFilterCommand,
  LimitExceededException,
  PutSubscriptionFilterCommand,
  ResourceNotFoundException,
  paginateDescribeLogGroups,
  paginateDescribeSubscriptionFilters,
} from '@aws-sdk/client-cloudwatch-logs';
import type { ExistingFilter, LogSubscriptionAdmin, PutFilterOutcome } from '../core/log-subscriptions.js';

/** Raised when CloudWatch Logs refuses a call a retry may fix; the cause is the SDK error. */
export class LogSubscriptionAdminError extends Error {
  override readonly name = 'LogSubscriptionAdminError';
}

const isNotFound = (error: unknown): boolean => error instanceof ResourceNotFoundException;

/** {@link LogSubscriptionAdmin} over the CloudWatch Logs API; handed its client so tests can point it anywhere. */
export class CloudWatchLogsSubscriptionAdmin implements LogSubscriptionAdmin {
  constructor(private readonly client: CloudWatchLogsClient) {}

  async listLogGroups(prefix: string): Promise<string[]> {
    const names: string[] = [];
    try {
      for await (const page of paginateDescribeLogGroups(
        { client: this.client },
        { logGroupNamePrefix: prefix },
      )) {
        for (const group of page.logGroups ?? [])
          if (group.logGroupName !== undefined) names.push(group.logGroupName);
      }
    } catch (cause) {
      throw new LogSubscriptionAdminError(`listing log groups with prefix ${prefix} failed`, { cause });
    }
    return names;
  }

  async listFilters(logGroupName: string): Promise<ExistingFilter[]> {
    const filters: ExistingFilter[] = [];
    try {
      for await (const page of paginateDescribeSubscriptionFilters(
        { client: this.client },
        { logGroupName },
      )) {
        for (const f of page.subscriptionFilters ?? []) {
          filters.push({ filterName: f.filterName ?? '', destinationArn: f.destinationArn ?? '' });
        }
      }
    } catch (cause) {
      if (isNotFound(cause)) return [];
      throw new LogSubscriptionAdminError(`describing subscription filters of ${logGroupName} failed`, {
        cause,
      });
    }
    return filters;
  }

  async putFilter(
    logGroupName: string,
    filterName: string,
    destinationArn: string,
  ): Promise<PutFilterOutcome> {
    try {
      await this.client.send(
        new PutSubscriptionFilterCommand({ logGroupName, filterName, destinationArn, filterPattern: '' }),
      );
      return 'subscribed';
    } catch (cause) {
      if (cause instanceof LimitExceededException) return 'no-free-slot';
      throw new LogSubscriptionAdminError(`subscribing ${logGroupName} failed`, { cause });
    }
  }

  async deleteFilter(logGroupName: string, filterName: string): Promise<void> {
    try {
      await this.client.send(new DeleteSubscriptionFilterCommand({ logGroupName, filterName }));
    } catch (cause) {
      if (isNotFound(cause)) return;
      throw new LogSubscriptionAdminError(`removing the subscription filter of ${logGroupName} failed`, {
        cause,
      });
    }
  }
}
