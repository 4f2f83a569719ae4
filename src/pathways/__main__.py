"""``python -m pathways`` runs the command line."""

from pathways.launch import main

main()
