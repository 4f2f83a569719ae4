"""Run the pathway's SCXML export in python-statemachine (`pip install python-statemachine`).

First: pathways export scxml --out pathway.scxml
"""

from statemachine.io import load

# Load once per machine: python-statemachine 3.2 sets up the <data> (the topics) only for
# the first machine made from a loaded document.
Pathway = load("pathway.scxml")  # the format is read from the file name
machine = Pathway()
machine.model.philadelphia = "positive"  # the reader's topic; leave it out for all types
machine.send("does_not_bring_remission")
machine.send("switch_tki")  # a step for Philadelphia positive ALL only
print(*machine.configuration_values)  # tki_switch
