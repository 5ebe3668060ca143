/**
 * The long fuzz run over every parser of outside input that has no soak of its own (config files: scripts/fuzz-config.ts;
 * log lines and wrappers: scripts/fuzz-logs.ts). Seeded, so a failure replays:
 *
 *   npx tsx scripts/fuzz-soak.ts [--inputs 1000000] [--seed 1] [--only lineprotocol,influxql,...]
 *
 * For each parser: generated and mutated inputs; an exception other than the parser's own refusal is a failure (the
 * input is printed, escaped); the slowest input and the time per input are reported, and each parser is timed on
 * inputs of growing size to show the time stays linear. Exit 1 on any failure.
 */
import {parseJsonBody, parseMultipart, parseUrlEncoded} from '../src/devcluster/node/body.js'
import {decodeMessage, encodeFrame, FrameReader} from '../src/devcluster/node/rpc/frame.js'
import {readJsonEntries} from '../src/hh/debug-vars.js'
import {judgeSegment} from '../src/hh/scan.js'
import {ParseError, parseQuery} from '../src/influxql/index.js'
import {parseLines} from '../src/lineprotocol/parse.js'
import {parseGoDuration} from '../src/util/duration.js'
import {splitHostPort, parseHostPort} from '../src/util/hostport.js'
import {parseJsonBounded} from '../src/util/json.js'
import {Rng} from '../src/util/rng.js'
import {escapeControl, terminalSafe} from '../src/util/text.js'

const args = process.argv.slice(2)
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback
}
const TOTAL = Number(arg('inputs', '1000000'))
const SEED = Number(arg('seed', '1'))
const ONLY = arg('only', '').split(',').filter((s) => s !== '')

const NASTY = ['\\', '"', "'", ',', '=', ' ', '\t', '\n', '\r', '\u0000', '\u001b', '{', '}', '[', ']', ':', '#', '/', '.', 'µ', '\u202e', '\ufffd', '😀', '--', '\r\n']

function randomText(rng: Rng, len: number): string {
  let s = ''
  for (let i = 0; i < len; i++) {
    const r = rng.next()
    if (r < 0.15) s += rng.pick(NASTY)
    else if (r < 0.35) s += String.fromCharCode(48 + rng.int(0, 10))
    else s += String.fromCharCode(32 + rng.int(0, 95))
  }
  return s
}

function mutate(rng: Rng, seed: string): string {
  let s = seed
  for (let e = 1 + rng.int(0, 4); e > 0; e--) {
    const at = s.length === 0 ? 0 : rng.int(0, s.length)
    switch (rng.int(0, 6)) {
      case 0: s = s.slice(0, at) + rng.pick(NASTY) + s.slice(at); break
      case 1: s = s.slice(0, at) + s.slice(at + 1 + rng.int(0, 4)); break
      case 2: s = s.slice(0, at) + String.fromCharCode(rng.int(0, 0x250)) + s.slice(at + 1); break
      case 3: s = s.slice(0, at) + s.slice(at, at + rng.int(1, 16)).repeat(1 + rng.int(1, 8)) + s.slice(at); break
      case 4: s = s.slice(0, at); break
      default: s = s.slice(0, at) + randomText(rng, rng.int(1, 8)) + s.slice(at)
    }
  }
  return s
}

interface Target {
  name: string
  seeds: string[]
  /** Runs the parser; returns normally for an accepted or a refused input; throws only on a defect. */
  run(input: string): void
  /** An input of about `n` characters for the growth check. */
  grow(n: number): string
}

const NOW = 1_700_000_000_000_000_000n
const targets: Target[] = [
  {
    name: 'lineprotocol',
    seeds: ['cpu,host=a,region=us-west usage_idle=98.2,usage_user=1.1i,ok=t,msg="a \\"b\\"" 1700000000000000000', 'm\\ x,t\\,k=v\\=1 f="x\\\\" -1', 'weather,loc=z temp=1e3,h=-0.5 1'],
    run: (s) => void parseLines(s, {now: NOW, precision: 'ns'}),
    grow: (n) => 'cpu,host=a v=1i,s="x" 1\n'.repeat(Math.max(1, n / 24)),
  },
  {
    name: 'influxql',
    seeds: ['SELECT mean("v") FROM "db"."rp"."m" WHERE time > now() - 1h AND host =~ /a.*/ GROUP BY time(1m), * fill(0) LIMIT 10', 'SHOW TAG VALUES WITH KEY IN ("a","b") WHERE x = \'y\'', 'CREATE RETENTION POLICY "r" ON d DURATION 1d REPLICATION 2 SHARD DURATION 1h DEFAULT'],
    run: (s) => {
      try {
        parseQuery(s)
      } catch (err) {
        if (!(err instanceof ParseError) && !(err instanceof Error && /error parsing|expected|too deep|nest/i.test(err.message))) throw err
      }
    },
    grow: (n) => 'SELECT v FROM m WHERE a = 1;'.repeat(Math.max(1, n / 28)),
  },
  {
    name: 'json-bounded',
    seeds: ['{"nodeType":"meta","leader":"a:8089","peers":["a:8089","b:8089"],"httpAddr":"a:8091"}', '{"data":[{"id":4,"tcpAddr":"d:8088"}],"meta":[]}', '[[[[1]]]]'],
    run: (s) => void parseJsonBounded(s),
    grow: (n) => '['.repeat(n / 2) + ']'.repeat(n / 2),
  },
  {
    name: 'debug-vars',
    seeds: ['{"hh_processor:/h/4/1":{"name":"hh_processor","tags":{"node":"4","path":"/h/4/1"},"values":{"queueBytes":10}},"hh_node":{"name":"hh_node","tags":{"node":"4"},"values":{"queueTotalSize":5}},"hh_node":{"name":"hh_node","tags":{"node":"5"},"values":{}}}'],
    run: (s) => void readJsonEntries(s),
    grow: (n) => `{${Array.from({length: Math.max(1, n / 40)}, (_, i) => `"hh_node":{"name":"hh_node","v":${i}}`).join(',')}}`,
  },
  {
    name: 'go-duration',
    seeds: ['1h30m', '380.542µs', '-1.5s', '10.5s4m', '0'],
    run: (s) => void parseGoDuration(s),
    grow: (n) => '1h'.repeat(n / 2) + '9'.repeat(n / 2),
  },
  {
    name: 'host-port',
    seeds: ['meta-1:8091', '[2001:db8::5]:8091', 'x:8091;touch${IFS}pwned;#'],
    run: (s) => {
      splitHostPort(s)
      parseHostPort(s, 8091)
    },
    grow: (n) => 'a.'.repeat(n / 2) + 'b:8091',
  },
  {
    name: 'form-bodies',
    seeds: ['addr=127.0.0.1%3A8088&x=1', 'name=continuous_querier&node_id=4'],
    run: (s) => {
      parseUrlEncoded(s)
      parseJsonBody(s)
      parseMultipart(Buffer.from(`--b\r\nContent-Disposition: form-data; name="addr"\r\n\r\n${s}\r\n--b--\r\n`), 'b')
      parseMultipart(Buffer.from(s), 'b')
    },
    grow: (n) => 'a=1&'.repeat(n / 4),
  },
  {
    name: 'rpc-frames',
    seeds: ['{"shardId":4,"db":"d","rp":"r"}'],
    run: (s) => {
      const bytes = Buffer.from(s, 'latin1')
      const r = new FrameReader(1 << 20)
      try {
        for (const f of r.push(bytes)) decodeMessage(f.body)
        for (const f of r.push(encodeFrame(1, bytes))) decodeMessage(f.body)
      } catch (err) {
        if (!(err instanceof Error && /max message size|message|header/.test(err.message))) throw err
      }
    },
    grow: (n) => 'x'.repeat(n),
  },
  {
    name: 'hh-segment',
    seeds: ['\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0005hello\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000'],
    run: (s) => {
      const buf = Buffer.from(s, 'latin1')
      judgeSegment(buf.length, Date.now(), true, (into, length, position) => buf.copy(into, 0, position, Math.min(buf.length, position + length)))
    },
    grow: (n) => '\u0000'.repeat(n),
  },
  {
    name: 'terminal-escape',
    seeds: ['meta-1\u001b]0;pwned\u0007', 'a\r\nOK fine', '\u001b[31mred\u001b[39m'],
    run: (s) => {
      const e = escapeControl(s)
      // eslint-disable-next-line no-control-regex
      if (/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(e)) throw new Error('a control character survived escapeControl')
      terminalSafe(s, true)
    },
    grow: (n) => '\u001b['.repeat(n / 2),
  },
]

function cpuMs(): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

const chosen = targets.filter((t) => ONLY.length === 0 || ONLY.includes(t.name))
const per = Math.ceil(TOTAL / chosen.length)
let failures = 0
console.log(`fuzz soak: ${TOTAL.toLocaleString('en-US')} inputs over ${chosen.length} parsers, seed ${SEED}`)
for (const t of chosen) {
  const rng = new Rng(SEED, t.name)
  let slowest = 0
  let slowestInput = ''
  const t0 = performance.now()
  for (let i = 0; i < per; i++) {
    const input = rng.chance(0.3) ? randomText(rng, rng.int(0, 300)) : mutate(rng, rng.pick(t.seeds))
    const s0 = performance.now()
    try {
      t.run(input)
    } catch (err) {
      failures++
      console.log(`  FAIL ${t.name} #${i}: ${(err as Error).message}\n    input ${JSON.stringify(input.slice(0, 300))}`)
      if (failures > 20) process.exit(1)
    }
    const took = performance.now() - s0
    if (took > slowest) {
      slowest = took
      slowestInput = input
    }
  }
  const elapsed = performance.now() - t0
  // growth: CPU time per call at n, 2n, 4n, 8n characters
  const sizes = [50_000, 100_000, 200_000, 400_000]
  const times = sizes.map((n) => {
    const input = t.grow(n)
    t.run(input)
    let best = Infinity
    for (let r = 0; r < 3; r++) {
      const c0 = cpuMs()
      t.run(input)
      best = Math.min(best, cpuMs() - c0)
    }
    return best
  })
  const doublings = times.slice(1).map((v, i) => v / Math.max(times[i], 0.05))
  console.log(`  ${t.name.padEnd(16)} ${per.toLocaleString('en-US')} inputs in ${(elapsed / 1000).toFixed(1)} s (${((elapsed / per) * 1000).toFixed(1)} µs each), slowest ${slowest.toFixed(2)} ms ${JSON.stringify(escapeControl(slowestInput.slice(0, 40)))}; growth ${times.map((v) => v.toFixed(1)).join(' / ')} ms CPU at 50k/100k/200k/400k chars (x${doublings.map((d) => d.toFixed(2)).join(', x')})`)
}
console.log(failures === 0 ? 'no failures' : `${failures} failures`)
process.exit(failures === 0 ? 0 : 1)
