import sys

from oral_sim.cli import main

sys.exit(main())
