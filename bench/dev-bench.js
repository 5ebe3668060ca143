#!/usr/bin/env node
/**
 * dev-bench.js: how fast the bundled dev cluster forms and heals (issue 5 targets).
 *
 *   up:        `medic dev up --meta 3 --detach` until it returns (it returns once every node reports the same leader),
 *              target <= 1500 ms. Baseline in the same run: the floor of starting three Node processes that each
 *              listen on a loopback HTTP port and answer a request (what any multi-process dev cluster must pay).
 *   failover:  `kill -9` of the leader's process, then polling every survivor's GET /status every 10 ms until all of
 *              them name the same new leader, target <= 3000 ms. Baseline: the configured heartbeat-timeout (1 s), the
 *              earliest moment a follower may even start an election.
 *
 *   node bench/dev-bench.js [--runs 5] [--base-port 27000]
 *
 * Uses the built CLI (bin/run.js + dist/: npm run build). Prints every run, medians, ratios, PASS/FAIL, and a final JSON
 * line. Exits 1 when medic could not run; 0 otherwise (a benchmark, not a test).
 */
import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {request} from 'node:http'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {runMedic} from './medic-run.js'

const UP_TARGET_MS = 1500
const FAILOVER_TARGET_MS = 3000

function parseArgs(argv) {
  const opts = {runs: 5, basePort: 27000}
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const v = argv[++i]
    if (v === undefined) throw new Error(`${a} needs a value`)
    if (a === '--runs') opts.runs = Number.parseInt(v, 10)
    else if (a === '--base-port') opts.basePort = Number.parseInt(v, 10)
    else throw new Error(`unknown option ${a}`)
  }
  return opts
}

function getJson(addr, p) {
  return new Promise((resolve) => {
    const [host, port] = [addr.slice(0, addr.lastIndexOf(':')), Number(addr.slice(addr.lastIndexOf(':') + 1))]
    const req = request({host, port, path: p, timeout: 200}, (res) => {
      let body = ''
      res.on('data', (c) => (body += c))
      res.on('end', () => {
        try {
          resolve(JSON.parse(body))
        } catch {
          resolve(undefined)
        }
      })
    })
    req.on('error', () => resolve(undefined))
    req.on('timeout', () => req.destroy())
    req.end()
  })
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

/** Three bare Node processes, each listening on a loopback port, until all three answer. */
async function baselineProcesses(basePort) {
  const started = performance.now()
  const ports = [basePort + 1, basePort + 2, basePort + 3]
  const children = ports.map((port) =>
    spawn(process.execPath, ['-e', `require('node:http').createServer((q, s) => s.end('{}')).listen(${port}, '127.0.0.1')`], {stdio: 'ignore'}),
  )
  for (;;) {
    const answers = await Promise.all(ports.map((p) => getJson(`127.0.0.1:${p}`, '/')))
    if (answers.every((a) => a !== undefined)) break
    await sleep(5)
  }
  const ms = performance.now() - started
  for (const c of children) c.kill('SIGKILL')
  return ms
}

async function oneRun(basePort) {
  const dir = mkdtempSync(path.join(tmpdir(), 'medic-dev-bench-'))
  const common = ['--dir', dir]
  try {
    const up = await runMedic(['dev', 'up', '--meta', '3', '--detach', '--base-port', String(basePort), '--json', ...common])
    if (up.code !== 0) throw new Error(`medic dev up exited ${up.code}: ${up.err || up.out}`)
    const st = await runMedic(['dev', 'status', '--json', ...common])
    const nodes = JSON.parse(st.out).nodes
    const statuses = await Promise.all(nodes.map((n) => getJson(n.httpAddr, '/status')))
    const leaderRaft = statuses.find((s) => s && s.leader)?.leader
    const leader = nodes.find((n) => n.raftAddr === leaderRaft)
    if (!leader) throw new Error('no agreed leader after dev up')
    const survivors = nodes.filter((n) => n !== leader)
    const killedAt = performance.now()
    process.kill(leader.pid, 'SIGKILL')
    let failover
    for (;;) {
      const ss = await Promise.all(survivors.map((n) => getJson(n.httpAddr, '/status')))
      const leaders = new Set(ss.map((s) => s?.leader ?? ''))
      if (leaders.size === 1 && !leaders.has('') && !leaders.has(leaderRaft)) {
        failover = performance.now() - killedAt
        break
      }
      if (performance.now() - killedAt > 30_000) throw new Error('no new leader within 30 s')
      await sleep(10)
    }
    return {upMs: up.ms, failoverMs: failover}
  } finally {
    await runMedic(['dev', 'down', '--purge', ...common])
    rmSync(dir, {recursive: true, force: true})
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2))
  const ups = []
  const failovers = []
  const baselines = []
  for (let i = 0; i < opts.runs; i++) {
    const port = opts.basePort + i * 1000
    baselines.push(await baselineProcesses(port + 900))
    const r = await oneRun(port)
    ups.push(r.upMs)
    failovers.push(r.failoverMs)
    console.log(`run ${i + 1}: dev up ${r.upMs.toFixed(0)} ms (3 bare processes ${baselines.at(-1).toFixed(0)} ms), failover ${r.failoverMs.toFixed(0)} ms`)
  }
  const up = median(ups)
  const base = median(baselines)
  const fo = median(failovers)
  const upPass = up <= UP_TARGET_MS
  const foPass = fo <= FAILOVER_TARGET_MS
  console.log(`dev up --meta 3: median ${up.toFixed(0)} ms, worst ${Math.max(...ups).toFixed(0)} ms; ratio to 3 bare processes ${(up / base).toFixed(2)}; target <= ${UP_TARGET_MS} ms: ${upPass ? 'PASS' : 'FAIL'}`)
  console.log(`failover after kill -9 of the leader: median ${fo.toFixed(0)} ms, worst ${Math.max(...failovers).toFixed(0)} ms; ratio to heartbeat-timeout (1000 ms) ${(fo / 1000).toFixed(2)}; target <= ${FAILOVER_TARGET_MS} ms: ${foPass ? 'PASS' : 'FAIL'}`)
  console.log(JSON.stringify({bench: 'dev', runs: opts.runs, upMs: ups.map(Math.round), baselineMs: baselines.map(Math.round), failoverMs: failovers.map(Math.round), upMedianMs: Math.round(up), upRatio: +(up / base).toFixed(2), failoverMedianMs: Math.round(fo), upPass, foPass}))
}

main().catch((err) => {
  console.error(`dev-bench: ${err.message}`)
  process.exit(1)
})
