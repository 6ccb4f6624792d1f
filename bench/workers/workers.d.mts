// Types of workers.mjs, for the TypeScript tests that share it.
export type ProbeKind = 'event' | 'fetch-only' | 'hono' | 'both' | 'health'
export interface BenchWorker {
  label: string
  source?: string
  entry?: string
  probe: ProbeKind
}
export declare const WORKERS: Record<string, BenchWorker>
export declare const SDK_REFERENCE: string
export declare function loadsInWorkerd(code: string, kind: ProbeKind): Promise<string>
