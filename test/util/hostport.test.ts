import {describe, expect, it} from 'vitest'

import {isLoopbackHost, isPlainHost, isPlainHostPort, isUnspecifiedHost, joinHostPort, parseHostPort, splitHostPort} from '../../src/util/hostport.js'

describe('host:port', () => {
  it.each([
    ['meta-1:8091', 'meta-1', '8091'], ['[::1]:8091', '::1', '8091'], ['meta-1', 'meta-1', ''], ['::1', '::1', ''],
    ['[fe80::1]', 'fe80::1', ''], [':8091', '', '8091'], ['  meta-1:8091 ', 'meta-1', '8091'], ['[::1', '::1', ''],
  ])('splits %j', (input, host, port) => {
    expect(splitHostPort(input)).toEqual({host, port})
  })

  it('joins, bracketing IPv6', () => {
    expect(joinHostPort('::1', 8091)).toBe('[::1]:8091')
    expect(joinHostPort('[::1]', 8091)).toBe('[::1]:8091')
    expect(joinHostPort('meta-1', '8091')).toBe('meta-1:8091')
  })

  it.each(['meta-1:8091', 'meta-1.example.com:8091', '10.0.0.5:8088', '[2001:db8::5]:8091', 'meta_2:8091', 'host.:80'])('accepts %j as plain', (v) => {
    expect(isPlainHostPort(v)).toBe(true)
  })

  it.each([
    'x:8091;touch${IFS}pwned;#', 'meta 2.example.com:8089', 'meta-1\u001b]0;t\u0007:8091', 'meta-1:80\r\n', 'meta-1:0', 'meta-1:65536',
    'meta-1:http', ':8091', 'meta-1', '$(reboot):8091', '`id`:1', "a'b:1", '-rf:1', 'a..b:1', '[zz::1]:80', ' meta-1:8091',
  ])('refuses %j', (v) => {
    expect(isPlainHostPort(v)).toBe(false)
  })

  it('gives a default port when asked', () => {
    expect(parseHostPort('meta-1', 8091)).toEqual({ok: true, host: 'meta-1', port: 8091})
    expect(parseHostPort('meta-1:', 8091).ok).toBe(false)
    expect(isPlainHost('-rf')).toBe(false)
  })
})

describe('loopback', () => {
  it.each(['localhost', 'LOCALHOST', 'localhost.', 'localhost.localdomain', 'ip6-localhost', 'ip6-loopback', 'foo.localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', 'localhost6'])('%s is loopback', (h) => {
    expect(isLoopbackHost(h)).toBe(true)
  })
  it.each(['meta-1', '10.0.0.1', '127.0.0.256', 'localhostx', 'notlocalhost', '::2', '128.0.0.1', '0.0.0.0'])('%s is not', (h) => {
    expect(isLoopbackHost(h)).toBe(false)
  })
  it('knows the unspecified addresses', () => {
    expect(isUnspecifiedHost('0.0.0.0')).toBe(true)
    expect(isUnspecifiedHost('[::]')).toBe(true)
    expect(isUnspecifiedHost('::1')).toBe(false)
  })
})
