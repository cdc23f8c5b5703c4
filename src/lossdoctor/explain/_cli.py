"""`lossdoctor explain` (not implemented yet)."""

import argparse


def configure(command: str, parser: argparse.ArgumentParser) -> None:
    parser.add_argument("args", nargs="*")


def main(command: str, args: argparse.Namespace) -> int:
    print("lossdoctor: `explain` is not available in this version")
    return 2
