"""Sub-commands of the `retain` command line, one module each."""
