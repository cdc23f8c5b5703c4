import argparse
def configure(command, parser): pass
def main(command, args): return 2
def split_run_argv(argv): return argv, []
