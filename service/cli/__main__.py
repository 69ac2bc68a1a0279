"""`python -m service.cli`: the `perinatal` command without its console script."""

from service.cli import main

main()
