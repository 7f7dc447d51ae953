#!/usr/bin/env node
// The `stead` program runs its TypeScript sources through tsx so a fresh clone needs no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
