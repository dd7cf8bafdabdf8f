"""chosho's user interface: the command line now, the Textual entry screens as they land."""
