// Next commands filled with values from a log line: quoted so that a value can never change what the command does,
// withheld where quoting cannot be guaranteed, and `<name>` where the line has no value.
import {describe, expect, it} from 'vitest'

import {commandText, fillCommand, placeholders} from '../../src/logs/commands.js'
import {Rng, expectLinear, randomText} from '../helpers/fuzz.js'

describe('fillCommand', () => {
  it('puts plain values in as they are and leaves <name> for missing ones', () => {
    expect(fillCommand('influx -database {db} -execute \'SHOW SERIES\'', {db: 'telegraf'})).toEqual({ok: true, command: "influx -database telegraf -execute 'SHOW SERIES'"})
    expect(fillCommand('medic hh status {host}:8091 --node {nodeId}', {nodeId: 4})).toEqual({ok: true, command: 'medic hh status <host>:8091 --node 4'})
  })

  it('shell-quotes values outside quotes, so that metacharacters stay inside one word', () => {
    const r = fillCommand('ls -l /var/lib/influxdb/hh/{nodeId}', {nodeId: '4; rm -rf ~'})
    expect(r).toEqual({ok: true, command: "ls -l /var/lib/influxdb/hh/'4; rm -rf ~'"})
    expect(fillCommand('echo {db}', {db: "it's $(id)"})).toEqual({ok: true, command: "echo 'it'\\''s $(id)'"})
    // A value in a trailing comment is quoted too: zsh runs pasted comments as words.
    expect(fillCommand('medic logs summarize x.log   # shard {shard}', {shard: '`id`'})).toEqual({ok: true, command: "medic logs summarize x.log   # shard '`id`'"})
  })

  it('withholds a command when a value cannot be quoted inside the template\'s own quotes', () => {
    const r = fillCommand('influx -execute \'SHOW RETENTION POLICIES ON "{db}"\'', {db: 'x"; DROP DATABASE y; "'})
    expect(r.ok).toBe(false)
    expect(commandText(r)).toMatch(/^\(command withheld: the db from the log/)
    expect(fillCommand('curl "http://{host}:8086/ping"', {host: 'a$(b)'}).ok).toBe(false)
    expect(fillCommand('curl "http://{host}:8086/ping"', {host: 'data-1.example.com'})).toEqual({ok: true, command: 'curl "http://data-1.example.com:8086/ping"'})
  })

  it('withholds a command for control characters and for values that would be read as options', () => {
    expect(fillCommand('echo {db}', {db: 'a\u001b[2Jb'}).ok).toBe(false)
    expect(fillCommand('echo {db}', {db: 'a\nb'}).ok).toBe(false)
    const r = fillCommand('medic join diagnose {host}:8091', {host: '--config=/etc/shadow'})
    expect(r.ok).toBe(false)
    expect(commandText(r)).toContain('read as an option')
  })

  it('lists placeholders once', () => {
    expect(placeholders(['a {db} {rp}', 'b {db}'])).toEqual(['db', 'rp'])
  })

  it('takes time linear in the template and value length', () => {
    const rng = new Rng(7, 'fill')
    // Printable (control characters withhold at once): quotes, $( ), spaces, so every value is shell-quoted.
    const value = randomText(rng, 1000).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/g, "'")
    expect(fillCommand('echo {db}', {db: value}).ok).toBe(true)
    // The template grows; the value is fixed (each placeholder repeats it, so the output grows with the template).
    expectLinear((n) => `echo ${'{db} x '.repeat(n)} '${'y'.repeat(n)}' "${'z'.repeat(n)}"`, (t) => fillCommand(t, {db: value}), 500)
    expectLinear((n) => value.repeat(n), (v) => fillCommand('echo {db} # {db}', {db: v}), 20)
  })
})
