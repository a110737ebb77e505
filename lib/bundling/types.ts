/**
 * Options of the code-splitting bundler, shared by {@link splitBundleCode} (CDK) and
 * {@link bundleSplit} (plain function).
 */
export interface SplitBundleOptions {
  /**
   * Emit one chunk per dynamically imported module (`import()` with a literal specifier), so Node
   * does not read it at init. Turn it off only to build the eager peer of a comparison.
   * @default true
   */
  readonly splitting?: boolean;
  /**
   * Emit source maps (`.mjs.map` files) and run with `--enable-source-maps` yourself. They cost about
   * 28% of init time on Lambda, so they are off unless you ask.
   * @default false
   */
  readonly sourceMap?: boolean;
  /**
   * Minify the output (less to read and parse at init).
   * @default true
   */
  readonly minify?: boolean;
  /**
   * Modules left out of the bundle and resolved at run time (e.g. `['@aws-sdk/*']` to use the
   * runtime's copy of SDK v3). Bundling pinned versions is the safer default. `pg-native` is always
   * external: `pg` only requires it inside a `try` when you ask for `pg.native`.
   * @default - nothing is excluded (besides `pg-native`)
   */
  readonly externalModules?: readonly string[];
  /**
   * esbuild target.
   * @default 'node22'
   */
  readonly target?: string;
  /**
   * Identifiers replaced at build time, as esbuild's `define`.
   * @default - only `process.env.NODE_ENV` is replaced, with `"production"`
   */
  readonly define?: Readonly<Record<string, string>>;
  /**
   * Package fields tried in order when resolving a package.
   * @default ['module', 'main']
   */
  readonly mainFields?: readonly string[];
  /**
   * Copy `*.wasm` files that sit next to a bundled module into the output directory (e.g. the
   * SQL parser `libpg-query` reads `libpg-query.wasm` from its own directory).
   * @default true
   */
  readonly copyWasm?: boolean;
  /**
   * The directory that holds `node_modules` and is mounted into the Docker image when local
   * bundling is not possible.
   * @default - the nearest ancestor of the entry with a `package.json`
   */
  readonly projectRoot?: string;
  /**
   * Path to a tsconfig.json esbuild reads (paths, decorators, JSX settings).
   * @default - esbuild's own lookup from the entry
   */
  readonly tsconfig?: string;
}

/** Options of {@link bundleSplit}: what to bundle and where to write it. */
export interface BundleSplitOptions extends SplitBundleOptions {
  /** The handler's entry file (`.ts` or `.js`). It becomes `index.mjs` in `outDir`. */
  readonly entry: string;
  /** Where the bundle is written (created if missing; existing files with the same names are replaced). */
  readonly outDir: string;
}

/** One output file of a split bundle. */
export interface BundleChunk {
  /** Path relative to the output directory, e.g. `index.mjs` or `orders-5XQ2C3.mjs`. */
  readonly file: string;
  /** Size on disk. */
  readonly bytes: number;
  /** Whether Node reads this file when the handler module is imported (the entry and its static imports). */
  readonly onInitPath: boolean;
  /** npm packages with code in this chunk (`'(app)'` for files outside node_modules), sorted. */
  readonly packages: readonly string[];
  /** Bytes of this chunk per npm package (or `'(app)'`). */
  readonly bytesByPackage: Readonly<Record<string, number>>;
}

/**
 * What {@link bundleSplit} produced, read from esbuild's metafile: how many bytes Node reads at init
 * and how many are deferred until a lazy import runs.
 */
export interface BundleReport {
  /** Absolute path of the output directory. */
  readonly outDir: string;
  /** Absolute path of the entry chunk (`<outDir>/index.mjs`). */
  readonly entryFile: string;
  /** The Lambda handler string for this bundle (`index.handler`). */
  readonly handler: string;
  /** Every JavaScript output, entry first. */
  readonly chunks: readonly BundleChunk[];
  /** Bytes of JavaScript read at init (the entry chunk and what it imports statically). */
  readonly initBytes: number;
  /** Bytes of JavaScript only read when a dynamic import runs. */
  readonly deferredBytes: number;
  /** Bytes of copied non-JavaScript assets (`*.wasm`), read only by the code that needs them. */
  readonly assetBytes: number;
  /** npm packages with code on the init path, sorted. */
  readonly initPackages: readonly string[];
  /** npm packages whose code is only in deferred chunks, sorted. */
  readonly deferredPackages: readonly string[];
  /** Files copied next to the bundle (relative to `outDir`). */
  readonly assets: readonly string[];
  /** esbuild warnings, as text. */
  readonly warnings: readonly string[];
  /** esbuild's metafile, for anything the summary leaves out. */
  readonly metafile: unknown;
}
