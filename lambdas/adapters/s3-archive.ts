/**
 * Read a CloudTrail S3 archive: list "folders" (common prefixes), list objects a page at a time,
 * read one object. What `nhi-watch backfill` walks; handed its S3Client, which retries throttling
 * (503 SlowDown) and 5xx itself with backoff; this adapter retries what still fails transiently.
 */
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { realSleep, retryTransient, type Sleep } from './retry.js';

/** An object as listed. */
export interface ListedObject {
  readonly key: string;
  /** Entity tag as listed (quotes removed): changes when the object's content does. */
  readonly etag: string;
  readonly size: number;
}

/** A failure to read the archive that retries did not fix (permissions, a missing bucket). */
export class ArchiveReadError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ArchiveReadError';
  }
}

/** What reading an archive needs. */
export interface S3ArchiveOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** Attempts per request on top of the SDK's own retries, for transient failures. @default 5 */
  readonly maxAttempts?: number;
  readonly sleep?: Sleep;
}

const unquote = (etag: string | undefined): string => (etag ?? '').replace(/^"|"$/g, '');

/** A CloudTrail archive bucket. */
export class S3Archive {
  private readonly maxAttempts: number;
  private readonly sleep: Sleep;

  constructor(private readonly o: S3ArchiveOptions) {
    if (o.bucket === '') throw new ArchiveReadError('S3Archive needs a bucket name');
    this.maxAttempts = o.maxAttempts ?? 5;
    this.sleep = o.sleep ?? realSleep;
  }

  get bucket(): string {
    return this.o.bucket;
  }

  private retrying<T>(what: string, call: () => Promise<T>): Promise<T> {
    return retryTransient(what, call, {
      maxAttempts: this.maxAttempts,
      sleep: this.sleep,
      fail: (message, cause) => new ArchiveReadError(message, { cause }),
    });
  }

  /** The "sub-folders" directly under `prefix` (which ends in `/`), in key order. */
  async children(prefix: string): Promise<string[]> {
    const out: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.retrying(`list s3://${this.o.bucket}/${prefix}`, () =>
        this.o.client.send(
          new ListObjectsV2Command({
            Bucket: this.o.bucket,
            Prefix: prefix,
            Delimiter: '/',
            ...(token !== undefined ? { ContinuationToken: token } : {}),
          }),
        ),
      );
      for (const p of page.CommonPrefixes ?? []) if (p.Prefix !== undefined) out.push(p.Prefix);
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return out.sort();
  }

  /** The objects under `prefix`, in key order, a page at a time. */
  async *objects(prefix: string, pageSize = 1000): AsyncGenerator<ListedObject> {
    let token: string | undefined;
    do {
      const page = await this.retrying(`list s3://${this.o.bucket}/${prefix}`, () =>
        this.o.client.send(
          new ListObjectsV2Command({
            Bucket: this.o.bucket,
            Prefix: prefix,
            MaxKeys: pageSize,
            ...(token !== undefined ? { ContinuationToken: token } : {}),
          }),
        ),
      );
      for (const c of page.Contents ?? [])
        if (c.Key !== undefined) yield { key: c.Key, etag: unquote(c.ETag), size: c.Size ?? 0 };
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  /** An object's bytes and entity tag. */
  async read(key: string): Promise<{ bytes: Uint8Array; etag: string }> {
    return this.retrying(`read s3://${this.o.bucket}/${key}`, async () => {
      const out = await this.o.client.send(new GetObjectCommand({ Bucket: this.o.bucket, Key: key }));
      if (out.Body === undefined) throw new ArchiveReadError(`read s3://${this.o.bucket}/${key}: no body`);
      return { bytes: await out.Body.transformToByteArray(), etag: unquote(out.ETag) };
    });
  }
}
