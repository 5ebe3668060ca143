#!/usr/bin/env node
/**
 * status-bench.js: `medic status --timeout 3s` must end by its deadline (plus 20%, start-up included), whatever the
 * nodes do. Two scenarios, each run --runs times:
 *   given:     50 loopback meta addresses given, 10 of which accept the connection and never answer;
 *   discovery: one meta node given that answers, names 10 silent peers (found in a second discovery round) and whose
 *              /show-cluster never answers; --http-timeout (5s) is longer than --timeout, so only the run's deadline
 *              can end it (before issue 15 the rounds ran one after the other: about 2 x the deadline here).
 * Plain Node ESM, no dependencies; uses the built CLI (bin/run.js + dist/: npm run build).
 *
 *   node bench/status-bench.js [--timeout 3s] [--nodes 50] [--hanging 10] [--runs 3] [--scenario given|discovery|both]
 *
 * The deadline bounds the run, not Node's and medic's start-up: a baseline (medic status against one node that answers
 * at once) is timed in the same session, and the ratio is (wall time - baseline) / deadline. Prints each run's wall
 * time, the baseline, the ratio of the best and the worst run per scenario, PASS/FAIL against 1.2, and a final JSON
 * line per scenario. Exits 1 when medic could not run or exited with an
 * unexpected code; 0 otherwise.
 */
import {createServer} from 'node:http'

import {runMedic} from './medic-run.js'

const TARGET_RATIO = 1.2

function parseArgs(argv) {
  const opts = {timeout: '3s', nodes: 50, hanging: 10, runs: 3, scenario: 'both'}
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const v = argv[++i]
    if (v === undefined) throw new Error(`${a} needs a value`)
    if (a === '--timeout') opts.timeout = v
    else if (a === '--nodes' || a === '--hanging' || a === '--runs') opts[a.slice(2)] = Number.parseInt(v, 10)
    else if (a === '--scenario' && ['given', 'discovery', 'both'].includes(v)) opts.scenario = v
    else throw new Error(`unknown option ${a}`)
  }
  if (!(opts.hanging <= opts.nodes)) throw new Error('--hanging must not exceed --nodes')
  return opts
}

function durationMs(s) {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(s)
  if (!m) throw new Error(`bad duration ${s}`)
  return Number(m[1]) * ({ms: 1, s: 1000, m: 60_000}[m[2] ?? 's'])
}

async function listen(handler) {
  const server = createServer(handler)
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return server
}

/** Runs medic `runs` times; returns wall times, or undefined when a run was not what the scenario expects. */
async function timeRuns(name, args, opts, servers, expect) {
  const times = []
  let failed = false
  for (let r = 0; r < opts.runs; r++) {
    const res = await runMedic(args)
    let doc
    try {
      doc = JSON.parse(res.out)
    } catch {
      doc = undefined
    }
    console.log(`${name} run ${r + 1}: ${Math.round(res.ms)} ms, exit ${res.code}, nodes ${doc?.nodes?.length ?? '?'}, not checked ${doc?.summary?.unchecked ?? '?'}`)
    const why = expect(res, doc)
    if (why) {
      console.error(`${name}: unexpected result (${why}); stderr: ${res.err.slice(0, 500)}`)
      failed = true
    }
    times.push(res.ms)
    for (const s of servers) s.closeAllConnections?.()
  }
  return {times, failed}
}

function report(name, times, deadline, baseline, extra) {
  const best = Math.min(...times)
  const worst = Math.max(...times)
  const ratio = (worst - baseline) / deadline
  console.log(`${name}: deadline ${deadline} ms, start-up baseline ${Math.round(baseline)} ms; best ${Math.round(best)} ms (ratio ${((best - baseline) / deadline).toFixed(3)}), worst ${Math.round(worst)} ms (ratio ${ratio.toFixed(3)}); target <= ${TARGET_RATIO}: ${ratio <= TARGET_RATIO ? 'PASS' : 'FAIL'}`)
  console.log(JSON.stringify({bench: 'status', scenario: name, ...extra, deadlineMs: deadline, baselineMs: Math.round(baseline), bestMs: Math.round(best), worstMs: Math.round(worst), ratio: Number(ratio.toFixed(3)), target: TARGET_RATIO, pass: ratio <= TARGET_RATIO}))
}

/** medic status against one node that answers at once: the start-up and exit cost of a run (median of --runs + 2). */
async function baseline(opts) {
  const s = await listen((req, res) => {
    const addr = `127.0.0.1:${s.address().port}`
    res.writeHead(200, {'content-type': 'application/json'})
    res.end(JSON.stringify({nodeType: 'meta', leader: '', httpAddr: addr, raftAddr: addr, peers: null}))
  })
  try {
    const times = []
    for (let r = 0; r < opts.runs + 2; r++) times.push((await runMedic(['status', `127.0.0.1:${s.address().port}`, '--json'])).ms)
    times.sort((a, b) => a - b)
    return times[Math.floor(times.length / 2)]
  } finally {
    s.closeAllConnections()
    s.close()
  }
}

async function given(opts, deadline, base) {
  const servers = []
  // Answering nodes: fresh (un-joined) meta nodes, so no discovery adds nodes beyond the ones given.
  for (let i = 0; i < opts.nodes - opts.hanging; i++) {
    const s = await listen((req, res) => {
      const addr = `127.0.0.1:${s.address().port}`
      res.writeHead(200, {'content-type': 'application/json'})
      res.end(JSON.stringify({nodeType: 'meta', leader: '', httpAddr: addr, raftAddr: addr, peers: null}))
    })
    servers.push(s)
  }
  // Hostile nodes: accept, read the request, never answer.
  for (let i = 0; i < opts.hanging; i++) servers.push(await listen(() => {}))
  const addrs = servers.map((s) => `127.0.0.1:${s.address().port}`)
  try {
    const {times, failed} = await timeRuns('given', ['status', ...addrs, '--timeout', opts.timeout, '--json'], opts, servers, (res, doc) =>
      res.code !== 3 ? `exit ${res.code}` : doc?.nodes?.length !== opts.nodes ? `${doc?.nodes?.length} nodes` : doc?.summary?.unchecked !== opts.hanging ? `${doc?.summary?.unchecked} not checked` : undefined)
    report('given', times, deadline, base, {nodes: opts.nodes, hanging: opts.hanging})
    return failed
  } finally {
    for (const s of servers) {
      s.closeAllConnections()
      s.close()
    }
  }
}

async function discovery(opts, deadline, base) {
  const servers = []
  for (let i = 0; i < opts.hanging; i++) servers.push(await listen(() => {}))
  const peers = servers.map((s) => `127.0.0.1:${s.address().port}`)
  const seed = await listen((req, res) => {
    if (req.url === '/show-cluster') return // never answers
    const addr = `127.0.0.1:${seed.address().port}`
    res.writeHead(200, {'content-type': 'application/json'})
    res.end(JSON.stringify({nodeType: 'meta', leader: addr, httpAddr: addr, raftAddr: addr, peers: [addr, ...peers]}))
  })
  servers.push(seed)
  try {
    const {times, failed} = await timeRuns('discovery', ['status', `127.0.0.1:${seed.address().port}`, '--timeout', opts.timeout, '--http-timeout', '5s', '--json'], opts, servers, (res, doc) =>
      res.code !== 3 ? `exit ${res.code}` : doc?.nodes?.length !== opts.hanging + 1 ? `${doc?.nodes?.length} nodes` : undefined)
    report('discovery', times, deadline, base, {peers: opts.hanging})
    return failed
  } finally {
    for (const s of servers) {
      s.closeAllConnections()
      s.close()
    }
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2))
  const deadline = durationMs(opts.timeout)
  const base = await baseline(opts)
  console.log(`baseline (start-up and exit, one instant node): ${Math.round(base)} ms`)
  let failed = false
  if (opts.scenario !== 'discovery') failed = (await given(opts, deadline, base)) || failed
  if (opts.scenario !== 'given') failed = (await discovery(opts, deadline, base)) || failed
  process.exitCode = failed ? 1 : 0
}

main().catch((err) => {
  console.error(err)
  process.exitCode = 1
})
