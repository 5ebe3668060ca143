import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    disableConsoleIntercept: true,
    pool: 'forks',
    // gc() between timings makes the linear-time checks (test/helpers/fuzz.ts) measure the code, not the heap it inherited.
    execArgv: ['--expose-gc'],
  },
})
