#!/usr/bin/env node
/**
 * hh-crash.js: the reliability run of the hinted-handoff queue engine (dist/hh/queue.js; the engine is written by hand
 * because npm has no suitable durable segment queue). Plain Node ESM, no dependencies. The long form of
 * test/hh/crash.test.ts.
 *
 *   npm run build && node bench/hh-crash.js [--kills 60] [--seed 1] [--keep]
 *
 * A child process (this script with --child) opens a queue, recovering it after the previous kill, then appends
 * numbered blocks and delivers them, printing "A n" once the append of block n resolved (on disk), "D n" when block n
 * was handed out, "H n" once the head is durably past n. The parent SIGKILLs it when a condition on those lines is met
 * (after N acknowledgements, deliveries or durable heads, N and the sync policy, reader lag and appends in flight drawn
 * from a seeded generator), then opens a copy of the queue and checks that:
 *   - every block read back is exactly what was appended (no corruption), and the recovery found nothing but torn tails;
 *   - the blocks come back in order, without gaps;
 *   - nothing at or before the durable head comes back, and the head never passed an undelivered block;
 *   - every acknowledged block is there.
 * The child then recovers the original directory itself in the next round. Prints progress, a summary and a final
 * JSON line; exits 1 on the first violation or if a child misbehaves (deadline: 30 s per round).
 */
import {spawn} from 'node:child_process'
import {cpSync, existsSync, mkdirSync, rmSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const SELF = fileURLToPath(import.meta.url)
const SEGMENT_BYTES = 16 * 1024
const ROUND_DEADLINE_MS = 30_000
const USAGE = 'usage: node bench/hh-crash.js [--kills 60] [--seed 1] [--keep] [--dist DIR]'

// ---------------------------------------------------------------------------------------------------------------------
// The workload (same as test/hh/crash-workload.ts): block n holds n and bytes derived from n
// ---------------------------------------------------------------------------------------------------------------------

function blockSize(seq) {
  return seq % 50 === 49 ? 40 * 1024 : 20 + ((seq * 7919) % 2000)
}

function payloadFor(seq) {
  const buf = Buffer.alloc(blockSize(seq))
  buf.writeUInt32BE(seq, 0)
  for (let i = 4; i < buf.length; i++) buf[i] = (seq * 31 + i * 7) & 0xff
  return buf
}

function checkPayload(data) {
  if (data.length < 4) return undefined
  const seq = data.readUInt32BE(0)
  return data.equals(payloadFor(seq)) ? seq : undefined
}

async function loadEngine(dist) {
  const queueJs = path.join(dist, 'hh', 'queue.js')
  if (!existsSync(queueJs)) throw new Error(`${queueJs} is missing: run npm run build first`)
  return import(pathToFileURL(queueJs).href)
}

// ---------------------------------------------------------------------------------------------------------------------
// Child
// ---------------------------------------------------------------------------------------------------------------------

async function child([dir, firstArg, syncArg, lagArg, inFlightArg], dist) {
  const {SegmentQueue} = await loadEngine(dist)
  const sync = syncArg === 'always' ? 'always' : {intervalMs: Number(syncArg)}
  const lag = Number(lagArg)
  const maxInFlight = Number(inFlightArg)
  const say = (line) => process.stdout.write(line + '\n')
  let lastAcked = Number(firstArg) - 1
  let wakeReader
  const queue = await SegmentQueue.open(dir, {sync, segmentBytes: SEGMENT_BYTES})

  const write = async () => {
    const inFlight = new Set()
    for (let seq = Number(firstArg); ; seq++) {
      const done = queue.append(payloadFor(seq)).then(() => {
        say(`A ${seq}`)
        lastAcked = seq
        wakeReader?.()
        inFlight.delete(done)
      })
      inFlight.add(done)
      if (inFlight.size >= maxInFlight) await Promise.race(inFlight)
    }
  }
  const read = async () => {
    for (;;) {
      const data = await queue.peek()
      const seq = data && checkPayload(data)
      if (data && seq === undefined) {
        say(`X corrupt block of ${data.length} bytes`)
        process.exit(2)
      }
      if (seq === undefined || seq > lastAcked - lag) {
        await new Promise((resolve) => (wakeReader = resolve))
        continue
      }
      say(`D ${seq}`)
      void queue.advance().then(() => say(`H ${seq}`))
    }
  }
  await Promise.all([write(), read()])
}

// ---------------------------------------------------------------------------------------------------------------------
// Parent
// ---------------------------------------------------------------------------------------------------------------------

/** mulberry32: a small seeded generator, so that a failing run can be repeated with the same --seed. */
function random(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function planRound(rand) {
  const pick = (list) => list[Math.floor(rand() * list.length)]
  return {
    trigger: pick(['A', 'D', 'H']),
    count: Math.max(1, Math.round(Math.exp(rand() * Math.log(400)))),
    sync: pick(['always', '1', '2', '5', '10']),
    lag: pick([0, 0, 5, 20, 200]),
    inFlight: pick([1, 1, 2, 8, 32]),
  }
}

function runUntilKilled(dir, first, plan, seen, dist) {
  return new Promise((resolve, reject) => {
    const args = [SELF, '--child', dir, String(first), plan.sync, String(plan.lag), String(plan.inFlight), '--dist', dist]
    const proc = spawn(process.execPath, args, {stdio: ['ignore', 'pipe', 'pipe']})
    let killed = false
    let hits = 0
    let pending = ''
    let stderr = ''
    const timer = setTimeout(() => {
      proc.kill('SIGKILL')
      reject(new Error(`no ${plan.count} "${plan.trigger}" lines within ${ROUND_DEADLINE_MS} ms (saw ${hits}); stderr: ${stderr}`))
    }, ROUND_DEADLINE_MS)
    proc.stderr.on('data', (c) => (stderr += c))
    proc.stdout.on('data', (chunk) => {
      const lines = (pending + chunk).split('\n')
      pending = lines.pop()
      for (const line of lines) {
        const [kind, arg] = line.split(' ')
        const n = Number(arg)
        if (kind === 'A') seen.acked = Math.max(seen.acked, n)
        else if (kind === 'D') seen.delivered = Math.max(seen.delivered, n)
        else if (kind === 'H') seen.durableHead = Math.max(seen.durableHead, n)
        else return reject(new Error(`child: ${line}`))
        if (kind === plan.trigger && ++hits === plan.count && !killed) {
          killed = true
          proc.kill('SIGKILL')
        }
      }
    })
    proc.on('exit', (code, signal) => {
      clearTimeout(timer)
      if (signal === 'SIGKILL' && killed) resolve()
      else reject(new Error(`child exited on its own (code ${code}, signal ${signal}); stderr: ${stderr}`))
    })
  })
}

async function readCopy(SegmentQueue, dir) {
  const copy = `${dir}-copy`
  rmSync(copy, {recursive: true, force: true})
  cpSync(dir, copy, {recursive: true})
  const findings = []
  const queue = await SegmentQueue.open(copy, {segmentBytes: SEGMENT_BYTES, onFinding: (f) => findings.push(f)})
  const seqs = []
  let corrupt = 0
  for (let data = await queue.peek(); data; data = await queue.peek()) {
    const seq = checkPayload(data)
    if (seq === undefined) corrupt++
    else seqs.push(seq)
    void queue.advance()
  }
  await queue.close()
  rmSync(copy, {recursive: true, force: true})
  return {seqs, findings, corrupt}
}

/** Returns the violations (empty when the invariants hold) and the next sequence number to append. */
function check({seqs, findings, corrupt}, seen) {
  const violations = []
  if (corrupt > 0) violations.push(`${corrupt} corrupt blocks delivered`)
  const unexpected = findings.filter((f) => f.kind !== 'torn-tail')
  if (unexpected.length > 0) violations.push(`recovery findings: ${unexpected.map((f) => `${f.kind} ${f.message}`).join('; ')}`)
  for (let i = 1; i < seqs.length; i++) {
    if (seqs[i] !== seqs[i - 1] + 1) violations.push(`block ${seqs[i]} follows ${seqs[i - 1]}`)
  }
  if (seqs.length === 0) {
    if (seen.acked > seen.delivered) violations.push(`queue empty but block ${seen.acked} was acknowledged and never delivered`)
    return {violations, next: Math.max(seen.acked, seen.delivered) + 1}
  }
  const first = seqs[0]
  const last = seqs.at(-1)
  if (first <= seen.durableHead) violations.push(`block ${first} came back although the head was durably past ${seen.durableHead}`)
  if (first > seen.delivered + 1) violations.push(`the head passed block ${seen.delivered + 1}, never delivered`)
  if (last < seen.acked) violations.push(`acknowledged blocks ${last + 1}..${seen.acked} are missing`)
  return {violations, next: Math.max(last, seen.delivered) + 1}
}

function parseArgs(argv) {
  const opts = {kills: 60, seed: 1, keep: false, dist: path.join(ROOT, 'dist')}
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`)
      return argv[++i]
    }
    if (a === '--kills') opts.kills = Number.parseInt(value(), 10)
    else if (a === '--seed') opts.seed = Number.parseInt(value(), 10)
    else if (a === '--keep') opts.keep = true
    else if (a === '--dist') opts.dist = path.resolve(value())
    else if (a === '-h' || a === '--help') opts.help = true
    else throw new Error(`unknown argument ${a}`)
  }
  if (!(opts.kills >= 1) || !Number.isInteger(opts.seed)) throw new Error('--kills takes a positive integer, --seed an integer')
  return opts
}

async function parent(opts) {
  const {SegmentQueue} = await loadEngine(opts.dist)
  const base = path.join(ROOT, '.bench', 'hh-crash')
  const dir = path.join(base, 'queue')
  rmSync(base, {recursive: true, force: true})
  mkdirSync(base, {recursive: true})
  const rand = random(opts.seed)
  const seen = {acked: -1, delivered: -1, durableHead: -1}
  const started = performance.now()
  let next = 0
  let torn = 0
  const failures = []
  for (let round = 1; round <= opts.kills && failures.length === 0; round++) {
    const plan = planRound(rand)
    await runUntilKilled(dir, next, plan, seen, opts.dist)
    const recovered = await readCopy(SegmentQueue, dir)
    torn += recovered.findings.filter((f) => f.kind === 'torn-tail').length
    const {violations, next: after} = check(recovered, seen)
    next = after
    for (const v of violations) failures.push(`kill ${round} (${JSON.stringify(plan)}): ${v}`)
    if (round % 10 === 0 || failures.length > 0) {
      console.log(`kill ${round}/${opts.kills}: ${seen.acked + 1} acknowledged, durable head ${seen.durableHead}, ${torn} torn tails cut`)
    }
  }
  const seconds = (performance.now() - started) / 1000
  for (const f of failures) console.error(`VIOLATION ${f}`)
  console.log(`${failures.length === 0 ? 'PASS' : 'FAIL'}: ${opts.kills} kills in ${seconds.toFixed(1)} s, ` +
    `${seen.acked + 1} blocks acknowledged, ${torn} torn tails cut, ${failures.length} violations`)
  if (!opts.keep) rmSync(base, {recursive: true, force: true})
  console.log(JSON.stringify({bench: 'hh-crash', seed: opts.seed, kills: opts.kills, seconds, acknowledged: seen.acked + 1,
    durableHead: seen.durableHead, tornTails: torn, violations: failures}))
  if (failures.length > 0) process.exitCode = 1
}

const argv = process.argv.slice(2)
const distAt = argv.indexOf('--dist')
if (argv[0] === '--child') {
  await child(argv.slice(1, 6), distAt >= 0 ? argv[distAt + 1] : path.join(ROOT, 'dist'))
} else {
  try {
    const opts = parseArgs(argv)
    if (opts.help) console.log(USAGE)
    else await parent(opts)
  } catch (err) {
    console.error(err instanceof Error ? err.message : err)
    process.exitCode = 1
  }
}
