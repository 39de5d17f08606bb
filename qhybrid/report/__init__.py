"""Human-readable reports of experiment results: markdown tables for ``report.md`` and the terminal."""

from qhybrid.report.markdown import data_summary_table, markdown_table, results_table

__all__ = ["data_summary_table", "markdown_table", "results_table"]
