from retain.cli import main

raise SystemExit(main())
