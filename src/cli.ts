#!/usr/bin/env node
// Placeholder until the commands are wired; replaced by the commander wiring.
console.log('tlsdissect: not built yet');
