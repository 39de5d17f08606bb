"""Files and metrics keys that every run folder must have, shared by the synthetic and real-data tests."""

REQUIRED_RESULT_KEYS = {
    "head", "kind", "backend", "shots", "test_accuracy", "test_macro_f1", "test_confusion_matrix",
    "val_accuracy", "best_epoch", "epochs_run", "train_seconds", "n_parameters",
}
"""Keys of every entry of ``metrics.json``'s ``results``."""

RUN_FILES = (
    "config.toml", "config.json", "label_map.json", "data_summary.json", "metrics.json", "report.md",
    "features/test.pt",
)
"""Files directly in the run folder, or in its features folder."""

HEAD_FILES = ("history.jsonl", "checkpoint.pt")
"""Files in ``heads/<head>/`` of every trained head."""
