// Runs walks through a pathway exported with `pathways export xstate`, in XState v5.
//
//   node tests/js/xstate_walk.mjs MACHINE.json < walks.json
//
// stdin:  [{"context": {"philadelphia": "positive"}, "events": ["switch_tki", ...]}, ...]
//         (a context left out keeps the machine's default)
// stdout: [["first_treatment", "no_remission", ...], ...]: for each walk, the state at
//         the start and after each event, one actor per walk.
import { readFileSync } from "node:fs";
import { createActor, setup } from "xstate";

// The guard a host supplies; the same text as pathways.interchange.XSTATE_GUARD_JS.
const applies = ({ context }, allowed) =>
  Object.entries(allowed).every(([name, values]) => values.includes(context[name]));

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const walks = JSON.parse(readFileSync(0, "utf8"));
const machines = new Map();

const results = walks.map(({ context, events }) => {
  const key = JSON.stringify(context);
  if (!machines.has(key)) {
    machines.set(
      key,
      setup({ guards: { applies } }).createMachine({
        ...config,
        context: { ...config.context, ...context },
      }),
    );
  }
  const actor = createActor(machines.get(key)).start();
  const seen = [actor.getSnapshot().value];
  for (const type of events) {
    actor.send({ type });
    seen.push(actor.getSnapshot().value);
  }
  actor.stop();
  return seen;
});
process.stdout.write(JSON.stringify(results) + "\n");
