import sys

from slack_app.cli.main import main

sys.exit(main())
