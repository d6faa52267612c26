import sys

from appstore.cli import main

sys.exit(main())
