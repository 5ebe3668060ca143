// Fuzzing the line-protocol parser (seeded, a few seconds): generated and mutated bodies never make it throw, every
// point it returns is well formed and survives the serialiser (parse(format(p)) equals p), the input bytes it hands on
// as ParseResult.lines are exactly the formatted points, and its time grows linearly with the input.
import {describe, expect, it} from 'vitest'

import {LineError} from '../../src/lineprotocol/errors.js'
import {parseLines} from '../../src/lineprotocol/parse.js'
import {fieldKeyIsFormattable, formatPoint, formatPointsBuffer, MAX_TIME_NS, MIN_TIME_NS, type Point, UnformattablePointError} from '../../src/lineprotocol/point.js'
import {samePoint} from '../../src/devcluster/data/store/wal.js'
import {expectLinear, Rng} from '../helpers/fuzz.js'

const NOW = 1_700_000_000_000_000_000n
const NASTY = ['\\', '"', ',', '=', ' ', '\t', '\n', '\r', '\0', '#', 'é', '😀', '\ufffd', 'i', 'u', 'e', '-', '.', 'N', 't', 'f']

function token(rng: Rng, alphabet: string): string {
  let s = ''
  for (let n = rng.int(1, 8); n > 0; n--) {
    const r = rng.next()
    s += r < 0.1 ? `\\${rng.pick([' ', ',', '=', '"', '\\', 'x'])}` : r < 0.15 ? rng.pick(NASTY) : alphabet[rng.int(0, alphabet.length)]
  }
  return s
}

function value(rng: Rng): string {
  switch (rng.int(0, 8)) {
    case 0: return String(rng.int(-1000, 1000))
    case 1: return `${rng.int(-1e6, 1e6)}i`
    case 2: return (rng.next() * 1e6 - 5e5).toExponential(rng.int(0, 10))
    case 3: return `"${token(rng, 'abc ,=xyz"\\\n')}"`
    case 4: return rng.pick(['t', 'T', 'true', 'True', 'TRUE', 'f', 'F', 'false', 'False', 'FALSE'])
    case 5: return String(rng.next())
    case 6: return rng.pick(['9223372036854775807i', '-9223372036854775808i', '1e308', '-0', '.5', '5.'])
    default: return token(rng, '0123456789.-eEiu')
  }
}

function line(rng: Rng): string {
  let s = token(rng, 'cpumemdisk_')
  for (let n = rng.int(0, 5); n > 0; n--) s += `,${token(rng, 'hostregionzab')}=${token(rng, 'abcdef012')}`
  s += rng.pick([' ', ' ', '  ', ' \t'])
  const fields: string[] = []
  for (let n = rng.int(1, 5); n > 0; n--) fields.push(`${token(rng, 'valueusagexy')}=${value(rng)}`)
  s += fields.join(',')
  if (rng.next() < 0.7) s += ` ${rng.pick([String(rng.int(-1e9, 1e9)), '1700000000000000000', '9223372036854775806', '-9223372036854775806', '0'])}`
  return s
}

function mutate(rng: Rng, s: string): string {
  for (let n = rng.int(1, 4); n > 0; n--) {
    const at = rng.int(0, s.length + 1)
    switch (rng.int(0, 4)) {
      case 0: s = s.slice(0, at) + rng.pick(NASTY) + s.slice(at); break
      case 1: s = s.slice(0, at) + s.slice(at + rng.int(1, 5)); break
      case 2: s = s.slice(0, at) + s.slice(at, at + rng.int(1, 10)).repeat(rng.int(2, 5)) + s.slice(at); break
      default: s = s.slice(0, at)
    }
  }
  return s
}

function body(rng: Rng): string {
  const lines: string[] = []
  for (let n = rng.int(1, 6); n > 0; n--) {
    const l = line(rng)
    lines.push(rng.next() < 0.5 ? mutate(rng, l) : l)
  }
  return lines.join(rng.pick(['\n', '\n', '\r\n', '\n\n']))
}

/** Checks one parse result; returns the number of points that went through format and back. */
function check(input: string | Uint8Array, precision: string | undefined): number {
  const {points, errors, lines} = parseLines(input, {now: NOW, precision})
  if (lines !== undefined) expectLines(lines, points, errors)
  for (const e of errors) {
    expect(e).toBeInstanceOf(LineError)
    expect(e.reason.length).toBeGreaterThan(0)
    expect(e.message).toBe(`unable to parse '${e.line}': ${e.reason}`)
  }
  let roundTrips = 0
  for (const parsed of points) {
    expect(parsed.key.length).toBeGreaterThan(0)
    expect(parsed.time >= MIN_TIME_NS && parsed.time <= MAX_TIME_NS).toBe(true)
    for (const f of parsed.fields) expect(typeof f.value).toBe(JS_TYPE[f.type])
    // Both forms: the line's own fields text when the parser kept it, and every value formatted.
    const forms: Point[] = [parsed]
    if (parsed.fieldsText !== undefined) forms.push({key: parsed.key, measurement: parsed.measurement, tags: parsed.tags, fields: parsed.fields, time: parsed.time})
    for (const p of forms) roundTrips += roundTrip(p)
  }
  return roundTrips
}

/** Formats `p`, parses the line back and compares; 1 when it went through, 0 when the point has no line form. */
function roundTrip(p: Point): number {
  let text: string
  try {
    text = formatPoint(p)
  } catch (err) {
    expect(err).toBeInstanceOf(UnformattablePointError)
    expect(p.engineError !== undefined || p.fields.some((f, i) => (f.key === '' ? i > 0 : !fieldKeyIsFormattable(f.key)))).toBe(true)
    return 0
  }
  const back = parseLines(text, {now: 0n})
  expect(back.errors.map((e) => e.message), text).toEqual([])
  expect(back.points).toHaveLength(1)
  if (!samePoint(p, back.points[0])) expect({text, back: back.points[0]}).toEqual({text, back: p})
  return 1
}

/** ParseResult.lines must be byte for byte the points formatted one per line, and what formatPointsBuffer gives. */
function expectLines(lines: Buffer, points: Point[], errors: LineError[]): void {
  expect(errors).toEqual([])
  expect(points.length).toBeGreaterThan(0)
  const formatted = Buffer.from(points.map((p) => `${formatPoint(p)}\n`).join(''))
  if (!lines.equals(formatted)) expect(lines.toString('latin1')).toBe(formatted.toString('latin1'))
  expect(formatPointsBuffer(points)).toBe(lines)
  // A copy of the array is not the parsed one: it is formatted again (the same bytes).
  expect(formatPointsBuffer([...points])).not.toBe(lines)
}

const JS_TYPE: Record<string, string> = {float: 'number', integer: 'bigint', unsigned: 'bigint', string: 'string', boolean: 'boolean'}

function budget(ms: number, fn: (i: number) => void): number {
  const start = performance.now()
  let i = 0
  for (; performance.now() - start < ms; i++) fn(i)
  return i
}

describe('fuzzing the parser', () => {
  it('never throws on generated and mutated bodies; points are well formed and round-trip through the serialiser', () => {
    const rng = new Rng(20261207, 'lp-fuzz')
    let roundTrips = 0
    const n = budget(2500, (i) => {
      const input = body(rng)
      try {
        roundTrips += check(input, rng.pick([undefined, 'n', 'u', 'ms', 's', 'h', 'x']))
      } catch (err) {
        throw new Error(`seed 20261207, iteration ${i}, input ${JSON.stringify(input)}: ${(err as Error).message}`, {cause: err})
      }
    })
    console.log(`fuzz: ${n} bodies, ${roundTrips} points formatted and parsed back`)
    expect(n).toBeGreaterThan(100)
    expect(roundTrips).toBeGreaterThan(100)
  })

  it('hands on the input bytes (ParseResult.lines) only when they are exactly the formatted points', () => {
    const rng = new Rng(20261208, 'lp-lines')
    let withLines = 0
    let without = 0
    // A fixed count, not a time budget: the counts below are then the same on a slow machine.
    const n = 800
    for (let i = 0; i < n; i++) {
      // Formatted points qualify; then mutated, with other precisions, blank lines, CRLF, non-ASCII, bad UTF-8.
      const first = parseLines(body(rng), {now: NOW, precision: rng.pick([undefined, 'n'])})
      const lines = first.points.flatMap((p) => {
        try {
          return [formatPoint(p)]
        } catch {
          return []
        }
      })
      let text = lines.join(rng.pick(['\n', '\n', '\n', '\n\n', '\r\n']))
      if (rng.next() < 0.5) text += '\n'
      const r = rng.next()
      const input = r < 0.3 ? mutate(rng, text) : r < 0.4 ? body(rng) : r < 0.45 ? ` ${text}` : text
      let bytes = Buffer.from(input)
      if (rng.next() < 0.05 && bytes.length > 0) bytes = Buffer.concat([bytes.subarray(0, bytes.length - 1), Buffer.from([0xff]), bytes.subarray(bytes.length - 1)])
      const precision = rng.pick([undefined, undefined, 'n', 'ns', 'x', 'u', 's'])
      try {
        const res = parseLines(bytes, {now: NOW, precision})
        if (res.lines === undefined) {
          without++
          continue
        }
        withLines++
        expectLines(res.lines, res.points, res.errors)
        // Parsed again (as a data node reads its WAL, an RPC write or a hinted-handoff block): the same points.
        const again = parseLines(res.lines, {now: 0n})
        expect(again.points.length).toBe(res.points.length)
        for (let k = 0; k < res.points.length; k++) expect(samePoint(again.points[k], res.points[k])).toBe(true)
      } catch (err) {
        throw new Error(`seed 20261208, iteration ${i}, input ${JSON.stringify(bytes.toString('latin1'))}: ${(err as Error).message}`, {cause: err})
      }
    }
    console.log(`fuzz: ${n} bodies, ${withLines} handed on their bytes, ${without} did not`)
    expect(withLines).toBeGreaterThan(20)
    expect(without).toBeGreaterThan(50)
  })

  it('reads formatted lines with the simple reader (expectFormatted) exactly as the full parser reads them', () => {
    const rng = new Rng(20261209, 'lp-simple')
    // Values and names at the edges of what the simple reader takes.
    const edgeValue = (): string => rng.pick(['0', '-0', '007', '1.', '.5', '-.5', '1.5', '-1.50', '1.2.3', '1e5', '-', '0i', '-0i', '007i', '-i', 'i',
      '123456789012345678i', '1234567890123456789i', '-123456789012345678i', '9223372036854775807i', '1234567890123456789012.5', '12345678901234567890123.5',
      't', 'T', 'true', 'True', 'TRUE', 'tRUE', 'f', 'false', 'FALSE', 'fals', 'u', '1u', 'NaN', 'inf', '"s"', '1\t2', ''])
    const edgeName = (): string => rng.pick(['a', 'b', 'host', 'h', 'é', '😀', 'a=b', 'a b', 'a\tb', '#', 'time', '', 'a,b'])
    const edgeTime = (): string => rng.pick(['0', '-0', '01', '1', '-1', '1700000000000000000', '-9223372036854775806', '9223372036854775806', '9223372036854775807',
      '123456789012345678', '1234567890123456789', '', ' 1', '1 ', 'x'])
    const edgeLine = (): string => {
      let l = rng.next() < 0.8 ? rng.pick(['cpu', 'm', 'mé']) : edgeName()
      const keys = Array.from({length: rng.int(0, 4)}, edgeName)
      if (rng.next() < 0.7) keys.sort()
      for (const k of keys) l += `,${k}=${rng.next() < 0.8 ? rng.pick(['v', 'h1', 'é']) : edgeName()}`
      l += ' '
      l += Array.from({length: rng.int(1, 4)}, () => `${rng.next() < 0.8 ? rng.pick(['v', 'n', 'usage']) : edgeName()}=${edgeValue()}`).join(',')
      return `${l} ${edgeTime()}`
    }
    let simple = 0
    const n = budget(2000, (i) => {
      const r = rng.next()
      let text: string
      if (r < 0.4) {
        text = Array.from({length: rng.int(1, 6)}, edgeLine).join('\n')
      } else {
        // Formatted points: what a data node sends; sometimes mutated.
        const first = parseLines(body(rng), {now: NOW})
        text = first.points.flatMap((p) => {
          try {
            return [formatPoint(p)]
          } catch {
            return []
          }
        }).join('\n')
        if (r < 0.6) text = mutate(rng, text)
      }
      const input: string | Buffer = rng.next() < 0.5 ? text : Buffer.from(text)
      const precision = rng.pick([undefined, 'n', 'ns', 's'])
      try {
        const full = parseLines(input, {now: NOW, precision})
        const fast = parseLines(input, {now: NOW, precision, expectFormatted: true})
        expect(fast.errors.map((e) => e.message)).toEqual(full.errors.map((e) => e.message))
        expect(fast.points.length).toBe(full.points.length)
        for (let k = 0; k < full.points.length; k++) {
          const [a, b] = [fast.points[k], full.points[k]]
          const same = samePoint(a, b) && a.fieldsText === b.fieldsText && a.engineError === b.engineError && a.tags.length === b.tags.length
          if (!same) expect({key: a.key, fields: a.fields, fieldsText: a.fieldsText, time: a.time, engineError: a.engineError}).toEqual({key: b.key, fields: b.fields, fieldsText: b.fieldsText, time: b.time, engineError: b.engineError})
        }
        expect(fast.lines?.toString('latin1')).toBe(full.lines?.toString('latin1'))
        if (fast.points.length > 0 && fast.errors.length === 0) simple++
      } catch (err) {
        throw new Error(`seed 20261209, iteration ${i}, input ${JSON.stringify(text)}: ${(err as Error).message}`, {cause: err})
      }
    })
    console.log(`fuzz: ${n} bodies read both ways, ${simple} without errors`)
    expect(n).toBeGreaterThan(100)
  })

  it('parses a large body of bytes in chunks exactly as it parses the same text at once', () => {
    const rng = new Rng(5, 'lp-chunks')
    for (let round = 0; round < 2; round++) {
      const parts: string[] = []
      // Quoted newlines and escaped newlines across the 64 KiB chunk boundaries, and non-ASCII text.
      for (let size = 0; size < 200_000; size += parts.at(-1)!.length + 1) {
        parts.push(rng.next() < 0.1 ? `q,t=${round} v="line one\nline two ${'é'.repeat(rng.int(0, 40))}",n=${parts.length}i ${parts.length}` : body(rng))
      }
      // Through UTF-8 and back: the generator may split a surrogate pair, which has no UTF-8 form.
      const bytes = Buffer.from(parts.join('\n'))
      const asText = parseLines(bytes.toString(), {now: NOW})
      const asBytes = parseLines(bytes, {now: NOW})
      expect(asBytes.errors.map((e) => e.message)).toEqual(asText.errors.map((e) => e.message))
      expect(asBytes.points.length).toBe(asText.points.length)
      for (let i = 0; i < asText.points.length; i++) {
        if (!samePoint(asText.points[i], asBytes.points[i]) || asText.points[i].engineError !== asBytes.points[i].engineError) {
          expect(asBytes.points[i]).toEqual(asText.points[i])
        }
      }
    }
  })

  it('never throws on random bytes', () => {
    const rng = new Rng(99, 'lp-bytes')
    const n = budget(800, () => {
      const bytes = Uint8Array.from({length: rng.int(0, 200)}, () => (rng.next() < 0.5 ? rng.int(0, 256) : '  =,"\\\nabc1.i'.charCodeAt(rng.int(0, 14))))
      check(bytes, undefined)
    })
    expect(n).toBeGreaterThan(100)
  })

  it('takes time linear in the input, for many lines and for long single lines of every part', () => {
    const shapes: Record<string, (n: number) => string> = {
      'many good lines': (n) => 'cpu,host=server01,region=us-west usage_idle=98.2,usage_user=11i 1700000000000000000\n'.repeat(n / 90),
      'many bad lines': (n) => 'cpu,host=server01 usage_idle=98.2,bad\n'.repeat(n / 38),
      'a long measurement': (n) => `${'m\\ '.repeat(n / 3)} v=1 1`,
      'many tags, unsorted': (n) => `m${Array.from({length: n / 12}, (_, i) => `,t${String(n - i).padStart(6, '0')}=v`).join('')} v=1 1`,
      'many fields': (n) => `m ${Array.from({length: n / 10}, (_, i) => `f${i}=${i}i`).join(',')} 1`,
      'a long string': (n) => `m v="${'ab\\"c'.repeat(n / 5)}" 1`,
      'an unclosed quote': (n) => `m v="${'x\n'.repeat(n / 2)}`,
      'backslashes': (n) => `m${'\\'.repeat(n)} v=1`,
      'quotes on every line': (n) => 'm v="a" 1\n'.repeat(n / 10),
    }
    for (const [name, make] of Object.entries(shapes)) {
      let report
      try {
        report = expectLinear(make, (input) => parseLines(input, {now: NOW}), 200_000)
      } catch (err) {
        throw new Error(`${name}: ${(err as Error).message}`, {cause: err})
      }
      expect(report.growth, name).toBeLessThanOrEqual(2.5)
    }
  }, 180_000) // CPU-time ratios hold on a busy machine; the wall time does not (80 s seen at load 12)

  it('takes time linear in the input with the simple reader too (expectFormatted)', () => {
    const shapes: Record<string, (n: number) => string> = {
      'many formatted lines': (n) => 'cpu,host=server01,region=us-west usage_idle=98.2,usage_user=11i 1700000000000000000\n'.repeat(n / 90),
      'many tags, sorted': (n) => `m${Array.from({length: n / 12}, (_, i) => `,t${String(i).padStart(6, '0')}=v`).join('')} v=1 1`,
      'many fields': (n) => `m ${Array.from({length: n / 10}, (_, i) => `f${i}=${i}i`).join(',')} 1`,
      'a long value': (n) => `m v=${'1'.repeat(n)} 1`,
      'a long measurement': (n) => `${'m'.repeat(n)} v=1 1`,
    }
    for (const [name, make] of Object.entries(shapes)) {
      const report = expectLinear(make, (input) => parseLines(input, {now: NOW, expectFormatted: true}), 200_000)
      expect(report.growth, name).toBeLessThanOrEqual(2.5)
    }
  }, 180_000)
})
