// Types of bundle.mjs, for the TypeScript tests that share it.
export declare const PROVIDER_SDKS: string[]
export interface WorkerBundle {
  code: string
  minified: number
  gzipped: number
  inputs: string[]
}
export declare function faasadeFromDist(distDir: string): import('esbuild').Plugin
export declare function bundleWorker(options: { source?: string; entry?: string; resolveDir?: string; distDir: string; minify?: boolean }): Promise<WorkerBundle>
export declare function packagesIn(bundle: WorkerBundle, packages: readonly string[]): string[]
export declare function nodeImportsIn(bundle: WorkerBundle): string[]
