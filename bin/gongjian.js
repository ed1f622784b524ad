#!/usr/bin/env node
// The `gongjian` command: the bundled CLI (built by `npm install` / `npm run build`).
import '../dist/cli.js';
