"""``python -m ravine.cli.commands``: the same as the ``ravine`` command."""

from ravine.cli.commands import main

main()
