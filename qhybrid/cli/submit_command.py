"""``qhybrid submit``: evaluate a trained head of a run folder on an IBM Quantum backend."""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path
from typing import Any

from qhybrid.exceptions import ConfigError
from qhybrid.ibm.submit import DEFAULT_SHOTS, SubmissionPlan, SubmitConfig, plan_submission, run_submission

DESCRIPTION = """\
Evaluate a trained quantum head of RUN_DIR on an IBM backend and write
RUN_DIR/submissions/<backend>-<head>/ (jobs.jsonl, results.json).

fake_* backends (e.g. fake_manila) run qiskit-ibm-runtime's local testing mode on
this machine, with the fake backend's noise model. Other names (e.g. ibm_brisbane)
are QPUs; they need credentials from QISKIT_IBM_TOKEN and QISKIT_IBM_INSTANCE
(QISKIT_IBM_CHANNEL optional) or an account saved with
QiskitRuntimeService.save_account.
"""


def register(subparsers: Any) -> None:
    """Add the ``submit`` subcommand to the ``qhybrid`` parser."""
    parser = subparsers.add_parser(
        "submit",
        help="evaluate a trained head on an IBM Quantum backend",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("run_dir", metavar="RUN_DIR", help="run folder written by `qhybrid run`, e.g. runs/lambeq_mc")
    parser.add_argument(
        "--backend", required=True, metavar="NAME",
        help="IBM backend name: fake_manila (local testing mode) or a QPU such as ibm_brisbane",
    )
    parser.add_argument("--head", metavar="NAME", help="head to evaluate (default: the first quantum head of the run)")
    parser.add_argument(
        "--texts", metavar="FILE",
        help="classify the texts in FILE (one per line, features from the run's encoder) instead of the test split",
    )

    parser.add_argument(
        "--mode", choices=("job", "batch", "session"), default="job",
        help="IBM Runtime execution mode: independent jobs, a batch, or a session that reserves the QPU (default: job)",
    )
    parser.add_argument("--shots", type=int, default=DEFAULT_SHOTS, metavar="N", help=f"shots per sample (default: {DEFAULT_SHOTS})")
    parser.add_argument("--seed", type=int, default=0, help="seed of the transpiler layout, twirling and local simulation (default: 0)")
    parser.add_argument(
        "--mitigation", metavar="JSON",
        help='mitigation as JSON or a JSON file, e.g. \'{"readout": "mthree"}\' (default: none)',
    )
    parser.add_argument(
        "--max-circuits-per-job", type=int, metavar="N",
        help="at most N circuits per job, below the backend's limit, for shorter jobs (default: the backend's limit)",
    )
    parser.add_argument(
        "--optimization-level", type=int, choices=(0, 1, 2, 3), default=1,
        help="preset transpiler optimization level (default: 1)",
    )

    parser.add_argument(
        "--dry-run", action="store_true",
        help="print the circuit, bindings, shots, jobs and estimated QPU seconds, then stop without contacting IBM",
    )
    parser.add_argument(
        "--resume", action="store_true",
        help="reuse the finished jobs in jobs.jsonl and submit only the samples still missing",
    )
    parser.set_defaults(handler=run_submit_command)


def run_submit_command(args: argparse.Namespace) -> int:
    """Run ``qhybrid submit`` with parsed arguments; return the exit code."""
    if not getattr(args, "verbose", False):
        # qiskit-ibm-runtime logs every submission at INFO through its own handler.
        logging.getLogger("qiskit_ibm_runtime").setLevel(logging.WARNING)
    config = SubmitConfig(
        run_dir=args.run_dir,
        backend=args.backend,
        head=args.head,
        mode=args.mode,
        shots=args.shots,
        texts=args.texts,
        dry_run=args.dry_run,
        resume=args.resume,
        seed=args.seed,
        mitigation=parse_mitigation(args.mitigation),
        max_circuits_per_job=args.max_circuits_per_job,
        optimization_level=args.optimization_level,
    )
    if config.dry_run:
        print_plan(plan_submission(config))
        return 0

    result = run_submission(config, on_event=print)
    print_results(result.results, result.out_dir)
    return 0


def parse_mitigation(value: str | None) -> dict[str, Any] | None:
    """Parse ``--mitigation``: a JSON object, or the path of a file that contains one.

    Raises:
        ConfigError: if the value is neither.
    """
    if value is None:
        return None
    text = Path(value).read_text(encoding="utf-8") if Path(value).is_file() else value
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as error:
        raise ConfigError(
            f"--mitigation must be a JSON object or a JSON file, got {value!r} ({error}); "
            'e.g. --mitigation \'{"readout": "mthree"}\'.'
        ) from None
    if not isinstance(parsed, dict):
        raise ConfigError(f"--mitigation must be a JSON object, got {type(parsed).__name__}.")
    return parsed


def print_plan(plan: SubmissionPlan) -> None:
    """Print what a submission would send."""
    execution = plan.execution
    print(f"Dry run: head {plan.head} on {plan.backend} ({execution['execution']}); nothing was sent.")
    print(plan.circuit_drawing)
    print(f"physical qubits: {execution['physical_qubits']}, depth {execution['transpiled_depth']}, "
          f"two-qubit gates {execution['transpiled_two_qubit_gates']}")
    print(f"samples: {plan.n_samples} ({plan.n_done} already done), bindings to send: {plan.n_bindings}")
    print(f"shots per sample: {plan.shots}, circuits per binding: {execution['circuits_per_binding']}")
    print(f"jobs: {len(plan.jobs)} (at most {execution['bindings_per_job']} bindings per job; "
          f"limits from {execution['job_limits']['source']})")
    for number, (start, stop) in enumerate(plan.jobs, start=1):
        print(f"  job {number}: samples {start}-{stop - 1}")
    estimate = plan.estimate
    circuit = "unknown" if estimate.circuit_seconds is None else f"{estimate.circuit_seconds * 1e6:.1f} us"
    print(f"estimated QPU time: {estimate.seconds:.1f} s (an estimate: {estimate.n_jobs} jobs x "
          f"{estimate.job_overhead_seconds:.0f} s overhead + {estimate.n_bindings} bindings x "
          f"{estimate.circuits_per_binding} circuits x {len(estimate.noise_factors)} noise factors x "
          f"{estimate.shots} shots x (rep_delay {estimate.rep_delay_seconds * 1e6:.0f} us + circuit {circuit}))")
    print(f"mitigation: {json.dumps(execution['mitigation'])}")
    print(f"results would go to {plan.out_dir}")


def print_results(results: dict[str, Any], out_dir: Path) -> None:
    """Print the accuracy and the job log of a finished submission."""
    print(f"Jobs ({results['n_jobs']}):")
    for job in results["jobs"]:
        print(f"  {job['job_id']}  samples {job['sample_start']}-{job['sample_stop'] - 1}  ({job['source']})")
    if results["accuracy"] is not None:
        reference = results["reference_accuracy"]
        suffix = "" if reference is None else f" (recorded by qhybrid run: {reference:.4f})"
        print(f"accuracy on {results['backend']}: {results['accuracy']:.4f}{suffix}")
    else:
        print(f"predicted {results['n_samples']} texts on {results['backend']}")
    print(f"wall time {results['wall_seconds']:.1f} s; results in {out_dir}")
