"""The lab's commands, one module each (pipx's layout): `labctl.commands.<name>.run(settings, args)`.

`labctl.__main__` parses the command line and calls the module named after the command
(a dash in a command's name is an underscore in its module's). A new command is a new
module here plus its sub-parser in `labctl/__main__.py`.
"""
