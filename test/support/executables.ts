/**
 * Finding a program the way a shell does, so that tests use whatever the
 * machine has installed wherever it put it, not one distribution's path.
 * Test code, not public API.
 */
import { accessSync, constants, statSync } from 'node:fs'
import { delimiter, isAbsolute, join } from 'node:path'

/** Whether `path` is a regular file (after symlinks) this process may execute. */
export function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/**
 * The first executable `name` in the directories of `pathVariable` (a PATH
 * value), as `command -v` would find it; `undefined` when there is none.
 * Empty and relative entries are ignored: a test must not run whatever
 * happens to sit in its working directory.
 *
 * @example
 * findOnPath('redis-server') // '/usr/bin/redis-server', or undefined
 */
export function findOnPath(name: string, pathVariable: string = process.env.PATH ?? ''): string | undefined {
  for (const dir of pathVariable.split(delimiter)) {
    if (dir === '' || !isAbsolute(dir)) continue
    const candidate = join(dir, name)
    if (isExecutableFile(candidate)) return candidate
  }
  return undefined
}
