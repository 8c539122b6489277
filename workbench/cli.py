"""The ``workbench`` command line: demo, eval, bench, lab, info.

Environment variables are read here (an entry point) and nowhere deeper.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from workbench.settings import Settings


def _info(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    print(f"model:      {settings.default_model_name}"
          + ("  (offline stand-in: no OPENAI_API_KEY / OPENAI_BASE_URL)"
             if settings.default_model_name == "offline" else ""))
    print(f"base url:   {settings.base_url or '-'}")
    print(f"api key:    {'set' if settings.api_key else 'not set'}")
    print(f"data dir:   {settings.data_dir}")
    print(f"chroma:     {settings.chroma_url or 'embedded (files in the data dir)'}")
    print(f"embedder:   {settings.embedder or 'minilm'}")
    return 0


def _eval(args: argparse.Namespace) -> int:
    from workbench.eval.registry import make_task, report_task_run

    options = {k: v for k, v in vars(args).items()
               if k in ("context_level",) and v is not None}
    task = make_task(args.task, **options)
    from workbench.eval import run_experiment

    record = run_experiment(task, model=args.model, repeats=args.repeats, seed=args.seed,
                            runs_dir=args.runs_dir, run_dir=args.resume,
                            replay_dir=args.replay_dir, replay_mode=args.replay_mode,
                            options=options, progress=not args.quiet)
    report_task_run(task, record)
    return 0


def _demo(args: argparse.Namespace) -> int:
    from workbench.demo import run_demo

    return run_demo(model=args.model, repeats=args.repeats, runs_dir=args.runs_dir,
                    agents=args.agents, quiet=args.quiet)


def _lab(args: argparse.Namespace) -> int:
    from workbench.lab import start_lab

    return start_lab(port=args.port, open_browser=args.browser)


def _bench(args: argparse.Namespace) -> int:
    from workbench.bench import run_self_improvement

    return run_self_improvement(grid=args.grid, model=args.model, runs_dir=args.runs_dir,
                                quiet=args.quiet)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workbench", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("info", help="show the configured model, data dir and embedder")
    p.set_defaults(func=_info)

    p = sub.add_parser("demo", help="run the agents' learning experiments and write a report")
    p.add_argument("--model", default=None, help="model name (default: offline without a key)")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--agents", nargs="*", default=None, help="subset: dash contacts pal investment")
    p.add_argument("--runs-dir", default="runs")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=_demo)

    p = sub.add_parser("eval", help="run one agent's learning-over-time protocol")
    p.add_argument("task", help="dash, contacts, pal or investment")
    p.add_argument("--model", default=None)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--context-level", dest="context_level", default=None,
                   help="Dash: names, semantic, rules or queries")
    p.add_argument("--runs-dir", default="runs")
    p.add_argument("--resume", default=None, metavar="RUN_DIR", help="resume this run folder")
    p.add_argument("--replay-dir", default=None, help="record/replay cache for a real model")
    p.add_argument("--replay-mode", default="auto", choices=["auto", "record", "replay"])
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=_eval)

    p = sub.add_parser("bench", help="benchmarks")
    bench = p.add_subparsers(dest="bench", required=True)
    b = bench.add_parser("self-improvement", help="ablation grid over stores, modes, k, embedder")
    b.add_argument("--grid", default="default", help="a grid name or a JSON file")
    b.add_argument("--model", default=None)
    b.add_argument("--runs-dir", default="runs")
    b.add_argument("--quiet", action="store_true")
    b.set_defaults(func=_bench)

    p = sub.add_parser("lab", help="start JupyterLab on the notebooks (localhost, offline)")
    p.add_argument("--port", type=int, default=8888)
    p.add_argument("--browser", action="store_true", help="open a browser")
    p.set_defaults(func=_lab)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(list(argv) if argv is not None else sys.argv[1:])
    from workbench.errors import WorkbenchError

    try:
        return int(args.func(args) or 0)
    except WorkbenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; resume with --resume <run folder>", file=sys.stderr)
        return 130
