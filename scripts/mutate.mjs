#!/usr/bin/env node
/**
 * `npm run mutate`: StrykerJS on the critical paths, one run a group of
 * stryker.config.mjs (each group's files against the tests that exercise
 * them), incrementally, then the score of each mutated file.
 *
 *   npm run mutate                        every group
 *   npm run mutate -- redaction batch     those groups
 *   npm run mutate -- --changed HEAD~1    the groups whose files (mutated or
 *                                         test) changed since HEAD~1; none when
 *                                         that ref does not exist (a clone
 *                                         with one commit): says so, exits 0
 *   npm run mutate -- --min 80 ...        exit 1 when a group scores below 80
 *
 * Scores count killed and timed-out mutants over those plus survivors and
 * mutants no test reaches; mutants that do not compile or are ignored are
 * left out, as Stryker's own score does.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { GROUPS } from '../stryker.config.mjs'

const args = process.argv.slice(2)
let since
let min
const names = []
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--changed') since = args[++i]
  else if (args[i] === '--min') min = Number(args[++i])
  else names.push(args[i])
}
for (const name of names) if (!(name in GROUPS)) fail(`no group "${name}" (groups: ${Object.keys(GROUPS).join(', ')})`)
if (since === '' || (min !== undefined && !(min >= 0 && min <= 100))) fail('usage: mutate.mjs [--changed <git ref>] [--min <0-100>] [group ...]')

let chosen = names.length > 0 ? names : Object.keys(GROUPS)
if (since !== undefined) {
  const changed = changedSince(since)
  if (changed === undefined) {
    console.log(`mutate: "${since}" is not a commit here (a shallow or one-commit clone): no diff to mutate, nothing run`)
    process.exit(0)
  }
  chosen = chosen.filter((name) => touches(GROUPS[name], changed))
  if (chosen.length === 0) {
    console.log(`mutate: no file of a mutation group changed since ${since}: nothing run`)
    process.exit(0)
  }
  console.log(`mutate: files changed since ${since} touch: ${chosen.join(', ')}`)
}

const rows = []
let failed = false
for (const name of chosen) {
  console.log(`\n==== mutation group "${name}" ====`)
  const run = spawnSync('npx', ['stryker', 'run'], { stdio: 'inherit', env: { ...process.env, FAASADE_MUTATE_GROUP: name } })
  if (run.status !== 0) {
    console.error(`mutate: stryker failed on group "${name}" (exit ${run.status ?? run.signal})`)
    failed = true
    continue
  }
  const report = `reports/mutation/${name}.json`
  if (!existsSync(report)) continue
  const files = JSON.parse(readFileSync(report, 'utf8')).files
  let groupKilled = 0
  let groupValid = 0
  for (const [file, { mutants }] of Object.entries(files)) {
    const count = (...statuses) => mutants.filter((m) => statuses.includes(m.status)).length
    const killed = count('Killed', 'Timeout')
    const valid = killed + count('Survived', 'NoCoverage')
    groupKilled += killed
    groupValid += valid
    rows.push({ group: name, file, killed, survived: count('Survived'), noCoverage: count('NoCoverage'), compileErrors: count('CompileError'), ignored: count('Ignored'), score: score(killed, valid) })
  }
  const groupScore = score(groupKilled, groupValid)
  if (min !== undefined && groupScore !== '-' && Number(groupScore) < min) {
    console.error(`mutate: group "${name}" scores ${groupScore}%, below ${min}%`)
    failed = true
  }
}

if (rows.length > 0) {
  console.log('\n| group | file | score % | killed | survived | no coverage | compile errors | ignored |')
  console.log('|---|---|---|---|---|---|---|---|')
  for (const r of rows) console.log(`| ${r.group} | \`${r.file}\` | ${r.score} | ${r.killed} | ${r.survived} | ${r.noCoverage} | ${r.compileErrors} | ${r.ignored} |`)
}
process.exit(failed ? 1 : 0)

function score(killed, valid) {
  return valid === 0 ? '-' : ((100 * killed) / valid).toFixed(1)
}

/** The files changed between `ref` and HEAD, or undefined when `ref` is not a commit here. */
function changedSince(ref) {
  try {
    execFileSync('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { stdio: 'ignore' })
  } catch {
    return undefined
  }
  return execFileSync('git', ['diff', '--name-only', ref, 'HEAD'], { encoding: 'utf8' }).split('\n').filter(Boolean)
}

/** Whether a changed file is one the group mutates or one of its tests. */
function touches(group, changed) {
  const mutated = new Set(group.mutate.map((entry) => entry.replace(/:\d+-\d+$/, '')))
  const tests = group.testFiles.map(globToRegExp)
  return changed.some((file) => mutated.has(file) || tests.some((re) => re.test(file)))
}

/** The `*` and `{a,b}` globs of stryker.config.mjs as a regular expression. */
function globToRegExp(glob) {
  let re = ''
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]
    if (c === '*') re += '[^/]*'
    else if (c === '{') {
      const end = glob.indexOf('}', i)
      re += `(?:${glob.slice(i + 1, end).split(',').map(escape).join('|')})`
      i = end
    } else re += escape(c)
  }
  return new RegExp(`^${re}$`)
}

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

function fail(message) {
  console.error(`mutate: ${message}`)
  process.exit(2)
}
