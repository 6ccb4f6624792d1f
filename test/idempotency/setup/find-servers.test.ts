/**
 * Where the idempotency tests look for redis-server and PostgreSQL: wherever
 * the machine installed them, not one distribution's path. Each case lays out
 * fake executables in a temporary directory.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { findOnPath } from '../../support/executables.js'
import { findPostgres, findRedisServer } from './servers.js'

const base = mkdtempSync(join(tmpdir(), 'faasade-find-'))
afterAll(() => rmSync(base, { recursive: true, force: true }))
let n = 0
/** A fresh directory holding `files` (path → executable or not). */
function layout(files: Record<string, boolean>): string {
  const dir = join(base, String(++n))
  for (const [path, executable] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true })
    writeFileSync(join(dir, path), '#!/bin/sh\n')
    chmodSync(join(dir, path), executable ? 0o755 : 0o644)
  }
  mkdirSync(dir, { recursive: true })
  return dir
}

describe('findOnPath', () => {
  it('takes the first executable file in PATH order, skipping non-executables, directories, empty and relative entries', () => {
    const d = layout({ 'a/tool': false, 'b/tool/x': true, 'c/tool': true, 'd/tool': true })
    expect(findOnPath('tool', ['', 'relative', join(d, 'a'), join(d, 'b'), join(d, 'c'), join(d, 'd')].join(':'))).toBe(join(d, 'c/tool'))
    expect(findOnPath('tool', join(d, 'a'))).toBeUndefined()
    expect(findOnPath('tool', '')).toBeUndefined()
  })
})

describe('findRedisServer', () => {
  it('finds redis-server on PATH, wherever that is', () => {
    const d = layout({ 'opt/redis/bin/redis-server': true })
    expect(findRedisServer({ PATH: `/nonexistent:${join(d, 'opt/redis/bin')}` })).toBe(join(d, 'opt/redis/bin/redis-server'))
  })

  it('takes FAASADE_REDIS_SERVER over PATH, and says so when it names no executable', () => {
    const d = layout({ 'own/redis-server': true, 'path/redis-server': true, 'plain/redis-server': false })
    expect(findRedisServer({ PATH: join(d, 'path'), FAASADE_REDIS_SERVER: join(d, 'own/redis-server') })).toBe(join(d, 'own/redis-server'))
    expect(findRedisServer({ PATH: join(d, 'path'), FAASADE_REDIS_SERVER: join(d, 'plain/redis-server') })).toEqual({
      need: 'redis-server',
      why: `FAASADE_REDIS_SERVER=${join(d, 'plain/redis-server')} is not an executable file`,
      enable: 'point FAASADE_REDIS_SERVER at a redis-server binary, or unset it',
    })
  })

  it('names what is missing and the command that installs it', () => {
    expect(findRedisServer({ PATH: '/nonexistent' })).toEqual({
      need: 'redis-server',
      why: 'not on PATH (and FAASADE_REDIS_SERVER is unset)',
      enable: 'apt-get install redis-server',
    })
  })
})

describe('findPostgres', () => {
  const none = '/nonexistent/postgresql'

  it('finds initdb and postgres in the real directory of the postgres on PATH (a symlink, as in /usr/local/bin)', () => {
    const d = layout({ 'pg/bin/initdb': true, 'pg/bin/postgres': true })
    mkdirSync(join(d, 'links'))
    symlinkSync(join(d, 'pg/bin/postgres'), join(d, 'links/postgres'))
    expect(findPostgres({ PATH: join(d, 'links') }, none)).toEqual({ initdb: join(d, 'pg/bin/initdb'), postgres: join(d, 'pg/bin/postgres') })
  })

  it('finds both beside each other on PATH', () => {
    const d = layout({ 'bin/initdb': true, 'bin/postgres': true })
    expect(findPostgres({ PATH: join(d, 'bin') }, none)).toEqual({ initdb: join(d, 'bin/initdb'), postgres: join(d, 'bin/postgres') })
  })

  it("falls back to the newest of Debian's version directories (by number: 16 over 15 over 9.6) that holds both", () => {
    const d = layout({
      'lib/9.6/bin/initdb': true,
      'lib/9.6/bin/postgres': true,
      'lib/15/bin/initdb': true,
      'lib/15/bin/postgres': true,
      'lib/16/bin/initdb': true,
      'lib/16/bin/postgres': true,
      'lib/17/bin/psql': true,
      'lib/README/bin/postgres': true,
    })
    expect(findPostgres({ PATH: '/nonexistent' }, join(d, 'lib'))).toEqual({ initdb: join(d, 'lib/16/bin/initdb'), postgres: join(d, 'lib/16/bin/postgres') })
  })

  it('passes over a postgres on PATH with no initdb beside it', () => {
    const d = layout({ 'bin/postgres': true, 'lib/15/bin/initdb': true, 'lib/15/bin/postgres': true })
    expect(findPostgres({ PATH: join(d, 'bin') }, join(d, 'lib'))).toEqual({ initdb: join(d, 'lib/15/bin/initdb'), postgres: join(d, 'lib/15/bin/postgres') })
  })

  it('takes FAASADE_POSTGRES_BIN over everything else, and says so when it lacks a program', () => {
    const d = layout({ 'own/initdb': true, 'own/postgres': true, 'half/postgres': true, 'lib/15/bin/initdb': true, 'lib/15/bin/postgres': true })
    expect(findPostgres({ PATH: '', FAASADE_POSTGRES_BIN: join(d, 'own') }, join(d, 'lib'))).toEqual({ initdb: join(d, 'own/initdb'), postgres: join(d, 'own/postgres') })
    expect(findPostgres({ PATH: '', FAASADE_POSTGRES_BIN: join(d, 'half') }, join(d, 'lib'))).toEqual({
      need: 'PostgreSQL (initdb, postgres)',
      why: `FAASADE_POSTGRES_BIN=${join(d, 'half')} does not hold both initdb and postgres`,
      enable: 'point FAASADE_POSTGRES_BIN at a PostgreSQL bin directory, or unset it',
    })
  })

  it('names what is missing and the command that installs it', () => {
    expect(findPostgres({ PATH: '/nonexistent' }, none)).toEqual({
      need: 'PostgreSQL (initdb, postgres)',
      why: `initdb and postgres are neither on PATH nor in ${none}/*/bin (and FAASADE_POSTGRES_BIN is unset)`,
      enable: 'apt-get install postgresql',
    })
  })
})
