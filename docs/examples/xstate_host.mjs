// Run the pathway's XState export (`npm install xstate@5`).
// First: pathways export xstate --out pathway.xstate.json
import { readFileSync } from "node:fs";
import { createActor, setup } from "xstate";

// The one guard the export names: a step for some topics is taken when each topic's
// value is one of the values listed for it (the topic's default is always listed).
const applies = ({ context }, allowed) =>
  Object.entries(allowed).every(([name, values]) => values.includes(context[name]));

const config = JSON.parse(readFileSync("pathway.xstate.json", "utf8"));
const machine = setup({ guards: { applies } }).createMachine({
  ...config,
  context: { ...config.context, philadelphia: "positive" }, // the reader's topic
});
const actor = createActor(machine).start();
actor.send({ type: "does_not_bring_remission" });
actor.send({ type: "switch_tki" }); // a step for Philadelphia positive ALL only
console.log(actor.getSnapshot().value); // tki_switch
