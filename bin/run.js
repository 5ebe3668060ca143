#!/usr/bin/env node
// Production entry point: runs the compiled commands from dist/ using the shipped oclif.manifest.json.
import {execute} from '@oclif/core'

await execute({dir: import.meta.url})
