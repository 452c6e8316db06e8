#!/usr/bin/env node
// The `factory` command. Sources are TypeScript, loaded through tsx, so there is no build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../cli/main.ts");
await main(process.argv);
