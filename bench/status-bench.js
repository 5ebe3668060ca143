#!/usr/bin/env node
/**
 * status-bench.js: `medic status` over 50 loopback meta addresses, 10 of which accept the connection and never answer.
 * The probes run concurrently, each with its own deadline, so the whole run must finish within the deadline plus 20%
 * (target from the issue). Plain Node ESM, no dependencies; uses the built CLI (bin/run.js + dist/: npm run build).
 *
 *   node bench/status-bench.js [--timeout 3s] [--nodes 50] [--hanging 10] [--runs 3]
 *
 * Prints each run's wall time, the ratio (wall time / deadline) of the best and the worst run, PASS/FAIL against 1.2,
 * and a final JSON line. Exits 1 when medic could not run or exited with an unexpected code; 0 otherwise.
 */
import {createServer} from 'node:http'

import {runMedic} from './medic-run.js'

const TARGET_RATIO = 1.2

function parseArgs(argv) {
  const opts = {timeout: '3s', nodes: 50, hanging: 10, runs: 3}
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const v = argv[++i]
    if (v === undefined) throw new Error(`${a} needs a value`)
    if (a === '--timeout') opts.timeout = v
    else if (a === '--nodes' || a === '--hanging' || a === '--runs') opts[a.slice(2)] = Number.parseInt(v, 10)
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

async function main() {
  const opts = parseArgs(process.argv.slice(2))
  const deadline = durationMs(opts.timeout)
  const servers = []
  // Answering nodes: fresh (un-joined) meta nodes, so no discovery adds nodes beyond the 50 given.
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
  const times = []
  let failed = false
  try {
    for (let r = 0; r < opts.runs; r++) {
      const res = await runMedic(['status', ...addrs, '--timeout', opts.timeout, '--json'])
      let doc
      try {
        doc = JSON.parse(res.out)
      } catch {
        doc = undefined
      }
      const unchecked = doc?.summary?.unchecked
      console.log(`run ${r + 1}: ${Math.round(res.ms)} ms, exit ${res.code}, nodes ${doc?.nodes?.length ?? '?'}, not reachable ${unchecked ?? '?'}`)
      if (res.code !== 3 || doc?.nodes?.length !== opts.nodes || unchecked !== opts.hanging) {
        console.error(`unexpected result (exit ${res.code}); stderr: ${res.err.slice(0, 500)}`)
        failed = true
      }
      times.push(res.ms)
      for (const s of servers) s.closeAllConnections()
    }
  } finally {
    for (const s of servers) {
      s.closeAllConnections()
      s.close()
    }
  }
  const best = Math.min(...times)
  const worst = Math.max(...times)
  const ratio = worst / deadline
  console.log(`deadline ${deadline} ms; best ${Math.round(best)} ms (ratio ${(best / deadline).toFixed(3)}), worst ${Math.round(worst)} ms (ratio ${ratio.toFixed(3)}); target <= ${TARGET_RATIO}: ${ratio <= TARGET_RATIO ? 'PASS' : 'FAIL'}`)
  console.log(JSON.stringify({bench: 'status', nodes: opts.nodes, hanging: opts.hanging, deadlineMs: deadline, bestMs: Math.round(best), worstMs: Math.round(worst), ratio: Number(ratio.toFixed(3)), target: TARGET_RATIO, pass: ratio <= TARGET_RATIO}))
  process.exitCode = failed ? 1 : 0
}

main().catch((err) => {
  console.error(err)
  process.exitCode = 1
})
