#!/usr/bin/env node
// The installed CLI runs the TypeScript sources in this very process (tsx's loader registered
// here, no child process), so a signal sent to it reaches the service directly.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
