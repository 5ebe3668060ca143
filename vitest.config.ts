import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    disableConsoleIntercept: true,
    pool: 'forks',
    // Most files wait on child processes and sockets, not the CPU: three workers on a 2-core machine halve the wall
    // time (vitest's default there is one). CPU-timed checks measure their own process's CPU time, not the clock.
    maxWorkers: 3,
    // gc() between timings makes the linear-time checks (test/helpers/fuzz.ts) measure the code, not the heap it inherited.
    execArgv: ['--expose-gc'],
  },
})
