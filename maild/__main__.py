"""`python -m maild` is the same as the `maild` console script."""

from maild.cli import main

raise SystemExit(main())
