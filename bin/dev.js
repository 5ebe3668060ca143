#!/usr/bin/env -S node --import tsx --disable-warning=ExperimentalWarning
// Development entry point: runs the TypeScript sources directly through tsx (pinned to 4.23.14, see DEVELOPERS.md).
import {execute} from '@oclif/core'

await execute({development: true, dir: import.meta.url})
